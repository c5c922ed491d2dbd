"""Candidates from report text: store them pending, list, edit, reject, and accept into `observation`.

Accepting goes through the normal loader path (validation, then etl.load.write_validated) in one transaction;
the observation keeps the sentence as source_ref and the character offsets in its note.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from etl.gazetteer import Gazetteer
from etl.load import LoadResult, write_validated
from etl.models import CANDIDATE_KINDS, QUALIFIERS, UNITS, Candidate, CandidateEvent, Event, LoadRun, Observation
from etl.records import FileRejected, SeriesInfo, new_records
from etl.sources import report_text
from etl.validate import validate

# Text-read figures go to one series per source kind; the document names the actual publisher.
SERIES = {kind: SeriesInfo(
    f"{kind}_text_reviewed", f"Figures read from {kind} text and accepted by a reviewer", "various (see document)",
    "the publisher named on each document", kind, "quoted under the publisher's terms (short quotes, attributed)",
    "Figures read from the text of the named document and accepted by a reviewer") for kind in ("news", "report")}
# What happened -> population group and measure; "hosted" is a stock, the others are flows.
KIND_MEANING = {"fled": ("IDP", "flow"), "displaced": ("IDP", "flow"), "returned": ("RDP", "flow"),
                "arrived": ("IDP", "flow"), "crossed": ("REF", "flow"), "hosted": ("IDP", "stock")}
EDITABLE = {"value": int, "value_low": int, "value_high": int, "qualifier": str, "kind": str, "unit": str,
            "location_code": str, "origin_code": str, "period_start": dt.date.fromisoformat,
            "period_end": dt.date.fromisoformat}
EVENT_EDITABLE = {"event_date": dt.date.fromisoformat, "place_code": str, "title": str}


class ReviewError(Exception):
    """A review action that cannot be done, with the reason for the person doing it."""


def default_reviewer() -> str:
    return getpass.getuser()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load_report(engine: Engine, path: Path, *, place: str | None = None, report_date: dt.date | None = None,
                retrieved_on: dt.date | None = None, about: dict[str, str] | None = None) -> LoadResult:
    """Read a report and store its candidates as pending (a candidate read before is not added again)."""
    started = _now()
    path = Path(path)
    try:
        snap = report_text.extract(path, retrieved_on=retrieved_on)
        with engine.connect() as conn:
            gazetteer = Gazetteer.load(conn)
        report = report_text.transform(snap, gazetteer, place=place, report_date=report_date, about=about)
    except FileRejected as exc:
        with engine.begin() as conn:
            conn.execute(insert(LoadRun).values(source=path.name.split(".")[0], path=str(path), format="report",
                                                status="rejected", started_at=started, finished_at=_now(),
                                                message=str(exc)))
        return LoadResult(str(path), path.name.split(".")[0], "rejected", message=str(exc))
    doc = {k: v for k, v in report.document.items() if k not in ("report_date", "place")}
    with engine.begin() as conn:
        seen = set(conn.execute(select(Candidate.char_start, Candidate.number_text).where(
            Candidate.file_sha256 == snap.sha256)).all())
        new = [{**doc, **c, "status": "pending", "created_at": started} for c in report.candidates
               if (c["char_start"], c["number_text"]) not in seen]
        if new:
            conn.execute(insert(Candidate), new)
        seen_events = set(conn.scalars(select(CandidateEvent.char_start).where(
            CandidateEvent.file_sha256 == snap.sha256)))
        events = [{**{k: doc[k] for k in ("doc_title", "doc_url", "doc_publisher", "published_on",
                                           "file_sha256")}, **e, "status": "pending", "created_at": started}
                  for e in report.events if e["char_start"] not in seen_events]
        if events:
            conn.execute(insert(CandidateEvent), events)
        message = (f"{len(new)} candidate figures and {len(events)} candidate events pending review "
                   f"(python -m etl review); {len(report.candidates) - len(new)} read before")
        conn.execute(insert(LoadRun).values(
            source=path.name.split(".")[0], path=str(path), file_sha256=snap.sha256, format="report",
            status="success", started_at=started, finished_at=_now(), rows_read=report.n_sentences,
            transform_version=report_text.TRANSFORM_VERSION, message=message))
    return LoadResult(str(path), path.name.split(".")[0], "success", rows_read=report.n_sentences,
                      message=message)


def _listed(engine: Engine, model: type[Candidate] | type[CandidateEvent], status: str | None) -> list:
    with Session(engine) as session:
        stmt = select(model).order_by(model.id)
        if status:
            stmt = stmt.where(model.status == status)
        return list(session.scalars(stmt))


def _pending_row(session: Session, model: type[Candidate] | type[CandidateEvent], rid: int, what: str):
    row = session.get(model, rid)
    if row is None:
        raise ReviewError(f"no {what} {rid}")
    if row.status != "pending":
        raise ReviewError(f"{what} {rid} is already {row.status} (by {row.reviewer} at {row.reviewed_at})")
    return row


def candidates(engine: Engine, status: str | None = "pending") -> list[Candidate]:
    return _listed(engine, Candidate, status)


def _pending(session: Session, cid: int) -> Candidate:
    return _pending_row(session, Candidate, cid, "candidate")


def edit(engine: Engine, cid: int, changes: dict[str, str], reviewer: str) -> Candidate:
    """Change fields of a pending candidate; each change is kept with who and when."""
    with Session(engine) as session, session.begin():
        cand = _pending(session, cid)
        gazetteer = Gazetteer.load(session)
        log = json.loads(cand.edits or "[]")
        for name, raw in changes.items():
            if name not in EDITABLE:
                raise ReviewError(f"cannot edit {name!r}; editable: {', '.join(EDITABLE)}")
            try:
                value = None if raw in ("", "none", "null") else EDITABLE[name](raw)
            except ValueError:
                raise ReviewError(f"{name}={raw!r} is not a valid value") from None
            if name in ("location_code", "origin_code") and value is not None and value not in gazetteer:
                raise ReviewError(f"{name}={raw!r} is not a place code (python -m etl alias add to add a name)")
            allowed = {"qualifier": QUALIFIERS, "kind": CANDIDATE_KINDS, "unit": UNITS}.get(name)
            if allowed and value not in allowed:
                raise ReviewError(f"{name} must be one of: {', '.join(allowed)}")
            old = getattr(cand, name)
            setattr(cand, name, value)
            log.append({"field": name, "old": str(old), "new": str(value), "by": reviewer,
                        "at": _now().isoformat(timespec="seconds")})
        cand.edits = json.dumps(log, ensure_ascii=False)
        session.flush()
        session.expunge(cand)
        return cand


def reject(engine: Engine, cid: int, reason: str, reviewer: str) -> None:
    if not reason or not reason.strip():
        raise ReviewError("a rejection needs a reason (--reason)")
    with Session(engine) as session, session.begin():
        cand = _pending(session, cid)
        cand.status, cand.reason, cand.reviewer, cand.reviewed_at = "rejected", reason.strip(), reviewer, _now()


def accept(engine: Engine, cid: int, reviewer: str, today: dt.date | None = None) -> int:
    """Validate and write the candidate as an observation, and mark it accepted, in one transaction."""
    with engine.begin() as conn:
        with Session(bind=conn) as session:
            cand = _pending(session, cid)
            gazetteer = Gazetteer.load(conn)
            record = _record(cand, reviewer, gazetteer)
        checked = validate(new_records([record]), gazetteer, today=today)
        if checked.set_aside:
            bad = checked.set_aside[0]
            raise ReviewError(f"candidate {cid} does not validate: {bad['column']}: {bad['reason']}; "
                              f"{bad['suggestion'] or 'edit it with --edit'}")
        good = checked.good[0]
        write_validated(conn, "review", Path(cand.path), cand.file_sha256, [good], [],
                        {good["series"]: SERIES[cand.source_kind]}, 1, _now(), fmt="report",
                        transform_version=report_text.TRANSFORM_VERSION,
                        message=f"candidate {cid} accepted by {reviewer}")
        obs_id = conn.scalar(select(Observation.id).where(Observation.identity_key == good["identity_key"])
                             .order_by(Observation.vintage.desc()).limit(1))
        conn.execute(update(Candidate).where(Candidate.id == cid).values(
            status="accepted", reviewer=reviewer, reviewed_at=_now(), observation_id=obs_id))
    return obs_id


def _record(cand: Candidate, reviewer: str, gazetteer: Gazetteer) -> dict:
    group, measure = KIND_MEANING[cand.kind]
    origin = cand.origin_code
    if origin is None and group in ("IDP", "RDP") and cand.location_code in gazetteer:
        origin = gazetteer.place(cand.location_code).country_iso3  # IDPs are from the country they are in
    if cand.kind == "hosted" and cand.origin_code and cand.origin_code != cand.location_code:
        group = "REF"  # "hosts 3.6 million Syrian refugees": people from another country
    start = cand.period_end if measure == "stock" else cand.period_start  # a stock is counted at one date
    return {
        "series": SERIES[cand.source_kind].slug, "population_group": group, "measure": measure,
        "origin_ref": origin, "location_ref": cand.location_code,
        "location_published": cand.location_name_published, "period_start": start,
        "period_end": cand.period_end, "unit": cand.unit, "value_raw": str(cand.value),
        "value_low": cand.value_low, "value_high": cand.value_high, "qualifier": cand.qualifier,
        "doc_title": cand.doc_title, "doc_url": cand.doc_url, "doc_publisher": cand.doc_publisher,
        "published_on": cand.published_on, "release": cand.doc_title, "released_on": cand.published_on,
        "channel": "report text, reviewed", "source_ref": cand.sentence,
        "note": f"characters {cand.char_start}-{cand.char_end} of {Path(cand.path).name} (plain text), read as "
                f"{cand.number_text!r}; candidate {cand.id} accepted by {reviewer}"
                + (f"; edited: {cand.edits}" if cand.edits else ""),
        "is_secondary": cand.source_kind == "news", "is_rounded": cand.is_rounded or cand.qualifier != "exact",
        "retrieved_on": cand.retrieved_on.isoformat(), "row_number": None, "column": "value",
    }


def frame(rows: list[Candidate]) -> pd.DataFrame:
    """Candidates as a table for listing."""
    cols = ["id", "status", "value", "qualifier", "kind", "unit", "location_code", "origin_code", "period_start",
            "period_end", "number_text", "sentence", "reviewer", "reviewed_at", "reason"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)


# --- candidate events: accepted into `event` (the dashboard's timelines), with who and when on the candidate ---

def candidate_events(engine: Engine, status: str | None = "pending") -> list[CandidateEvent]:
    return _listed(engine, CandidateEvent, status)


def _pending_event(session: Session, eid: int) -> CandidateEvent:
    return _pending_row(session, CandidateEvent, eid, "candidate event")


def edit_event(engine: Engine, eid: int, changes: dict[str, str], reviewer: str) -> CandidateEvent:
    """Change the date, place or title of a pending candidate event (who and when are kept on accept/reject)."""
    with Session(engine) as session, session.begin():
        cand = _pending_event(session, eid)
        gazetteer = Gazetteer.load(session)
        for name, raw in changes.items():
            if name not in EVENT_EDITABLE:
                raise ReviewError(f"cannot edit {name!r}; editable: {', '.join(EVENT_EDITABLE)}")
            try:
                value = EVENT_EDITABLE[name](raw.strip())
            except ValueError:
                raise ReviewError(f"{name}={raw!r} is not a valid value") from None
            if not value:
                raise ReviewError(f"{name} cannot be empty")
            if name == "place_code" and value not in gazetteer:
                raise ReviewError(f"place_code={raw!r} is not a place code (python -m etl alias add to add a name)")
            setattr(cand, name, value[:300] if name == "title" else value)
        session.flush()
        session.expunge(cand)
        return cand


def reject_event(engine: Engine, eid: int, reason: str, reviewer: str) -> None:
    if not reason or not reason.strip():
        raise ReviewError("a rejection needs a reason (--reason)")
    with Session(engine) as session, session.begin():
        cand = _pending_event(session, eid)
        cand.status, cand.reason, cand.reviewer, cand.reviewed_at = "rejected", reason.strip(), reviewer, _now()


def accept_event(engine: Engine, eid: int, reviewer: str) -> int:
    """Write the candidate event into `event` (the sentence as its quote) and mark it accepted, in one transaction."""
    with Session(engine) as session, session.begin():
        cand = _pending_event(session, eid)
        if cand.place_code is None:
            raise ReviewError(f"candidate event {eid} has no place: edit it with --edit-event {eid} place_code=CODE")
        clash = session.scalar(select(Event.id).where(Event.event_date == cand.event_date,
                                                      Event.title == cand.title))
        if clash is not None:
            raise ReviewError(f"event {clash} already has this date and title: reject this candidate as a "
                              "duplicate, or edit its title")
        event = Event(event_date=cand.event_date, place_code=cand.place_code, title=cand.title,
                      quote=cand.sentence, publisher=cand.doc_publisher[:200], source_title=cand.doc_title,
                      source_url=cand.doc_url, published_on=cand.published_on)
        session.add(event)
        session.flush()
        cand.status, cand.reviewer, cand.reviewed_at = "accepted", reviewer, _now()
        return event.id


def events_frame(rows: list[CandidateEvent]) -> pd.DataFrame:
    """Candidate events as a table for listing."""
    cols = ["id", "status", "event_date", "place_code", "title", "sentence", "reviewer", "reviewed_at", "reason"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)
