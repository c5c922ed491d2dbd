"""Review: figures and dated events read from report text wait here until a person accepts, edits or rejects them.

Every write is decided on the server for each request (dashboard.auth.write_permission), and records who and when.
Sentences, titles and names from sources are shown as text, never as HTML.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
from urllib.parse import urlsplit

import dash
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, components
from dashboard.charts import core as charts_core
from dashboard.queries import core
from dashboard.queries import overview as kit
from dashboard.queries import review as queries
from etl import config as etl_config
from etl import review, store
from etl.models import CANDIDATE_KINDS, QUALIFIERS, UNITS

dash.register_page(__name__, path="/review", name="Review", title="Review — Displacement dashboard", order=7)

log = logging.getLogger(__name__)
TITLE = "Review figures read from reports"
VERSION = auth.protect_output("review-version")  # bumped by every write: the lists re-render from the store
MESSAGE = "review-message"
EDIT_FIELDS = {  # etl.review.EDITABLE, with a label and an input each
    "value": ("Value", "number"), "value_low": ("Lowest value", "number"), "value_high": ("Highest value", "number"),
    "qualifier": ("Qualifier", QUALIFIERS), "kind": ("What happened", CANDIDATE_KINDS), "unit": ("Unit", UNITS),
    "location_code": ("Place code", "text"), "origin_code": ("Origin code", "text"),
    "period_start": ("Period start", "date"), "period_end": ("Period end", "date")}
if set(EDIT_FIELDS) != set(review.EDITABLE):
    raise RuntimeError(f"the edit form and etl.review.EDITABLE differ: {set(EDIT_FIELDS) ^ set(review.EDITABLE)}")


def layout(**_query_args) -> html.Div:
    engine = core.store_engine()
    if engine is None:
        return components.no_store_page(TITLE)
    try:
        ready = queries.has_candidates(engine)
    except SQLAlchemyError:
        ready = False
    if not ready and (blocked := components.store_unavailable(TITLE, engine)) is not None:
        return blocked
    permission = auth.write_permission()
    sign_in = [" ", html.A("Sign in", href="/login?next=/review", id="review-sign-in")] if (
        not permission.allowed and auth.users() and auth.current_user() is None) else []
    return html.Div([
        html.H2(TITLE),
        html.P("Figures and dated events read from situation reports and news (read here, or with python -m etl "
               "load REPORT --format report) wait here for a person. Only accepted figures enter the store, each "
               "with the sentence it came from; the number as read is marked in each sentence. Filters do not apply "
               "here.",
               className="page-intro"),
        html.P([permission.reason, *sign_in], id="review-permission",
               className="review-permission " + ("is-allowed" if permission.allowed else "is-refused")),
        html.Fieldset([html.Legend("Show"), dcc.RadioItems(
            id="review-show", value="all", inline=True,
            options=[{"label": "pending and reviewed", "value": "all"},
                     {"label": "pending only", "value": "pending"}])],
            className="review-show"),
        *([upload_form()] if permission.allowed else []),
        html.P(id=MESSAGE, className="review-message", role="status", **{"aria-live": "polite"}),
        html.Section([html.H3("Candidate figures", id="review-figures-title"),
                      html.P(id="review-figures-count", className="chart-summary"),
                      html.Div(id="review-figures")], **{"aria-labelledby": "review-figures-title"}),
        html.Section([html.H3("Candidate events", id="review-events-title"),
                      html.Div(id="review-events")], **{"aria-labelledby": "review-events-title"}),
        html.Section(id="review-edit", **{"aria-label": "Edit a pending candidate figure"}),
        dcc.Store(id=VERSION, data=0),
    ])


def upload_form() -> html.Section:
    """Read a report from this browser: the same as `python -m etl load REPORT --format report` (with its --place,
    --date, --publisher and --url), the file kept in UPLOAD_DIR as received."""
    limit = etl_config.UPLOAD_MAX_BYTES >> 20
    return html.Section([
        html.H3("Read a report", id="review-upload-title"),
        html.P(f"A situation report or news story as plain text, HTML or PDF (up to {limit} MB): the figures and "
               "dated events read from it are added below as candidates, pending review.", className="chart-summary"),
        dcc.Upload(id="review-upload", children=html.Div(["Drop a report here, or ", html.Button(
            "choose a file", type="button", className="link-button")]), max_size=etl_config.UPLOAD_MAX_BYTES,
            multiple=False, accept=".txt,.text,.htm,.html,.pdf,text/plain,text/html,application/pdf",
            className="review-upload"),
        html.P(id="review-upload-name", className="review-upload-name"),
        html.Div([
            html.Label(["The place the report is about (optional; a code or name, e.g. SY07 or Idlib)",
                        dcc.Input(id="review-upload-place", type="text", maxLength=100, debounce=True)]),
            html.Label(["The report's date (optional; else the date the file gives)",
                        dcc.Input(id="review-upload-date", type="date")]),
            html.Label(["Who published it (optional, e.g. OCHA)",
                        dcc.Input(id="review-upload-publisher", type="text", maxLength=200, debounce=True)]),
            html.Label(["Where it was published (optional web address)",
                        dcc.Input(id="review-upload-url", type="url", maxLength=500, debounce=True)]),
        ], className="review-upload-fields"),
        html.Button("Read the report", id="review-upload-read", n_clicks=0, type="button", className="btn"),
    ], className="review-upload-section", **{"aria-labelledby": "review-upload-title"})


# --- the lists ---------------------------------------------------------------------------------------------------

def _render_error(message: str) -> tuple:
    return components.empty_state(message), message, [], []


@dash.callback(
    Output("review-figures", "children"), Output("review-figures-count", "children"),
    Output("review-events", "children"), Output("review-edit", "children"),
    Input(VERSION, "data"), Input("review-show", "value"),
)
@kit.guarded(_render_error)
def render(_version, show):
    """The candidates as cards (actions only when this request may write) and the edit form."""
    engine = core.store_engine()
    if engine is None:
        return _render_error("The data store has not been built yet.")
    show = show if show in queries.SHOW else "all"
    figures, events = queries.figure_rows(engine, show), queries.event_rows(engine, show)
    allowed = auth.write_permission().allowed
    pending = [f for f in figures if f["status"] == "pending"]
    count = (f"{len(pending)} pending, {len(figures) - len(pending)} reviewed." if show == "all" else
             f"{len(pending)} pending.")
    fig_cards = [figure_card(f, allowed) for f in figures] or [components.empty_state(
        "No candidate figure here: read a report (above, if you may, or python -m etl load REPORT --format "
        "report).")]
    event_cards = [event_card(e, allowed) for e in events] or [components.empty_state("No candidate event here.")]
    return fig_cards, count, event_cards, edit_form(pending) if allowed else []


def figure_card(row: dict, allowed: bool) -> html.Article:
    """One candidate figure: the sentence with the number marked, its fields, its review, and its actions."""
    headline = f"{charts_core.qualified(row['value'], row['qualifier'])} {row['unit']}, {row['kind']}"
    value = f"{row['value']:,}" + (f" (range {row['value_low']:,}–{row['value_high']:,})"
                                   if row["value_low"] is not None and row["value_high"] is not None
                                   and row["value_low"] != row["value_high"] else "")
    place = _place(row["location_name"], row["location_code"])
    if row["location_name_published"]:
        place += f"; published as “{row['location_name_published']}”"
    details = [("Value", value), ("Qualifier", row["qualifier"]), ("What happened", row["kind"]),
               ("Unit", row["unit"]), ("Place", place), ("Origin", _place(row["origin_name"], row["origin_code"])),
               ("Period", charts_core.period_text(row["period_start"], row["period_end"])),
               ("Document", _document(row)), ("Read as", f"“{row['number_text']}”, characters "
                                                        f"{row['char_start']}–{row['char_end']} of the document")]
    if row["edits"]:
        details.append(("Edits", "; ".join(f"{e['field']}: {e['old']} → {e['new']} by {e['by']} at {e['at']}"
                                           for e in row["edits"])))
    return _card("figure", row, f"Figure {row['id']}: {headline}",
                 [html.Mark(text) if marked else text for text, marked in row["parts"]], details, allowed,
                 accepted_note=f" (observation {row['observation_id']})" if row["observation_id"] else "")


def event_card(row: dict, allowed: bool) -> html.Article:
    details = [("Date", charts_core.format_date(row["event_date"])),
               ("Place", _place(row["place_name"], row["place_code"])), ("Document", _document(row))]
    return _card("event", row, f"Event {row['id']}: {row['title']}", [row["sentence"]], details, allowed)


def _card(kind: str, row: dict, heading: str, sentence: list, details: list[tuple[str, object]], allowed: bool,
          accepted_note: str = "") -> html.Article:
    cid, status = row["id"], row["status"]
    if status == "pending":
        status_text = "Pending review."
    elif status == "accepted":
        status_text = f"Accepted by {row['reviewer']} on {queries.when(row['reviewed_at'])}{accepted_note}."
    else:
        status_text = f"Rejected by {row['reviewer']} on {queries.when(row['reviewed_at'])}: {row['reason']}"
    children = [
        html.H4(heading),
        html.P(status_text, className=f"review-status review-status-{status}", id=f"review-{kind}-{cid}-status"),
        html.Blockquote(html.P(sentence), className="review-sentence"),
        html.Dl([part for label, value in details for part in (html.Dt(label), html.Dd(value))],
                className="review-details"),
    ]
    if status == "pending" and allowed:
        what = f"{kind} {cid}"
        children.append(html.Div([
            html.Button("Accept", id={"type": "review-accept", "kind": kind, "cid": cid}, type="button",
                        className="btn", **{"aria-label": f"Accept {what}"}),
            html.Label([f"Reason to reject {what}", dcc.Input(
                id={"type": "review-reason", "kind": kind, "cid": cid}, type="text", maxLength=500)],
                className="review-reason"),
            html.Button("Reject", id={"type": "review-reject", "kind": kind, "cid": cid}, type="button",
                        className="btn btn-secondary", **{"aria-label": f"Reject {what}"}),
        ], className="review-actions"))
    return html.Article(children, className=f"review-card review-card-{status}", id=f"review-{kind}-{cid}")


def _place(name: str | None, code: str | None) -> str:
    if not code:
        return "not stated"
    return f"{name} ({code})" if name and name != code else code


def _document(row: dict) -> list:
    """Title, publisher and date as text; the URL a link only when it is http(s) (a source could give anything)."""
    parts = [row["doc_title"], f" — {row['doc_publisher']}"]
    if row["published_on"]:
        parts.append(f", {charts_core.format_date(row['published_on'])}")
    url = row["doc_url"] or ""
    if urlsplit(url).scheme in ("http", "https"):
        parts += [" ", html.A(url, href=url, rel="noopener noreferrer")]
    elif url:
        parts.append(f" ({url})")
    return parts


# --- the edit form -------------------------------------------------------------------------------------------

def edit_form(pending: list[dict]) -> list:
    heading = html.H3("Edit a pending candidate figure")
    if not pending:
        return [heading, components.empty_state("No pending candidate figure to edit.")]
    fields = []
    for name, (label, kind) in EDIT_FIELDS.items():
        fid = f"review-edit-{name}"
        control = (dcc.Dropdown(id=fid, options=[{"label": v, "value": v} for v in kind], clearable=False)
                   if isinstance(kind, tuple) else dcc.Input(id=fid, type=kind))
        fields.append(html.Div([html.Label(label, htmlFor=fid), control], className="filter"))
    options = [{"label": f"Figure {p['id']}: {charts_core.qualified(p['value'], p['qualifier'])} {p['kind']}",
                "value": p["id"]} for p in pending]
    return [heading, html.Div([
        html.Div([html.Label("Candidate figure", htmlFor="review-edit-id"),
                  dcc.Dropdown(id="review-edit-id", options=options, value=pending[0]["id"], clearable=False)],
                 className="filter filter-place"),
        *fields,
        html.Div(html.Button("Save changes", id="review-edit-save", type="button", className="btn"),
                 className="filter"),
    ], className="filter-bar review-edit-form")]


@dash.callback(*[Output(f"review-edit-{name}", "value") for name in EDIT_FIELDS], Input("review-edit-id", "value"))
def fill_edit_form(cid):
    """The chosen candidate's current values in the edit form."""
    engine = core.store_engine()
    cand = next((c for c in review.candidates(engine) if c.id == cid), None) if engine is not None else None
    if cand is None:
        raise PreventUpdate
    return [_form_value(getattr(cand, name)) for name in EDIT_FIELDS]


