"""People: sex and age where published (UNHCR's demographic rows as a pyramid; the shares of women and children
in the north-west Syria reports), and what is not disaggregated, in words."""
from __future__ import annotations

import dash
from dash import Input, Output, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import components
from dashboard.charts import core as charts_core
from dashboard.charts import people as charts
from dashboard.queries import core
from dashboard.queries import overview as kit
from dashboard.queries import people as queries

dash.register_page(__name__, path="/people", name="People", title="People — Displacement dashboard", order=4)

PYRAMID, SHARES = "people-pyramid", "people-shares"
FILTER_INPUTS = [Input(i, "value") for i in ("f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure",
                                             "f-source", "f-as-of")]
PROVENANCE = ["source", "publisher", "originator", "series_slug", "series_title", "source_kind", "licence",
              "vintage", "retrieved_at", "citation"]
PYRAMID_COLUMNS = ["sex", "age_group", "value", "n_locations", "n_rows", "population_group", "measure",
                   "origin_name", "location_name", "reference_period_start", "reference_period_end"] + PROVENANCE \
    + ["is_chosen", "rival_note"]
SHARE_COLUMNS = ["category", "breakdown", "share", "figure", "value", "qualifier", "total", "total_qualifier",
                 "period", "reference_period_start", "reference_period_end", "population_group", "measure",
                 "origin_name", "location_name", "source_title", "source_url", "source_ref"] + PROVENANCE \
    + ["is_chosen", "rival_note", "total_rival_note"]


def layout(**query_args) -> html.Div:
    try:
        ctx = kit.page_context(query_args)
    except SQLAlchemyError:
        ctx = None
    if ctx is None:
        return components.no_store_page("People")
    return html.Div([
        html.H2("People"),
        html.P("Sex and age where a source publishes them. A breakdown is shown beside its total, never added to "
               "it; what is not broken down is said in words below.", className="page-intro"),
        components.filter_bar(ctx.filters, **ctx.filter_bar_args()),
        components.chart_panel(PYRAMID, "Sex and age"),
        components.chart_panel(SHARES, "Women and children in the published totals"),
        html.Section([html.H2("Not broken down by sex or age"), html.Div(id="people-not-split")],
                     className="not-split", **{"aria-label": "Not broken down by sex or age"}),
        html.Div(components.full_data_link(ctx.filters), id="people-full-data"),
    ])


def _error(message: str) -> tuple:
    empty = (charts_core.empty_figure(message), message, [], [], [])
    return (*empty, *empty, [components.empty_state(message)], dash.no_update)


