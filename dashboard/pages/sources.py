"""Sources: every source series with its provenance and row count; for one quantity, the figures different
publishers give for it side by side (a cumulative count's points stay one series, not rivals)."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import components
from dashboard.charts import core as charts_core
from dashboard.charts import sources as charts
from dashboard.queries import core
from dashboard.queries import overview as kit
from dashboard.queries import sources as queries

dash.register_page(__name__, path="/sources", name="Sources", title="Sources — Displacement dashboard", order=5)

CATALOGUE, COMPARE = "sources-catalogue", "sources-compare"
FILTER_INPUTS = [Input(i, "value") for i in ("f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure",
                                             "f-source", "f-as-of")]
CATALOGUE_COLUMNS = [
    ("series_title", "Series"), ("publisher", "Publisher"), ("originator", "Originator"),
    ("source_kind", "Kind"), ("licence", "Licence"), ("release", "Release"), ("released_on", "Released"),
    ("retrieved_at", "Retrieved"), ("rows", "Figures"), ("first_date", "First reference date"),
    ("last_date", "Last reference date"), ("documents", "Documents"), ("published_via", "Quoted via"),
    ("citation", "Cite as"), ("url", "URL"), ("series_slug", "Code")]
COMPARE_COLUMNS = ["trace", "role", "figure", "period", "reference_period_start", "reference_period_end", "value",
                   "value_low", "value_high", "qualifier", "source", "publisher", "originator", "source_kind",
                   "source_title", "source_url", "source_ref", "population_group", "measure", "origin_name",
                   "location_name", "series_slug", "series_title", "licence", "vintage", "published_on",
                   "retrieved_at", "citation"]


def layout(**query_args) -> html.Div:
    try:
        ctx = kit.page_context(query_args)
    except SQLAlchemyError:
        ctx = None
    if ctx is None:
        return components.no_store_page("Sources")
    options = queries.quantities(ctx.engine, ctx.filters)
    return html.Div([
        html.H2("Sources"),
        html.P("Who publishes each figure, under which licence, when it was retrieved; and where publishers give "
               "different figures for the same quantity, the figures side by side.", className="page-intro"),
        components.filter_bar(ctx.filters, **ctx.filter_bar_args()),
        components.chart_panel(CATALOGUE, "Every source in the store"),
        html.Div([html.Label("Quantity to compare", htmlFor="sources-quantity"),
                  dcc.Dropdown(id="sources-quantity", options=options,
                               value=options[0]["value"] if options else None, clearable=False,
                               placeholder="a quantity in these filters")], className="control"),
        components.chart_panel(COMPARE, "Figures different publishers give for one quantity"),
        html.Div(components.full_data_link(ctx.filters), id="sources-full-data"),
    ])


def _catalogue_error(message: str) -> tuple:
    return charts_core.empty_figure(message), message, [], [], []


@dash.callback(
    Output(components.graph_id(CATALOGUE), "figure"), Output(f"{CATALOGUE}-summary", "children"),
    Output(f"{CATALOGUE}-table", "columnDefs"), Output(f"{CATALOGUE}-table", "rowData"),
    Output(components.data_id(CATALOGUE), "data"),
    Input("f-as-of", "value"),
)
@kit.guarded(_catalogue_error)
def update_catalogue(_as_of):
    """Every series with publisher, originator, licence, release, retrieval date and row count."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _catalogue_error("The data store is empty: see the Overview page for how to build it.")
    cat = queries.catalogue(engine)
    cat["label"] = [charts.bar_label(p, t) for p, t in zip(cat["publisher"], cat["series_title"], strict=True)]
    title = "Every source in the store: current figures per series"
    fig = charts.catalogue_figure(cat, title)
    copies = cat[cat["published_via"] != ""]
    summary = (f"{len(cat)} source series, {int(cat['rows'].sum()):,} current figures; the largest: "
               f"{cat.iloc[0]['series_title']} ({int(cat.iloc[0]['rows']):,}). "
               + (f"{len(copies)} series are partly known through others' copies: "
                  + "; ".join(f"{r['publisher']} via {r['published_via']}" for r in copies.to_dict("records"))
                  + "." if len(copies) else ""))
    rows = kit.records(cat)
    return fig, summary, kit.column_defs(CATALOGUE_COLUMNS, cat.columns), rows, rows


