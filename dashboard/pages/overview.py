"""Overview: the headline figure per population group for the chosen place (or the worked example's headlines),
each with its date, qualifier, source, the rule that chose it, its rivals and a small trend."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import components
from dashboard.charts import core as charts_core
from dashboard.charts import overview as charts
from dashboard.queries import core, status
from dashboard.queries import overview as queries

dash.register_page(__name__, path="/", name="Overview", title="Overview — Displacement dashboard", order=0)

CHART = "overview-trends"
FILTER_INPUTS = [Input(i, "value") for i in ("f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure",
                                             "f-source", "f-as-of")]
MEASURE_WORDS = {"stock": "stock: people at a date", "flow": "flow: people newly counted during a period",
                 "movement": "movements: moves, not people"}
STORE_COLUMNS = ["trace", "is_headline", "figure", "period", "reference_period_start", "reference_period_end",
                 "value", "qualifier", "missing_reason", "population_group", "measure", "unit", "origin_code",
                 "origin_name", "location_code", "location_name", "source", "publisher", "originator", "series_slug",
                 "series_title", "source_kind", "source_title", "source_url", "licence", "vintage", "retrieved_at",
                 "citation", "source_ref", "rival_note"]


def layout(**query_args) -> html.Div:
    try:
        ctx = queries.page_context(query_args)
    except SQLAlchemyError:
        ctx = None
    if ctx is None:
        return html.Div([html.H2("Overview"), html.Div(_summary_block(), id="store-summary")])
    return html.Div([
        html.H2("Overview"),
        html.P("The latest figure for exactly the chosen place, one per population group and measure, never "
               "combining dates or sources. With no location chosen: the worked example (refugees hosted in "
               "Türkiye, the Idlib offensive, IDPs in Syria).", className="page-intro"),
        components.filter_bar(ctx.filters, **ctx.filter_bar_args()),
        dcc.Loading(html.Div(id="overview-cards", className="cards", role="list")),
        components.chart_panel(CHART, "Trend of each headline figure"),
        html.Div(components.full_data_link(ctx.filters), id="overview-full-data"),
        html.Div(_summary_block(), id="store-summary"),
    ])


def _error(message: str) -> tuple:
    return ([components.empty_state(message)], charts_core.empty_figure(message), message, [], [], [],
            dash.no_update)


@dash.callback(
    Output("overview-cards", "children"), Output(components.graph_id(CHART), "figure"),
    Output(f"{CHART}-summary", "children"), Output(f"{CHART}-table", "columnDefs"),
    Output(f"{CHART}-table", "rowData"), Output(components.data_id(CHART), "data"),
    Output("overview-full-data", "children"),
    *FILTER_INPUTS,
)
@queries.guarded(_error)
def update_overview(*values):
    """Filters -> cards, the small-multiples trend, its summary, table and data store, the full-data link."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _error("The data store is empty: see below how to build it.")
    filters = queries.filters_from_values(engine, values)
    if filters.location:
        cards = queries.place_cards(engine, filters)
        scope = f"for {core.place_name(engine, filters.location)}"
    else:
        cards = queries.headline_cards(engine, filters)
        scope = "of the worked example (choose a location for its own figures)"
    link = components.full_data_link(filters)
    title = f"Trend of each headline figure {scope}"
    if not cards:
        later = queries.first_after(engine, filters)
        message = (f"No figure {scope} matches these filters up to {charts_core.format_date(filters.date_to)}: "
                   "widen the period, or clear the group, measure or source filters."
                   + (f" The first figure after the period is dated {charts_core.format_date(later)}."
                      if later else ""))
        return [components.empty_state(message)], charts_core.empty_figure(message, title), message, [], [], [], link
    points = trend_points(cards)
    rows = queries.records(points, [c for c in STORE_COLUMNS if c in points.columns])
    summary = (f"{len(cards)} headline figure{'s' if len(cards) > 1 else ''} {scope}: "
               + "; ".join(charts.card_sentence(c.figure, c.location_name) for c in cards) + ".")
    table = queries.column_defs([("trace", "Card"), ("is_headline", "On the card")] + queries.FIGURE_TABLE[1:],
                                points.columns)
    return ([_card(c, filters) for c in cards], charts.trends_grid(points, title), summary, table, rows, rows,
            link)


