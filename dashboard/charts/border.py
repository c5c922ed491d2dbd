"""Border region charts: a MapLibre map from local boundaries (no tiles) and bars per area (pure functions)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import geo
from dashboard.charts.core import GROUP_COLOURS, citation_text, cite, empty_figure
from dashboard.charts.flows import records

NO_DATA_FILL = "#d4d4d4"  # a flat grey outside both colour ramps, with a dashed outline: "no data", never 0
NO_DATA_LINE = "#6b6b6b"
SYRIA_RAMP = [[0, "#fbe0cc"], [1, GROUP_COLOURS["IDP"]]]
TURKEY_RAMP = [[0, "#d4e6f5"], [1, GROUP_COLOURS["REF"]]]
MAP_QUANTITY = {"syria": "arrivals", "turkey": "hosted"}
PATTERNS = ["", "/", "\\", "x", ".", "|", "-", "+"]


def map_layer(code: str) -> str | None:
    """The boundary layer of an area: the detailed Idleb/Aleppo districts where they exist."""
    name = geo.layer_for(code)
    if name == "syr_admin2" and code[:4] in ("SY07", "SY02"):
        return "syr_admin2_nw"
    return name


def map_rows(rows: pd.DataFrame, areas: list[dict], month_label: str) -> pd.DataFrame:
    """The rows the map draws: per mappable area of the pairing, its figure of the map's quantity (one series
    per side) or a 'no data' row. Districts are drawn only where they have a figure."""
    recs = rows.to_dict("records")  # a handful of rows: plain records beat pandas selections here
    out = []
    for side, quantity in MAP_QUANTITY.items():
        figs = [r for r in recs if r["side"] == side and r["quantity"] == quantity and r["status"] == "figure"]
        if figs:  # one series per side: the one covering most areas, then the latest
            slugs = {r["series_slug"] for r in figs}
            slug = max(slugs, key=lambda sl: (len({r["area_code"] for r in figs if r["series_slug"] == sl}),
                                              max(r["reference_period_end"] for r in figs if r["series_slug"] == sl)))
            figs = [r for r in figs if r["series_slug"] == slug]
        for a in (a for a in areas if a["side"] == side and a["kind"] in ("governorate", "province")):
            hit = [r for r in figs if r["area_code"] == a["code"]]
            out.append(hit[0] if hit else _no_data(a, quantity, list(rows.columns), month_label))
        out += [r for r in figs if r["area_kind"] == "district"]
    df = pd.DataFrame(out, columns=rows.columns)
    df["value"] = df["value"].astype("Int64")
    return df


def border_map(rows: pd.DataFrame, areas: list[dict], title: str, month_label: str) -> tuple[go.Figure, pd.DataFrame]:
    """Choropleth (MapLibre, map_style white-bg, local GeoJSON, explicit centre and zoom) of both sides."""
    drawn = map_rows(rows, areas, month_label)
    mappable = [a for a in areas if a["kind"] in ("governorate", "province") and map_layer(a["code"])]
    if not mappable:
        return empty_figure("This pairing has no area with a boundary to draw.", title), drawn
    recs = drawn.to_dict("records")
    fig = go.Figure()
    for side, axis, label in (("syria", "coloraxis", "Movements into the area"),
                              ("turkey", "coloraxis2", "Syrians hosted")):
        for level in ("governorate", "province", "district"):
            part = [r for r in recs if r["side"] == side and r["status"] == "figure" and r["area_kind"] == level]
            if not part:
                continue
            fig.add_trace(go.Choroplethmap(
                geojson=_collection(r["area_code"] for r in part), featureidkey="id",
                locations=[r["area_code"] for r in part], z=[int(r["value"]) for r in part], coloraxis=axis,
                marker={"line": {"color": "white", "width": 1}},
                name=f"{label}: {part[0]['reference']}, {part[0]['publisher']}{_via(part[0])}"
                     + (" (movements, not people)" if side == "syria" else " (people)"),
                showlegend=True, customdata=[_hover(r) for r in part], hovertemplate="%{customdata}<extra></extra>"))
    gaps = [r for r in recs if r["status"] == "no data"]
    if gaps:
        fig.add_trace(go.Choroplethmap(
            geojson=_collection(r["area_code"] for r in gaps), featureidkey="id",
            locations=[r["area_code"] for r in gaps],
            # z only carries the flat grey; every hover, table and CSV cell of these areas says "no data".
            z=[1] * len(gaps), colorscale=[[0, NO_DATA_FILL], [1, NO_DATA_FILL]], showscale=False,
            marker={"line": {"color": NO_DATA_LINE, "width": 1}}, name="No data for this month (not zero)",
            showlegend=True, customdata=[f"{r['area_name']}: no data for {r['reference']} (a gap, not zero)"
                                         for r in gaps], hovertemplate="%{customdata}<extra></extra>"))
    box = geo.union_bbox(*(geo.bbox(map_layer(a["code"]), [a["code"]]) for a in mappable))
    view = geo.map_view(box)
    syr = {a["code"] for a in areas if a["side"] == "syria" and a["kind"] == "governorate"}
    pad = (box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2)
    district_layer = "syr_admin2_nw" if syr <= {"SY07", "SY02"} else "syr_admin2"
    districts = [c for c in geo.codes(district_layer) if c[:4] in syr]
    countries = geo.lean("countries_me", box=pad, step=2)
    layers = [  # context outlines above the fills; the land fill below the traces so coasts read (no tiles)
        {"sourcetype": "geojson", "source": countries, "type": "fill", "color": "#f5f5f2", "below": "traces"},
        _line_layer(countries, "#8c8c8c", 1.2),
        _line_layer(geo.lean("syr_admin1", box=pad, step=2), "#b5b5b5", 0.6),
        _line_layer(geo.lean("tur_admin1", box=pad, step=2), "#b5b5b5", 0.6),
        _line_layer(geo.lean(district_layer, districts), "#ffffff", 0.8, dash=[2, 2]),
    ]
    if gaps:
        layers.append(_line_layer(_collection(r["area_code"] for r in gaps), NO_DATA_LINE, 1.2, dash=[3, 2]))
    fig.update_layout(
        map={"style": "white-bg", "center": view["center"], "zoom": view["zoom"], "layers": layers},
        coloraxis={"colorscale": SYRIA_RAMP, "cmin": 0, "cmax": _top(recs, "syria"), "colorbar": {
            "title": {"text": "Movements into<br>the area<br>(not people)"}, "x": 1.0, "y": 0.78, "len": 0.42,
            "thickness": 12}},
        coloraxis2={"colorscale": TURKEY_RAMP, "cmin": 0, "cmax": _top(recs, "turkey"), "colorbar": {
            "title": {"text": "Syrians hosted<br>(people)"}, "x": 1.0, "y": 0.25, "len": 0.42, "thickness": 12}},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}},
        height=660,
    )
    sources = drawn[drawn["status"] == "figure"]
    fig = cite(fig, title, f"{citation_text(_pairs(sources))}. {geo.ATTRIBUTION['ocha']} "
                           f"{geo.ATTRIBUTION['naturalearth']} {geo.DISCLAIMER}")
    fig.update_layout(margin={"b": 120, "r": 110})
    return fig, drawn


def border_bars(rows: pd.DataFrame, title: str, syria_title: str) -> tuple[go.Figure, pd.DataFrame]:
    """Bars per area: displaced and arrivals (Syria), refugees hosted per province, and the national figures
    beside them (never added). One bar per row of the axis; areas without a figure say "no data" there."""
    if rows.empty:
        return empty_figure("No figures for this pairing and month.", title), rows
    recs = [r | {"bar_label": label} for r, label in zip(rows.to_dict("records"), bar_labels(rows), strict=True)]
    fig = make_subplots(rows=1, cols=3, column_widths=[0.40, 0.34, 0.26], horizontal_spacing=0.2,
                        subplot_titles=[syria_title, "Türkiye: Syrians hosted per province",
                                        "Türkiye, national figures"])
    panels = {1: [r for r in recs if r["side"] == "syria"],
              2: [r for r in recs if r["side"] == "turkey" and r["quantity"] == "hosted"],
              3: [r for r in recs if r["side"] == "turkey" and r["quantity"] == "national"]}
    order: list[dict] = []
    for col, part in panels.items():
        fig.update_yaxes(categoryorder="array", categoryarray=list(dict.fromkeys(r["bar_label"] for r in part))[::-1],
                         automargin=True, row=1, col=col)
        figs = [r for r in part if r["status"] == "figure"]
        series: dict[tuple, list[dict]] = {}
        for r in figs:
            series.setdefault((r["quantity"], r["series_slug"], r["reference_period_start"]), []).append(r)
        for i, grp in enumerate(series.values()):
            first = grp[0]
            colour = GROUP_COLOURS.get(first["population_group"], "#999999")
            moves = first["measure"] == "movement"
            shape = ("/" if first["quantity"] == "arrivals" else "x") if moves else \
                ("/" if first["is_secondary"] else PATTERNS[i % len(PATTERNS)])
            fig.add_trace(go.Bar(
                orientation="h", y=[r["bar_label"] for r in grp], x=[int(r["value"]) for r in grp],
                name=_series_name(first), marker={"color": "white" if moves else colour,
                                                  "line": {"color": colour, "width": 1.5},
                                                  "pattern": {"shape": shape, "fgcolor": colour if moves else "white"}},
                text=[r["value_text"] for r in grp], textposition="outside", cliponaxis=False,
                customdata=[_hover(r) for r in grp], hovertemplate="%{customdata}<extra></extra>",
            ), row=1, col=col)
            order += grp
        gaps = [r for r in part if r["status"] == "no data"]
        if gaps:  # an empty trace keeps the area's row on the axis; the words say why it has no bar
            fig.add_trace(go.Bar(orientation="h", y=[r["bar_label"] for r in gaps], x=[None] * len(gaps),
                                 hoverinfo="skip", name="no data"), row=1, col=col)
            suffix = "" if col == 1 else str(col)
            for r in gaps:
                fig.add_annotation(x=0, y=r["bar_label"], xref=f"x{suffix}", yref=f"y{suffix}", text="no data",
                                   showarrow=False, xanchor="left", font={"size": 11, "color": "#555"})
            order += gaps
        top = max((int(r["value"]) for r in figs), default=1)
        # Room for the value written beside the bar; an axis with no figure gets no numbers at all.
        fig.update_xaxes(range=[0, top * 1.45], showticklabels=bool(figs), row=1, col=col)
    fig.update_xaxes(tickformat="~s", showgrid=True, gridcolor="#eee")
    fig.update_layout(barmode="overlay", bargap=0.3, showlegend=False,
                      height=max(420, 46 * max(len(p) for p in panels.values()) + 230))
    drawn = pd.DataFrame(order, columns=[*rows.columns, "bar_label"])
    drawn["value"] = drawn["value"].astype("Int64")
    fig = cite(fig, title, citation_text(_pairs(drawn[drawn["status"] == "figure"])))
    fig.update_layout(margin={"b": 110, "t": 90, "l": 20, "r": 60})
    return fig, drawn


SHORT = {"arrivals": "arrivals (movements in)", "departures": "displaced (movements out)",
         "displaced": "newly displaced (people)", "hosted": "", "national": ""}


def bar_labels(rows: pd.DataFrame) -> list[str]:
    """The axis label of each bar: the area and what is counted; the source when one area has two figures."""
    labels = []
    for r in rows.to_dict("records"):
        if r["quantity"] == "national":
            labels.append(f"{r['publisher']}, {r['reference']}")
            continue
        label = r["area_name"] if r["status"] == "no data" or not SHORT[r["quantity"]] else \
            f"{r['area_name']}: {SHORT[r['quantity']]}"
        labels.append(label)
    counts = pd.Series(labels).value_counts()
    return [f"{lab} · {r['publisher']}, {r['reference']}" if counts[lab] > 1 and r["status"] == "figure" else lab
            for lab, r in zip(labels, rows.to_dict("records"), strict=True)]


def table(rows: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """ag-grid columns and rows: every area with its figure or 'no data', date, qualifier and source."""
    cols = [("area_name", "Area"), ("side", "Side"), ("label", "Figure"), ("value", "Value"),
            ("qualifier", "Qualifier"), ("value_text", "As published"), ("reference", "Reference date or period"),
            ("publisher", "Source"), ("series_title", "Series"), ("licence", "Licence"), ("note", "Note"),
            ("members", "Summed figures")]
    defs = [{"field": f, "headerName": h, "sortable": True, "filter": True, "resizable": True} for f, h in cols]
    defs[3].update({"type": "numericColumn", "valueFormatter": {
        "function": "params.value == null ? 'no data' : d3.format(',')(params.value)"}})
    return defs, records(rows)


def map_summary(drawn: pd.DataFrame, month_label: str) -> str:
    """One sentence per side: each area's figure (or 'no data') with its date and source."""
    parts = []
    for side, words in (("syria", "IDP movements into the area (movements, not people)"),
                        ("turkey", "Syrians under temporary protection")):
        part = drawn[drawn["side"] == side]
        if part.empty:
            continue
        figs = part[part["status"] == "figure"]
        head = f"{words}, {figs.iloc[0]['reference']}, {figs.iloc[0]['publisher']}" if len(figs) else words
        parts.append(f"{head}: " + "; ".join(f"{r['area_name']} {r['value_text']}" for r in part.to_dict("records")))
    return f"{month_label}. " + ". ".join(parts) + "."


