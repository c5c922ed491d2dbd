"""Border region page: north-west (or north-east) Syria beside the Turkish provinces facing it, by month."""
from __future__ import annotations

import logging

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import components, geo
from dashboard.charts import border as charts
from dashboard.charts.core import empty_figure
from dashboard.filters import from_query
from dashboard.queries import border as queries
from dashboard.queries import core
from dashboard.queries.flows import filter_options, inputs_to_filters

dash.register_page(__name__, path="/border", name="Border region", title="Border region · Displacement dashboard",
                   order=3)

log = logging.getLogger(__name__)
FILTER_IDS = ["f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure", "f-source", "f-as-of"]


def layout(pairing: str | None = None, **query_args) -> html.Div:
    engine = core.store_engine()
    if (unavailable := components.store_unavailable("Border region", engine)) is not None:
        return unavailable
    info = core.known(engine)
    flt = from_query(query_args, known_places=set(info["places"]), known_sources=set(info["series"]))
    return html.Div([
        html.H2("Border region"),
        components.filter_bar(flt, **filter_options(engine, flt)),
        html.P("Syrian governorates beside the Turkish provinces that face them, month by month: IDPs displaced "
               "and arriving on the Syrian side (movements are counted as movements, not people), Syrians "
               "hosted per province on the Turkish side (DGMM figures quoted by the press: secondary sources), "
               "and Türkiye's national figures beside them, never added to the provinces. The period, origin "
               "(Syria when 'any'), source and release filters apply; the pairing chooses the areas.",
               className="page-intro"),
        html.Div([html.Label("Border pairing", htmlFor="border-pairing"),
                  dcc.Dropdown(id="border-pairing", options=queries.pairing_options(),
                               value=queries.pairing(pairing).key, clearable=False)], className="control"),
        html.Div([html.Label("Month shown on the map and bars", htmlFor="border-month"),
                  dcc.Dropdown(id="border-month", options=[], value=None, clearable=False,
                               placeholder="the month with the most figures")], className="control control-wide"),
        components.chart_panel("border-map", "Displaced and hosted on both sides of the border, on a map"),
        html.P(f"{geo.ATTRIBUTION['ocha']} {geo.ATTRIBUTION['naturalearth']} {geo.DISCLAIMER}",
               className="map-attribution"),
        components.chart_panel("border-bars", "Displaced and arrivals per area, refugees hosted per province"),
        components.full_data_link(flt),
    ], className="page page-border")


def _panel_outputs(name: str) -> list[Output]:
    return [Output(components.graph_id(name), "figure"), Output(f"{name}-summary", "children"),
            Output(f"{name}-table", "columnDefs"), Output(f"{name}-table", "rowData"),
            Output(components.data_id(name), "data")]


def _empty(message: str) -> tuple:
    return empty_figure(message), message, [], [], []


@dash.callback(
    Output("border-month", "options"), Output("border-month", "value"),
    *_panel_outputs("border-map"), *_panel_outputs("border-bars"),
    *[Input(i, "value") for i in FILTER_IDS], Input("border-pairing", "value"), Input("border-month", "value"),
)
def update_border(date_from, date_to, origin, location, groups, measures, sources, as_of, pairing_key, month):
    """Map and bars of one pairing and month: (month options, month, map outputs x5, bars outputs x5)."""
    try:
        engine = core.store_engine()
        if not core.has_data(engine):
            message = "The data store has no figures yet."
            return [], None, *_empty(message), *_empty(message)
        flt = inputs_to_filters(engine, date_from, date_to, origin, location, groups, measures, sources, as_of)
        p = queries.pairing(pairing_key)
        options, month, figs = queries.month_figures(engine, flt, p, month)
        if month is None:
            message = (f"No figures for {p.name.lower()} between {flt.date_from:%d %b %Y} and "
                       f"{flt.date_to:%d %b %Y}: widen the period (the Turkish provincial figures run 2017–2023, the "
                       "north-west Syria figures Nov 2019 – Apr 2020).")
            return [], None, *_empty(message), *_empty(message)
        nat = queries.national(engine, flt, month)
        rows = queries.month_rows(engine, figs, nat, p, month, ledger=flt.as_of is None)
        month_label = f"{pd.Timestamp(month + '-01'):%B %Y}"
        areas = [{"code": a.code, "name": a.name, "side": a.side, "kind": a.kind} for a in p.areas]
        map_fig, drawn = charts.border_map(rows, areas, f"{p.name}, {month_label}", month_label)
        syria_title = f"{p.name.split(' and ')[0]}: displaced and arrivals"
        bars_fig, bars = charts.border_bars(rows, f"{p.name}: figures per area, {month_label}", syria_title)
        map_summary = charts.map_summary(drawn, month_label)
        bars_summary = charts.bars_summary(bars, month_label)
        map_defs, map_rows = charts.table(drawn)
        bar_defs, bar_rows = charts.table(bars)
        return (options, month, map_fig, map_summary, map_defs, map_rows, map_rows,
                bars_fig, bars_summary, bar_defs, bar_rows, bar_rows)
    except Exception as exc:  # never a traceback in the page: a sentence, and the error in the server log
        log.exception("border callback failed")
        message = f"The border region could not be drawn ({type(exc).__name__}). Try other filters."
        return [], None, *_empty(message), *_empty(message)
