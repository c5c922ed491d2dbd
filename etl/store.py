"""What the command line does to the store: init, refresh, load, export, status, aliases and set-aside rows."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zlib
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, update
from sqlalchemy.orm import Session

from etl import config, db, formats, gazetteer, review, summaries
from etl.export import ExportFilter, has_non_commercial, resolve_as_of, write_csv
from etl.gazetteer import Gazetteer
from etl.load import LoadResult, fail_interrupted_runs, load_file, source_name, write_validated
from etl.models import Event, LoadRun, Observation, RejectedRow, Series
from etl.records import FileRejected, SeriesInfo, new_records
from etl.validate import validate

EVENTS_FILE = config.DATA_DIR / "events.csv"
MANIFEST = config.RAW_DIR / "MANIFEST.csv"


class StoreError(Exception):
    """A command that cannot be carried out, with a message for the person who ran it."""


def init(engine: Engine) -> dict:
    """Create or migrate the schema, seed the gazetteer and the events table (idempotent)."""
    db.upgrade(engine)
    with Session(engine) as session:
        seeded = gazetteer.seed(session)
        if seeded.places_updated:  # a place's level or kind may have changed: the Flows summary depends on them
            summaries.rebuild(session.connection())
        n_events = _load_events(session)
        session.commit()
        return {"places": session.scalar(select(func.count()).select_from(gazetteer.Place)),
                "aliases": session.scalar(select(func.count()).select_from(gazetteer.PlaceAlias)),
                "events": n_events}


def _load_events(session: Session) -> int:
    with EVENTS_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = {(e.event_date, e.title) for e in session.scalars(select(Event))}
    for row in rows:
        date = dt.date.fromisoformat(row["event_date"])
        if (date, row["title"]) in existing:
            continue
        session.add(Event(
            event_date=date, end_date=dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None,
            place_code=row["place_code"], title=row["title"], quote=row["quote"], publisher=row["publisher"],
            source_title=row["source_title"], source_url=row["source_url"],
            published_on=dt.date.fromisoformat(row["published_on"]) if row["published_on"] else None))
    return len(rows)


def shipped_files() -> list[tuple[Path, str]]:
    """The real files shipped in data/raw (or RAW_DIR), in load order, with their format."""
    with (config.RAW_DIR / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
        return [(config.RAW_DIR / row["file"], row["format"]) for row in csv.DictReader(fh)]


def refresh(engine: Engine, sources: list[str] | None = None, progress: bool = False,
            force: bool = False) -> list[LoadResult]:
    """Load every shipped file (the live fetchers are a later issue); each file in its own transaction.
    `sources` are source names (file names without extension) or format names."""
    fail_interrupted_runs(engine)  # runs a killed refresh left 'running' are failed, not in progress
    files = shipped_files()
    known = {source_name(p) for p, _ in files} | {fmt for _, fmt in files}
    unknown = [s for s in sources or [] if s not in known]
    if unknown:
        raise StoreError(f"unknown source {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    results = [load_file(engine, path, fmt, progress=progress, force=force) for path, fmt in files
               if not sources or fmt in sources or source_name(path) in sources]
    rebuild_ledger(engine)
    return results


def load(engine: Engine, path: Path, fmt: str | None = None, progress: bool = False,
         force: bool = False, place: str | None = None, report_date: dt.date | None = None,
         rebuild: bool = True, about: dict[str, str] | None = None) -> LoadResult:
    """Load one file; then, if it wrote figures and `rebuild`, recompute the ledger (a rejected or unchanged
    file leaves the store exactly as it was). A refresh passes rebuild=False and rebuilds once at its end. Report
    text only: `place`, `report_date` and `about` (title, publisher, url, kind of the document) override what the
    file says of itself."""
    if fmt == "report" or (fmt is None and _is_report(path)):  # report text: candidates for review, not figures
        return review.load_report(engine, path, place=place, report_date=report_date, about=about)
    result = load_file(engine, path, fmt, progress=progress, force=force)
    if rebuild and wrote_figures(result):
        rebuild_ledger(engine)
    return result


def wrote_figures(result: LoadResult) -> bool:
    return result.status in ("success", "partial") and not result.skipped and \
        (result.rows_new or result.rows_changed) > 0


def accept_candidate(engine: Engine, cid: int, reviewer: str) -> int:
    """Accept a candidate read from report text (etl.review.accept), then rebuild the figure ledger."""
    obs_id = review.accept(engine, cid, reviewer)
    rebuild_ledger(engine)
    return obs_id


def rebuild_ledger(engine: Engine):
    """Recompute the figure ledger (etl.ledger) in one transaction; returns its LedgerSummary."""
    from etl import ledger

    with engine.begin() as conn:
        return ledger.rebuild(conn)


def _is_report(path: Path) -> bool:
    try:
        return formats.choose(Path(path)).FORMAT == "report"
    except FileRejected:
        return False


def export(engine: Engine, out: Path, *, hxl: bool = False, origins=(), locations=(), groups=(), measures=(),
           date_from=None, date_to=None, sources=(), as_of=None) -> dict:
    """Write the CSV and a citation sidecar (per source: cite-as, licence, retrieval date; the filters)."""
    with engine.connect() as conn:
        gaz = Gazetteer.load(conn)
        flt = ExportFilter(
            origin_codes=tuple(_place_code(gaz, o) for o in origins),
            location_codes=tuple(_place_code(gaz, loc) for loc in locations),
            population_groups=tuple(g.upper() for g in groups), measures=tuple(m.lower() for m in measures),
            date_from=_parse_date(date_from, "--from"), date_to=_parse_date(date_to, "--to"),
            sources=tuple(sources), as_of=resolve_as_of(conn, as_of) if as_of else None)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as fh:
            summary = write_csv(conn, flt, fh, hxl=hxl)
        sidecar = out.with_name(out.name + ".sources.txt")
        _write_sidecar(conn, sidecar, flt, summary)
    return {**summary, "sidecar": sidecar, "non_commercial": has_non_commercial(summary["licences"])}


def _write_sidecar(conn, path: Path, flt: ExportFilter, summary: dict) -> None:
    series = conn.execute(select(Series.title, Series.citation, Series.licence)
                          .where(Series.slug.in_(summary["series"])).order_by(Series.title)).all()
    lines = [f"Export of {summary['rows']} figures, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
             f"Filters: {flt}", "", "Sources (cite as):"]
    lines += [f"- {title}: {citation} Licence: {licence}." for title, citation, licence in series]
    if has_non_commercial(summary["licences"]):
        lines += ["", "WARNING: contains data for non-commercial use only (IDMC data: CC BY-NC-SA 3.0 IGO, "
                  "non-commercial, share-alike; IOM DTM terms)."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _place_code(gaz: Gazetteer, text: str) -> str:
    res = gaz.resolve(text)
    if res.status != "matched":
        raise StoreError(f"place {text!r}: {res.status}" + (f" ({', '.join(res.candidates)})" if res.candidates
                                                             else "") + (f"; {res.suggestion}" if res.suggestion
                                                                         else ""))
    return res.code


def _parse_date(text: str | None, flag: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise StoreError(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


def is_built(engine: Engine) -> bool:
    if "load_run" not in inspect(engine).get_table_names():
        return False
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(LoadRun)
                                .where(LoadRun.status.in_(["success", "partial"]))))


def _version_statement():
    from etl.models import OVERRIDE_STATUSES, Candidate, CandidateEvent, LedgerGroup, LedgerOverride

    per_status = []
    for status in OVERRIDE_STATUSES:  # a fixed vocabulary (a CHECK constraint): two columns each, in one row
        per_status += [select(func.count()).select_from(LedgerOverride).where(LedgerOverride.status == status)
                       .scalar_subquery(),
                       select(func.max(LedgerOverride.id)).where(LedgerOverride.status == status).scalar_subquery()]
    return select(
        select(func.count()).select_from(LoadRun).scalar_subquery(),
        select(func.max(LoadRun.started_at)).scalar_subquery(),
        select(func.max(LoadRun.finished_at)).scalar_subquery(),
        select(func.count()).select_from(Candidate).where(Candidate.status != "pending").scalar_subquery(),
        select(func.count()).select_from(CandidateEvent).where(CandidateEvent.status != "pending").scalar_subquery(),
        select(func.max(LedgerGroup.computed_at)).scalar_subquery(),
        *per_status), OVERRIDE_STATUSES


_VERSION_STATEMENT = None


def data_version(conn) -> str:
    """Changes whenever what the dashboard shows may have changed: the key of every cached result, and the
    version printed on exports. "<load runs>.<hash>": the number of load runs (written, skipped, rejected —
    a count, not max(id), since PostgreSQL hands out ids at insert, not commit), and a hash of the last load's
    start and end, the reviewed candidates and events, the ledger's last rebuild and its overrides (a wiped
    store that reuses run ids, an accepted figure or an override changes it too).

    It runs on every request of the dashboard (a cached answer too): one statement, one row of cheap aggregates,
    built once (SQLAlchemy then reuses its compiled form)."""
    global _VERSION_STATEMENT
    if _VERSION_STATEMENT is None:
        _VERSION_STATEMENT = _version_statement()
    statement, statuses = _VERSION_STATEMENT
    runs, started, finished, reviewed, events, ledger, *overrides = conn.execute(statement).one()
    counted = sorted((status, overrides[2 * i], overrides[2 * i + 1]) for i, status in enumerate(statuses)
                     if overrides[2 * i])
    parts = (str(started), str(finished), reviewed, events, str(ledger), counted)
    stamp = zlib.crc32(repr(parts).encode())
    return f"{runs or 0}.{stamp:08x}"


def count_observations(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Observation).where(Observation.is_latest.is_(True)))


def status(engine: Engine) -> list[dict]:
    """Per source: last success, last attempt and its outcome and counts, top reasons rows were set aside."""
    with engine.connect() as conn:
        runs = conn.execute(select(LoadRun).order_by(LoadRun.source, LoadRun.started_at)).all()
        reasons = conn.execute(select(RejectedRow.source, RejectedRow.reason)
                               .where(RejectedRow.status == "open")).all()
    by_source: dict[str, dict] = {}
    for run in runs:
        entry = by_source.setdefault(run.source, {"source": run.source, "last_success": None, "rows_read": 0,
                                                  "rows_new": 0, "rows_changed": 0, "rows_unchanged": 0,
                                                  "rows_set_aside": 0, "message": None})
        skipped = run.rows_read == 0 and (run.message or "").startswith("unchanged")
        if run.status in ("success", "partial"):
            entry["last_success"] = f"{run.finished_at:%Y-%m-%d %H:%M}"
        entry.update(last_attempt=f"{run.started_at:%Y-%m-%d %H:%M}",
                     outcome="unchanged (skipped)" if skipped else run.status, message=run.message)
        if not skipped and run.status != "rejected":  # the counts of the last load that read the file
            entry.update(rows_read=run.rows_read, rows_new=run.rows_new, rows_changed=run.rows_changed,
                         rows_unchanged=run.rows_unchanged, rows_set_aside=run.rows_set_aside)
    counters: dict[str, Counter] = {}
    for source, reason in reasons:
        counters.setdefault(source, Counter())[_reason_kind(reason)] += 1
    for source, entry in by_source.items():
        entry["top_reasons"] = counters.get(source, Counter()).most_common(3)
    return list(by_source.values())


def _reason_kind(reason: str) -> str:
    """Group reasons that differ only in their values: "location 'X' matches no known place"."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d[\d,.]*", "…", reason)