def bars_summary(drawn: pd.DataFrame, month_label: str) -> str:
    figs = drawn[drawn["status"] == "figure"]
    gaps = drawn[drawn["status"] == "no data"]
    items = "; ".join(f"{'Türkiye' if r['quantity'] == 'national' else r['area_name']}: {_series_name(r, False)} "
                      f"{r['value_text']} ({r['publisher']}{_via(r)}, {r['reference']})"
                      for r in figs.to_dict("records"))
    text = f"{month_label}: {items}." if items else f"{month_label}: no figures."
    if len(gaps):
        text += f" No data (not zero): {', '.join(dict.fromkeys(gaps['area_name']))}."
    national = figs[figs["quantity"] == "national"]
    if len(national):
        text += " National figures are shown beside the provinces, never added to them."
    return text


def _series_name(r: dict, dated: bool = True) -> str:
    what = {"arrivals": "arrivals (movements in)", "departures": "displaced (movements out)",
            "displaced": "newly displaced IDPs", "hosted": "Syrians hosted",
            "national": "national figure"}[r["quantity"]]
    return f"{what} ({r['publisher']}{_via(r)}, {r['reference']})" if dated else what


def _via(r: dict) -> str:
    """DGMM's figures reach us through the press: say so wherever they are named."""
    return ", via the press" if r.get("is_secondary") and r["quantity"] in ("hosted", "national") else ""


