"""Data status: the last load of each file with its rows, the outcome of the last attempt, and the rows set aside
with their reasons."""
from __future__ import annotations

import html as html_text

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import components
from dashboard import config as dash_config
from dashboard.charts import core as charts_core
from dashboard.charts import status as status_charts
from dashboard.queries import core, status
from dashboard.queries import overview as kit

dash.register_page(__name__, path="/status", name="Data status", title="Data status — Displacement dashboard",
                   order=6)

LOADS, REJECTS, FRESH = "status-loads", "status-rejects", "status-freshness"
LOAD_COLUMNS = [("file", "File"), ("source", "Source"), ("outcome", "Last attempt"),
                ("last_attempt", "Attempted (UTC)"), ("message", "Message"), ("last_load", "Last load (UTC)"),
                ("rows_read", "Rows read"), ("rows_new", "New"), ("rows_changed", "Changed"),
                ("rows_unchanged", "Unchanged"), ("rows_set_aside", "Set aside"),
                ("current_figures", "Figures in the store now"), ("open_set_aside", "Set aside, still open")]
FRESH_COLUMNS = [("source", "Source"), ("state", "Freshness"), ("last_success", "Last success (UTC)"),
                 ("due_at", "Due (UTC)"), ("overdue_at", "Overdue from (UTC)"), ("cadence_days", "Cadence (days)"),
                 ("mode", "Mode"), ("last_attempt", "Last refresh (UTC)"), ("last_status", "Outcome"),
                 ("last_error", "Last error"), ("refresh_run_id", "Refresh"), ("new", "New"), ("revised", "Revised"),
                 ("withdrawn", "Withdrawn"), ("new_periods", "New figures by period")]
CHANGE_COLUMNS = [("source", "Source"), ("kind", "Change"), ("figure", "Figure"), ("change", "Old → new"),
                  ("old_value", "Old value"), ("new_value", "New value"), ("refresh_run_id", "Refresh")]
REJECT_COLUMNS = [("file", "File"), ("row_number", "Row"), ("column", "Column"), ("value", "Value"),
                  ("reason", "Reason"), ("suggestion", "Suggestion"), ("status", "Status"), ("source", "Source")]


def layout(**_query_args) -> html.Div:
    try:
        ready = core.has_data(core.store_engine())
    except SQLAlchemyError:
        ready = False
    if not ready:
        return components.no_store_page("Data status")
    return html.Div([
        html.H2("Data status"),
        html.P("What each load of a shipped file did: rows read, new, changed and unchanged, rows set aside with "
               "their reasons, and the outcome of the last attempt. Filters do not apply here.",
               className="page-intro"),
        html.Div(id="status-counts"),
        components.chart_panel(FRESH, "Freshness of each source"),
        html.Section([html.H2("What the last refresh of each source changed"),
                      html.P(id="status-changes-summary", className="chart-summary", **{"aria-live": "polite"}),
                      dag.AgGrid(id="status-changes", columnDefs=kit.column_defs(CHANGE_COLUMNS, [
                          c for c, _ in CHANGE_COLUMNS]), rowData=[], className="ag-theme-alpine",
                                 dashGridOptions={"domLayout": "autoHeight", "ensureDomOrder": True,
                                                  "pagination": True, "paginationPageSize": 50},
                                 style={"width": "100%"})], className="changes-detail"),
        components.chart_panel(LOADS, "Last load of each file"),
        components.chart_panel(REJECTS, "Rows set aside and why"),
        html.Section([html.H2("Each row set aside"),
                      dag.AgGrid(id="status-rejects-detail", columnDefs=[], rowData=[], className="ag-theme-alpine",
                                 dashGridOptions={"domLayout": "autoHeight", "ensureDomOrder": True,
                                                  "pagination": True, "paginationPageSize": 50},
                                 style={"width": "100%"})], className="rejects-detail"),
        html.Div(id="status-refresh", hidden=True),
    ])


def _error(message: str) -> tuple:
    empty = (charts_core.empty_figure(message), message, [], [], [])
    return (components.empty_state(message), *empty, *empty, [], [])


