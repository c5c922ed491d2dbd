"""Load one file atomically: idempotent upsert with vintages, rows set aside, and the run log, in one transaction."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import operator
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from tqdm import tqdm

from etl import config, formats, memory, summaries
from etl.gazetteer import Gazetteer
from etl.models import Document, LoadRun, Observation, Place, RejectedRow, Release, Series
from etl.records import FileRejected, SeriesInfo, Snapshot, Transformed
from etl.validate import PlaceResolver, too_many_set_aside, validate

IDENTITY_FIELDS = ("series", "population_group", "measure", "origin_code", "location_code", "period_start",
                   "period_end", "sex", "age_group", "cause", "breakdown", "unit")
VALUE_FIELDS = ("value", "value_low", "value_high", "qualifier", "missing_reason")
CHUNK_ROWS = 20_000
KEY_LOOKUP_MAX = 20_000  # above this many figures one scan of the series beats lookups by key
CHUNK_FIGURES = 5_000  # figures validated and written at a time: each costs a few kB of Python objects in flight
SET_ASIDE_KEPT = 1_000  # set-aside rows a LoadResult carries for the report; all of them go to rejected_row

EXIT_OK, EXIT_REJECTED, EXIT_PARTIAL = 0, 1, 2


@dataclass
class LoadResult:
    path: str
    source: str | None
    status: str  # success / partial / rejected
    rows_read: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    rows_set_aside: int = 0
    message: str | None = None
    set_aside: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False  # the same content was loaded before
    identity_keys: Iterable[str] = field(default_factory=list, repr=False)  # of the figures the file gave (KeyLog)

    @property
    def exit_code(self) -> int:
        return {"success": EXIT_OK, "partial": EXIT_PARTIAL}.get(self.status, EXIT_REJECTED)


def identity_key(rec: dict) -> str:
    """A stable digest of a figure's identity; the same figure from any file or channel gets the same key."""
    parts = []
    for f in IDENTITY_FIELDS:
        v = rec.get(f)
        parts.append("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def source_name(path: Path) -> str:
    """A file's source name in the run log: its name without extensions (unhcr_flows.csv.gz -> unhcr_flows)."""
    return Path(path).name.split(".")[0]


def load_file(engine: Engine, path: Path | str, fmt: str | None = None, *, retrieved_on: dt.date | None = None,
              progress: bool = False, today: dt.date | None = None, force: bool = False) -> LoadResult:
    """Load one file by the failure policy: rejected whole, or loaded with bad rows set aside (partial).

    A format with transform_chunks() is read, validated and written chunk by chunk inside the file's one
    transaction, so memory does not grow with the file; a defect found late rolls the whole file back.
    A file already loaded with the same content and transform version is skipped unless `force`."""
    started = _now()
    path = Path(path)
    source = source_name(path)
    fmt_name = fmt
    try:
        module = formats.choose(path, fmt)
        fmt_name = module.FORMAT
        snap = module.extract(path, retrieved_on=retrieved_on)
        version = getattr(module, "TRANSFORM_VERSION", None)
        if not force and (previous := _same_file_loaded(engine, source, snap.sha256, version)) is not None:
            return _log_skipped(engine, source, path, fmt_name, snap.sha256, version, previous, started)
        streamed = hasattr(module, "transform_chunks")
        if streamed:
            memory.steady_heap()
        bulk = streamed and engine.dialect.name == "sqlite" and path.stat().st_size >= config.bulk_load_bytes()
        chunks: Iterable[Transformed] = module.transform_chunks(snap) if streamed else [module.transform(snap)]
        with engine.connect() as conn:
            gazetteer = Gazetteer.load(conn)
        with engine.begin() as conn, _unprepared(conn):
            result = _write_chunks(conn, chunks, gazetteer, source, snap, fmt_name, version, started, today=today,
                                   progress=progress, scan_series=not streamed, bulk=bulk)
        result.seconds = (_now() - started).total_seconds()
        return result
    except FileRejected as exc:
        _log_rejected(engine, source, path, fmt_name, exc, started)
        return LoadResult(str(path), source, "rejected", message=str(exc),
                          seconds=(_now() - started).total_seconds())
    except (SQLAlchemyError, Exception) as exc:  # rolled back: nothing of this file is in the store
        if isinstance(exc, SQLAlchemyError) and _disk_full(exc):
            reason = (f"the disk or the database is full ({_first_line(exc)}): nothing of this file was written; "
                      "free space where the store lives (or raise its size limit) and run the command again")
        elif isinstance(exc, SQLAlchemyError):
            reason = f"the database refused the load ({type(exc.orig or exc).__name__}: {_first_line(exc)})"
        else:
            reason = f"unexpected error while loading ({type(exc).__name__}: {str(exc)[:300]})"
        failure = FileRejected(path, reason)
        try:
            _log_rejected(engine, source, path, fmt_name, failure, started, status="failed")
        except SQLAlchemyError as log_exc:  # e.g. the disk is still full: the outcome is reported all the same
            failure = FileRejected(path, f"{reason} (the attempt could not be logged either: {_first_line(log_exc)})")
        return LoadResult(str(path), source, "failed", message=str(failure),
                          seconds=(_now() - started).total_seconds())


@contextlib.contextmanager
def _unprepared(conn: Connection) -> Iterator[None]:
    """PostgreSQL: psycopg sends no prepared statements while a file loads. It prepares a statement run five times,
    and the server may then keep a generic plan made while the table was small, which seq-scans it once this
    transaction has made it big (5 MB took over 10 minutes). Unprepared, each lookup is planned with its own
    values. (`SET LOCAL plan_cache_mode = force_custom_plan` did the same, but also re-planned the foreign-key
    checks of every inserted figure: COPY took twice as long.)"""
    driver = conn.connection.driver_connection if conn.dialect.name == "postgresql" else None
    if driver is None or not hasattr(driver, "prepare_threshold"):
        yield
        return
    before = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = before


def _split(chunks: Iterable[Transformed]) -> Iterator[Transformed]:
    """Each chunk cut into pieces of at most CHUNK_FIGURES records (a file loaded whole is one chunk)."""
    for t in chunks:
        if len(t.records) <= CHUNK_FIGURES:
            yield t
            continue
        for i in range(0, len(t.records), CHUNK_FIGURES):
            yield Transformed(t.records.iloc[i:i + CHUNK_FIGURES].copy(), t.series, t.skipped if i == 0 else [],
                              t.places if i == 0 else [])


def _write_chunks(conn: Connection, chunks: Iterable[Transformed], gazetteer: Gazetteer, source: str,
                  snap: Snapshot, fmt: str, version: str | None, started: dt.datetime, *, today: dt.date | None,
                  progress: bool, scan_series: bool, bulk: bool = False) -> LoadResult:
    """Validate and write each chunk on `conn`; too many bad rows, counted over the whole file, reject it
    (FileRejected: the caller's transaction rolls everything back)."""
    path = snap.path
    writer: FileWriter | None = None
    declared: dict[str, dict] = {}
    resolve = PlaceResolver(gazetteer)
    added: set[str] = set()
    skipped: list[str] = []
    parent_notes: list[str] = []
    n_rows = n_bad = 0
    first_bad: dict | None = None
    for transformed in _split(chunks):
        if transformed.places:
            declared.update({p["code"]: p for p in transformed.places})
            resolve.declare(declared)
        transformed.records["retrieved_on"] = snap.retrieved_on.isoformat()
        checked = validate(transformed.records, gazetteer, today=today, resolve=resolve)
        n_rows += len(transformed.records)
        n_bad += len(checked.set_aside)
        first_bad = first_bad or (checked.set_aside[0] if checked.set_aside else None)
        if writer is None:
            writer = FileWriter(conn, source, path, snap.sha256, transformed.series, started, progress=progress,
                                transform_version=version, fmt=fmt, scan_series=scan_series, bulk=bulk)
        else:
            writer.add_series(transformed.series)
        skipped += [n for n in transformed.skipped if n not in skipped]
        parent_notes += [n for n in _add_declared_places(conn, gazetteer, declared, checked.good, added)
                         if n not in parent_notes]
        writer.write(checked.good, checked.set_aside)
        if not scan_series:  # a streamed file: what this chunk freed goes back to the OS before the next is read
            memory.release_free_memory()
    if writer is None:
        raise FileRejected(path, "no figures in the file")
    if too_many_set_aside(n_bad, n_rows):
        raise FileRejected(path, f"{n_bad} of {n_rows} rows are bad (first: {first_bad['reason']}); the file is "
                           "rejected whole", first_bad["row_number"], first_bad["column"])
    return writer.finish(n_rows, message="; ".join(skipped + parent_notes) or None)


def _disk_full(exc: SQLAlchemyError) -> bool:
    """SQLite's SQLITE_FULL (also its max_page_count) or PostgreSQL's disk_full (SQLSTATE 53100)."""
    orig = getattr(exc, "orig", None)
    return (getattr(orig, "sqlite_errorname", None) == "SQLITE_FULL" or getattr(orig, "sqlstate", None) == "53100"
            or "database or disk is full" in str(orig) or "No space left on device" in str(orig))


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]