def _hover(r: dict) -> str:
    unit = " movements (not people)" if r["measure"] == "movement" else " people"
    secondary = " (secondary source)" if r.get("is_secondary") else ""
    extra = f"<br>{r['note']}" if r.get("note") and r["quantity"] in ("arrivals", "departures") else ""
    return (f"{r['area_name']}: {r['label']}<br>{r['value_text']}{unit}<br>{r['reference']} · {r['qualifier']}"
            f"<br>Source: {r['publisher']}{secondary}{extra}")


def _no_data(a: dict, quantity: str, columns: list[str], month_label: str) -> dict:
    row = dict.fromkeys(columns)
    row.update({"side": a["side"], "area_code": a["code"], "area_name": a["name"], "area_kind": a["kind"],
                "quantity": quantity, "status": "no data", "value": None, "value_text": "no data",
                "is_secondary": False, "members": "", "reference": month_label,
                "note": "no figure of this kind for this area in this month: a gap, not zero"})
    return row


def _top(recs: list[dict], side: str) -> float:
    """The top of a side's colour ramp (its largest figure); the ramp starts at 0 so shades compare to zero."""
    values = [int(r["value"]) for r in recs if r["side"] == side and r["status"] == "figure"]
    return float(max(values)) if values else 1.0


def _collection(codes) -> dict:
    """The lean features of these codes, each from its own layer (governorates, districts, provinces)."""
    by_layer: dict[str, list[str]] = {}
    for code in dict.fromkeys(codes):
        if map_layer(code):
            by_layer.setdefault(map_layer(code), []).append(code)
    return {"type": "FeatureCollection",
            "features": [f for name, cs in by_layer.items() for f in geo.lean(name, cs)["features"]]}


def _line_layer(collection: dict, colour: str, width: float, dash: list | None = None) -> dict:
    line = {"width": width} | ({"dash": dash} if dash else {})
    return {"sourcetype": "geojson", "source": collection, "type": "line", "color": colour, "line": line}


def _pairs(df: pd.DataFrame) -> pd.DataFrame:
    pairs = [(name, lic) for pub, lic in zip(df["publisher"], df["licence"], strict=True) if pub
             for name in str(pub).split("; ")]
    return pd.DataFrame(pairs, columns=["publisher", "licence"])
