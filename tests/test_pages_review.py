"""Review page: candidates read from the article's sentences, accepted, edited and rejected through the app's own
callback route (/_dash-update-component), on a store with UNHCR's and OCHA's real sample figures."""
from __future__ import annotations

import datetime as dt
import getpass
import json

import pytest
from conftest import REPORT, callback_body
from sqlalchemy import func, select

from etl import db, review
from etl import store as ops
from etl.models import Candidate, CandidateEvent, Event, Observation

LOCAL = f"local:{getpass.getuser()}"


@pytest.fixture
def app(review_store):
    from app import app

    return app


@pytest.fixture
def client(app):
    return app.server.test_client()  # requests come from 127.0.0.1; the app is configured for 127.0.0.1


@pytest.fixture
def db_engine(review_store):
    eng = db.make_engine(review_store)
    yield eng
    eng.dispose()


def candidates(engine) -> dict[int, Candidate]:
    return {c.value: c for c in review.candidates(engine, None)}


def render(client, app, show: str = "all") -> dict:
    from dashboard.pages import review as page

    body = callback_body(app, page.render, [{"id": "review-version", "property": "data", "value": 0},
                                            {"id": "review-show", "property": "value", "value": show}], [],
                         ["review-version.data"])
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def button(kind: str, action: str, cid: int, clicks: int | None = None) -> dict:
    return {"id": {"type": f"review-{action}", "kind": kind, "cid": cid}, "property": "n_clicks", "value": clicks}


def click(client, app, kind: str, action: str, cid: int, pending: list[tuple[str, int]], reason: str = "",
          **request_args):
    """Press Accept or Reject on one card of a page that shows the `pending` (kind, id) cards."""
    from dashboard.pages import review as page

    accepts = [button(k, "accept", i, 1 if (k, i, action) == (kind, cid, "accept") else None) for k, i in pending]
    rejects = [button(k, "reject", i, 1 if (k, i, action) == (kind, cid, "reject") else None) for k, i in pending]
    reasons = [{"id": {"type": "review-reason", "kind": k, "cid": i}, "property": "value",
                "value": reason if (k, i) == (kind, cid) else None} for k, i in pending]
    trigger = json.dumps({"cid": cid, "kind": kind, "type": f"review-{action}"}, separators=(",", ":"))
    body = callback_body(app, page.act, [accepts, rejects],
                         [reasons, {"id": "review-version", "property": "data", "value": 3}],
                         [f"{trigger}.n_clicks"])
    return client.post("/_dash-update-component", json=body, **request_args)


def pending_cards(engine) -> list[tuple[str, int]]:
    return ([("figure", c.id) for c in review.candidates(engine)] +
            [("event", e.id) for e in review.candidate_events(engine)])


