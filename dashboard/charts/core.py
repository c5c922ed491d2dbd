"""What every figure shares: the colour-blind-safe palette, the citation drawn inside it, and the empty state."""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

# Okabe–Ito, one fixed colour per population group (same colour on every page).
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
GROUP_COLOURS = {
    "REF": "#0072B2", "ASY": "#56B4E9", "ROC": "#56B4E9", "OIP": "#CC79A7", "IDP": "#D55E00", "IOC": "#D55E00",
    "RET": "#009E73", "RDP": "#009E73", "RST": "#E69F00", "NAT": "#E69F00", "STA": "#999999", "OOC": "#999999",
    "HST": "#000000",
}
GROUP_NAMES = {
    "REF": "refugees", "ROC": "people in refugee-like situations", "ASY": "asylum-seekers",
    "OIP": "other people in need of international protection", "IDP": "internally displaced people",
    "IOC": "people in IDP-like situations", "STA": "stateless people", "OOC": "others of concern",
    "HST": "host community", "RET": "returned refugees", "RDP": "returned IDPs", "RST": "resettled refugees",
    "NAT": "naturalised refugees",
}
MEASURE_DASH = {"stock": "solid", "flow": "dash", "movement": "dot"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"


def group_label(group: str, measure: str) -> str:
    """'IDP', 'flow' -> 'internally displaced people (newly displaced, flow)'."""
    name = GROUP_NAMES.get(group, group)
    if measure == "flow":
        return f"{name} (newly {'displaced' if group == 'IDP' else 'counted'}, flow)"
    if measure == "movement":
        return f"{name} (movements, not people)"
    return name


def qualified(value, qualifier: str | None) -> str:
    """3576370, 'more than' -> 'more than 3,576,370'."""
    if value is None or pd.isna(value):
        return "no figure"
    text = f"{int(value):,}"
    return text if qualifier in (None, "exact") else f"{qualifier} {text}"


def citation_text(sources: pd.DataFrame | None, reference: str | None = None) -> str:
    """'Source: UNHCR (CC BY 4.0); OCHA (ReliefWeb terms). Reference dates: 31 Dec 2019.'"""
    parts = []
    if sources is not None and len(sources):
        pairs = sources[["publisher", "licence"]].drop_duplicates().head(6)
        parts.append("Source: " + "; ".join(f"{p} ({lic})" for p, lic in pairs.itertuples(index=False)))
        if len(sources[["publisher", "licence"]].drop_duplicates()) > 6:
            parts[-1] += "; and others (see table)"
    if reference:
        parts.append(reference)
    return ". ".join(parts)


def cite_dict(fig: dict, title: str, citation: str) -> dict:
    """Draw the title and citation inside the figure (a plain dict, see figure()), so a copied image stays cited."""
    layout = fig.setdefault("layout", {})
    for key, value in _cited_layout(title).items():
        layout[key] = {**layout[key], **value} if isinstance(layout.get(key), dict) else value
    layout.setdefault("annotations", []).append(_citation_annotation(citation))
    return fig


@functools.cache
def template() -> dict:
    """plotly.py's default template as go.Figure sends it: a chart built as a plain dict (no plotly validation,
    much faster for a callback) names it to look exactly the same. Shared: never modify it."""
    return go.Figure().to_dict()["layout"]["template"]


def _cited_layout(title: str) -> dict:
    return {"title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
            "font": {"family": FONT, "size": 12}, "margin": {"t": 60, "b": 90, "l": 60, "r": 20},
            "paper_bgcolor": "white", "plot_bgcolor": "white"}


def _citation_annotation(citation: str) -> dict:
    return {"text": _wrap(citation, 160), "xref": "paper", "yref": "paper", "x": 0, "y": -0.02, "yshift": -55,
            "xanchor": "left", "yanchor": "top", "showarrow": False, "align": "left",
            "font": {"size": 10, "color": "#444"}}


def figure(data: list[dict] | None = None, **layout) -> dict:
    """A figure as the plain dict go.Figure(...).to_plotly_json() gives (plotly's default template included), built
    without plotly's validation: a figure object cost 3-100 ms a chart, most of a cold interaction's plotly time.
    Every figure a page sends is checked in tests to be one plotly's validation leaves unchanged."""
    return {"data": data or [], "layout": {**layout, "template": template()}}


def grid(rows: int, cols: int, titles: Sequence[str], **options) -> dict:
    """The layout of a grid of panels (axes, domains, panel titles) as plotly.subplots.make_subplots draws it, as
    a new dict with the template (make_subplots itself cost 40 ms: its layout is made once per shape)."""
    layout = json.loads(_grid_json(rows, cols, len(titles), tuple(sorted(options.items()))))
    for annotation, text in zip(layout.get("annotations", []), titles, strict=True):
        annotation["text"] = text
    layout["template"] = template()
    return layout


@functools.cache
def _grid_json(rows: int, cols: int, n_titles: int, options: tuple) -> str:
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=cols, subplot_titles=[str(i) for i in range(n_titles)],
                           **dict(options)).to_dict()["layout"]
    layout.pop("template")
    return json.dumps(layout)


def axis_suffix(row: int, col: int, cols: int) -> str:
    """'' for the first panel, '2', '3'... for the others, in make_subplots' order (row by row)."""
    n = (row - 1) * cols + col
    return "" if n == 1 else str(n)


def dates(values: pd.Series):
    """A date column for a figure dict's x, as go.Scatter(x=column) holds it: its numpy array, which plotly's
    JSON encoder writes with the column's own precision ('2020-01-31T00:00:00.000000' for microseconds)."""
    return values.to_numpy()


def empty_figure(message: str, title: str = "") -> dict:
    """A figure that says in words why there is nothing to draw (never a blank or a traceback)."""
    return figure(annotations=[{"font": {"color": "#333", "size": 14}, "showarrow": False, "text": message, "x": 0.5,
                                "xref": "paper", "y": 0.5, "yref": "paper"}],
                  title={"text": title, "x": 0.01}, xaxis={"visible": False}, yaxis={"visible": False},
                  paper_bgcolor="white", plot_bgcolor="white", font={"family": FONT})


def format_date(value) -> str:
    if value is None or pd.isna(value):
        return ""
    d = value.date() if isinstance(value, (pd.Timestamp, dt.datetime)) else value
    return f"{d.day} {d:%b %Y}"


def period_text(start, end) -> str:
    """A stock's date, or a flow's period: '31 Dec 2019' or '1 Dec 2019 – 12 Feb 2020'."""
    return format_date(end) if pd.Timestamp(start) == pd.Timestamp(end) else \
        f"{format_date(start)} – {format_date(end)}"


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)
