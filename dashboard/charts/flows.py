"""Flows charts: origin -> destination Sankeys (top N plus one 'other') and arrows on a map (pure functions)."""
from __future__ import annotations

import math

import pandas as pd

from dashboard import geo
from dashboard.charts.core import (
    GROUP_COLOURS,
    citation_text,
    cite_dict,
    empty_figure,
    figure,
    format_date,
    group_label,
    qualified,
)

OTHER = "OTHER"
OTHER_ORIGINS = "OTHER-ORIGINS"
BEND = 0.12  # how far an arrow's midpoint leaves the straight line, as a share of its length
LINK_COLUMNS = [
    "origin_code", "origin_name", "destination_code", "destination_name", "value", "value_text", "qualifier",
    "population_group", "measure", "unit", "reference_period_start", "reference_period_end", "reference",
    "publisher", "originator", "licence", "series_title", "citation", "retrieved_at", "source_title", "source_url",
    "is_secondary", "note", "members", "n_figures",
]
LEDGER_COLUMNS = ["is_chosen", "rival_note"]  # with no release filter: the figure ledger's marks (a sum has none)


def month_or_period(start, end) -> str:
    """'Dec 2019' for a calendar month, '31 Dec 2019' for a stock, else '1 Jan – 31 Dec 2019'."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if s == e:
        return format_date(e)
    if s.day == 1 and s.year == e.year and s.month == e.month and (e + pd.Timedelta(days=1)).day == 1:
        return f"{e:%b %Y}"
    if s.month == 1 and s.day == 1 and e.month == 12 and e.day == 31 and s.year == e.year:
        return f"the year {e.year}"
    return f"{format_date(s)} – {format_date(e)}"


def what(group: str, measure: str) -> str:
    """'refugees (stock)', 'IDP movements (movements, not people)'."""
    if measure == "movement":
        return "IDP movements (movements, not people)" if group == "IDP" else group_label(group, measure)
    return f"{group_label(group, measure)}" + (" (stock)" if measure == "stock" else "")


def top_links(df: pd.DataFrame, top_n: int, *, place_word: str = "countries") -> pd.DataFrame:
    """The `top_n` largest links, then one 'other' row (sum of the rest, listing its members and sources).

    The rest is summed only because every link has the same series, group, measure, unit and reference
    period, and the destinations are disjoint areas of one level."""
    columns = LINK_COLUMNS + [c for c in LEDGER_COLUMNS if c in df.columns]
    if df.empty:
        return pd.DataFrame(columns=columns)
    df = df.sort_values(["value", "origin_name", "location_name"], ascending=[False, True, True])
    rows = [_link_row(r) for r in df.head(top_n).itertuples(index=False)]
    rest = df.iloc[top_n:]
    if len(rest):
        rows.append(_other_row(rest, place_word))
    return pd.DataFrame(rows, columns=columns)


def _link_row(r) -> dict:
    return {
        "origin_code": r.origin_code, "origin_name": r.origin_name, "destination_code": r.location_code,
        "destination_name": r.location_name, "value": int(r.value), "value_text": qualified(r.value, r.qualifier),
        "qualifier": r.qualifier, "population_group": r.population_group, "measure": r.measure, "unit": r.unit,
        "reference_period_start": _iso(r.reference_period_start), "reference_period_end": _iso(r.reference_period_end),
        "reference": month_or_period(r.reference_period_start, r.reference_period_end),
        "publisher": r.publisher, "originator": r.originator, "licence": r.licence, "series_title": r.series_title,
        "citation": r.citation, "retrieved_at": _iso(r.retrieved_at), "source_title": r.source_title,
        "source_url": r.source_url, "is_secondary": bool(r.is_secondary), "note": _text(r.note), "members": "",
        "n_figures": 1, **{c: getattr(r, c) for c in LEDGER_COLUMNS if hasattr(r, c)},
    }


def _other_row(rest: pd.DataFrame, place_word: str) -> dict:
    first = rest.iloc[0]
    origins = rest["origin_code"].unique()
    one_origin = len(origins) == 1
    total = int(rest["value"].sum())
    exact = (rest["qualifier"] == "exact").all()
    members = "; ".join(f"{o} → {d} {qualified(v, q)}" if not one_origin else f"{d} {qualified(v, q)}"
                        for o, d, v, q in zip(rest["origin_name"], rest["location_name"], rest["value"],
                                              rest["qualifier"], strict=True))
    return {
        "origin_code": origins[0] if one_origin else OTHER_ORIGINS,
        "origin_name": first["origin_name"] if one_origin else f"Other origins ({len(origins)})",
        "destination_code": OTHER, "destination_name": f"Other ({len(rest)} {place_word})" if one_origin
        else f"Other ({len(rest)} links)",
        "value": total, "value_text": f"{total:,}" if exact else f"about {total:,}",
        "qualifier": "exact" if exact else "sum of qualified figures",
        "population_group": first["population_group"], "measure": first["measure"], "unit": first["unit"],
        "reference_period_start": _iso(first["reference_period_start"]),
        "reference_period_end": _iso(first["reference_period_end"]),
        "reference": month_or_period(first["reference_period_start"], first["reference_period_end"]),
        "publisher": "; ".join(sorted(rest["publisher"].dropna().unique())),
        "originator": "; ".join(sorted(rest["originator"].dropna().unique())),
        "licence": "; ".join(sorted(rest["licence"].dropna().unique())),
        "series_title": "; ".join(sorted(rest["series_title"].dropna().unique())),
        "citation": "; ".join(sorted(rest["citation"].dropna().unique())),
        "retrieved_at": _iso(rest["retrieved_at"].max()),
        "source_title": "; ".join(sorted(rest["source_title"].dropna().unique())),
        "source_url": "; ".join(sorted(rest["source_url"].dropna().unique())),
        "is_secondary": bool(rest["is_secondary"].any()),
        "note": f"sum of {len(rest)} figures of one series, group, measure and date, each listed in members",
        "members": members, "n_figures": len(rest),
    }


def sankey(links: pd.DataFrame, title: str, *, movements: bool) -> dict:
    """One Sankey of one figure set: origins on the left, destinations on the right, values on hover."""
    if links.empty:
        return empty_figure("No flows to draw for these filters.", title)
    group = links["population_group"].iloc[0]
    colour = GROUP_COLOURS.get(group, "#999999")
    unit = "movements" if movements else "people"
    origins = list(dict.fromkeys(links["origin_code"]))
    dests = list(dict.fromkeys(links["destination_code"]))
    names_o = dict(zip(links["origin_code"], links["origin_name"], strict=True))
    names_d = dict(zip(links["destination_code"], links["destination_name"], strict=True))
    # Origins and destinations are separate nodes, so a move within a governorate (Idleb -> Idleb) is a link.
    labels = [names_o[c] for c in origins] + [names_d[c] for c in dests]
    roles = ["from"] * len(origins) + ["to"] * len(dests)
    codes = origins + dests
    node_colour = ["#999999" if c in (OTHER, OTHER_ORIGINS) else colour for c in codes]
    link_hover = [_link_hover(r, unit) for r in links.itertuples(index=False)]
    trace = {
        "arrangement": "snap",
        "link": {"color": _rgba(colour, 0.35), "customdata": link_hover,
                 "hovertemplate": "%{customdata}<extra></extra>",
                 "source": [origins.index(c) for c in links["origin_code"]],
                 "target": [len(origins) + dests.index(c) for c in links["destination_code"]],
                 "value": [int(v) for v in links["value"]]},
        "node": {"color": node_colour, "customdata": [f"{role} {label}" for role, label in zip(roles, labels,
                                                                                              strict=True)],
                 "hovertemplate": f"%{{customdata}}<br>%{{value:,}} {unit} in the links shown<extra></extra>",
                 "label": labels, "pad": 14, "thickness": 16},
        "valueformat": ",d", "type": "sankey"}
    fig = figure([trace], height=max(420, 34 * max(len(origins), len(dests)) + 170))
    return cite_dict(fig, title, _citation(links))


def arrows_map(links: pd.DataFrame, title: str, *, level: str) -> tuple[dict, pd.DataFrame]:
    """Origin -> destination arrows (width by value) on a geo map drawn from local geometry.

    Returns the figure and exactly the links it draws ('other' and places without geometry are left out)."""
    movements = level == "governorate"
    layer = "syr_admin1" if movements else "countries"
    rows, ends = [], []
    for r in links.itertuples(index=False):
        a, b = geo.centroid(r.origin_code, layer), geo.centroid(r.destination_code, layer)
        if a is not None and b is not None:
            rows.append(r._asdict())
            ends.append((a, b))
    drawn = pd.DataFrame(rows, columns=links.columns)
    if drawn.empty:
        return empty_figure("None of these flows can be drawn: no geometry for their places.", title), drawn
    colour = GROUP_COLOURS.get(drawn["population_group"].iloc[0], "#999999")
    unit = "movements" if movements else "people"
    vmax = float(drawn["value"].max())
    traces = []
    if movements:  # governorate outlines from the OCHA file, as lines: context, not data
        lons, lats = geo.outline_lines(geo.layer("syr_admin1"))
        traces.append({"hoverinfo": "skip", "lat": lats, "line": {"color": "#9e9e9e", "width": 0.7}, "lon": lons,
                       "mode": "lines", "name": "governorate boundaries", "showlegend": False,
                       "type": "scattergeo"})
    for r, (a, b) in zip(drawn.itertuples(index=False), ends, strict=True):
        width = 1.5 + 10 * math.sqrt(r.value / vmax) if vmax > 0 else 1.5  # every link 0: all thin, never an error
        hover = _link_hover(r, unit)
        data = [r.origin_code, r.destination_code, int(r.value), hover]
        name = f"{r.origin_name} → {r.destination_name}: {r.value_text}"
        if a == b:  # a move inside one area has no direction: a ring sized by value
            traces.append({
                "customdata": [data], "hovertemplate": "%{customdata[3]}<extra></extra>", "lat": [a[1]], "lon": [a[0]],
                "marker": {"color": "rgba(0,0,0,0)", "line": {"color": colour, "width": 3}, "size": 8 + 3 * width},
                "mode": "markers", "name": f"within {r.origin_name}: {r.value_text}", "type": "scattergeo"})
            continue
        # Bent through an offset midpoint, so A -> B and B -> A (and near-parallel links) do not overlap.
        mid = ((a[0] + b[0]) / 2 - BEND * (b[1] - a[1]), (a[1] + b[1]) / 2 + BEND * (b[0] - a[0]))
        traces.append({
            "customdata": [data, data, data], "hovertemplate": "%{customdata[3]}<extra></extra>",
            "lat": [a[1], mid[1], b[1]], "line": {"color": _rgba(colour, 0.75), "width": width},
            "lon": [a[0], mid[0], b[0]],
            "marker": {"angleref": "previous", "color": colour, "size": [0, 0, 8 + 1.6 * width], "symbol": "arrow"},
            "mode": "lines+markers", "name": name, "type": "scattergeo"})
    geo_layout = {"coastlinecolor": "#bdbdbd", "countrycolor": "#bdbdbd", "fitbounds": "locations",
                  "landcolor": "#f4f4f4", "projection": {"type": "mercator" if movements else "natural earth"},
                  "resolution": 50 if movements else 110, "showcoastlines": True, "showcountries": True,
                  "showframe": False, "showlakes": False, "showland": True, "showocean": False}
    fig = figure(traces, geo=geo_layout, height=560,
                 legend={"font": {"size": 11}, "title": {"text": f"Largest links ({unit})"}})
    attribution = geo.ATTRIBUTION["ocha"] if movements else "Country outlines: Natural Earth (public domain)."
    fig = cite_dict(fig, title, f"{_citation(drawn)}. {attribution} {geo.DISCLAIMER}")
    fig["layout"]["margin"] = {**fig["layout"]["margin"], "b": 120}
    return fig, drawn


def link_table(links: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """ag-grid column definitions and rows: every link with its value, date, qualifier and source."""
    cols = [("origin_name", "From"), ("destination_name", "To"), ("value", "Value"), ("qualifier", "Qualifier"),
            ("value_text", "As published"), ("reference", "Reference date or period"), ("measure", "Measure"),
            ("publisher", "Source"), ("series_title", "Series"), ("licence", "Licence"),
            ("members", "Members of 'other'")]
    defs = [{"field": f, "headerName": h, "sortable": True, "filter": True, "resizable": True} for f, h in cols]
    defs[2].update({"type": "numericColumn", "valueFormatter": {
        "function": "params.value == null ? 'no data' : d3.format(',')(params.value)"}})
    return defs, records(links)


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (numbers stay numbers, gaps stay None, dates as ISO text)."""
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