def _same_file_loaded(engine: Engine, source: str, sha256: str, version: str | None) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(LoadRun.id).where(
            LoadRun.source == source, LoadRun.file_sha256 == sha256, LoadRun.transform_version == version,
            LoadRun.status.in_(["success", "partial"]), LoadRun.rows_read > 0).order_by(LoadRun.id.desc()).limit(1))


def _log_skipped(engine: Engine, source: str, path: Path, fmt: str, sha256: str, version: str | None,
                 previous: int, started: dt.datetime) -> LoadResult:
    message = f"unchanged since run {previous} (same content, sha256 {sha256[:12]}): skipped; --force reloads it"
    with engine.begin() as conn:
        conn.execute(insert(LoadRun).values(
            source=source, path=str(path), file_sha256=sha256, format=fmt, status="success", started_at=started,
            finished_at=_now(), transform_version=version, message=message))
    return LoadResult(str(path), source, "success", message=message, skipped=True,
                      seconds=(_now() - started).total_seconds())


def _log_rejected(engine: Engine, source: str, path: Path, fmt: str | None, exc: FileRejected,
                  started: dt.datetime, status: str = "rejected") -> None:
    """A rejected file leaves the store as it was; only the attempt is logged, in its own transaction."""
    with engine.begin() as conn:
        conn.execute(insert(LoadRun).values(
            source=source, path=str(path), format=fmt, status=status, started_at=started, finished_at=_now(),
            message=str(exc)))


