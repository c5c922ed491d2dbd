"""Flows page: origin -> destination Sankeys (countries; governorates) with top N plus 'other', and arrows on maps."""
from __future__ import annotations

import logging

import dash
from dash import Input, Output, dcc, html

from dashboard import components, geo
from dashboard.charts import flows as charts
from dashboard.charts.core import empty_figure
from dashboard.filters import from_query
from dashboard.queries import core
from dashboard.queries import flows as queries

dash.register_page(__name__, path="/flows", name="Flows", title="Flows · Displacement dashboard", order=2)

log = logging.getLogger(__name__)
FILTER_IDS = ["f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure", "f-source", "f-as-of"]
TOPOJSON_URL = "/assets/topojson/"  # geo base layers come from this server (assets/topojson), never a CDN
DEFAULT_TOP_N, MAX_TOP_N = 10, 50
LEVELS = {
    queries.COUNTRY: {"choice": "flows-country-choice", "sankey": "flows-countries", "map": "flows-countries-map",
                      "places": "countries"},
    queries.GOVERNORATE: {"choice": "flows-governorate-choice", "sankey": "flows-governorates",
                          "map": "flows-governorates-map", "places": "governorates"},
}


def layout(**query_args) -> html.Div:
    engine = core.store_engine()
    if (unavailable := components.store_unavailable("Flows", engine)) is not None:
        return unavailable
    info = core.known(engine)
    flt = from_query(query_args, known_places=set(info["places"]), known_sources=set(info["series"]))
    return html.Div([
        html.H2("Flows"),
        components.filter_bar(flt, **queries.filter_options(engine, flt)),
        html.P("Where people came from and went: each Sankey draws one set of figures (one series, population "
               "group, measure and reference date), never stocks of different dates together and never "
               "movements as people. The largest links are drawn; the rest are one 'other' node whose row in "
               "the table lists its members.", className="page-intro"),
        html.Div([html.Label("Largest links drawn (the rest go into one 'other')", htmlFor="flows-top-n"),
                  dcc.Input(id="flows-top-n", type="number", min=1, max=MAX_TOP_N, step=1, value=DEFAULT_TOP_N,
                            debounce=True)], className="control"),
        _choice("flows-country-choice", "Figures shown between countries"),
        components.chart_panel("flows-countries", "Countries of origin → countries of asylum"),
        _geo_panel("flows-countries-map", "Countries of origin → countries of asylum, on a map",
                   "Country outlines: Natural Earth (public domain)."),
        _choice("flows-governorate-choice", "Figures shown between governorates"),
        components.chart_panel("flows-governorates", "IDP movements between governorates (movements, not people)"),
        _geo_panel("flows-governorates-map", "IDP movements between governorates, on a map",
                   geo.ATTRIBUTION["ocha"]),
        components.full_data_link(flt),
    ], className="page page-flows")


def _choice(cid: str, label: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid),
                     dcc.Dropdown(id=cid, options=[], value=None, clearable=False, searchable=True,
                                  placeholder="the filters' latest figures")], className="control control-wide")


def _geo_panel(name: str, title: str, attribution: str) -> html.Div:
    """A chart panel whose graph reads geo base layers from assets/topojson/, with attribution under the map."""
    panel = components.chart_panel(name, title, graph_config={"topojsonURL": TOPOJSON_URL})
    return html.Div([panel, html.P(f"{attribution} {geo.DISCLAIMER}", className="map-attribution")])


def _panel_outputs(name: str) -> list[Output]:
    return [Output(components.graph_id(name), "figure"), Output(f"{name}-summary", "children"),
            Output(f"{name}-table", "columnDefs"), Output(f"{name}-table", "rowData"),
            Output(components.data_id(name), "data")]


def _empty_panel(message: str, title: str = "") -> tuple:
    return empty_figure(message, title), message, [], [], []


def _top_n(value) -> int:
    try:
        return min(max(int(value), 1), MAX_TOP_N)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
        return DEFAULT_TOP_N


