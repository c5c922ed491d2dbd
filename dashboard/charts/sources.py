"""Sources charts: current figures per source series, and one quantity as different publishers give it."""
from __future__ import annotations

import html
import textwrap

import pandas as pd

from dashboard.charts.core import (
    GROUP_COLOURS,
    OKABE_ITO,
    citation_text,
    cite_dict,
    dates,
    empty_figure,
    figure,
    format_date,
    period_text,
    qualified,
)
from dashboard.charts.trends import legend_below

# The qualifier is drawn in the marker, so "more than 961,000" never looks like exactly 961,000.
QUALIFIER_SYMBOLS = {"exact": "circle", "about": "circle-open", "more than": "triangle-up", "at least": "triangle-up",
                     "almost": "triangle-down", "up to": "triangle-down", "between": "diamond-open"}
SYMBOL_KEY = "● exact, ○ about, ▲ more than / at least, ▼ almost / up to, ◇ between"


def catalogue_figure(cat: pd.DataFrame, title: str) -> dict:
    """Horizontal bars: current figures per series (log scale: 333,368 UNHCR rows beside 1 from 3RP)."""
    if cat.empty:
        return empty_figure("The store holds no source yet.", title)
    bars = {"cliponaxis": False, "hoverinfo": "text",
            "hovertext": [html.escape(f"{r['series_title']} — {r['publisher']} — {int(r['rows']):,} figures — "
                                      f"{r['licence']}", quote=False) for r in cat.to_dict("records")],
            "marker": {"color": OKABE_ITO[4]}, "orientation": "h", "text": [f"{int(v):,}" for v in cat["rows"]],
            "textposition": "outside", "x": [int(v) for v in cat["rows"]],
            "y": [html.escape(v, quote=False) for v in cat["label"]], "type": "bar"}
    top = max(1, int(cat["rows"].max()))
    fig = figure([bars], height=140 + 38 * len(cat), yaxis={"autorange": "reversed", "automargin": True},
                 xaxis={"range": [-0.3, len(str(top)) + 0.6], "title": {"text": "current figures (log scale)"},
                        "type": "log"})
    return cite_dict(fig, title, citation_text(cat, "Figures in the store now (earlier vintages not counted)"))


def bar_label(publisher: str, title: str, width: int = 55) -> str:
    """'UNHCR: UNHCR Refugee Data Finder: demographic and loca…' (short, so the bars keep their width)."""
    text = f"{publisher}: {title}"
    return text if len(text) <= width else text[:width - 1] + "…"


def compare_figure(rows: pd.DataFrame, title: str) -> dict:
    """One trace per source series: a cumulative count's points joined as a line, a single figure a marker."""
    if rows.empty:
        return empty_figure("No source gives this quantity in the period.", title)
    data = []
    colour = GROUP_COLOURS.get(rows["population_group"].iloc[0], "#000000")
    dashes = ["solid", "dot", "dash", "longdash", "dashdot"]
    for i, (name, pts) in enumerate(rows.groupby("trace", sort=False)):
        # one colour per population group: publishers are told apart by the line, the label and the legend
        labels = [""] * (len(pts) - 1) + [f"{name}: {qualified(pts['value'].iloc[-1], pts['qualifier'].iloc[-1])}"]
        data.append({
            "cliponaxis": False, "connectgaps": False, "hoverinfo": "text",
            "hovertext": [_hover(r) for r in pts.to_dict("records")],
            "line": {"color": colour, "dash": dashes[i % len(dashes)]},
            "marker": {"color": colour, "line": {"color": colour, "width": 2}, "size": 12,
                       "symbol": [QUALIFIER_SYMBOLS.get(q, "circle") for q in pts["qualifier"]]},
            "mode": "lines+markers+text" if len(pts) > 1 else "markers+text", "name": name,
            "text": [html.escape(t, quote=False) for t in labels], "textfont": {"color": "#333333", "size": 11},
            "textposition": "top left" if i % 2 else "bottom right", "x": dates(pts["reference_period_end"]),
            "y": [None if pd.isna(v) else int(v) for v in pts["value"]], "type": "scatter"})
    span = rows["reference_period_end"]
    pad = max(pd.Timedelta(days=10), (span.max() - span.min()) * 0.15)
    fig = figure(data, yaxis={"tickformat": "~s", "rangemode": "tozero"}, hovermode="closest",
                 xaxis={"range": [span.min() - pad, span.max() + pad]})
    fig = cite_dict(fig, title, citation_text(rows, f"Markers: {SYMBOL_KEY}. Period ends {format_date(span.min())} to "
                                               f"{format_date(span.max())}"))
    return legend_below(fig, rows["trace"].nunique(), 380)