def _upsert_series(conn: Connection, infos: dict[str, SeriesInfo]) -> dict[str, int]:
    ids = {}
    for slug, info in infos.items():
        values = {k: getattr(info, k) for k in ("slug", "title", "publisher", "originator", "source_kind",
                                                 "licence", "citation", "url", "is_secondary")}
        sid = conn.scalar(select(Series.id).where(Series.slug == slug))
        if sid is None:
            sid = conn.execute(insert(Series).values(**values)).inserted_primary_key[0]
        else:
            conn.execute(update(Series).where(Series.id == sid).values(**values))
        ids[slug] = sid
    return ids


def _get_or_create(conn: Connection, table, where: dict, values: dict) -> int:
    stmt = select(table.id)
    for k, v in where.items():
        stmt = stmt.where(getattr(table, k) == v)
    found = conn.scalar(stmt)
    if found is not None:
        return found
    return conn.execute(insert(table).values(**where, **values)).inserted_primary_key[0]


def _date(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v == "":
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _add_declared_places(conn: Connection, gazetteer: Gazetteer, declared: dict[str, dict],
                         good: list[dict], added: set[str] | None = None) -> list[str]:
    """Places a file defines (UNHCR's camps, DTM's p-codes), added when used, with their declared ancestors,
    parents first. An existing code is never overwritten: a different declared parent is reported.
    `added` (updated) holds the codes added by earlier chunks of the same file."""
    if not declared:
        return []
    used = {r["location_code"] for r in good} | {r["origin_code"] for r in good if r["origin_code"]}
    needed: list[str] = []
    for code in sorted(used & set(declared)):
        chain = []
        while code in declared and code not in chain:  # the place, its declared parent, grandparent...
            chain.append(code)
            code = declared[code].get("parent_code")
        needed += [c for c in reversed(chain) if c not in needed]
    added = set() if added is None else added
    notes = []
    for code in needed:
        if code in added:
            continue
        place = dict(declared[code])
        parent = place.get("parent_code")
        if parent and parent not in declared and parent not in gazetteer:
            res = gazetteer.resolve(parent, scheme="iso3")
            parent = res.code if res.status == "matched" else None
        if code in gazetteer:
            known_parent = gazetteer.place(code).parent_code
            if parent and known_parent != parent:
                notes.append(f"{code}: the file gives parent {parent}, the gazetteer keeps {known_parent}")
            continue
        place["parent_code"] = parent if parent in gazetteer or parent in added else None
        conn.execute(insert(Place).values(**place))
        added.add(code)
    return notes


def write_validated(conn: Connection, source: str, path: Path, sha256: str | None, good: list[dict],
                    set_aside: list[dict], series_infos: dict[str, SeriesInfo], n_rows: int, started: dt.datetime,
                    *, progress: bool = False, transform_version: str | None = None,
                    fmt: str | None = None, message: str | None = None) -> LoadResult:
    """Write validated records, set-aside rows and the run log on `conn` (the caller's transaction)."""
    writer = FileWriter(conn, source, path, sha256, series_infos, started, progress=progress,
                        transform_version=transform_version, fmt=fmt)
    writer.write(good, set_aside)
    return writer.finish(n_rows, message=message)


class KeyLog:
    """The identity keys of the figures a file gave, in order: 16 bytes each in a temporary file that stays in
    memory up to 8 MB (half a million keys) and spills to disk beyond. Iterating gives the hex keys."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        self._n = 0

    def add(self, keys: list[str]) -> None:
        self._file.seek(0, 2)
        self._file.write(b"".join(bytes.fromhex(k) for k in keys))
        self._n += len(keys)

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        offset = 0
        while True:
            self._file.seek(offset)
            block = self._file.read(16 << 12)
            if not block:
                return
            offset += len(block)
            yield from (block[i:i + 16].hex() for i in range(0, len(block), 16))


_UNCHANGED = "etl_load_unchanged"  # a temporary table: figures of this file found unchanged in earlier chunks


class FileWriter:
    """Writes one file's validated records chunk by chunk on the caller's transaction: releases and documents,
    new figures and new vintages, set-aside rows, and the run log. Memory does not grow with the file: a figure
    given twice in the file is found in the store (rows this run wrote) or, when it was unchanged, in a
    temporary table of (key, values) — nothing is held per figure but its 16-byte key in a KeyLog."""

    def __init__(self, conn: Connection, source: str, path: Path, sha256: str | None,
                 series_infos: dict[str, SeriesInfo], started: dt.datetime, *, progress: bool = False,
                 transform_version: str | None = None, fmt: str | None = None, scan_series: bool = True,
                 bulk: bool = False):
        self.conn, self.source, self.path, self.scan_series = conn, source, Path(path), scan_series
        self.series_infos = dict(series_infos)
        self.series_ids = _upsert_series(conn, series_infos)
        self.run_id = conn.execute(insert(LoadRun).values(
            source=source, path=str(path), file_sha256=sha256, format=fmt or source, status="running",
            started_at=started, transform_version=transform_version)).inserted_primary_key[0]
        # a bulk load (a big file on SQLite) drops the secondary indexes of observation and rebuilds them in
        # finish(), inside the same transaction: readers keep the committed snapshot and its indexes meanwhile.
        # Not before the INSERT above: Python's sqlite3 opens the transaction only at the first DML statement,
        # and a DROP INDEX issued before it would be committed at once.
        self.dropped_indexes = sorted(Observation.__table__.indexes, key=lambda ix: ix.name) if bulk else []
        if bulk and not conn.connection.dbapi_connection.in_transaction:
            raise RuntimeError("a bulk load must drop the indexes inside the file's transaction")
        for index in self.dropped_indexes:
            index.drop(conn)
        self.release_ids: dict[tuple, int] = {}
        self.doc_ids: dict[tuple, int] = {}
        self.rows_new = self.rows_changed = self.rows_unchanged = self.rows_set_aside = 0
        self.set_aside: list[dict] = []  # the first SET_ASIDE_KEPT, for the report; all are in rejected_row
        self.keys = KeyLog()
        self.flow_sets = summaries.FlowDelta(conn)  # the Flows summary's changes, applied in finish()
        self._unchanged_table = False
        self.bar = tqdm(unit="rows", desc=self.path.name, disable=not progress, leave=False)

    def add_series(self, series_infos: dict[str, SeriesInfo]) -> None:
        new = {slug: info for slug, info in series_infos.items() if slug not in self.series_infos}
        if new:
            self.series_ids.update(_upsert_series(self.conn, new))
            self.series_infos.update(new)

    def write(self, recs: list[dict], set_aside: list[dict]) -> None:
        """Write one chunk; `set_aside` (its rows set aside by validation) gets the chunk's in-file duplicates."""
        conn = self.conn
        for rec in recs:  # releases and documents, created once per distinct value
            sid = rec["series_id"] = self.series_ids[rec["series"]]
            rkey = (sid, rec["release"] or rec["doc_title"])
            if rkey not in self.release_ids:
                self.release_ids[rkey] = _get_or_create(conn, Release, {"series_id": sid, "label": rkey[1]},
                                                        {"released_on": _date(rec["released_on"])})
            rec["release_id"] = self.release_ids[rkey]
            dkey = (sid, rec["doc_title"], rec["doc_url"])
            if dkey not in self.doc_ids:
                self.doc_ids[dkey] = _get_or_create(
                    conn, Document, {"series_id": sid, "title": rec["doc_title"], "url": rec["doc_url"]},
                    {"published_on": _date(rec["published_on"]), "retrieved_on": _date(rec["retrieved_on"]),
                     "publisher": rec["doc_publisher"] or self.series_infos[rec["series"]].publisher,
                     "channel": rec.get("channel")})
            rec["document_id"] = self.doc_ids[dkey]
            rec["identity_key"] = identity_key(rec)

        release_dates = dict(conn.execute(select(Release.id, Release.released_on)).all())
        keys = list({r["identity_key"] for r in recs})
        existing = _latest_by_key(conn, list(set(self.series_ids.values())), keys, run_id=self.run_id,
                                  scan_series=self.scan_series)
        earlier_unchanged = self._unchanged_in_earlier_chunks(keys)
        new_rows, changed, unchanged_now = [], [], []
        seen: dict[str, tuple] = {}  # first occurrence in this chunk
        for rec in recs:
            key = rec["identity_key"]
            vals = tuple(rec[f] for f in VALUE_FIELDS)
            old = existing.get(key)
            first = seen.get(key) or (old and old["this_run"]) or earlier_unchanged.get(key)
            if first is not None:
                if first != vals:
                    set_aside.append({"row_number": rec.get("row_number"), "column": rec.get("column"),
                                      "value": str(rec["value"]), "reason": "the same figure is given twice in "
                                      f"this file with different values ({first[0]} and {vals[0]})",
                                      "suggestion": "keep one of the two rows", "record_json": json.dumps(
                                          {k: str(v) for k, v in rec.items()}, ensure_ascii=False)})
                else:
                    self.rows_unchanged += 1
                continue
            seen[key] = vals
            if old is None:
                new_rows.append(_row(rec, self.run_id, vintage=1, is_latest=True))
            elif old["vals"] == vals:
                self.rows_unchanged += 1
                unchanged_now.append({"k": key, "v": json.dumps(vals)})
            else:
                newer = (release_dates.get(rec["release_id"]) or dt.date.min) >= (
                    release_dates.get(old["release_id"]) or dt.date.min)
                changed.append((old, _row(rec, self.run_id, vintage=old["max_vintage"] + 1, is_latest=newer)))
        self.keys.add(list(seen))
        if unchanged_now:
            self._remember_unchanged(unchanged_now)
        self.flow_sets.add_new(new_rows)
        for old, row in changed:
            if row["is_latest"]:  # the new vintage replaces the current one in the summary
                self.flow_sets.add(row, +1)
                self.flow_sets.add(row, -1, value=old["vals"][0])
        if changed:
            latest_ids = [old["id"] for old, row in changed if row["is_latest"]]
            for i in range(0, len(latest_ids), 500):
                conn.execute(update(Observation).where(Observation.id.in_(latest_ids[i:i + 500]))
                             .values(is_latest=False))
        to_insert = new_rows + [row for _, row in changed]
        for i in range(0, len(to_insert), CHUNK_ROWS):
            chunk = to_insert[i:i + CHUNK_ROWS]
            _insert_observations(conn, chunk)
            self.bar.update(len(chunk))
        if set_aside:
            conn.execute(insert(RejectedRow), [{**r, "run_id": self.run_id, "source": self.source,
                                                "path": str(self.path), "status": "open"} for r in set_aside])
        self.rows_new += len(new_rows)
        self.rows_changed += len(changed)
        self.rows_set_aside += len(set_aside)
        self.set_aside += set_aside[:max(SET_ASIDE_KEPT - len(self.set_aside), 0)]

    def _unchanged_in_earlier_chunks(self, keys: list[str]) -> dict[str, tuple]:
        if not self._unchanged_table:
            return {}
        stmt = text(f"SELECT identity_key, vals FROM {_UNCHANGED} WHERE identity_key IN :keys").bindparams(
            bindparam("keys", expanding=True))
        return {k: tuple(json.loads(v)) for i in range(0, len(keys), 500)
                for k, v in self.conn.execute(stmt, {"keys": keys[i:i + 500]})}

    def _remember_unchanged(self, rows: list[dict]) -> None:
        if not self._unchanged_table:
            self.conn.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_UNCHANGED} "
                                   "(identity_key VARCHAR(32) PRIMARY KEY, vals TEXT NOT NULL)"))
            self.conn.execute(text(f"DELETE FROM {_UNCHANGED}"))
            self._unchanged_table = True
        self.conn.execute(text(f"INSERT INTO {_UNCHANGED} (identity_key, vals) VALUES (:k, :v)"), rows)

    def finish(self, n_rows: int, message: str | None = None) -> LoadResult:
        """The run's outcome in the run log; the result carries the counts and the first set-aside rows."""
        self.bar.close()
        for index in self.dropped_indexes:
            index.create(self.conn)
        if self._unchanged_table:
            self.conn.execute(text(f"DROP TABLE {_UNCHANGED}"))
        self.flow_sets.apply()
        status = "partial" if self.rows_set_aside else "success"
        self.conn.execute(update(LoadRun).where(LoadRun.id == self.run_id).values(
            status=status, finished_at=_now(), rows_read=n_rows, rows_new=self.rows_new,
            rows_changed=self.rows_changed, rows_unchanged=self.rows_unchanged, rows_set_aside=self.rows_set_aside,
            message=message))
        return LoadResult(str(self.path), self.source, status, rows_read=n_rows, rows_new=self.rows_new,
                          rows_changed=self.rows_changed, rows_unchanged=self.rows_unchanged,
                          rows_set_aside=self.rows_set_aside, set_aside=self.set_aside, message=message,
                          identity_keys=self.keys)


