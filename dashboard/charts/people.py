"""People charts: a population pyramid (male left, female right, by age band) and bars of the shares of women
and children in a published total."""
from __future__ import annotations

import html

import pandas as pd

from dashboard.charts.core import (
    GROUP_COLOURS,
    axis_suffix,
    citation_text,
    cite_dict,
    empty_figure,
    figure,
    format_date,
    grid,
    qualified,
)
from dashboard.charts.trends import legend_below

SEXES = (("male", "Male"), ("female", "Female"))
PATTERNS = {"male": "", "female": "/"}  # one colour per population group: sex is told by the pattern and side
AGE_LABELS = {"all": "all ages"}  # a split by sex only is drawn as one band per sex


def pyramid_figure(bands: pd.DataFrame, title: str, reference: str) -> dict:
    """Two panels sharing the age axis; values stay positive (the left panel's axis is reversed)."""
    if bands.empty:
        return empty_figure("No sex and age split is published for these filters.", title)
    group = bands["population_group"].iloc[0]
    colour = GROUP_COLOURS.get(group, "#000000")
    layout = grid(1, 2, [label for _, label in SEXES], shared_yaxes=True, horizontal_spacing=0.02)
    peak = float(bands["value"].max() or 1)
    data = []
    for col, (sex, label) in enumerate(SEXES, start=1):
        pts = bands[bands["sex"] == sex]
        suffix = axis_suffix(1, col, 2)
        data.append({
            "hoverinfo": "text", "hovertext": [_hover(label, r) for r in pts.to_dict("records")],
            "marker": {"color": colour, "pattern": {"fgcolor": "white", "shape": PATTERNS[sex]}}, "name": label,
            "orientation": "h", "text": [f"{int(v):,}" for v in pts["value"]], "textposition": "auto",
            "x": [int(v) for v in pts["value"]], "y": [_age(a) for a in pts["age_group"]], "type": "bar",
            "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    layout["xaxis"].update(range=[peak * 1.1, 0], tickformat="~s")
    layout["xaxis2"].update(range=[0, peak * 1.1], tickformat="~s")
    layout["yaxis"].update(title={"text": "Age band (years)"}, categoryorder="array",
                           categoryarray=list(dict.fromkeys(_age(a) for a in bands["age_group"])))
    layout.update(height=430, showlegend=False, bargap=0.1)
    return cite_dict({"data": data, "layout": layout}, title, citation_text(bands, reference))


def _age(age_group: str) -> str:
    return AGE_LABELS.get(age_group, age_group)


def _hover(label: str, row: dict) -> str:
    summed = f" (a sum of {row['n_rows']} figures)" if row.get("n_rows", 1) > 1 else ""
    ledger = f" — Figure ledger: {row['rival_note']}" if row.get("rival_note") else ""  # the Trends chart's words
    return html.escape(f"{label}, {_age(row['age_group'])}: {int(row['value']):,} — "
                       f"{format_date(row['reference_period_end'])} — {row['source']} — summed over "
                       f"{row['n_locations']} location(s){summed}{ledger}", quote=False)


def shares_figure(shares: pd.DataFrame, title: str) -> dict:
    """One bar per published breakdown (women, children), as a share of the total of the same source and date."""
    if shares.empty:
        return empty_figure("No report in these filters gives women or children as part of a total.", title)
    data = []
    for i, (label, pts) in enumerate(shares.groupby("breakdown", sort=True)):
        group = pts["population_group"].iloc[0]
        data.append({
            "hoverinfo": "text", "hovertext": [_share_hover(r) for r in pts.to_dict("records")],
            "marker": {"color": GROUP_COLOURS.get(group, "#000000"),
                       "pattern": {"fgcolor": "white", "shape": ["", "/", ".", "x"][i % 4]}},
            "name": label, "text": [f"{label}: {s:.0%}" for s in pts["share"]], "textposition": "inside",
            "x": list(pts["category"]), "y": [float(v) for v in pts["share"]], "type": "bar"})
    fig = figure(data, barmode="group", yaxis={"range": [0, 1], "tickformat": ".0%",
                                               "title": {"text": "share of the total of the same source and date"}})
    fig = cite_dict(fig, title, citation_text(shares, "Each bar: a published breakdown ÷ the total of the same "
                                                      "report and date; never added to it"))
    return legend_below(fig, len(data), 320)


def _share_hover(row: dict) -> str:
    return html.escape(f"{row['breakdown']}: {qualified(row['value'], row['qualifier'])} of "
                       f"{qualified(row['total'], row['total_qualifier'])} = {row['share']:.1%} — "
                       f"{row['period']} — {row['source']}{_ledger(row)}", quote=False)


def _ledger(row: dict) -> str:
    """The figure ledger's words (as on the Trends chart) for the breakdown and for its total."""
    notes = [f"Figure ledger: {row['rival_note']}" if row.get("rival_note") else "",
             f"Figure ledger, the total: {row['total_rival_note']}" if row.get("total_rival_note") else ""]
    return "".join(f" — {n}" for n in notes if n)