@dash.callback(
    Output("status-counts", "children"),
    Output(components.graph_id(LOADS), "figure"), Output(f"{LOADS}-summary", "children"),
    Output(f"{LOADS}-table", "columnDefs"), Output(f"{LOADS}-table", "rowData"),
    Output(components.data_id(LOADS), "data"),
    Output(components.graph_id(REJECTS), "figure"), Output(f"{REJECTS}-summary", "children"),
    Output(f"{REJECTS}-table", "columnDefs"), Output(f"{REJECTS}-table", "rowData"),
    Output(components.data_id(REJECTS), "data"),
    Output("status-rejects-detail", "columnDefs"), Output("status-rejects-detail", "rowData"),
    Input("status-refresh", "children"),
)
@kit.guarded(_error)
def update_status(_):
    """The store's counts, each file's last load (chart, summary, table, data store) and the set-aside rows."""
    engine = core.store_engine()
    if engine is None or not core.has_data(engine):
        return _error("The data store is empty: see the Overview page for how to build it.")
    summary = status.store_summary(engine)
    counts = html.P(f"The store holds {summary['observations']:,} current figures in {summary['series']:,} series "
                    f"about {summary['places']:,} places (data version {core.data_version(engine)}).")
    loads = kit.cached(engine, "load_status", status.load_status)
    rejects = status.set_aside(engine)
    return (counts, *_loads(loads), *_rejects(rejects))


def _fresh_error(message: str) -> tuple:
    return charts_core.empty_figure(message), message, [], [], [], message, []


@dash.callback(
    Output(components.graph_id(FRESH), "figure"), Output(f"{FRESH}-summary", "children"),
    Output(f"{FRESH}-table", "columnDefs"), Output(f"{FRESH}-table", "rowData"),
    Output(components.data_id(FRESH), "data"),
    Output("status-changes-summary", "children"), Output("status-changes", "rowData"),
    Input("status-refresh", "children"),
)
@kit.guarded(_fresh_error)
def update_freshness(_):
    """Each source's freshness (fresh, due, overdue; failed with its error) and what its last refresh changed."""
    engine = core.store_engine()
    if engine is None or not core.has_data(engine):
        return _fresh_error("The data store is empty: see the Overview page for how to build it.")
    now = pd.Timestamp.now(tz="UTC")
    fresh, problem = status.freshness(engine, dash_config.SCHEDULE_FILE, now.to_pydatetime())
    title = "Freshness of each source"
    rows = status_charts.freshness_rows(fresh)
    figure = (status_charts.freshness_figure(fresh, now, title) if not fresh.empty
              else charts_core.empty_figure(status_charts.freshness_summary(fresh, problem), title))
    run_ids = [int(i) for i in fresh["source_run_id"].dropna()]
    changed = status.changes(engine, run_ids)
    change_rows = status_charts.change_rows(changed)
    n_new = int(fresh["new"].fillna(0).sum())
    n_rev = int(fresh["revised"].fillna(0).sum())
    n_wd = int(fresh["withdrawn"].fillna(0).sum())
    changes_summary = (
        "No refresh has been recorded yet: run python -m etl refresh." if not run_ids else
        f"The last refresh of each source added {n_new:,} new figures, revised {n_rev:,} and found {n_wd:,} "
        "withdrawn (in its previous load, missing now; a row set aside this time counts as withdrawn too)."
        + (f" The table shows the first {len(change_rows):,}." if len(change_rows) < n_rev + n_wd else ""))
    return (figure, status_charts.freshness_summary(fresh, problem), kit.column_defs(FRESH_COLUMNS, fresh.columns),
            rows, rows, changes_summary, change_rows)


def loads_figure(loads: pd.DataFrame, title: str) -> dict:
    """Per file: the figures it holds now and the rows its last load set aside (log scale)."""
    data = []
    for col, name, colour in (("current_figures", "figures in the store now", "#0072B2"),
                              ("rows_set_aside", "rows set aside in the last load", "#D55E00")):
        values = [None if pd.isna(v) else int(v) for v in loads[col]]  # never loaded: no bar, not a zero
        data.append({"hoverinfo": "text", "hovertext": [html_text.escape(
                         f"{f}: {'no load' if v is None else f'{v:,}'} {name}; last attempt {o}", quote=False)
                         for f, v, o in zip(loads["file"], values, loads["outcome"], strict=True)],
                     "marker": {"color": colour}, "name": name, "orientation": "h",
                     "text": ["no load" if v is None else f"{v:,}" for v in values], "textposition": "outside",
                     "x": values, "y": list(loads["file"]), "type": "bar"})
    fig = charts_core.figure(data, barmode="group", height=160 + 50 * len(loads),
                             legend={"orientation": "h", "y": -0.2},
                             xaxis={"title": {"text": "rows (log)"}, "type": "log"},
                             yaxis={"autorange": "reversed", "automargin": True})
    return charts_core.cite_dict(fig, title, "Source: the store's load log (load_run); figures are counted for the "
                                             "load that first wrote them")