def _latest_by_key(conn: Connection, series_ids: list[int], keys: list[str], *, run_id: int | None = None,
                   scan_series: bool = True) -> dict[str, dict]:
    """The current figure per identity, with the highest vintage number so far, and the values this run already
    wrote for it ("this_run", a figure given twice in the file): looked up by key for a small file or a chunk,
    read for the whole series (one scan) for a large file loaded whole."""
    out: dict[str, dict] = {}
    if not series_ids or not keys:
        return out
    base = select(Observation.identity_key, Observation.id, Observation.vintage, Observation.is_latest,
                  Observation.release_id, Observation.run_id, *[getattr(Observation, f) for f in VALUE_FIELDS])
    if (len(keys) <= KEY_LOOKUP_MAX or not scan_series) and conn.dialect.name == "postgresql":
        # One statement with the keys as one array parameter: the same plan (the unique key's index) as IN lists,
        # without a new statement text of 500 parameters for every 500 keys (a third of a load's time here).
        queries = [base.where(Observation.identity_key == func.any(
            bindparam("keys", keys, type_=ARRAY(Observation.identity_key.type))))]
    elif len(keys) <= KEY_LOOKUP_MAX or not scan_series:
        queries = [base.where(Observation.identity_key.in_(keys[i:i + 500])) for i in range(0, len(keys), 500)]
    else:
        queries = [base.where(Observation.series_id.in_(series_ids))]
    for row in (r for q in queries for r in conn.execute(q)):
        key = row[0]
        entry = out.get(key)
        if entry is None:
            entry = out[key] = {"id": None, "max_vintage": 0, "vals": None, "release_id": None, "this_run": None}
        entry["max_vintage"] = max(entry["max_vintage"], row[2])
        if row[3]:
            entry.update(id=row[1], vals=tuple(row[6:]), release_id=row[4])
        if run_id is not None and row[5] == run_id:
            entry["this_run"] = tuple(row[6:])
    return out


