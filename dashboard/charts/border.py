"""Border region charts: a MapLibre map from local boundaries (no tiles) and bars per area (pure functions)."""
from __future__ import annotations

import copy
import functools

import pandas as pd
from plotly.subplots import make_subplots

from dashboard import geo
from dashboard.charts.core import GROUP_COLOURS, citation_text, cite_dict, empty_figure, template
from dashboard.charts.flows import records
from dashboard.geojson_route import url as geo_url

NO_DATA_FILL = "#d4d4d4"  # a flat grey outside both colour ramps, with a dashed outline: "no data", never 0
NO_DATA_LINE = "#6b6b6b"
SYRIA_RAMP = [[0, "#fbe0cc"], [1, GROUP_COLOURS["IDP"]]]
TURKEY_RAMP = [[0, "#d4e6f5"], [1, GROUP_COLOURS["REF"]]]
MAP_QUANTITY = {"syria": "arrivals", "turkey": "hosted"}
PATTERNS = ["", "/", "\\", "x", ".", "|", "-", "+"]
AREAS = "border_areas"  # geo.COMPOSITES: each area code with the feature map_layer() names


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


def border_map(rows: pd.DataFrame, areas: list[dict], title: str,
               month_label: str) -> tuple[dict, pd.DataFrame]:
    """Choropleth (MapLibre, map_style white-bg, local GeoJSON, explicit centre and zoom) of both sides, as a plain
    dict figure. The boundaries are same-origin URLs (dashboard/geojson_route.py) the browser fetches once."""
    drawn = map_rows(rows, areas, month_label)
    mappable = [a for a in areas if a["kind"] in ("governorate", "province") and map_layer(a["code"])]
    if not mappable:
        return empty_figure("This pairing has no area with a boundary to draw.", title), drawn
    recs = drawn.to_dict("records")
    syr = {a["code"] for a in areas if a["side"] == "syria" and a["kind"] == "governorate"}
    district_layer = "syr_admin2_nw" if syr <= {"SY07", "SY02"} else "syr_admin2"
    districts = [c for c in geo.codes(district_layer) if c[:4] in syr]
    # One collection for every trace, the same for a pairing whatever the month: a trace draws only the features
    # of its locations, and the browser fetches the URL once.
    shapes = geo_url(AREAS, {a["code"] for a in mappable} | set(districts) | {r["area_code"] for r in recs})
    data = []
    for side, axis, label in (("syria", "coloraxis", "Movements into the area"),
                              ("turkey", "coloraxis2", "Syrians hosted")):
        for level in ("governorate", "province", "district"):
            part = [r for r in recs if r["side"] == side and r["status"] == "figure" and r["area_kind"] == level]
            if not part:
                continue
            data.append({
                "type": "choroplethmap", "geojson": shapes, "featureidkey": "id",
                "locations": [r["area_code"] for r in part], "z": [int(r["value"]) for r in part], "coloraxis": axis,
                "marker": {"line": {"color": "white", "width": 1}},
                "name": f"{label}: {part[0]['reference']}, {part[0]['publisher']}{_via(part[0])}"
                        + (" (movements, not people)" if side == "syria" else " (people)"),
                "showlegend": True, "customdata": [_hover(r) for r in part],
                "hovertemplate": "%{customdata}<extra></extra>"})
    gaps = [r for r in recs if r["status"] == "no data"]
    if gaps:
        data.append({
            "type": "choroplethmap", "geojson": shapes, "featureidkey": "id",
            "locations": [r["area_code"] for r in gaps],
            # z only carries the flat grey; every hover, table and CSV cell of these areas says "no data".
            "z": [1] * len(gaps), "colorscale": [[0, NO_DATA_FILL], [1, NO_DATA_FILL]], "showscale": False,
            "marker": {"line": {"color": NO_DATA_LINE, "width": 1}}, "name": "No data for this month (not zero)",
            "showlegend": True, "customdata": [f"{r['area_name']}: no data for {r['reference']} (a gap, not zero)"
                                               for r in gaps], "hovertemplate": "%{customdata}<extra></extra>"})
    box = geo.union_bbox(*(geo.bbox(map_layer(a["code"]), [a["code"]]) for a in mappable))
    view = geo.map_view(box)
    pad = (box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2)
    countries = geo_url("countries_me", box=pad, step=2)
    layers = [  # context outlines above the fills; the land fill below the traces so coasts read (no tiles)
        {"sourcetype": "geojson", "source": countries, "type": "fill", "color": "#f5f5f2", "below": "traces"},
        _line_layer(countries, "#8c8c8c", 1.2),
        _line_layer(geo_url("syr_admin1", box=pad, step=2), "#b5b5b5", 0.6),
        _line_layer(geo_url("tur_admin1", box=pad, step=2), "#b5b5b5", 0.6),
        _line_layer(geo_url(district_layer, districts), "#ffffff", 0.8, dash=[2, 2]),
    ]
    if gaps:  # a layer draws every feature of its source: exactly the gaps
        layers.append(_line_layer(geo_url(AREAS, {r["area_code"] for r in gaps}), NO_DATA_LINE, 1.2, dash=[3, 2]))
    layout = {
        "template": template(),
        "map": {"style": "white-bg", "center": view["center"], "zoom": view["zoom"], "layers": layers},
        "coloraxis": {"colorscale": SYRIA_RAMP, "cmin": 0, "cmax": _top(recs, "syria"), "colorbar": {
            "title": {"text": "Movements into<br>the area<br>(not people)"}, "x": 1.0, "y": 0.78, "len": 0.42,
            "thickness": 12}},
        "coloraxis2": {"colorscale": TURKEY_RAMP, "cmin": 0, "cmax": _top(recs, "turkey"), "colorbar": {
            "title": {"text": "Syrians hosted<br>(people)"}, "x": 1.0, "y": 0.25, "len": 0.42, "thickness": 12}},
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}},
        "height": 660,
    }
    sources = drawn[drawn["status"] == "figure"]
    fig = cite_dict({"data": data, "layout": layout}, title,
                    f"{citation_text(_pairs(sources))}. {geo.ATTRIBUTION['ocha']} {geo.ATTRIBUTION['naturalearth']} "
                    f"{geo.DISCLAIMER}")
    layout["margin"].update({"b": 120, "r": 110})
    return fig, drawn


