"""Report text (plain text, HTML or PDF) -> candidate figures and events for review; never straight into
`observation`.

A text file may start with "Key: value" lines (Title, Source, Publisher, URL, Date, Place, Kind) naming its source; a
PDF's title and date are those of its document information (/Title, /CreationDate), if set. `--place` and `--date`
on the command line override them. Offsets are in the document's plain text (a PDF's: `etl.extract.pdf`).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from etl.extract import pdf
from etl.extract import text as plain
from etl.extract.figures import extract as extract_sentence
from etl.gazetteer import Gazetteer
from etl.records import FileRejected, Snapshot, snapshot
from etl.sources._table import decode, read_bytes, read_head

FORMAT = "report"
MAX_REPORT_BYTES = 64 << 20  # report text (a PDF, or text unzipped) bigger than this is refused
TRANSFORM_VERSION = "1"


@dataclass
class Report:
    """What transform() reads from one report: its document, candidate figures and candidate events."""

    document: dict
    candidates: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    n_sentences: int = 0


def detect(path: Path) -> str | None:
    """Prose (plain text or HTML with sentences, or a PDF); a table (CSV/TSV header) or JSON is not a report."""
    try:
        head = read_head(path, 65536)
        if pdf.is_pdf(head):
            return None  # read whole (and rejected whole if it cannot be) by transform()
        text = decode(path, head)
    except FileRejected as exc:
        return exc.reason
    head = text.lstrip()
    if head[:1] in "{[":
        return "JSON, not report text"
    if plain.is_html(head):
        head = plain.html_to_text(head)[0]
    elif _looks_like_table(plain.split_header(head)[1].lstrip()):
        return "a table header, not report text"
    return None if _has_sentence(head) else "no sentences"


def _has_sentence(text: str) -> bool:
    return any(len(s.text.split()) >= 5 and s.text[-1] in ".!?\"”" for s in plain.sentences(text))


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


ABOUT_KEYS = ("title", "publisher", "url", "kind")  # what a loader may say of a document (etl load --title ...)


def transform(snap: Snapshot, gazetteer: Gazetteer, *, place: str | None = None,
              report_date: dt.date | None = None, about: dict[str, str] | None = None) -> Report:
    data = _report_bytes(snap.path)
    html_title = None
    if pdf.is_pdf(data[:1024]):
        read = pdf.read(snap.path, data)
        raw, html_title = read.text, read.title
        header = {"date": read.created.isoformat()} if read.created else {}
        body = raw
    else:
        raw = decode(snap.path, data)
        if plain.is_html(raw):
            raw, html_title = plain.html_to_text(raw)
        header, body = plain.split_header(raw)
    if not _has_sentence(body):  # an error, login or bot-challenge page, or a table: nothing to read figures from
        raise FileRejected(snap.path, "no sentences: not report text (an error or login page, or a table?)")
    offset = len(raw) - len(body)
    given = {k: v.strip() for k, v in (about or {}).items() if k in ABOUT_KEYS and v and v.strip()}
    document = _document({**header, **given}, html_title, snap, place, report_date, gazetteer)
    report = Report(document)
    for sentence in plain.sentences(body, offset):
        report.n_sentences += 1
        found = extract_sentence(sentence.text, document["report_date"], gazetteer, document["place"])
        for c in found.candidates:
            report.candidates.append({
                "value": c.number, "value_low": c.low, "value_high": c.high, "qualifier": c.qualifier,
                "kind": c.kind, "unit": c.unit, "location_code": c.place, "origin_code": c.origin,
                "location_name_published": c.place_published, "period_start": c.period_start,
                "period_end": c.period_end, "is_rounded": c.is_rounded, "sentence": sentence.text,
                "char_start": sentence.start, "char_end": sentence.end,
                "number_text": sentence.text[c.span[0]:c.span[1]]})
        for e in found.events:
            report.events.append({"event_date": e.event_date, "place_code": e.place, "title": e.title[:300],
                                  "sentence": sentence.text, "char_start": sentence.start,
                                  "char_end": sentence.end})
    return report


def _report_bytes(path: Path) -> bytes:
    """The report's bytes, gunzipped if gzip, refused past MAX_REPORT_BYTES: a small archive must not unpack into
    gigabytes in memory (a 194 KB gzip of zeros is 200 MB)."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = unzip.decompress(raw, MAX_REPORT_BYTES + 1)  # stops one byte past the limit
        except zlib.error as exc:
            raise FileRejected(path, f"gzip archive is truncated or corrupt ({exc})") from None
        if len(raw) <= MAX_REPORT_BYTES and not unzip.eof:
            raise FileRejected(path, "gzip archive is truncated or corrupt (it ends early)")
    if len(raw) > MAX_REPORT_BYTES:
        raise FileRejected(path, f"more than {MAX_REPORT_BYTES >> 20} MB of report text (unzipped): not a report")
    return raw


def _document(header: dict, html_title: str | None, snap: Snapshot, place: str | None,
              report_date: dt.date | None, gazetteer: Gazetteer) -> dict:
    meta = {**snap.meta, **header}
    date_text = meta.get("date") or meta.get("published")
    try:
        published = dt.date.fromisoformat(date_text.strip()[:10]) if date_text else None
    except ValueError:
        line = next((i for i, ln in enumerate(_raw_lines(snap), start=1) if date_text in ln), None)
        raise FileRejected(snap.path, f"Date: {date_text!r} is not a date; write it as YYYY-MM-DD", row=line,
                           column="Date") from None
    place = place or meta.get("place")
    if place and place not in gazetteer:
        res = gazetteer.resolve(place)
        # "Idlib" names the governorate and its district: the larger, as in report text (figures._resolve)
        if gazetteer.enclosing(res):
            place = gazetteer.enclosing(res)
        elif res.status == "ambiguous":
            raise FileRejected(snap.path, f"report place {place!r}: {res.suggestion}")
        else:
            raise FileRejected(snap.path, f"report place {place!r} matches no known place"
                                          + (f" ({res.suggestion})" if res.suggestion else ""))
    kind = (meta.get("kind") or "report").strip().lower()
    if kind not in ("news", "report"):
        raise FileRejected(snap.path, f"Kind: {kind!r}; use news or report")
    source = meta.get("source")
    return {"doc_title": meta.get("title") or html_title or source or snap.path.name,
            "doc_url": meta.get("url") or f"file:{snap.path.name}",
            "doc_publisher": meta.get("publisher") or source or "unknown publisher",
            "source_kind": kind, "published_on": published,
            "report_date": report_date or published or snap.retrieved_on, "place": place,
            "retrieved_on": snap.retrieved_on, "path": str(snap.path), "file_sha256": snap.sha256}


def _raw_lines(snap: Snapshot) -> list[str]:
    return decode(snap.path, read_bytes(snap.path)).splitlines()


def _looks_like_table(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
    if len(lines) < 2:
        return False
    for delim in ",;\t|":
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        if len(rows[0]) >= 2 and len({len(r) for r in rows}) == 1 and all(
                len(c) <= 60 and not re.search(r"[.!?]$", c.strip()) for c in rows[0]):
            return True
    return False
