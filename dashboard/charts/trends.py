"""Trends chart: stocks, flows and movements in separate panels (never stacked, never one trace), gaps as
breaks, linear or log scale, shares, and dated events as vertical lines."""
from __future__ import annotations

import html
import textwrap

import pandas as pd

from dashboard.charts.core import (
    GROUP_COLOURS,
    MEASURE_DASH,
    axis_suffix,
    citation_text,
    cite_dict,
    dates,
    empty_figure,
    format_date,
    grid,
    period_text,
    qualified,
)

PANELS = {"stock": "Stocks: people at a date", "flow": "Flows: people newly counted during a period "
          "(drawn at the period's end)", "movement": "Movements: moves, not people"}
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "pentagon", "hexagon"]


def trends_figure(points: pd.DataFrame, events: pd.DataFrame, *, title: str, log: bool = False,
                  share: bool = False) -> dict:
    """One trace per row group `trace`; x = reference_period_end, y = chart_value (None = a break)."""
    if points.empty:
        return empty_figure("No figure matches these filters: widen the period or choose another place.", title)
    measures = [m for m in PANELS if m in set(points["measure"])]
    layout = grid(len(measures), 1, [PANELS[m] for m in measures], shared_xaxes=True,
                  vertical_spacing=0.12 if len(measures) > 1 else 0.05)
    data = []
    for i, (name, pts) in enumerate(points.groupby("trace", sort=False)):
        first = pts.iloc[0]
        colour = GROUP_COLOURS.get(first["population_group"], "#000000")
        suffix = axis_suffix(measures.index(first["measure"]) + 1, 1, 1)
        data.append({
            "connectgaps": False, "hoverinfo": "text",
            "hovertext": [_hover(r, share) for r in pts.to_dict("records")],
            "line": {"color": colour, "dash": MEASURE_DASH.get(first["measure"], "solid"), "width": 2},
            "marker": _marker(pts, colour, SYMBOLS[i % len(SYMBOLS)]), "mode": "lines+markers", "name": name,
            "x": dates(pts["reference_period_end"]),
            "y": [None if pd.isna(v) else float(v) for v in pts["chart_value"]],
            "type": "scatter", "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    axis = {"type": "log"} if log and not share else {"rangemode": "tozero"}
    for key in [k for k in layout if k.startswith("yaxis")]:
        layout[key].update(**axis, tickformat=".0%" if share else "~s")
        if share and not log:
            layout[key]["range"] = [0, 1]
    _events(layout, events)
    layout["hovermode"] = "closest"
    reference = f"Figures {format_date(points['reference_period_end'].min())} to " \
                f"{format_date(points['reference_period_end'].max())}"
    if log and not share:
        reference += "; log scale (zeros cannot be drawn on it)"
    fig = cite_dict({"data": data, "layout": layout}, title, citation_text(points[~points["is_gap"]], reference))
    return legend_below(fig, len(data), 300 * len(measures) + 40 * (len(measures) - 1))


def _marker(pts: pd.DataFrame, colour: str, symbol: str) -> dict:
    """The line's markers; a figure the ledger chose over rivals is larger, with a black ring."""
    chosen = pts["is_chosen"].fillna(False).astype(bool).tolist() if "is_chosen" in pts else [False] * len(pts)
    if not any(chosen):
        return {"color": colour, "symbol": symbol, "size": 7}
    return {"color": colour, "symbol": symbol, "size": [12 if c else 7 for c in chosen],
            "line": {"color": ["#000000" if c else colour for c in chosen], "width": [2 if c else 0 for c in chosen]}}


def legend_below(fig: dict, entries: int, plot_height: int) -> dict:
    """One legend entry per line under the x axis, and the citation (drawn by cite_dict()) moved under the legend,
    so neither covers the other however many lines there are."""
    layout = fig["layout"]
    below_ticks, entry = 40, 19
    legend_px = entry * entries
    bottom = below_ticks + legend_px + 70
    top = layout.get("margin", {}).get("t")
    top = 60 if top is None else top
    layout["height"] = plot_height + top + bottom
    layout["margin"] = {**layout.get("margin", {}), "b": bottom}
    layout["showlegend"] = True
    layout["legend"] = {**layout.get("legend", {}), "orientation": "v", "x": 0, "xanchor": "left",
                        "y": -below_ticks / plot_height, "yanchor": "top", "font": {"size": 11}}
    for note in layout.get("annotations", []):
        if note.get("yref") == "paper" and note.get("y") == -0.02 and note.get("yshift") == -55:  # cite_dict()'s
            note["yshift"] = -(below_ticks + legend_px + 5)
    return fig


def _hover(row: dict, share: bool) -> str:
    when = period_text(row["reference_period_start"], row["reference_period_end"])
    if row.get("is_gap"):
        return _lines([row["trace"], f"{format_date(row['reference_period_end'])}: no figure in this series "
                                     "(a gap, not zero)"])
    value = qualified(row["value"], row["qualifier"]) if not pd.isna(row["value"]) else \
        f"no figure ({row.get('missing_reason') or 'not available'})"
    lines = [row["trace"], f"{value} — {when}", f"Source: {row['source']} ({row['licence']})"]
    if row.get("rival_note"):  # the figure ledger: '2 rival figures (see Sources)'
        lines.append(f"Figure ledger: {row['rival_note']}")
    if share and row.get("share") is not None and not pd.isna(row.get("share")):
        lines.insert(1, f"{row['share']:.1%} of {int(row['parent_value']):,} (same source's total for the parent "
                        "area, same date)")
    return _lines(lines)


def _lines(lines: list[str], width: int = 90) -> str:
    """Hover text: each line escaped (a quote or a name is text, never HTML), long ones wrapped."""
    return "<br>".join("<br>".join(textwrap.wrap(html.escape(str(t), quote=False), width) or [""]) for t in lines)


def _events(layout: dict, events: pd.DataFrame) -> None:
    """Vertical lines (a shaded band for a period) with a numbered short title; hover gives the quote."""
    shapes, notes = [], []
    for i, ev in enumerate(events.itertuples(index=False), start=1):
        start = pd.Timestamp(ev.event_date)
        if ev.end_date is not None and not pd.isna(ev.end_date) and ev.end_date != ev.event_date:
            shapes.append({"fillcolor": "#999999", "layer": "below", "line": {"width": 0}, "opacity": 0.15,
                           "type": "rect", "x0": start, "x1": pd.Timestamp(ev.end_date), "xref": "x", "y0": 0,
                           "y1": 1, "yref": "paper"})
        shapes.append({"line": {"color": "#555555", "dash": "dot", "width": 1}, "type": "line", "x0": start,
                       "x1": start, "xref": "x", "y0": 0, "y1": 1, "yref": "paper"})
        short = ev.title if len(ev.title) <= 32 else ev.title[:31] + "…"
        notes.append({"bgcolor": "rgba(255,255,255,0.7)", "font": {"color": "#333333", "size": 9},
                      "hovertext": _lines([f"{format_date(start)}: {ev.title}", f"“{ev.quote}”",
                                           f"— {ev.publisher}, {ev.source_title}"]),
                      "showarrow": False, "text": html.escape(f"{i}. {short}", quote=False), "textangle": -90,
                      "x": start, "xref": "x", "y": 1, "yanchor": "top", "yref": "paper"})
    if shapes:
        layout["shapes"] = layout.get("shapes", []) + shapes
        layout["annotations"] = layout.get("annotations", []) + notes