def _form_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _text(value) -> str:
    """A form or store value as etl.review.edit reads it ('' for none; 800000.0 -> '800000')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value).strip()


# --- writes ------------------------------------------------------------------------------------------------------

def _refused(message: str) -> tuple:
    return message, dash.no_update


@dash.callback(
    Output(MESSAGE, "children", allow_duplicate=True), Output(VERSION, "data", allow_duplicate=True),
    Input({"type": "review-accept", "kind": ALL, "cid": ALL}, "n_clicks"),
    Input({"type": "review-reject", "kind": ALL, "cid": ALL}, "n_clicks"),
    State({"type": "review-reason", "kind": ALL, "cid": ALL}, "value"),
    State(VERSION, "data"),
    prevent_initial_call=True, mcp_enabled=False,  # writes are never an MCP tool, even if MCP is switched on
)
@kit.guarded(_refused)
def act(_accepts, _rejects, _reasons, version):
    """Accept or reject the candidate whose button was pressed, if this request may write."""
    trigger = dash.ctx.triggered_id
    if not trigger or not any(t.get("value") for t in dash.ctx.triggered):
        return dash.no_update, dash.no_update  # buttons appearing after a refresh are not clicks
    permission = auth.write_permission()
    if not permission.allowed:
        return _refused(f"Not done: {permission.reason}")
    kind, cid, action = trigger.get("kind"), trigger.get("cid"), trigger.get("type")
    if kind not in ("figure", "event") or not isinstance(cid, int) or action not in ("review-accept",
                                                                                      "review-reject"):
        return _refused("Not done: unknown candidate.")
    engine = core.store_engine()
    if engine is None:
        return _refused("Not done: the data store has not been built yet.")
    who = permission.who
    try:
        if action == "review-accept":
            if kind == "figure":
                done = f"Figure {cid} accepted by {who}: observation {store.accept_candidate(engine, cid, who)}."
            else:
                done = f"Event {cid} accepted by {who}: event {review.accept_event(engine, cid, who)}."
        else:
            reason = next((s.get("value") for s in dash.ctx.states_list[0]
                           if s["id"].get("kind") == kind and s["id"].get("cid") == cid), None) or ""
            (review.reject if kind == "figure" else review.reject_event)(engine, cid, reason, who)
            done = f"{kind.capitalize()} {cid} rejected by {who}: {reason.strip()}"
    except review.ReviewError as exc:
        return f"Not done: {exc}", (version or 0) + 1
    log.info("review: %s", done)
    return done, (version or 0) + 1


@dash.callback(
    Output(MESSAGE, "children", allow_duplicate=True), Output(VERSION, "data", allow_duplicate=True),
    Input("review-edit-save", "n_clicks"), State("review-edit-id", "value"),
    *[State(f"review-edit-{name}", "value") for name in EDIT_FIELDS], State(VERSION, "data"),
    prevent_initial_call=True, mcp_enabled=False,  # writes are never an MCP tool, even if MCP is switched on
)
@kit.guarded(_refused)
def save_edit(n_clicks, cid, *values):
    """Save the fields that differ from the candidate's current values, if this request may write."""
    if not n_clicks:
        return dash.no_update, dash.no_update
    *fields, version = values
    permission = auth.write_permission()
    if not permission.allowed:
        return _refused(f"Not done: {permission.reason}")
    engine = core.store_engine()
    cand = next((c for c in review.candidates(engine) if c.id == cid), None) if engine is not None else None
    if cand is None:
        return _refused(f"Not done: figure {cid} is not pending.")
    changes = {name: _text(new) for name, new in zip(EDIT_FIELDS, fields, strict=True)
               if _text(new) != _text(getattr(cand, name))}
    if not changes:
        return _refused(f"Nothing to save: figure {cid} already has these values.")
    try:
        review.edit(engine, cid, changes, permission.who)
    except review.ReviewError as exc:
        return _refused(f"Not saved: {exc}")
    done = f"Figure {cid} edited by {permission.who}: " + ", ".join(f"{k} = {v or 'none'}" for k, v in changes.items())
    log.info("review: %s", done)
    return done, (version or 0) + 1