ALIAS_KINDS = ("name", "iso3", "unhcr_code", "pcode", "iso3166_2")


def add_alias(engine: Engine, name: str, code: str, kind: str = "name") -> None:
    """Another spelling (kind name) or code (a code scheme's kind, e.g. iso3 for UNHCR's *_iso columns)."""
    if kind not in ALIAS_KINDS:
        raise StoreError(f"unknown alias kind {kind!r}; use one of {', '.join(ALIAS_KINDS)}")
    with Session(engine) as session:
        try:
            gazetteer.add_alias(session, name, code, kind=kind)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        session.commit()


def open_rejects(engine: Engine) -> list[RejectedRow]:
    with Session(engine) as session:
        rows = session.scalars(select(RejectedRow).where(RejectedRow.status == "open")
                               .order_by(RejectedRow.id)).all()
        session.expunge_all()
        return list(rows)


def retry_rejects(engine: Engine) -> dict:
    """Validate open set-aside rows again (e.g. after `alias add`); load those that pass, in one transaction."""
    rejects = open_rejects(engine)
    if not rejects:
        return {"retried": 0, "loaded": 0, "still_open": 0}
    with engine.connect() as conn:
        gaz = Gazetteer.load(conn)
        series = {s.slug: SeriesInfo(s.slug, s.title, s.publisher, s.originator, s.source_kind, s.licence,
                                     s.citation, s.url, s.is_secondary) for s in conn.execute(select(Series))}
    loaded = still_open = 0
    by_file: dict[tuple[str, str], list[RejectedRow]] = {}
    for r in rejects:
        by_file.setdefault((r.source, r.path), []).append(r)
    for (source, path), rows in by_file.items():
        goods, resolved, failed = [], [], []
        for r in rows:  # one at a time: a wide table's line gives several records with one row number
            checked = validate(new_records([json.loads(r.record_json)]), gaz)
            if checked.set_aside:
                failed.append((r.id, checked.set_aside[0]))
            else:
                goods.append(checked.good)
                resolved.append(r.id)
        with engine.begin() as conn:
            if goods:
                good = [rec for g in goods for rec in g]
                write_validated(conn, source, Path(path), None, good, [], series, len(good),
                                dt.datetime.now(dt.UTC), fmt="rejects-retry")
            for rid, problem in failed:
                conn.execute(update(RejectedRow).where(RejectedRow.id == rid).values(
                    reason=problem["reason"], suggestion=problem["suggestion"]))
            if resolved:
                conn.execute(update(RejectedRow).where(RejectedRow.id.in_(resolved)).values(status="resolved"))
        loaded += len(resolved)
        still_open += len(failed)
    return {"retried": len(rejects), "loaded": loaded, "still_open": still_open}

