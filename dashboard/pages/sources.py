"""Sources: every source series with its provenance and row count; for one quantity, the figures different
publishers give for it side by side (a cumulative count's points stay one series, not rivals); and the figure
ledger: each group of rival figures with its spread, verdicts, the rule that chose and any override, its members
and their intervals, overrides (a write: decided on the server, dashboard.auth) and the ledger's flags.
Text from sources is shown as text, never as HTML."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, dcc, html
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, components
from dashboard.charts import core as charts_core
from dashboard.charts import sources as charts
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from dashboard.queries import overview as kit
from dashboard.queries import sources as queries
from etl import ledger

dash.register_page(__name__, path="/sources", name="Sources", title="Sources — Displacement dashboard", order=5)

log = logging.getLogger(__name__)
CATALOGUE, COMPARE, MEMBERS, GROUPS = "sources-catalogue", "sources-compare", "sources-ledger", "ledger-groups"
LEDGER_VERSION = auth.protect_output("ledger-version")  # bumped by every override: the ledger re-renders
LEDGER_MESSAGE = "ledger-message"
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
                   "retrieved_at", "citation", "observation_id", "rivals", "is_chosen", "rival_note"]


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
        ledger_section(),
        html.Div(components.full_data_link(ctx.filters), id="sources-full-data"),
    ])


def ledger_section() -> html.Section:
    """The figure ledger: the groups table (and its CSV), one group's figures and intervals, overrides, flags."""
    grid = {"domLayout": "autoHeight", "ensureDomOrder": True, "pagination": True, "paginationPageSize": 20}
    return html.Section([
        html.H2("Rival figures", id="ledger-title"),
        html.P("Figures are rivals when they count the same quantity (population group, measure, unit, breakdown, "
               "origin) for the same place and dates within a tolerance. The ordered rules of "
               "data/source_precedence.csv choose one; each qualifier is an interval, and a figure whose interval "
               "does not meet the chosen one's is inconsistent. A person may choose another figure, with a reason.",
               className="page-intro"),
        dcc.Checklist(id="ledger-inconsistent", options=[{"label": " only groups that disagree (inconsistent)",
                                                          "value": "inconsistent"}], value=[], inline=True,
                      className="control"),
        html.P(id="ledger-summary", className="chart-summary", **{"aria-live": "polite"}),
        dag.AgGrid(id=f"{GROUPS}-table", columnDefs=[], rowData=[], className="ag-theme-alpine",
                   dashGridOptions=grid, style={"width": "100%"}),
        html.Div([
            html.Button("Download CSV", id={"type": "chart-csv-button", "chart": GROUPS}, className="btn",
                        type="button", **{"aria-label": "Download the groups table as CSV"}),
            dcc.Download(id={"type": "chart-download", "chart": GROUPS}),
        ], className="chart-actions"),
        dcc.Store(id=components.data_id(GROUPS)),
        html.Div([html.Label("Group to show", htmlFor="ledger-group"),
                  dcc.Dropdown(id="ledger-group", options=[], value=None, clearable=False,
                               placeholder="a group of rival figures")], className="control ledger-choose"),
        html.Section([html.H3("The figures of this group", id="ledger-members-title"),
                      html.Div(id="ledger-members")], **{"aria-labelledby": "ledger-members-title"}),
        components.chart_panel(MEMBERS, "One group: each figure and the interval its qualifier allows"),
        html.Section([html.H3("Choose another figure", id="ledger-override-title"),
                      html.P(id=LEDGER_MESSAGE, className="review-message", role="status",
                             **{"aria-live": "polite"}),
                      html.Div(id="ledger-override")], **{"aria-labelledby": "ledger-override-title"}),
        html.Section([html.H3("Flags", id="ledger-flags-title"),
                      html.P(id="ledger-flags-summary", className="chart-summary"),
                      dag.AgGrid(id="ledger-flags-table", columnDefs=[], rowData=[], className="ag-theme-alpine",
                                 dashGridOptions=grid, style={"width": "100%"})],
                     **{"aria-labelledby": "ledger-flags-title"}),
        dcc.Store(id=LEDGER_VERSION, data=0),
    ], className="ledger", **{"aria-labelledby": "ledger-title"})


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
    rows = ledger_marks.with_marks(engine, rows).assign(
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
                             ("source_url", "URL"), ("licence", "Licence"), ("retrieved_at", "Retrieved"),
                             ("rival_note", "Figure ledger")],
                            rows.columns)
    return fig, summary, table, records, records, link


# --- the figure ledger --------------------------------------------------------------------------------------------