def border_bars(rows: pd.DataFrame, title: str, syria_title: str) -> tuple[dict, pd.DataFrame]:
    """Bars per area: displaced and arrivals (Syria), refugees hosted per province, and the national figures
    beside them (never added). One bar per row of the axis; areas without a figure say "no data" there.
    A plain dict figure (plotly's validation cost more than everything else on the page)."""
    if rows.empty:
        return empty_figure("No figures for this pairing and month.", title), rows
    recs = [r | {"bar_label": label} for r, label in zip(rows.to_dict("records"), bar_labels(rows), strict=True)]
    layout = _bars_grid([syria_title, "Türkiye: Syrians hosted per province", "Türkiye, national figures"])
    data: list[dict] = []
    panels = {1: [r for r in recs if r["side"] == "syria"],
              2: [r for r in recs if r["side"] == "turkey" and r["quantity"] == "hosted"],
              3: [r for r in recs if r["side"] == "turkey" and r["quantity"] == "national"]}
    order: list[dict] = []
    for col, part in panels.items():
        suffix = "" if col == 1 else str(col)
        layout[f"yaxis{suffix}"].update(categoryorder="array", automargin=True,
                                        categoryarray=list(dict.fromkeys(r["bar_label"] for r in part))[::-1])
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
            data.append({
                "type": "bar", "orientation": "h", "y": [r["bar_label"] for r in grp],
                "x": [int(r["value"]) for r in grp], "name": _series_name(first),
                "marker": {"color": "white" if moves else colour, "line": {"color": colour, "width": 1.5},
                           "pattern": {"shape": shape, "fgcolor": colour if moves else "white"}},
                "text": [r["value_text"] for r in grp], "textposition": "outside", "cliponaxis": False,
                "customdata": [_hover(r) for r in grp], "hovertemplate": "%{customdata}<extra></extra>",
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
            order += grp
        gaps = [r for r in part if r["status"] == "no data"]
        if gaps:  # an empty trace keeps the area's row on the axis; the words say why it has no bar
            data.append({"type": "bar", "orientation": "h", "y": [r["bar_label"] for r in gaps],
                         "x": [None] * len(gaps), "hoverinfo": "skip", "name": "no data",
                         "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
            layout["annotations"] += [{"x": 0, "y": r["bar_label"], "xref": f"x{suffix}", "yref": f"y{suffix}",
                                       "text": "no data", "showarrow": False, "xanchor": "left",
                                       "font": {"size": 11, "color": "#555"}} for r in gaps]
            order += gaps
        top = max((int(r["value"]) for r in figs), default=1)
        # Room for the value written beside the bar; an axis with no figure gets no numbers at all.
        layout[f"xaxis{suffix}"].update(range=[0, top * 1.45], showticklabels=bool(figs))
    for col in ("", "2", "3"):
        layout[f"xaxis{col}"].update(tickformat="~s", showgrid=True, gridcolor="#eee")
    layout.update(barmode="overlay", bargap=0.3, showlegend=False,
                  height=max(420, 46 * max(len(p) for p in panels.values()) + 230))
    drawn = pd.DataFrame(order, columns=[*rows.columns, "bar_label"])
    drawn["value"] = drawn["value"].astype("Int64")
    fig = cite_dict({"data": data, "layout": layout}, title,
                    citation_text(_pairs(drawn[drawn["status"] == "figure"])))
    layout["margin"] = {"b": 110, "t": 90, "l": 20, "r": 60}
    return fig, drawn


def _bars_grid(titles: list[str]) -> dict:
    """The layout of the three bar panels (axes, domains, panel titles) as make_subplots draws it: a new dict."""
    layout = copy.deepcopy(_grid_layout())
    for annotation, text in zip(layout["annotations"], titles, strict=True):
        annotation["text"] = text
    layout["template"] = template()
    return layout


@functools.cache
def _grid_layout() -> dict:
    grid = make_subplots(rows=1, cols=3, column_widths=[0.40, 0.34, 0.26], horizontal_spacing=0.2,
                         subplot_titles=["1", "2", "3"]).to_dict()["layout"]
    grid.pop("template")
    return grid


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
    if r.get("rival_note"):  # the figure ledger, in the Trends chart's words
        extra += f"<br>Figure ledger: {r['rival_note']}"
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


def _line_layer(source: str, colour: str, width: float, dash: list | None = None) -> dict:
    line = {"width": width} | ({"dash": dash} if dash else {})
    return {"sourcetype": "geojson", "source": source, "type": "line", "color": colour, "line": line}


def _pairs(df: pd.DataFrame) -> pd.DataFrame:
    pairs = [(name, lic) for pub, lic in zip(df["publisher"], df["licence"], strict=True) if pub
             for name in str(pub).split("; ")]
    return pd.DataFrame(pairs, columns=["publisher", "licence"])