def trend_points(cards: list[queries.Card]) -> pd.DataFrame:
    """The points drawn in the small multiples (and held in the data store): each card's series."""
    frames = []
    for card in cards:
        pts = card.trend.copy()
        label = charts.who(card.group, card.measure, card.origin_code, card.origin_name, card.location_code,
                           card.location_name)
        pts["trace"] = f"{label} ({card.figure['source']})"
        pts["is_headline"] = pts["reference_period_end"] == card.figure["reference_period_end"]
        if card.parts:  # the card's value is the sum over origins: the trend point holds the same sum
            pts.loc[pts["is_headline"], "value"] = card.figure["value"]
        frames.append(pts)
    points = pd.concat(frames, ignore_index=True)
    points["figure"] = [charts_core.qualified(v, q) if not pd.isna(v) else f"no figure ({m})"
                        for v, q, m in zip(points["value"], points["qualifier"], points["missing_reason"],
                                           strict=True)]
    points["period"] = [charts_core.period_text(s, e) for s, e in
                        zip(points["reference_period_start"], points["reference_period_end"], strict=True)]
    return points


def _card(card: queries.Card, filters) -> html.Article:
    fig = card.figure
    sentence = charts.card_sentence(fig, card.location_name)
    heading = f"{charts_core.GROUP_NAMES.get(card.group, card.group).capitalize()} ({card.measure})"
    details = [html.P(sentence, className="card-figure")]
    if card.stale_since is not None:
        details.append(html.P(f"No figure since {card.stale_since} (the period starts "
                              f"{charts_core.format_date(filters.date_from)}).", className="card-stale"))
    details.append(html.P([
        f"Measure: {MEASURE_WORDS.get(card.measure, card.measure)}. ",
        f"Qualifier: {fig['qualifier']}. ",
        f"Source: {fig['source']}, {fig['series_title']} ({fig['source_kind']}); release {fig['vintage']}. ",
        f"Reference date: {charts_core.period_text(fig['reference_period_start'], fig['reference_period_end'])}.",
    ], className="card-meta"))
    if card.parts:
        details.append(html.P(f"Sum over {len(card.parts)} countries of origin of the same source, release and "
                              "date: " + ", ".join(f"{p['origin_name'] or p['origin_code']} {p['value']:,}"
                                                   for p in card.parts[:6])
                              + (" …" if len(card.parts) > 6 else "") + "."))
    details.append(html.P(card.rule[0].upper() + card.rule[1:] + ".", className="card-rule"))
    rivals = ("No other source gives this quantity in the period." if not card.rivals else
              f"{card.rivals} other figure{'s' if card.rivals > 1 else ''} for the same quantity in the period "
              f"({', '.join(card.rival_sources)}): compare them on the Sources page.")
    if card.ledger_rivals:
        rivals += (f" The figure ledger chose this figure over {card.ledger_rivals} rival figure"
                   f"{'s' if card.ledger_rivals > 1 else ''} (see Sources).")
    details.append(html.P(rivals, className="card-rivals"))
    trend = card.trend
    spark_text = (f"Trend: {len(trend)} point{'s' if len(trend) != 1 else ''} of the same series"
                  + (f", {charts_core.format_date(trend['reference_period_end'].min())} to "
                     f"{charts_core.format_date(trend['reference_period_end'].max())}" if len(trend) else "") + ".")
    pts = trend.assign(is_headline=trend["reference_period_end"] == fig["reference_period_end"])
    details.append(dcc.Graph(figure=charts.sparkline(pts, card.group, card.measure), className="sparkline",
                             config={"staticPlot": True, "displayModeBar": False}, style={"height": "70px"}))
    details.append(html.P(spark_text, className="sparkline-text"))
    return html.Article([html.H3(heading)] + details, className="card", role="listitem",
                        **{"data-group": card.group, "data-measure": card.measure})


def _summary_block() -> list:
    engine = core.store_engine()
    try:
        summary = status.store_summary(engine) if engine is not None else None
    except SQLAlchemyError as exc:  # an unreachable or damaged store is a message, never a traceback
        message = f"The data store could not be read ({type(exc).__name__}): check DATABASE_URL."
        return [html.P(message), _how_to_build()]
    if summary is None or not summary["has_schema"]:
        return [html.P("The data store has not been built yet."), _how_to_build()]
    if summary["observations"] == 0:
        return [html.P("The data store is empty: no figures have been loaded yet."), _how_to_build()]
    return [html.P([f"The store holds {summary['observations']:,} current figures in {summary['series']:,} "
                    f"series about {summary['places']:,} places. Loads and rows set aside: see ",
                    dcc.Link("Data status", href="/status"), "."])]


def _how_to_build() -> html.P:
    return html.P(["To build it from the files shipped with the project, run ", html.Code("bash scripts/run.sh"),
                   " (or ", html.Code("python -m etl init"), " then ", html.Code("python -m etl refresh --offline"),
                   ") and reload this page."], className="empty-state")