def summary(links: pd.DataFrame, *, title: str, top_n: int, movements: bool, dates_note: str,
            missing: int) -> str:
    """One sentence: what is shown, the largest links, the 'other' bucket, and the reference date rule."""
    if links.empty:
        return f"{title}: no flows for these filters."
    first = links.iloc[0]
    unit = " movements" if movements else ""
    real = links[links["destination_code"] != OTHER]
    largest = "; ".join(f"{r.origin_name} → {r.destination_name} {r.value_text}{unit}"
                        for r in real.head(3).itertuples(index=False))
    other = links[links["destination_code"] == OTHER]
    head = what(first["population_group"], first["measure"])
    text = f"{head[0].upper()}{head[1:]}, {first['reference']}, {first['publisher']}: largest {largest}."
    if len(other):
        o = other.iloc[0]
        text += (f" The {len(real)} largest links are drawn; {int(o['n_figures'])} more are one 'other' node "
                 f"({o['value_text']}{unit}).")
    if missing:
        text += f" {missing} figures of this set were published without a value (not zero) and are left out."
    return f"{text} {dates_note}".strip()


def map_summary(drawn: pd.DataFrame, links: pd.DataFrame, *, movements: bool) -> str:
    """One sentence: how many arrows, the largest ones, and what is not drawn."""
    if drawn.empty:
        return "No arrow can be drawn for these flows."
    first = drawn.iloc[0]
    unit = " movements" if movements else ""
    largest = "; ".join(f"{r.origin_name} → {r.destination_name} {r.value_text}{unit}"
                        for r in drawn[drawn["origin_code"] != drawn["destination_code"]].head(3).itertuples())
    within = drawn[drawn["origin_code"] == drawn["destination_code"]]
    text = f"{len(drawn)} links on the map, width by value ({what(first['population_group'], first['measure'])}, " \
           f"{first['reference']}, {first['publisher']})"
    text += f"; largest arrows {largest}" if largest else ""
    text += f"; {len(within)} moves within one area drawn as rings" if len(within) else ""
    shown = set(zip(drawn["origin_code"], drawn["destination_code"], strict=True))
    left = [r.destination_name for r in links.itertuples() if (r.origin_code, r.destination_code) not in shown]
    if left:
        text += f". Not drawn: {', '.join(left[:4])} (the 'other' node, or places without a boundary)"
    return text + "."


def _link_hover(r, unit: str) -> str:
    head = f"{r.origin_name} → {r.destination_name}: {r.value_text} {unit}"
    if r.destination_code == OTHER:
        head += f" (sum of {r.n_figures} figures, listed in the table)"
    secondary = " (secondary source)" if r.is_secondary else ""
    note = getattr(r, "rival_note", None)  # the figure ledger, in the Trends chart's words ('other': none)
    ledger = f"<br>Figure ledger: {note}" if isinstance(note, str) and note else ""
    return f"{head}<br>{r.reference} · {r.qualifier}<br>Source: {r.publisher}{secondary}{ledger}"


def _citation(links: pd.DataFrame) -> str:
    pairs = [(p, r.licence) for r in links.itertuples(index=False) for p in str(r.publisher).split("; ")]
    sources = pd.DataFrame(pairs, columns=["publisher", "licence"])
    return citation_text(sources, f"Reference date: {links['reference'].iloc[0]}")


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _iso(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)


def _plain(v):
    """numpy/pandas scalars to plain Python; NA and NaN to None (a gap, never 0)."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v.item() if hasattr(v, "item") else v