FLAG_COLUMNS = [("what", "Flag"), ("location_code", "Place"), ("period_end", "Date"), ("value", "Figure"),
                ("compared_value", "Compared with"), ("detail", "Detail"), ("observation_id", "Figure id")]
MEMBER_COLUMNS = ["rank", "observation_id", "figure", "value", "qualifier", "interval", "interval_low",
                  "interval_high", "verdict", "rule", "period", "period_start", "period_end", "location_code",
                  "publisher", "series_title", "source_kind", "document_title", "document_url", "published_on",
                  "release", "source_ref", "originator", "licence", "citation", "retrieved_at"]


def _ledger_error(message: str) -> tuple:
    return (message, kit.column_defs(queries.GROUP_TABLE, [c for c, _ in queries.GROUP_TABLE]), [], [], [], None,
            message, kit.column_defs(FLAG_COLUMNS, [c for c, _ in FLAG_COLUMNS]), [])


@dash.callback(
    Output("ledger-summary", "children"), Output(f"{GROUPS}-table", "columnDefs"),
    Output(f"{GROUPS}-table", "rowData"), Output(components.data_id(GROUPS), "data"),
    Output("ledger-group", "options"), Output("ledger-group", "value"),
    Output("ledger-flags-summary", "children"), Output("ledger-flags-table", "columnDefs"),
    Output("ledger-flags-table", "rowData"),
    Input(LEDGER_VERSION, "data"), Input("ledger-inconsistent", "value"), *FILTER_INPUTS,
    State("ledger-group", "value"),
)
@kit.guarded(_ledger_error)
def update_ledger(_version, inconsistent, *values):
    """The groups in the filters (place, origin, group, measure, period), the group choice, and the flags."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _ledger_error("The data store is empty: see the Overview page for how to build it.")
    filters = kit.filters_from_values(engine, values[:8])
    current = values[8]
    groups = queries.ledger_groups(engine, filters, only_inconsistent=bool(inconsistent))
    flags = queries.ledger_flags(engine, filters)
    flag_rows = kit.records(flags, [c for c, _ in FLAG_COLUMNS + [("kind", "")] if c in flags.columns])
    flag_words = (f"{len(flags)} flag{'s' if len(flags) != 1 else ''} in these filters: "
                  + "; ".join(f"{n} {w}" for w, n in flags["what"].value_counts().items()) + "."
                  if len(flags) else "No flag in these filters: no series point outside its neighbours, no national "
                                     "figure at odds with its sub-national ones, no superseded DTM round.")
    # columns even when empty: a grid without columns is an ARIA row without cells
    flag_defs = kit.column_defs(FLAG_COLUMNS, [c for c, _ in FLAG_COLUMNS])
    as_of = (" The ledger compares the current figures: the release filter does not apply to it."
             if filters.as_of else "")
    if groups.empty:
        message = ("No group of rival figures in these filters: every quantity here has one figure per date, or "
                   "one publisher." + as_of)
        group_defs = kit.column_defs(queries.GROUP_TABLE, [c for c, _ in queries.GROUP_TABLE])
        return message, group_defs, [], [], [], None, flag_words, flag_defs, flag_rows
    rows = kit.records(groups, [c for c, _ in queries.GROUP_TABLE])
    bad = int((groups["verdict"] == "inconsistent").sum())
    overridden = int((groups["override_status"] != "").sum())
    summary = (f"{len(groups)} group{'s' if len(groups) != 1 else ''} of rival figures in these filters, {bad} "
               f"inconsistent, {overridden} with an override." + as_of)
    options = [{"label": _group_label(g), "value": int(g["group_id"])} for g in groups.to_dict("records")]
    keep = current if any(o["value"] == current for o in options) else options[0]["value"]
    return (summary, kit.column_defs(queries.GROUP_TABLE, groups.columns), rows, rows, options, keep,
            flag_words, flag_defs, flag_rows)


def _group_label(g: dict) -> str:
    origin = f" from {g['origin_name']}" if g["origin_code"] and g["origin_code"] != g["location_code"] else ""
    return (f"Group {g['group_id']}: {g['quantity']} in {g['location_name']}{origin}, {g['span']} — "
            f"{g['member_count']} figures, {g['spread']}, {g['verdict']}")


def _group_error(message: str) -> tuple:
    return (components.empty_state(message), charts_core.empty_figure(message), message, [], [], [],
            components.empty_state(message))


def _as_id(value) -> int | None:
    """A row id from the browser (an int, or digits as text); anything else (lists, SQL, floats) is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**62 else None  # a database id, never beyond what the store's integers hold
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value.strip())
    return None


def _next(version) -> int:
    """The ledger-version counter after a write (a value that is not a count starts it again)."""
    return (version + 1) if isinstance(version, int) and not isinstance(version, bool) else 1


