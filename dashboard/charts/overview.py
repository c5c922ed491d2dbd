"""Overview charts and words: a card's sentence, its sparkline, and the trend of every card as small multiples."""
from __future__ import annotations

import html
import math

import pandas as pd

from dashboard.charts.core import (
    FONT,
    GROUP_COLOURS,
    GROUP_NAMES,
    MEASURE_DASH,
    axis_suffix,
    citation_text,
    cite_dict,
    dates,
    empty_figure,
    figure,
    grid,
    period_text,
    qualified,
)

# Adjectives for the origins of the worked example and the largest refugee populations; others: "from X".
DEMONYMS = {"SYR": "Syrian", "AFG": "Afghan", "IRQ": "Iraqi", "UKR": "Ukrainian", "VEN": "Venezuelan",
            "SSD": "South Sudanese", "MMR": "Myanmar", "SDN": "Sudanese", "COD": "Congolese (DRC)",
            "SOM": "Somali", "ERI": "Eritrean", "PSE": "Palestinian"}


def who(group: str, measure: str, origin_code: str | None, origin_name: str | None, location_code: str,
        location_name: str) -> str:
    """'Syrian refugees in Türkiye', 'displaced in North-west Syria', 'internally displaced people in …'."""
    where = f"in {location_name}"
    if measure == "movement":
        return f"movements of {GROUP_NAMES.get(group, group)} (moves, not people) to {location_name}" + \
            (f" from {origin_name}" if origin_name and origin_code != location_code else "")
    if group in ("IDP", "IOC"):
        return f"displaced {where}" if measure == "flow" else f"{GROUP_NAMES[group]} {where}"
    name = GROUP_NAMES.get(group, group)
    if group == "STA":  # their 'origin' is the stateless pseudo-place: no country to name
        return f"{name} {where}"
    if origin_code and origin_code in DEMONYMS and origin_code != location_code:
        name = f"{DEMONYMS[origin_code]} {name}"
    elif origin_name and origin_code != location_code:
        name = f"{name} from {origin_name}"
    suffix = " (newly counted during the period)" if measure == "flow" else ""
    return f"{name} {where}{suffix}"


def card_sentence(figure: dict, location_name: str) -> str:
    """'3,576,370 Syrian refugees in Türkiye, 31 Dec 2019, UNHCR'."""
    value = qualified(figure.get("value"), figure.get("qualifier"))
    text = who(figure["population_group"], figure["measure"], figure.get("origin_code"),
               figure.get("origin_name"), figure["location_code"], location_name)
    when = period_text(figure["reference_period_start"], figure["reference_period_end"])
    unit = "" if figure.get("unit") in (None, "people") else f" {figure['unit']}"
    return f"{value}{unit} {text}, {when}, {figure.get('source') or figure['publisher']}"


def hover(row: dict | pd.Series) -> str:
    """Value with qualifier, date or period, and source, escaped (a quote or a name is text, never HTML)."""
    when = period_text(row["reference_period_start"], row["reference_period_end"])
    value = qualified(row["value"], row["qualifier"])
    if row.get("missing_reason") and (row["value"] is None or pd.isna(row["value"])):
        value = f"no figure ({row['missing_reason']})"
    source = row.get("source") or row["publisher"]
    rivals = f" — {row['rival_note']}" if row.get("rival_note") else ""  # the figure ledger (Sources page)
    return html.escape(f"{value} — {when} — {source}{rivals}", quote=False)


HOVER_COLUMNS = ["reference_period_start", "reference_period_end", "value", "qualifier", "missing_reason", "source",
                 "publisher", "rival_note"]


def _hovers(points: pd.DataFrame) -> list[str]:
    return [hover(r) for r in points[[c for c in HOVER_COLUMNS if c in points.columns]].to_dict("records")]


def sparkline(points: pd.DataFrame, group: str, measure: str) -> dict:
    """A card's small trend: the same series over time, the headline point larger."""
    data = []
    if len(points) >= 1:
        big = points["is_headline"].fillna(False).tolist() if "is_headline" in points else [False] * len(points)
        colour = GROUP_COLOURS.get(group, "#000")
        line = {"color": colour, "width": 2}
        if MEASURE_DASH.get(measure) is not None:
            line["dash"] = MEASURE_DASH[measure]
        data.append({"connectgaps": False, "hoverinfo": "text", "hovertext": _hovers(points), "line": line,
                     "marker": {"color": colour, "size": [9 if b else 4 for b in big]}, "mode": "lines+markers",
                     "x": dates(points["reference_period_end"]),
                     "y": [None if pd.isna(v) else int(v) for v in points["value"]], "type": "scatter"})
    xaxis: dict = {"visible": False}
    if len(points) and points["reference_period_end"].nunique() == 1:
        day = points["reference_period_end"].iloc[0]
        xaxis["range"] = [day - pd.Timedelta(days=365), day + pd.Timedelta(days=365)]
    return figure(data, height=70, margin={"l": 0, "r": 0, "t": 4, "b": 4}, showlegend=False, xaxis=xaxis,
                  yaxis={"visible": False, "rangemode": "tozero"}, paper_bgcolor="white", plot_bgcolor="white",
                  font={"family": FONT})


def trends_grid(points: pd.DataFrame, title: str) -> dict:
    """Every card's series as small multiples (one panel per card, its own scale), the headline point larger.

    `points` has one row per point: trace (the panel), group, measure, reference dates, value, is_headline."""
    if points.empty:
        return empty_figure("No figure matches these filters: widen the period or choose another place.", title)
    traces = list(dict.fromkeys(points["trace"]))
    cols = 1 if len(traces) == 1 else 2
    rows = math.ceil(len(traces) / cols)
    layout = grid(rows, cols, [_short(t) for t in traces], vertical_spacing=min(0.25, 0.6 / rows),
                  horizontal_spacing=0.08)
    data = []
    for i, (name, pts) in enumerate(points.groupby("trace", sort=False)):
        first = pts.iloc[0]
        colour = GROUP_COLOURS.get(first["population_group"], "#000")
        suffix = axis_suffix(i // cols + 1, i % cols + 1, cols)
        line = {"color": colour}
        if MEASURE_DASH.get(first["measure"]) is not None:
            line["dash"] = MEASURE_DASH[first["measure"]]
        data.append({"hoverinfo": "text", "hovertext": _hovers(pts), "line": line, "connectgaps": False,
                     "marker": {"color": colour, "size": [11 if b else 5 for b in pts["is_headline"]]},
                     "mode": "lines+markers", "name": name, "showlegend": False,
                     "x": dates(pts["reference_period_end"]),
                     "y": [None if pd.isna(v) else int(v) for v in pts["value"]],
                     "type": "scatter", "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        if pts["reference_period_end"].nunique() == 1:  # one point: a readable date axis around it
            day = pts["reference_period_end"].iloc[0]
            layout[f"xaxis{suffix}"].update(range=[day - pd.Timedelta(days=120), day + pd.Timedelta(days=120)],
                                            tickformat="%b %Y")
    for key in [k for k in layout if k.startswith("yaxis")]:
        layout[key].update(rangemode="tozero", tickformat="~s")
    layout["height"] = max(320, 230 * rows) + 60
    return cite_dict({"data": data, "layout": layout}, title,
                     citation_text(points, "Larger point: the figure on the card") + ". Each panel has its own scale")



def _short(text: str, width: int = 60) -> str:
    return html.escape(text if len(text) <= width else text[:width - 1] + "…", quote=False)