_OBS_COLUMNS = ("identity_key", "population_group", "measure", "origin_code", "location_code", "period_start",
                "period_end", "sex", "age_group", "cause", "breakdown", "unit", "release_id", "value",
                "value_low", "value_high", "qualifier", "missing_reason", "document_id", "source_ref", "note",
                "is_secondary", "is_suspected_typo", "is_rounded", "is_preliminary")


def _row(rec: dict, run_id: int, *, vintage: int, is_latest: bool) -> dict:
    row = {c: rec.get(c) for c in _OBS_COLUMNS}
    for c in ("source_ref", "note"):
        if isinstance(row[c], float) and pd.isna(row[c]):
            row[c] = None
    for c in ("is_secondary", "is_suspected_typo", "is_rounded", "is_preliminary"):
        row[c] = bool(row[c]) if row[c] is not None and not pd.isna(row[c]) else False
    row.update(series_id=rec["series_id"], run_id=run_id, vintage=vintage, is_latest=is_latest,
               origin_name_published=_published_name(rec, "origin"),
               location_name_published=_published_name(rec, "location"))
    return row


_OBS_INSERT_COLUMNS = (*_OBS_COLUMNS, "series_id", "run_id", "vintage", "is_latest", "origin_name_published",
                       "location_name_published")


def _insert_observations(conn: Connection, rows: list[dict]) -> None:
    """Insert figure rows (as made by _row). On SQLite through the driver's executemany, with dates bound as
    SQLAlchemy stores them (YYYY-MM-DD, the adapter registered below) and booleans as 0/1: SQLAlchemy's per-row
    parameter processing was about an eighth of a load's time. On PostgreSQL by COPY. tests/test_integrity.py
    checks that a file loaded on SQLite and on PostgreSQL gives the same content digest, table by table."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_INSERT, [_OBS_INSERT_VALUES(row) for row in rows])
    elif conn.dialect.name == "postgresql":
        _copy_observations(conn, rows)
    else:
        conn.execute(insert(Observation), rows)


def _copy_observations(conn: Connection, rows: list[dict]) -> None:
    """PostgreSQL: COPY ... FROM STDIN on the transaction's own connection (psycopg's executemany sends one
    prepared INSERT per row, and waiting on those was most of a load's time). A refusal by the server is raised
    as SQLAlchemy's DBAPIError, like any other statement's, so the failure policy reports it the same way."""
    import psycopg

    try:
        with conn.connection.driver_connection.cursor() as cur, cur.copy(_PG_COPY) as copy:
            for row in rows:
                copy.write_row(_OBS_INSERT_VALUES(row))
    except psycopg.Error as exc:
        raise DBAPIError.instance(_PG_COPY, None, exc, psycopg.Error) from exc


_SQLITE_INSERT = (f"INSERT INTO observation ({', '.join(_OBS_INSERT_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(_OBS_INSERT_COLUMNS))})")
_OBS_INSERT_VALUES = operator.itemgetter(*_OBS_INSERT_COLUMNS)
_PG_COPY = f"COPY observation ({', '.join(_OBS_INSERT_COLUMNS)}) FROM STDIN"
# Python 3.11's sqlite3 binds a date by this same adapter by default; registered explicitly because that default
# is deprecated from 3.12. A datetime keeps its own adapter (adapters are looked up by exact type).
sqlite3.register_adapter(dt.date, dt.date.isoformat)


def _published_name(rec: dict, role: str) -> str | None:
    """The publisher's own spelling, kept next to the code when it differs from it."""
    ref = rec.get(f"{role}_published") or rec.get(f"{role}_ref")
    if ref is None or (isinstance(ref, float) and pd.isna(ref)) or ref == rec.get(f"{role}_code"):
        return None
    return str(ref)


INTERRUPTED_MESSAGE = ("interrupted: still 'running' when the next refresh started (the process was killed or "
                       "lost its database); nothing of this run is in the store")


def fail_interrupted_runs(engine: Engine) -> int:
    """Mark load runs left 'running' as failed; returns how many. The loader writes a run's 'running' row in the
    file's own transaction and commits it only with its outcome, so no live load has a committed 'running' row:
    one that is visible was left by a process that died (or by an older writer) and is safe to close."""
    with engine.begin() as conn:
        return conn.execute(update(LoadRun).where(LoadRun.status == "running").values(
            status="failed", finished_at=_now(), message=INTERRUPTED_MESSAGE)).rowcount or 0