@dash.callback(
    Output("ledger-members", "children"), Output(components.graph_id(MEMBERS), "figure"),
    Output(f"{MEMBERS}-summary", "children"), Output(f"{MEMBERS}-table", "columnDefs"),
    Output(f"{MEMBERS}-table", "rowData"), Output(components.data_id(MEMBERS), "data"),
    Output("ledger-override", "children"),
    Input("ledger-group", "value"), Input(LEDGER_VERSION, "data"),
)
@kit.guarded(_group_error)
def show_group(group_id, _version):
    """One group: its figures (value, interval, verdict, source, document, dates, rank, rule), the interval chart,
    and the override form (only when this request may write; otherwise why not)."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return _group_error("The data store is empty: see the Overview page for how to build it.")
    group_id = _as_id(group_id)
    if group_id is None:
        return _group_error("No group of rival figures in these filters.")
    members = queries.ledger_members(engine, group_id)
    if members.empty:
        return _group_error(f"Group {group_id} is no longer in the ledger (it was rebuilt): choose another.")
    members = members.assign(
        figure=[charts_core.qualified(v, q) for v, q in zip(members["value"], members["qualifier"], strict=True)],
        period=[charts_core.period_text(s, e) for s, e in zip(members["period_start"], members["period_end"],
                                                              strict=True)],
        rule=members["rule"].fillna(""))
    chosen = members.iloc[0]
    fig = charts.intervals_figure(members, f"Group {group_id}: {len(members)} figures, the chosen one first")
    others = members.iloc[1:]
    summary = (f"Chosen: {chosen['publisher']} {chosen['figure']} ({chosen['period']}), interval "
               f"{chosen['interval']}. " + "; ".join(
                   f"{r['publisher']} {r['figure']} {r['interval']}: {r['verdict']}" for r in others.to_dict("records"))
               + ".")
    rows = kit.records(members, [c for c in MEMBER_COLUMNS if c in members.columns])
    table_cols = [("rank", "Rank"), ("figure", "Figure"), ("interval", "Interval"), ("verdict", "Verdict"),
                  ("publisher", "Publisher"), ("series_title", "Series"), ("period", "Reference date or period"),
                  ("document_title", "Document"), ("document_url", "URL"), ("published_on", "Published"),
                  ("rule", "Rule that put the chosen figure ahead"), ("licence", "Licence"),
                  ("retrieved_at", "Retrieved")]
    table = kit.column_defs(table_cols, members.columns)
    overrides = queries.group_overrides(engine, group_id)
    return (members_table(members, overrides), fig, summary, table, rows, rows,
            override_form(int(group_id), members, overrides))


def members_table(members, overrides) -> list:
    """The group's figures as an HTML table: every source text a text node; a link only for http(s) URLs."""
    head = ["Rank", "Figure", "Interval", "Verdict vs the chosen", "Series / publisher", "Document",
            "Reference date or period", "Published", "Rule that put the chosen figure ahead of it"]
    body = []
    for r in members.to_dict("records"):
        url = r["document_url"] or ""
        doc = [r["document_title"] or ""]
        if urlsplit(url).scheme in ("http", "https"):
            doc += [" ", html.A("link", href=url, rel="noopener noreferrer",
                                **{"aria-label": f"Document of figure {r['rank']} (opens {urlsplit(url).netloc})"})]
        elif url:
            doc.append(f" ({url})")
        cells = [str(r["rank"]), r["figure"], r["interval"], r["verdict"], f"{r['series_title']} / {r['publisher']}",
                 doc, r["period"], charts_core.format_date(r["published_on"]) or "not dated",
                 "—" if r["verdict"] == "chosen" else r["rule"]]
        body.append(html.Tr([html.Td(c) for c in cells],
                            className="ledger-chosen" if r["verdict"] == "chosen" else f"ledger-{r['verdict']}"))
    out = [html.Table([html.Caption("Figures of the group, the chosen one first"),
                       html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
                      className="ledger-members")]
    if len(overrides):
        out.append(html.H4("Overrides of this group"))
        out.append(html.Ul([html.Li(
            f"Override {o['id']} ({o['status']}): {charts_core.qualified(o['value'], o['qualifier'])} chosen by "
            f"{o['reviewer']} at {queries.when(o['created_at'])}: {o['reason']}"
            + (f" — {o['recheck_note']}" if o["recheck_note"] else ""))
            for o in overrides.to_dict("records")], className="ledger-overrides"))
    return out


def override_form(group_id: int, members, overrides) -> list:
    """Choose a member with a reason, or withdraw the group's current override: only when this request may write."""
    permission = auth.write_permission()
    if not permission.allowed:
        sign_in = [" ", html.A("Sign in", href="/login?next=/sources", id="ledger-sign-in")] if (
            auth.users() and auth.current_user() is None) else []
        return [html.P([f"Choosing a figure by hand is not available here. {permission.reason}", *sign_in],
                       className="review-permission is-refused", id="ledger-permission")]
    options = [{"label": f"{r['rank']}. {r['publisher']}: {r['figure']} ({r['period']})",
                "value": int(r["observation_id"])} for r in members.to_dict("records")]
    current = overrides[overrides["status"] != "withdrawn"] if len(overrides) else overrides
    out = [html.P(permission.reason, className="review-permission is-allowed", id="ledger-permission"),
           html.Div([
               html.Div([html.Label("Figure to choose", htmlFor="ledger-override-member"),
                         dcc.Dropdown(id="ledger-override-member", options=options,
                                      value=options[1]["value"] if len(options) > 1 else options[0]["value"],
                                      clearable=False)], className="filter filter-place"),
               html.Div([html.Label("Reason (required, kept with the choice)", htmlFor="ledger-override-reason"),
                         dcc.Input(id="ledger-override-reason", type="text", maxLength=500)],
                        className="filter ledger-reason"),
               html.Div(html.Button("Choose this figure", id="ledger-override-save", type="button", className="btn"),
                        className="filter"),
               dcc.Store(id="ledger-override-group", data=group_id),
           ], className="filter-bar ledger-override-form")]
    if len(current):
        oid = int(current.iloc[0]["id"])
        out.append(html.Div([
            html.Button(f"Withdraw override {oid}", id="ledger-withdraw", type="button", className="btn btn-secondary"),
            dcc.Store(id="ledger-withdraw-id", data=oid)], className="ledger-withdraw"))
    return out


def _refused(message: str) -> tuple:
    return message, dash.no_update


@dash.callback(
    Output(LEDGER_MESSAGE, "children", allow_duplicate=True), Output(LEDGER_VERSION, "data", allow_duplicate=True),
    Input("ledger-override-save", "n_clicks"), State("ledger-override-group", "data"),
    State("ledger-override-member", "value"), State("ledger-override-reason", "value"), State(LEDGER_VERSION, "data"),
    prevent_initial_call=True, mcp_enabled=False,  # writes are never an MCP tool, even if MCP is switched on
)
@kit.guarded(_refused)
def save_override(n_clicks, group_id, observation_id, reason, version):
    """Choose `observation_id` in its group with a reason (etl.ledger.override), if this request may write."""
    if not n_clicks:
        return dash.no_update, dash.no_update  # a button appearing after a refresh is not a click
    permission = auth.write_permission()
    if not permission.allowed:
        return _refused(f"Not done: {permission.reason}")
    if not isinstance(reason, str) or not reason.strip():
        return _refused("Not done: an override needs a reason.")
    engine = core.store_engine()
    group_id, observation_id = _as_id(group_id), _as_id(observation_id)
    if engine is None or group_id is None or observation_id is None:
        return _refused("Not done: choose a group and a figure.")
    try:
        with engine.begin() as conn:
            oid = ledger.override(conn, group_id, observation_id, reason, permission.who)
    except ledger.LedgerError as exc:
        return f"Not done: {exc}", _next(version)
    done = f"Override {oid} by {permission.who}: figure {observation_id} chosen in group {group_id}: {reason.strip()}"
    log.info("ledger: %s", done)
    return done + " (the ledger was rebuilt; group numbers may change)", _next(version)


@dash.callback(
    Output(LEDGER_MESSAGE, "children", allow_duplicate=True), Output(LEDGER_VERSION, "data", allow_duplicate=True),
    Input("ledger-withdraw", "n_clicks"), State("ledger-withdraw-id", "data"), State(LEDGER_VERSION, "data"),
    prevent_initial_call=True, mcp_enabled=False,
)
@kit.guarded(_refused)
def withdraw_override(n_clicks, override_id, version):
    """Withdraw an override (the rules choose again), if this request may write; who and when are kept."""
    if not n_clicks:
        return dash.no_update, dash.no_update
    permission = auth.write_permission()
    if not permission.allowed:
        return _refused(f"Not done: {permission.reason}")
    engine = core.store_engine()
    override_id = _as_id(override_id)
    if engine is None or override_id is None:
        return _refused("Not done: no override to withdraw.")
    try:
        with engine.begin() as conn:
            ledger.withdraw(conn, override_id, permission.who)
    except ledger.LedgerError as exc:
        return f"Not done: {exc}", _next(version)
    done = f"Override {override_id} withdrawn by {permission.who}: the rules choose again."
    log.info("ledger: %s", done)
    return done, _next(version)
