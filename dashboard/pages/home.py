"""Home page: what the store holds, or how to build it when it is empty."""
from __future__ import annotations

import dash
from dash import html
from sqlalchemy.exc import SQLAlchemyError

from dashboard.queries import core, status

dash.register_page(__name__, path="/", name="Overview", title="Displacement dashboard")


def layout(**_query_args) -> html.Div:
    return html.Div([html.H2("Overview"), html.Div(_summary_block(), id="store-summary")])


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
    loads = [html.Li(f"{run['source']}: {run['status']}, {run['rows_read']:,} rows read"
                     f"{_finished(run['finished_at'])}") for run in summary["latest_loads"]]
    return [
        html.P(f"The store holds {summary['observations']:,} current figures in {summary['series']:,} series "
               f"about {summary['places']:,} places."),
        html.H3("Latest load of each source"),
        html.Ul(loads) if loads else html.P("No load has been recorded."),
    ]


def _how_to_build() -> html.P:
    return html.P(["To build it from the files shipped with the project, run ", html.Code("bash scripts/run.sh"),
                   " (or ", html.Code("python -m etl init"), " then ", html.Code("python -m etl refresh --offline"),
                   ") and reload this page."], className="empty-state")


def _finished(finished_at) -> str:
    return f", finished {finished_at:%Y-%m-%d %H:%M}" if finished_at is not None else ""