@dash.callback(Output("review-upload-name", "children"), Input("review-upload", "filename"),
               prevent_initial_call=True)
def show_upload_name(filename):
    return f"Chosen: {filename}" if filename else ""


def _safe_name(filename: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (filename or "report").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    return stem.strip("._")[:80] or "report"


@dash.callback(
    Output(MESSAGE, "children", allow_duplicate=True), Output(VERSION, "data", allow_duplicate=True),
    Input("review-upload-read", "n_clicks"), State("review-upload", "contents"), State("review-upload", "filename"),
    State("review-upload-place", "value"), State("review-upload-date", "value"),
    State("review-upload-publisher", "value"), State("review-upload-url", "value"), State(VERSION, "data"),
    prevent_initial_call=True, mcp_enabled=False,  # writes are never an MCP tool, even if MCP is switched on
)
@kit.guarded(_refused)
def read_report(n_clicks, contents, filename, place, date, publisher, url, version):
    """Read the chosen report into pending candidates, if this request may write; the file is kept as received."""
    if not n_clicks:
        return dash.no_update, dash.no_update
    permission = auth.write_permission()
    if not permission.allowed:
        return _refused(f"Not done: {permission.reason}")
    if not contents or not isinstance(contents, str) or "," not in contents:
        return _refused("Not read: choose a report file first.")
    try:
        raw = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return _refused("Not read: the file did not arrive whole; choose it again.")
    if len(raw) > etl_config.UPLOAD_MAX_BYTES:
        return _refused(f"Not read: {len(raw) >> 20} MB is more than {etl_config.UPLOAD_MAX_BYTES >> 20} MB.")
    try:
        report_date = dt.date.fromisoformat(date) if date else None
    except (TypeError, ValueError):
        return _refused(f"Not read: the date {str(date)[:20]!r} is not a date (YYYY-MM-DD).")
    engine = core.store_engine()
    if engine is None:
        return _refused("Not read: the data store has not been built yet.")
    folder = etl_config.UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(raw).hexdigest()[:16]}-{_safe_name(filename)}"
    if not path.exists():  # whole or not at all, as every file the ETL reads: a temporary file of this request's own
        # (two workers may receive the same report at once), then renamed into place
        fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    about = {"publisher": str(publisher or "")[:200], "url": str(url or "")[:500]}
    result = store.load(engine, path, "report", place=str(place or "").strip()[:100] or None, report_date=report_date,
                        about=about)
    log.info("review: %s read %s by %s: %s", filename, path.name, permission.who, result.message)
    if result.status != "success":
        reason = (result.message or "").replace(f"{path}: ", "")
        return f"Not read: {filename}: {reason}", (version or 0) + 1
    return f"Read {filename} for {permission.who}: {result.message}", (version or 0) + 1
