"""Reads for the review page: candidate figures and events read from report text, as plain rows for display."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, inspect, select

from etl import review
from etl.models import Candidate, Place

SHOW = ("all", "pending")  # every candidate (pending first, then the latest reviewed), or the pending ones only
FIGURE_FIELDS = ["id", "status", "value", "value_low", "value_high", "qualifier", "kind", "unit", "location_code",
                 "location_name_published", "origin_code", "period_start", "period_end", "is_rounded", "sentence",
                 "char_start", "char_end", "number_text", "doc_title", "doc_url", "doc_publisher", "source_kind",
                 "published_on", "retrieved_on", "reviewer", "reviewed_at", "reason", "observation_id"]
EVENT_FIELDS = ["id", "status", "event_date", "place_code", "title", "sentence", "char_start", "char_end",
                "doc_title", "doc_url", "doc_publisher", "published_on", "reviewer", "reviewed_at", "reason"]


def has_candidates(engine: Engine) -> bool:
    if not inspect(engine).has_table(Candidate.__tablename__):
        return False
    with engine.connect() as conn:
        return conn.scalar(select(Candidate.id).limit(1)) is not None


def figure_rows(engine: Engine, show: str = "all") -> list[dict]:
    """Candidate figures with their place names and edit history, pending first."""
    rows = review.candidates(engine, "pending" if show == "pending" else None)
    names = place_names(engine, {c for r in rows for c in (r.location_code, r.origin_code) if c})
    out = []
    for r in rows:
        row = {f: getattr(r, f) for f in FIGURE_FIELDS}
        row["location_name"] = names.get(r.location_code) if r.location_code else None
        row["origin_name"] = names.get(r.origin_code) if r.origin_code else None
        row["edits"] = json.loads(r.edits) if r.edits else []
        row["parts"] = sentence_parts(r.sentence, r.number_text)
        out.append(row)
    return _ordered(out)


def event_rows(engine: Engine, show: str = "all") -> list[dict]:
    """Candidate events with their place names, pending first."""
    rows = review.candidate_events(engine, "pending" if show == "pending" else None)
    names = place_names(engine, {r.place_code for r in rows if r.place_code})
    out = []
    for r in rows:
        row = {f: getattr(r, f) for f in EVENT_FIELDS}
        row["place_name"] = names.get(r.place_code) if r.place_code else None
        out.append(row)
    return _ordered(out)


def place_names(engine: Engine, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    with engine.connect() as conn:
        return dict(conn.execute(select(Place.code, Place.name).where(Place.code.in_(sorted(codes)))).all())


def sentence_parts(sentence: str, number_text: str | None) -> list[tuple[str, bool]]:
    """The sentence as (text, is_the_number) pieces: the number as read is marked (its first occurrence)."""
    at = sentence.find(number_text) if number_text else -1
    if at < 0:
        return [(sentence, False)]
    end = at + len(number_text)
    return [(p, marked) for p, marked in ((sentence[:at], False), (sentence[at:end], True), (sentence[end:], False))
            if p]


def _ordered(rows: list[dict]) -> list[dict]:
    pending = [r for r in rows if r["status"] == "pending"]
    done = sorted((r for r in rows if r["status"] != "pending"),
                  key=lambda r: (_utc(r["reviewed_at"]), r["id"]), reverse=True)
    return pending + done


def _utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite gives back naive UTC


def when(value: dt.datetime | None) -> str:
    """A review time as the page shows it: '2026-05-04 13:02 UTC'."""
    return "" if value is None else f"{_utc(value).astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