def _loads(loads: pd.DataFrame) -> tuple:
    title = "Last load of each file"
    if loads.empty:
        message = "No load has been recorded."
        return charts_core.empty_figure(message, title), message, [], [], []
    bad = loads[~loads["outcome"].isin(["success", "unchanged (skipped)"])]
    latest = loads["last_attempt"].max()
    summary = (f"{len(loads)} files; last attempt {charts_core.format_date(latest)} "
               f"{latest:%H:%M} UTC; {int(loads['current_figures'].sum()):,} figures in the store; "
               f"{_n(int(loads['rows_set_aside'].fillna(0).sum()), 'row')} set aside in the last loads. "
               + ("Every last attempt succeeded or found its file unchanged." if bad.empty else
                  "Last attempt not successful: " + "; ".join(f"{r['file']} ({r['outcome']}: {r['message']})"
                                                             for r in bad.to_dict("records")) + "."))
    rows = kit.records(loads.drop(columns=["path"]))
    for row in rows:  # times to the minute, in UTC, as the CLI prints them
        for col in ("last_attempt", "last_load"):
            value = loads.loc[loads["file"] == row["file"], col].iloc[0]
            row[col] = None if pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"
    return loads_figure(loads, title), summary, kit.column_defs(LOAD_COLUMNS, loads.columns), rows, rows


def _rejects(rejects: pd.DataFrame) -> tuple:
    title = "Rows set aside, by reason"
    if rejects.empty:
        message = "No row has been set aside: every row read was loaded."
        # the detail grid keeps its columns: a grid with none has an empty header row (axe: critical)
        return (charts_core.empty_figure(message, title), message, [], [], [],
                kit.column_defs(REJECT_COLUMNS, [c for c, _ in REJECT_COLUMNS]), [])
    kinds = rejects.groupby("reason_kind", sort=False).size().sort_values(ascending=False)
    counts = pd.DataFrame({"reason_kind": kinds.index, "label": [_short(k) for k in kinds.index],
                           "rows": [int(v) for v in kinds.values],
                           "open": [int(((rejects["reason_kind"] == k) & (rejects["status"] == "open")).sum())
                                    for k in kinds.index],
                           "files": [", ".join(sorted(set(rejects.loc[rejects["reason_kind"] == k, "file"])))
                                     for k in kinds.index]})
    bars = {"hoverinfo": "text",
            "hovertext": [html_text.escape(f"{k}: {v:,} rows", quote=False) for k, v in kinds.items()],
            "marker": {"color": "#D55E00"}, "orientation": "h", "x": list(counts["rows"]), "y": list(counts["label"]),
            "type": "bar"}
    fig = charts_core.figure([bars], height=160 + 40 * len(kinds),
                             yaxis={"autorange": "reversed", "automargin": True})
    fig = charts_core.cite_dict(fig, title, "Source: the store's set-aside rows (rejected_row); retry with "
                                            "`python -m etl rejects retry` after adding an alias")
    still = int((rejects["status"] == "open").sum())
    summary = (f"{_n(len(rejects), 'row')} set aside ({still:,} still open) for {_n(len(kinds), 'kind')} of "
               f"reason; the most common: {kinds.index[0]} ({int(kinds.iloc[0]):,}).")
    rows = kit.records(counts)
    table = kit.column_defs([("reason_kind", "Reason"), ("rows", "Rows"), ("open", "Still open"),
                             ("files", "Files")], counts.columns)
    detail = kit.records(rejects.drop(columns=["path"]))
    return fig, summary, table, rows, rows, kit.column_defs(REJECT_COLUMNS, rejects.columns), detail


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _short(text: str, width: int = 70) -> str:
    return html_text.escape(text if len(text) <= width else text[:width - 1] + "…", quote=False)
