"""Reusable layout pieces: the filter bar, a chart panel (figure, summary, table, downloads), notes."""
from __future__ import annotations

import logging

import dash_ag_grid as dag
from dash import dcc, html

from dashboard.filters import Filters
from etl.models import MEASURES, POPULATION_GROUPS

GROUP_OPTIONS = [{"label": f"{g}", "value": g} for g in POPULATION_GROUPS]
log = logging.getLogger(__name__)
MEASURE_OPTIONS = [{"label": m, "value": m} for m in MEASURES]


def filter_bar(filters: Filters, *, place_options: list[dict], source_options: list[dict],
               release_options: list[dict]) -> html.Form:
    """The filters every page shares (ids f-*); their values go to the URL so a link reproduces the view."""
    return html.Form([
        html.Div([html.Label("From", htmlFor="f-from"),
                  dcc.Input(id="f-from", type="date", value=filters.date_from.isoformat())],
                 className="filter"),
        html.Div([html.Label("To", htmlFor="f-to"),
                  dcc.Input(id="f-to", type="date", value=filters.date_to.isoformat())],
                 className="filter"),
        html.Div([html.Label("Origin", htmlFor="f-origin"),
                  dcc.Dropdown(id="f-origin", options=place_options, value=filters.origin,
                               placeholder="any origin (type a name or code)", searchable=True)],
                 className="filter filter-place"),
        html.Div([html.Label("Location", htmlFor="f-location"),
                  dcc.Dropdown(id="f-location", options=place_options, value=filters.location,
                               placeholder="any location (type a name or code)", searchable=True)],
                 className="filter filter-place"),
        html.Div([html.Label("Population group", htmlFor="f-group"),
                  dcc.Dropdown(id="f-group", options=GROUP_OPTIONS, value=list(filters.groups), multi=True,
                               placeholder="all groups")], className="filter"),
        html.Div([html.Label("Measure", htmlFor="f-measure"),
                  dcc.Dropdown(id="f-measure", options=MEASURE_OPTIONS, value=list(filters.measures),
                               multi=True, placeholder="stock, flow and movement")], className="filter"),
        html.Div([html.Label("Source", htmlFor="f-source"),
                  dcc.Dropdown(id="f-source", options=source_options, value=list(filters.sources), multi=True,
                               placeholder="all sources")], className="filter"),
        html.Div([html.Label("As of release", htmlFor="f-as-of"),
                  dcc.Dropdown(id="f-as-of", options=release_options,
                               value=filters.as_of.isoformat() if filters.as_of else None,
                               placeholder="latest figures")], className="filter"),
        html.P("; ".join(filters.ignored) and f"Some link values were ignored: {'; '.join(filters.ignored)}.",
               className="filter-note", role="status"),
    ], id="filter-bar", className="filter-bar", **{"aria-label": "Filters"})


def graph_id(name: str) -> dict:
    return {"type": "chart-graph", "chart": name}


def data_id(name: str) -> dict:
    """The store holding exactly the rows a chart draws: its CSV download is made from it."""
    return {"type": "chart-data", "chart": name}


def chart_panel(name: str, title: str, graph_config: dict | None = None) -> html.Section:
    """A chart with its one-line summary, the table behind it, and CSV / PNG downloads.

    Ids: graph_id(name), {name}-summary, {name}-table, data_id(name) (a page callback fills all four)."""
    return html.Section([
        html.H2(title, id=f"{name}-title"),
        html.P(id=f"{name}-summary", className="chart-summary", **{"aria-live": "polite"}),
        dcc.Loading(dcc.Graph(id=graph_id(name), config={"displaylogo": False, "toImageButtonOptions": {
            "format": "png", "filename": name, "scale": 2}, **(graph_config or {})})),
        html.Div([
            html.Button("Download CSV", id={"type": "chart-csv-button", "chart": name}, className="btn",
                        type="button"),
            html.Button("Download PNG", id={"type": "chart-png-button", "chart": name}, className="btn",
                        type="button"),
            dcc.Download(id={"type": "chart-download", "chart": name}),
        ], className="chart-actions"),
        dcc.Store(id=data_id(name)),
        html.Details([html.Summary("Table of the figures in this chart"),
                      dag.AgGrid(id=f"{name}-table", columnDefs=[], rowData=[], className="ag-theme-alpine",
                                 dashGridOptions={"domLayout": "autoHeight", "ensureDomOrder": True},
                                 style={"width": "100%"})],
                     open=False, className="chart-table"),
    ], className="chart-panel", **{"aria-labelledby": f"{name}-title"})


def full_data_link(filters: Filters) -> html.P:
    """The page's 'full data for these filters': a plain streaming HTTP download, with its citation sidecar."""
    query = filters.to_query()
    return html.P([
        html.A("Full data for these filters (CSV)", href=f"/export.csv{query}", id="full-data-link",
               className="btn"), " ",
        html.A("Sources and licences (text)", href=f"/export.sources.txt{query}", id="full-data-sources"),
    ], className="full-data")


def empty_state(message: str) -> html.P:
    return html.P(message, className="empty-state", role="status")


def no_store_page(title: str, message: str | None = None) -> html.Div:
    """The page a coordinator sees when the store is missing, empty or unreadable: a sentence, no traceback."""
    return html.Div([html.H2(title), empty_state(message or (
        "The data store has not been built yet (or cannot be read): see the Overview page for how to build it."))])


def store_unavailable(title: str, engine) -> html.Div | None:
    """None when the store has figures; else the page that says why not (unreadable, or not built)."""
    from dashboard.queries import core  # components stay importable without a store

    try:
        ready = core.has_data(engine)
    except Exception as exc:  # an unreachable store is a sentence, never a traceback
        log.exception("store unreadable")
        return no_store_page(title, f"The data store could not be read ({type(exc).__name__}): check DATABASE_URL.")
    if not ready:
        return no_store_page(title, "The data store has no figures yet: run `bash scripts/run.sh` (or `python -m "
                                    "etl refresh --offline`) and reload this page.")
    return None