def _hover(row: dict) -> str:
    quote = row.get("source_ref") or ""
    lines = [f"{row['source']}: {qualified(row['value'], row['qualifier'])}",
             period_text(row["reference_period_start"], row["reference_period_end"]),
             row.get("source_title") or "", f"“{quote}”" if quote else "", row["role"], row.get("rival_note") or ""]
    wrapped = ["<br>".join(textwrap.wrap(html.escape(str(t), quote=False), 90)) for t in lines if t]
    return "<br>".join(wrapped)


CHOSEN_COLOUR, OTHER_COLOUR, INCONSISTENT_COLOUR = "#0072B2", "#555555", "#D55E00"


def member_label(row: dict) -> str:
    """'1. UNHCR, 31 Dec 2019' (rank, publisher, reference date or period): one row of the interval chart."""
    return f"{row['rank']}. {row['publisher']}, {period_text(row['period_start'], row['period_end'])}"


def intervals_figure(members: pd.DataFrame, title: str) -> dict:
    """One row per figure of a ledger group: a bar for the interval its qualifier allows, a dot at the value, an
    arrow at the right end of an interval without upper bound; the chosen figure in its own colour."""
    if members.empty:
        return empty_figure("No group of rival figures is selected.", title)
    rows = members.to_dict("records")
    labels = [html.escape(member_label(r), quote=False) for r in rows]
    finite = [int(v) for r in rows for v in (r["interval_low"], r["interval_high"], r["value"])
              if v is not None and not pd.isna(v)]
    lo, hi = min(finite), max(finite)
    pad = max((hi - lo) * 0.08, hi * 0.01, 1)
    open_end = hi + max(pad, hi * 0.05)  # where an open-ended interval's arrow is drawn
    data: list[dict] = []
    for chosen in (False, True):
        part = [(lab, r) for lab, r in zip(labels, rows, strict=True) if (r["verdict"] == "chosen") == chosen]
        if not part:
            continue
        colour = CHOSEN_COLOUR if chosen else OTHER_COLOUR
        xs, ys = [], []
        for lab, r in part:
            top = open_end if r["interval_high"] is None or pd.isna(r["interval_high"]) else int(r["interval_high"])
            xs += [int(r["interval_low"]), top, None]
            ys += [lab, lab, None]
        data.append({"hoverinfo": "skip", "line": {"color": colour, "width": 8}, "mode": "lines",
                     "name": "interval of the chosen figure" if chosen else "interval", "opacity": 0.35, "x": xs,
                     "y": ys, "type": "scatter"})
        arrows = [(lab, r) for lab, r in part if r["interval_high"] is None or pd.isna(r["interval_high"])]
        if arrows:
            data.append({"hoverinfo": "skip", "legendgroup": "open",
                         "marker": {"color": colour, "size": 14, "symbol": "triangle-right"}, "mode": "markers",
                         "name": "no upper bound (more than, at least)",
                         "showlegend": not any(t.get("legendgroup") == "open" for t in data),
                         "x": [open_end] * len(arrows), "y": [lab for lab, _ in arrows], "type": "scatter"})
        data.append({
            "hoverinfo": "text", "hovertext": [_member_hover(r) for _, r in part],
            "marker": {"color": [colour if chosen or r["verdict"] == "consistent" else INCONSISTENT_COLOUR
                                 for _, r in part], "line": {"color": colour, "width": 2},
                       "size": 13 if chosen else 10,
                       "symbol": [QUALIFIER_SYMBOLS.get(r["qualifier"], "circle") for _, r in part]},
            "mode": "markers", "name": "chosen figure" if chosen else "rival figure",
            "x": [int(r["value"]) for _, r in part], "y": [lab for lab, _ in part], "type": "scatter"})
    fig = figure(data, yaxis={"autorange": "reversed", "automargin": True, "categoryarray": labels,
                              "categoryorder": "array"},
                 xaxis={"range": [lo - pad, open_end + pad / 2], "tickformat": "~s",
                        "title": {"text": "people (bar: the interval the qualifier allows)"}},
                 height=200 + 40 * len(rows), hovermode="closest")
    fig = cite_dict(fig, title, citation_text(members, f"Markers: {SYMBOL_KEY}; orange: inconsistent with the chosen "
                                                  "figure"))
    return legend_below(fig, 4, 60 + 40 * len(rows))


def _member_hover(row: dict) -> str:
    lines = [f"{row['rank']}. {row['publisher']}: {qualified(row['value'], row['qualifier'])} {row['interval']}",
             period_text(row["period_start"], row["period_end"]), row.get("document_title") or "",
             f"{row['verdict']}" + (f" — {row['rule']}" if row.get("rule") else "")]
    return "<br>".join("<br>".join(textwrap.wrap(html.escape(str(t), quote=False), 90)) for t in lines if t)