@dash.callback(
    Output(components.graph_id(PYRAMID), "figure"), Output(f"{PYRAMID}-summary", "children"),
    Output(f"{PYRAMID}-table", "columnDefs"), Output(f"{PYRAMID}-table", "rowData"),
    Output(components.data_id(PYRAMID), "data"),
    Output(components.graph_id(SHARES), "figure"), Output(f"{SHARES}-summary", "children"),
    Output(f"{SHARES}-table", "columnDefs"), Output(f"{SHARES}-table", "rowData"),
    Output(components.data_id(SHARES), "data"),
    Output("people-not-split", "children"), Output("people-full-data", "children"),
    *FILTER_INPUTS,
)
@kit.guarded(_error)
def update_people(*values):
    """Filters -> the pyramid and the shares (figure, summary, table, data store each), and the words."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _error("The data store is empty: see the Overview page for how to build it.")
    filters = kit.filters_from_values(engine, values)
    if filters.origin is None and filters.location is None:
        return _error("Choose an origin or a location: sex and age are shown for one population at a time.")[:-1] \
            + (components.full_data_link(filters),)
    figures = queries.frame(engine, filters)
    if len(figures) >= queries.FRAME_LIMIT:
        return _error(f"More than {queries.FRAME_LIMIT:,} figures match these filters: choose an origin, a location "
                      "or a shorter period.")[:-1] + (components.full_data_link(filters),)
    sentences = queries.not_disaggregated(engine, filters, figures)
    words = [html.Ul([html.Li(s) for s in sentences])] if sentences else \
        [html.P("Every total in these filters has a sex and age split from the same source and date.")]
    return (*_pyramid(engine, filters, figures), *_shares(engine, filters, figures), words,
            components.full_data_link(filters))


def _pyramid(engine, filters, figures) -> tuple:
    pyr = queries.pyramid(engine, filters, figures)
    where = core.place_name(engine, filters.location) if filters.location else "every location"
    if pyr.bands.empty:
        later = f" The first split after it is dated {charts_core.format_date(pyr.later)}: set the period to " \
                "include it." if pyr.later is not None else ""
        message = (f"No sex and age split is published for {where} between "
                   f"{charts_core.format_date(filters.date_from)} and {charts_core.format_date(filters.date_to)}."
                   + later)
        return charts_core.empty_figure(message, "Sex and age"), message, [], [], []
    first = pyr.bands.iloc[0]
    who = f"{charts_core.GROUP_NAMES.get(pyr.group, pyr.group)} from {first['origin_name']} in {first['location_name']}"
    title = f"Sex and age of {who}, {charts_core.format_date(pyr.date)}"
    reference = f"Reference date {charts_core.format_date(pyr.date)}; summed over {pyr.n_locations} disjoint " \
                "reporting location(s) of one source and date"
    fig = charts.pyramid_figure(pyr.bands, title, reference)
    f, m = pyr.sex_totals.get("female"), pyr.sex_totals.get("male")
    parts = [f"{pyr.source}, {charts_core.format_date(pyr.date)}: {who}"]
    if f is not None and m is not None:
        parts.append(f"female {f:,} ({f / (f + m):.0%}), male {m:,} ({m / (f + m):.0%})")
    if pyr.total is not None:
        parts.append(f"the same rows' own total {pyr.total:,} (shown beside the split, not added to it)")
    if pyr.own_figure:
        own = pyr.own_figure
        parts.append(f"{own['source']}'s own figure for {own['location_name']}: "
                     f"{charts_core.qualified(own['value'], own['qualifier'])} "
                     f"({charts_core.format_date(own['reference_period_end'])}), beside the sum of its locations")
    if pyr.other_groups:
        parts.append("also split for " + ", ".join(charts_core.GROUP_NAMES.get(g, g) for g in pyr.other_groups)
                     + ": choose one in the population group filter")
    rows = kit.records(pyr.bands, [c for c in PYRAMID_COLUMNS if c in pyr.bands.columns])
    table = kit.column_defs([("sex", "Sex"), ("age_group", "Age band"), ("value", "People"),
                             ("n_locations", "Locations summed"), ("reference_period_end", "Reference date"),
                             ("source", "Source"), ("series_title", "Series"), ("licence", "Licence"),
                             ("retrieved_at", "Retrieved"), ("citation", "Cite as")], pyr.bands.columns)
    return fig, "; ".join(parts) + ".", table, rows, rows


def _shares(engine, filters, figures) -> tuple:
    shares, orphans = queries.breakdown_shares(engine, filters, figures)
    title = "Women and children as a share of the published total"
    if shares.empty:
        message = "No report in these filters gives women or children as part of a total" + (
            f" ({len(orphans)} such figures have no total of the same source and date)." if len(orphans) else ".")
        return charts_core.empty_figure(message, title), message, [], [], []
    shares = shares.assign(
        period=[charts_core.period_text(s, e) for s, e in zip(shares["reference_period_start"],
                                                              shares["reference_period_end"], strict=True)],
        figure=[charts_core.qualified(v, q) for v, q in zip(shares["value"], shares["qualifier"], strict=True)])
    shares["category"] = [f"{s}, {charts_core.format_date(e)}" for s, e in
                          zip(shares["source"], shares["reference_period_end"], strict=True)]
    fig = charts.shares_figure(shares, title)
    summary = "; ".join(f"{r['category']}: {r['breakdown']} {r['figure']} of "
                        f"{charts_core.qualified(r['total'], r['total_qualifier'])} ({r['share']:.0%})"
                        for r in shares.to_dict("records")) + "."
    if len(orphans):
        summary += f" {len(orphans)} breakdown(s) have no total of the same source and date and are not shown."
    rows = kit.records(shares, [c for c in SHARE_COLUMNS if c in shares.columns])
    table = kit.column_defs([("category", "Report"), ("breakdown", "Breakdown"), ("share", "Share"),
                             ("figure", "Figure"), ("total", "Total"), ("period", "Period"),
                             ("source", "Source"), ("source_title", "Document"), ("source_ref", "Quote"),
                             ("licence", "Licence"), ("retrieved_at", "Retrieved")], shares.columns)
    return fig, summary, table, rows, rows
