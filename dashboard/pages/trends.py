"""Trends: stocks and flows over time by origin, location and group, one line per source series, with a
linear/log toggle, a share of the parent area's total, and the dated events."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import components
from dashboard.charts import core as charts_core
from dashboard.charts import trends as charts
from dashboard.queries import core
from dashboard.queries import overview as kit
from dashboard.queries import trends as queries

dash.register_page(__name__, path="/trends", name="Trends", title="Trends — Displacement dashboard", order=1)

CHART = "trends-chart"
FILTER_INPUTS = [Input(i, "value") for i in ("f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure",
                                             "f-source", "f-as-of")]
SCALE_OPTIONS = [{"label": " linear", "value": "linear"}, {"label": " log", "value": "log"}]
SHARE_LABELS = [("values", " values"), ("share", " share of the parent area's total (same source and date)")]
STORE_COLUMNS = ["trace", "reference_period_start", "reference_period_end", "period", "chart_value", "figure",
                 "value", "qualifier", "missing_reason", "note", "is_gap", "share", "parent_code", "parent_value",
                 "population_group", "measure", "unit", "basis", "origin_code", "origin_name", "location_code",
                 "location_name", "source", "publisher", "originator", "series_slug", "series_title", "source_kind",
                 "source_title", "source_url", "licence", "vintage", "retrieved_at", "citation", "source_ref",
                 "is_chosen", "rival_note"]


def layout(**query_args) -> html.Div:
    try:
        ctx = kit.page_context(query_args, queries.default_filters)
    except SQLAlchemyError:
        ctx = None
    if ctx is None:
        return components.no_store_page("Trends")
    return html.Div([
        html.H2("Trends"),
        html.P("Stocks and flows over time, one line per source series, population group and measure; stocks, "
               "flows and movements in separate panels, never stacked or added. A gap in a line is a year or "
               "date with no figure, not a zero.", className="page-intro"),
        components.filter_bar(ctx.filters, **ctx.filter_bar_args()),
        html.Div([
            html.Fieldset([html.Legend("Scale"),
                           dcc.RadioItems(id="trends-scale", options=SCALE_OPTIONS, value="linear", inline=True)],
                          className="control"),
            html.Fieldset([html.Legend("Show"),
                           dcc.RadioItems(id="trends-share", options=_share_options(True), value="values",
                                          inline=True)], className="control"),
            html.P(id="trends-share-note", className="control-note", role="status"),
        ], className="chart-controls"),
        components.chart_panel(CHART, "Stocks and flows over time"),
        html.Section([html.H2("Dated events"), html.Div(id="trends-events")], className="events",
                     **{"aria-label": "Dated events"}),
        html.Div(components.full_data_link(ctx.filters), id="trends-full-data"),
    ])


def _share_options(disabled: bool) -> list[dict]:
    return [{"label": label, "value": value, "disabled": disabled and value == "share"}
            for value, label in SHARE_LABELS]


def _error(message: str) -> tuple:
    return (charts_core.empty_figure(message), message, [], [], [], _share_options(True), "", [],
            dash.no_update)


@dash.callback(
    Output(components.graph_id(CHART), "figure"), Output(f"{CHART}-summary", "children"),
    Output(f"{CHART}-table", "columnDefs"), Output(f"{CHART}-table", "rowData"),
    Output(components.data_id(CHART), "data"), Output("trends-share", "options"),
    Output("trends-share-note", "children"), Output("trends-events", "children"),
    Output("trends-full-data", "children"),
    *FILTER_INPUTS, Input("trends-scale", "value"), Input("trends-share", "value"),
)
@kit.guarded(_error)
def update_trends(*values):
    """Filters, scale and share -> the line chart, its summary, table and data store, the events."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _error("The data store is empty: see the Overview page for how to build it.")
    filters = kit.filters_from_values(engine, values[:8], queries.default_filters(engine))
    log, share = values[8] == "log", values[9] == "share"
    result = queries.lines(engine, filters, share=share)
    events = queries.events(engine, filters)
    place = core.place_name(engine, filters.location) if filters.location else "every location"
    origin = f" from {core.place_name(engine, filters.origin)}" if filters.origin else ""
    title = f"Over time: {place}{origin}" + (" (share of the parent area's total)" if share and
                                             result.share_available else "")
    link = components.full_data_link(filters)
    note = result.share_note
    if share and not result.share_available:
        note = note + " Showing values."
    points = result.points
    if points.empty:
        message = (f"No figure for {place}{origin} between {charts_core.format_date(filters.date_from)} and "
                   f"{charts_core.format_date(filters.date_to)} matches these filters: widen the period or "
                   "choose another place.")
        return (charts_core.empty_figure(message, title), message, [], [], [], _share_options(True), note,
                _events_list(events), link)
    points = points.assign(
        figure=[charts_core.qualified(v, q) if not pd.isna(v) else
                ("no figure (gap)" if g else f"no figure ({m or 'not available'})")
                for v, q, m, g in zip(points["value"], points["qualifier"], points["missing_reason"],
                                      points["is_gap"], strict=True)],
        period=[charts_core.period_text(s, e) for s, e in zip(points["reference_period_start"],
                                                              points["reference_period_end"], strict=True)])
    fig = charts.trends_figure(points, events, title=title, log=log, share=share and result.share_available)
    rows = kit.records(points, [c for c in STORE_COLUMNS if c in points.columns])
    n_traces = points["trace"].nunique()
    gaps = int(points["is_gap"].sum())
    summary = (f"{n_traces} line{'s' if n_traces > 1 else ''} ({len(points) - gaps} figures"
               + (f", {gaps} gaps where a yearly series has no figure" if gaps else "") + ")"
               + (f"; the {result.n_hidden} smaller lines are left out: choose a location, group or source to "
                  "see them" if result.n_hidden else "") + ". " + _latest_words(points) + ".")
    table = kit.column_defs(kit.FIGURE_TABLE[:4] + [("chart_value", "Drawn value"), ("share", "Share"),
                                                    ("parent_value", "Parent total")] + kit.FIGURE_TABLE[4:]
                            + [("note", "Note")], points.columns)
    return (fig, summary, table, rows, rows, _share_options(not result.share_available), note,
            _events_list(events), link)


def _latest_words(points) -> str:
    """'Latest: UNHCR — refugees in Türkiye 3,737,369 (31 Dec 2021)' for the largest line."""
    real = points[points["value"].notna()]
    if real.empty:
        return "No line has a figure (only missing values)"
    last = real.sort_values("reference_period_end").groupby("trace").tail(1).sort_values("value").iloc[-1]
    return (f"Largest line, latest point: {last['trace']}, {charts_core.qualified(last['value'], last['qualifier'])}"
            f" ({charts_core.period_text(last['reference_period_start'], last['reference_period_end'])})")


def _events_list(events) -> list:
    if events.empty:
        return [html.P("No dated event in the events table falls in this period for these places.")]
    items = []
    for i, ev in enumerate(events.itertuples(index=False), start=1):
        when = charts_core.format_date(ev.event_date) + (f" – {charts_core.format_date(ev.end_date)}"
                                                          if ev.end_date and ev.end_date != ev.event_date else "")
        items.append(html.Li([html.Strong(f"{i}. {when}: {ev.title}. "), html.Q(ev.quote), " — ",
                              html.A(f"{ev.publisher}, {ev.source_title}", href=ev.source_url, rel="noopener")]))
    return [html.Ul(items, className="event-list")]