def _option(c: queries.Choice) -> dict:
    label = (f"{c.title}: {charts.what(c.group, c.measure)}, {charts.month_or_period(c.start, c.end)} "
             f"({c.links} links)")
    return {"label": label, "value": c.key}


def update_level(level: str, filter_values: tuple, top_n, choice_key):
    """Both panels of one level: (choice options, choice value, Sankey outputs x5, map outputs x5)."""
    movements = level == queries.GOVERNORATE
    try:
        engine = core.store_engine()
        if not core.has_data(engine):
            empty = _empty_panel("The data store has no figures yet.")
            return [], None, *empty, *empty
        flt = queries.inputs_to_filters(engine, *filter_values)
        options, notes = queries.choices(engine, flt, level)
        choice = queries.resolve_choice(options, choice_key)
        if choice is None:
            period = f"{flt.date_from:%d %b %Y} – {flt.date_to:%d %b %Y}"
            hint = (" UNHCR's stocks are dated 31 December: a period that includes one shows them."
                    if level == queries.COUNTRY else " The IDP Task Force movements cover Nov 2019 – Jan 2020.")
            message = (f"No {LEVELS[level]['places']}-level origin → destination figures for these filters in "
                       f"{period}.{hint}" + "".join(f" Note: {n}." for n in notes))
            empty = _empty_panel(message)
            return [], None, *empty, *empty
        df, missing = queries.links(engine, flt, level, choice)
        links = charts.top_links(df, _top_n(top_n), place_word=LEVELS[level]["places"])
        reference = charts.month_or_period(choice.start, choice.end)
        others = queries.other_dates(options, choice)
        dates_note = ""
        if others:
            latest = all(o.end <= choice.end for o in others)
            listed = ", ".join(charts.month_or_period(o.start, o.end) for o in others[:4])
            more = ", …" if len(others) > 4 else ""
            dates_note = (f"The filters also hold {len(others)} other reference "
                          f"{'period' if movements else 'date'}{'s' if len(others) > 1 else ''} of this series "
                          f"({listed}{more}); {'the latest' if latest else 'the one chosen'}, {reference}, is "
                          f"shown, never added to them: pick another under 'Figures shown'.")
        dates_note += "".join(f" Note: {n}." for n in notes)
        what = charts.what(choice.group, choice.measure)
        if movements:
            title = f"IDP movements between governorates, {reference} (movements, not people)"
        else:
            title = f"{what[0].upper()}{what[1:]}: country of origin → country of asylum, {reference}"
        sankey = charts.sankey(links, title, movements=movements)
        summary = charts.summary(links, title=title, top_n=_top_n(top_n), movements=movements,
                                 dates_note=dates_note, missing=missing)
        defs, rows = charts.link_table(links)
        map_fig, drawn = charts.arrows_map(links, f"{title}: largest links on a map", level=level)
        map_summary = charts.map_summary(drawn, links, movements=movements)
        map_defs, map_rows = charts.link_table(drawn)
        return ([_option(c) for c in options], choice.key, sankey, summary, defs, rows, rows,
                map_fig, map_summary, map_defs, map_rows, map_rows)
    except Exception as exc:  # never a traceback in the page: a sentence, and the error in the server log
        log.exception("flows callback failed")
        empty = _empty_panel(f"These flows could not be drawn ({type(exc).__name__}). Try other filters.")
        return [], None, *empty, *empty


def _level_callback(level: str):
    ids = LEVELS[level]

    @dash.callback(
        Output(ids["choice"], "options"), Output(ids["choice"], "value"),
        *_panel_outputs(ids["sankey"]), *_panel_outputs(ids["map"]),
        *[Input(i, "value") for i in FILTER_IDS], Input("flows-top-n", "value"), Input(ids["choice"], "value"),
    )
    def _update(date_from, date_to, origin, location, groups, measures, sources, as_of, top_n, choice_key):
        return update_level(level, (date_from, date_to, origin, location, groups, measures, sources, as_of),
                            top_n, choice_key)

    _update.__name__ = f"update_{level}_flows"
    return _update


update_country_flows = _level_callback(queries.COUNTRY)
update_governorate_flows = _level_callback(queries.GOVERNORATE)