@dash.callback(
    Output("sources-quantity", "options"), Output("sources-quantity", "value"),
    *FILTER_INPUTS, State("sources-quantity", "value"),
)
@kit.guarded(lambda message: ([], None))
def update_quantities(*values):
    """The quantities in the filters (several publishers first); the current choice is kept when still there."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return [], None
    filters = kit.filters_from_values(engine, values[:8])
    options = queries.quantities(engine, filters)
    current = values[8]
    keep = current if any(o["value"] == current for o in options) else (options[0]["value"] if options else None)
    return options, keep


def _compare_error(message: str) -> tuple:
    return charts_core.empty_figure(message), message, [], [], [], dash.no_update


@dash.callback(
    Output(components.graph_id(COMPARE), "figure"), Output(f"{COMPARE}-summary", "children"),
    Output(f"{COMPARE}-table", "columnDefs"), Output(f"{COMPARE}-table", "rowData"),
    Output(components.data_id(COMPARE), "data"), Output("sources-full-data", "children"),
    Input("sources-quantity", "value"), *FILTER_INPUTS,
)
@kit.guarded(_compare_error)
def update_compare(key, *values):
    """One quantity: every publisher's figures in the period, side by side; a series' points joined."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _compare_error("The data store is empty: see the Overview page for how to build it.")
    filters = kit.filters_from_values(engine, values)
    link = components.full_data_link(filters)
    title = "Figures different publishers give for one quantity"
    if not key or not isinstance(key, str):  # a quantity key is text ('IDP|flow|SYR|...'); nothing else is
        message = "No quantity in these filters: widen the period or choose another place."
        return charts_core.empty_figure(message, title), message, [], [], [], link
    rows = queries.compare(engine, filters, key)
    if rows.empty:
        message = "No source gives this quantity in the period: widen it."
        return charts_core.empty_figure(message, title), message, [], [], [], link
    rows = rows.assign(
        figure=[charts_core.qualified(v, q) for v, q in zip(rows["value"], rows["qualifier"], strict=True)],
        period=[charts_core.period_text(s, e) for s, e in zip(rows["reference_period_start"],
                                                              rows["reference_period_end"], strict=True)])
    first = rows.iloc[0]
    what = charts_core.group_label(first["population_group"], first["measure"])
    origin = f" from {first['origin_name']}" if first["origin_name"] and first["origin_code"] != \
        first["location_code"] else ""
    since = f" since {charts_core.format_date(first['reference_period_start'])}" if first["measure"] != "stock" else ""
    title = f"{what.capitalize()} in {first['location_name']}{origin}{since}: who says how many"
    fig = charts.compare_figure(rows, title)
    parts = []
    for name, pts in rows.groupby("trace", sort=False):
        last = pts.iloc[-1]
        if len(pts) == 1:
            parts.append(f"{last['source']} {last['figure']} ({charts_core.format_date(last['reference_period_end'])})")
        else:
            parts.append(f"{name}: one series of {len(pts)} points, {pts.iloc[0]['figure']} → {last['figure']} "
                         f"({charts_core.format_date(pts.iloc[0]['reference_period_end'])} to "
                         f"{charts_core.format_date(last['reference_period_end'])}; same series, later ends: not "
                         "rivals)")
    summary = f"{rows['trace'].nunique()} source(s) in the period: " + "; ".join(parts) + "."
    records = kit.records(rows, [c for c in COMPARE_COLUMNS if c in rows.columns])
    table = kit.column_defs([("trace", "Source series"), ("role", "Role"), ("figure", "Figure"),
                             ("period", "Reference date or period"), ("source", "Published by"),
                             ("source_title", "Document"), ("source_ref", "Quote (as published)"),
                             ("source_url", "URL"), ("licence", "Licence"), ("retrieved_at", "Retrieved")],
                            rows.columns)
    return fig, summary, table, records, records, link