def strings(tree) -> list[str]:
    """Every text child of a serialised component tree, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list):
        return [s for item in tree for s in strings(item)]
    if isinstance(tree, dict):
        props = tree.get("props", {})
        return [s for key in ("children",) if key in props for s in strings(props[key])]
    return []


def components_of(tree, type_name: str) -> list[dict]:
    if isinstance(tree, list):
        return [c for item in tree for c in components_of(item, type_name)]
    if isinstance(tree, dict):
        own = [tree] if tree.get("type") == type_name else []
        return own + [c for v in tree.get("props", {}).values() for c in components_of(v, type_name)]
    return []


def test_lists_pending_figures_with_the_number_marked_in_its_sentence(client, app, db_engine):
    out = render(client, app)

    cards = out["review-figures"]["children"]
    text = " ".join(strings(cards))
    marks = [strings(m)[0] for m in components_of(cards, "Mark")]
    assert sorted(marks) == sorted(c.number_text for c in candidates(db_engine).values())
    fled = candidates(db_engine)[800_000]
    assert fled.number_text in marks
    # the sentence is the document's text at the candidate's offsets, split around the number as read
    sentence = REPORT.read_text(encoding="utf-8")[fled.char_start:fled.char_end]
    assert "The offensive has forced more than " in text and sentence in "".join(strings(cards))
    assert "more than 800,000 people, fled" in text and "North-west Syria (XSY-NW)" in text
    assert "Syrian Arab Rep. (SYR)" in text and "15 Feb 2020" in text and "news article (BEIRUT dateline" in text
    assert out["review-figures-count"]["children"] == "3 pending, 0 reviewed."
    assert "recovering full control" in " ".join(strings(out["review-events"]["children"]))
    # writes are allowed here (127.0.0.1, no auth configured): each pending card has its actions
    ids = [b["props"]["id"] for b in components_of(cards, "Button")]
    assert {(i["type"], i["cid"]) for i in ids} == {(t, c.id) for c in candidates(db_engine).values()
                                                     for t in ("review-accept", "review-reject")}
    form = out["review-edit"]["children"]
    assert "review-edit-save" in json.dumps(form) and "review-edit-period_start" in json.dumps(form)


def test_accept_through_the_page_puts_the_figure_in_the_store_with_reviewer_and_quote(client, app, db_engine):
    fled = candidates(db_engine)[800_000]
    n_before = _count(db_engine, Observation)

    response = click(client, app, "figure", "accept", fled.id, pending_cards(db_engine))

    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["response"]
    assert result["review-version"]["data"] == 4
    assert result["review-message"]["children"].startswith(f"Figure {fled.id} accepted by {LOCAL}: observation ")
    after = candidates(db_engine)[800_000]
    assert (after.status, after.reviewer) == ("accepted", LOCAL)
    assert abs(_utc(after.reviewed_at) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    with db_engine.connect() as conn:
        obs = conn.execute(select(Observation).where(Observation.id == after.observation_id)).one()
    assert obs.source_ref == "The offensive has forced more than 800,000 people to flee."
    assert (obs.value, obs.qualifier, obs.location_code) == (800_000, "more than", "XSY-NW")
    assert f"accepted by {LOCAL}" in obs.note
    assert _count(db_engine, Observation) == n_before + 1

    out = render(client, app)  # the list refreshed: who accepted it and when
    text = " ".join(strings(out["review-figures"]["children"]))
    assert f"Accepted by {LOCAL} on {_utc(after.reviewed_at):%Y-%m-%d %H:%M} UTC (observation {obs.id})." in text
    assert out["review-figures-count"]["children"] == "2 pending, 1 reviewed."
    pending_only = render(client, app, "pending")
    assert f"Figure {fled.id}:" not in " ".join(strings(pending_only["review-figures"]["children"]))


def test_reject_needs_a_reason_and_keeps_it(client, app, db_engine):
    vague = candidates(db_engine)[200_000]

    no_reason = click(client, app, "figure", "reject", vague.id, pending_cards(db_engine), reason="  ")
    assert "needs a reason" in no_reason.get_json()["response"]["review-message"]["children"]
    assert candidates(db_engine)[200_000].status == "pending"

    done = click(client, app, "figure", "reject", vague.id, pending_cards(db_engine),
                 reason="a vague range: 'hundreds of thousands'")
    assert done.get_json()["response"]["review-message"]["children"] == (
        f"Figure {vague.id} rejected by {LOCAL}: a vague range: 'hundreds of thousands'")
    after = candidates(db_engine)[200_000]
    assert (after.status, after.reviewer, after.reason) == ("rejected", LOCAL, "a vague range: 'hundreds of thousands'")
    text = " ".join(strings(render(client, app)["review-figures"]["children"]))
    assert f"Rejected by {LOCAL} on " in text and ": a vague range: 'hundreds of thousands'" in text


def test_edit_then_accept_keeps_the_edit_with_who_and_when(client, app, db_engine):
    from dashboard.pages import review as page

    fled = candidates(db_engine)[800_000]
    filled = client.post("/_dash-update-component", json=callback_body(
        app, page.fill_edit_form, [{"id": "review-edit-id", "property": "value", "value": fled.id}], [],
        ["review-edit-id.value"])).get_json()["response"]
    values = {name: filled[f"review-edit-{name}"]["value"] for name in page.EDIT_FIELDS}
    assert values["period_start"] == "2020-02-15" and values["qualifier"] == "more than" and values["value"] == 800_000
    values["period_start"] = "2019-12-01"  # OCHA counts the displacement from 1 December 2019
    state = [{"id": "review-edit-id", "property": "value", "value": fled.id},
             *[{"id": f"review-edit-{name}", "property": "value", "value": v} for name, v in values.items()],
             {"id": "review-version", "property": "data", "value": 0}]
    body = callback_body(app, page.save_edit, [{"id": "review-edit-save", "property": "n_clicks", "value": 1}], state,
                         ["review-edit-save.n_clicks"])
    saved = client.post("/_dash-update-component", json=body).get_json()["response"]

    assert saved["review-message"]["children"] == f"Figure {fled.id} edited by {LOCAL}: period_start = 2019-12-01"
    (change,) = json.loads(candidates(db_engine)[800_000].edits)
    assert (change["field"], change["old"], change["new"], change["by"]) == (
        "period_start", "2020-02-15", "2019-12-01", LOCAL)
    click(client, app, "figure", "accept", fled.id, pending_cards(db_engine))
    with db_engine.connect() as conn:
        start = conn.scalar(select(Observation.period_start).where(
            Observation.id == candidates(db_engine)[800_000].observation_id))
    assert start == dt.date(2019, 12, 1)


def test_accepting_a_candidate_event_writes_the_event_table(client, app, db_engine):
    (cand,) = review.candidate_events(db_engine)

    response = click(client, app, "event", "accept", cand.id, pending_cards(db_engine))

    message = response.get_json()["response"]["review-message"]["children"]
    assert message.startswith(f"Event {cand.id} accepted by {LOCAL}: event ")
    with db_engine.connect() as conn:
        event = conn.execute(select(Event).where(Event.title == cand.title,
                                                 Event.event_date == cand.event_date)).one()
        done = conn.execute(select(CandidateEvent).where(CandidateEvent.id == cand.id)).one()
    assert event.quote == cand.sentence and event.place_code == "XSY-NW" and event.published_on == dt.date(2020, 2, 15)
    assert (done.status, done.reviewer) == ("accepted", LOCAL) and done.reviewed_at is not None


def test_when_writes_are_not_allowed_the_page_says_why_and_the_server_refuses(client, app, db_engine, monkeypatch):
    from dashboard import config

    monkeypatch.setattr(config, "DASHBOARD_HOST", "0.0.0.0")  # served to the network, no authentication
    fled = candidates(db_engine)[800_000]
    n_before = _count(db_engine, Observation)

    out = render(client, app)
    with app.server.test_request_context("/review"):
        from dashboard.pages import review as page
        layout = json.dumps(page.layout(), default=str)
    refused = click(client, app, "figure", "accept", fled.id, pending_cards(db_engine))

    assert components_of(out["review-figures"]["children"], "Button") == []
    assert out["review-edit"]["children"] == []
    assert "Reviewing is switched off: this dashboard is served to the network without authentication" in layout
    assert refused.status_code == 403 and "switched off" in refused.get_json()["error"]
    assert candidates(db_engine)[800_000].status == "pending" and _count(db_engine, Observation) == n_before


def test_titles_and_sentences_with_markup_are_text(app, client, db_engine, tmp_path):
    page_html = tmp_path / "flash.html"
    page_html.write_text(
        "<html><head><title>Flash &lt;img src=x onerror=alert(1)&gt;</title></head><body><p>From 9 to 12 "
        "February, some 142,000 more people were displaced &lt;script&gt;alert(2)&lt;/script&gt;.</p>"
        "</body></html>", encoding="utf-8")
    loaded = ops.load(db_engine, page_html, "report", place="XSY-NW", report_date=dt.date(2020, 2, 13))
    assert loaded.status == "success", loaded.message

    cards = render(client, app)["review-figures"]["children"]

    text = strings(cards)
    assert any("<img src=x onerror=alert(1)>" in s for s in text)  # a text node: React escapes it
    assert any("<script>alert(2)</script>" in s for s in text)
    serialised = json.dumps(cards)
    assert '"type": "Markdown"' not in serialised and "dangerously_allow_html" not in serialised
    assert '"type": "Img"' not in serialised and '"type": "Script"' not in serialised


def test_an_empty_store_page_says_so(dash_app):
    from dashboard.pages import review as page

    with dash_app.server.test_request_context("/review"):
        text = json.dumps(page.layout(), default=str)
    assert "has no figures yet" in text


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def test_the_command_line_reviews_candidate_events_too(tmp_path, monkeypatch, capsys):
    """`python -m etl review --events`, --edit-event, --reject-event and --accept-event (the page's twins)."""
    from etl.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["load", str(REPORT), "--format", "report"]) == 0
    capsys.readouterr()
    assert main(["review", "--events"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("id\tstatus\tevent_date\tplace_code\ttitle") and len(listing) == 2
    eid = int(listing[1].split("\t")[0])
    assert main(["review", "--edit-event", str(eid), "place_code=NOWHERE"]) == 1
    assert main(["review", "--edit-event", str(eid), "title=Syrian troops take the M5 highway"]) == 0
    assert main(["review", "--reject-event", str(eid)]) == 1  # a rejection needs a reason
    assert main(["review", "--accept-event", str(eid), "--reviewer", "named"]) == 0
    assert main(["review", "--accept-event", str(eid)]) == 1  # already accepted
    eng = db.make_engine(url)
    try:
        with eng.connect() as conn:
            event = conn.execute(select(Event).where(Event.title == "Syrian troops take the M5 highway")).one()
        (done,) = review.candidate_events(eng, None)
    finally:
        eng.dispose()
    assert event.place_code == "XSY-NW" and "recovering full control" in event.quote
    assert (done.status, done.reviewer) == ("accepted", "named")


# --- reading a report from the page --------------------------------------------------------------------------------

PDF = REPORT.with_suffix(".pdf")  # synthetic: the article's sentences laid out as a PDF (tests/test_report_pdf.py)


def upload(client, app, raw: bytes | None, filename: str = "flash.pdf", place: str | None = "XSY-NW",
           date: str | None = "2020-02-15", mime: str = "application/pdf", publisher: str | None = None,
           url: str | None = None, **request_args):
    """Press "Read the report" with the file `raw` chosen in the page's upload box (as the browser sends it)."""
    import base64

    from dashboard.pages import review as page

    contents = f"data:{mime};base64,{base64.b64encode(raw).decode()}" if raw is not None else None
    body = callback_body(app, page.read_report, [{"id": "review-upload-read", "property": "n_clicks", "value": 1}],
                         [{"id": "review-upload", "property": "contents", "value": contents},
                          {"id": "review-upload", "property": "filename", "value": filename},
                          {"id": "review-upload-place", "property": "value", "value": place},
                          {"id": "review-upload-date", "property": "value", "value": date},
                          {"id": "review-upload-publisher", "property": "value", "value": publisher},
                          {"id": "review-upload-url", "property": "value", "value": url},
                          {"id": "review-version", "property": "data", "value": 2}], ["review-upload-read.n_clicks"])
    return client.post("/_dash-update-component", json=body, **request_args)


def test_a_report_read_on_the_page_adds_pending_candidates_and_keeps_the_file(client, app, db_engine):
    from etl import config as etl_config

    before = {c.id for c in review.candidates(db_engine, None)}
    response = upload(client, app, PDF.read_bytes(), filename="../Flash update 5.pdf",
                      publisher="the project (a synthetic layout)", url="file:idlib_sentences.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["response"]
    assert out["review-message"]["children"] == (
        f"Read ../Flash update 5.pdf for {LOCAL}: 3 candidate figures and 1 candidate events pending review "
        "(python -m etl review); 0 read before")
    assert out["review-version"]["data"] == 3
    new = [c for c in review.candidates(db_engine, None) if c.id not in before]
    assert sorted(c.value for c in new) == [200_000, 800_000, 3_600_000]
    assert {(c.status, c.location_code if c.value == 800_000 else "XSY-NW", c.period_start) for c in new} == {
        ("pending", "XSY-NW", dt.date(2020, 2, 15))}
    assert {(c.doc_publisher, c.doc_url) for c in new} == {("the project (a synthetic layout)",
                                                             "file:idlib_sentences.pdf")}
    assert {c.doc_title for c in new} == {"SYNTHETIC test fixture: the sentences of idlib_sentences.txt laid out as "
                                          "a PDF by the project"}
    (kept,) = etl_config.UPLOAD_DIR.iterdir()  # the file as received, named by its digest, no path from the browser
    assert kept.read_bytes() == PDF.read_bytes() and kept.name.endswith("-Flash_update_5.pdf")
    assert {c.file_sha256 for c in new} == {__import__("hashlib").sha256(PDF.read_bytes()).hexdigest()}
    again = upload(client, app, PDF.read_bytes()).get_json()["response"]["review-message"]["children"]
    assert again.endswith("0 candidate figures and 0 candidate events pending review (python -m etl review); "
                          "3 read before")


@pytest.mark.parametrize("raw, date, says", [
    (None, "2020-02-15", "Not read: choose a report file first."),
    (b"%PDF-1.7\n1 0 obj <<", "2020-02-15", "Not read: flash.pdf: truncated PDF"),
    (b"<html><body><p>Sign in to continue</p></body></html>", None, "Not read: flash.pdf: no sentences"),
    (b"Some 5,000 people fled from Ariha on 3 February.", "15/02/2020", "Not read: the date '15/02/2020' is not"),
])
def test_a_report_that_cannot_be_read_changes_nothing_and_says_why(client, app, db_engine, raw, date, says):
    before = len(review.candidates(db_engine, None))
    out = upload(client, app, raw, date=date).get_json()["response"]
    assert out["review-message"]["children"].startswith(says)
    assert len(review.candidates(db_engine, None)) == before


def test_reading_a_report_is_refused_when_writes_are_not_allowed(client, app, db_engine, monkeypatch):
    from dashboard import config
    from etl import config as etl_config

    monkeypatch.setattr(config, "DASHBOARD_HOST", "0.0.0.0")  # served to the network, no authentication
    before = len(review.candidates(db_engine, None))
    with app.server.test_request_context("/review"):
        from dashboard.pages import review as page
        layout = json.dumps(page.layout(), default=str)
    refused = upload(client, app, PDF.read_bytes())
    assert "review-upload" not in layout
    assert refused.status_code == 403 and "switched off" in refused.get_json()["error"]
    assert len(review.candidates(db_engine, None)) == before and not etl_config.UPLOAD_DIR.exists()


def test_a_body_bigger_than_any_report_is_refused_before_it_is_read(client, app, db_engine):
    from etl import config as etl_config

    response = client.post("/_dash-update-component", data=b"x" * (2 * etl_config.UPLOAD_MAX_BYTES + 1),
                           content_type="application/json")
    assert response.status_code == 413
