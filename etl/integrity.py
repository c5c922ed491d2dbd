"""Integrity of the store (what a killed refresh must never break) and a digest of its content.

`check(engine)` lists problems (empty: the store is sound): the database's own checks on SQLite, rows whose
parent is missing, indexes the models declare but the database lacks, figures without exactly one current vintage
or with gaps in their vintages, summary tables that differ from the figures, runs left 'running' by a process that is
gone, and successful runs whose figures are not all in the store.

`content_digest(engine)` hashes what the store says (every table, found by reflection, so tables added later
are covered) and ignores how it got there: surrogate ids (a reference to another row is replaced by that
row's content), timestamps and the run bookkeeping listed in RUN_BOOKKEEPING_TABLES / _COLUMNS.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import os
import socket

from sqlalchemy import Boolean, DateTime, Engine, MetaData, Table, case, func, select
from sqlalchemy.engine import Connection

from etl.models import Base

# Tables that record how the store was built, not what it says: excluded from the content digest.
RUN_BOOKKEEPING_TABLES = frozenset({
    "alembic_version", "load_run", "refresh_run", "source_run", "source_run_load", "source_keys", "figure_change",
})
# Columns that are run bookkeeping wherever they appear (DateTime columns and surrogate ids are excluded too).
RUN_BOOKKEEPING_COLUMNS = frozenset({"run_id", "refresh_run_id", "source_run_id", "load_run_id", "pid", "host"})
# Tables with a status 'running' and a started_at: a run left 'running' this long with no live process is stuck.
RUN_TABLES = ("load_run", "refresh_run", "source_run")
STALE_RUNNING_AFTER = dt.timedelta(hours=1)
LOADED_STATUSES = ("success", "partial")


def check(engine: Engine, stale_after: dt.timedelta = STALE_RUNNING_AFTER) -> list[str]:
    """Problems found in the store, one sentence each; an empty list means it is sound."""
    problems: list[str] = []
    with engine.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        problems += _revision(conn, meta)  # first: an older schema explains the missing indexes listed after it
        if conn.dialect.name == "sqlite":
            problems += _sqlite_checks(conn)
        problems += _orphans(conn, meta)
        problems += _indexes_missing(meta)
        if "observation" in meta.tables:
            problems += _vintages(conn, meta.tables["observation"])
        if "load_run" in meta.tables and "observation" in meta.tables:
            problems += _runs_complete(conn, meta.tables["load_run"], meta.tables["observation"])
        if "flow_set_count" in meta.tables and "observation" in meta.tables and "place" in meta.tables:
            from etl import summaries
            problems += summaries.differences(conn)
        for name in RUN_TABLES:
            if name in meta.tables:
                problems += _stuck_running(conn, meta.tables[name], stale_after)
    return problems


def _revision(conn: Connection, meta: MetaData) -> list[str]:
    """The store's schema revision is the code's (a store made by older code lacks the newer migrations' tables
    and indexes: say so, and how to fix it, before listing what is missing)."""
    from etl.db import head_revision, known_revisions

    head = head_revision()
    if not meta.tables:  # nothing made yet (a refresh killed before its first migration committed): empty, not unsound
        return []
    have = None
    if "alembic_version" in meta.tables:
        have = conn.execute(select(meta.tables["alembic_version"].c.version_num)).scalar()
    if have == head:
        return []
    if have is None:
        return [f"no schema revision is recorded in the store (the code is at {head}): run `python -m etl init` "
                "(a store not made by it may lack tables, constraints and indexes)"]
    if have in known_revisions():
        return [f"the store is at schema revision {have}, the code at {head}: run `python -m etl init` to migrate it "
                "(an older store lacks the newer migrations' tables and indexes, listed below if any)"]
    return [f"the store's schema revision is {have}, which this code does not know (its latest is {head}): was it "
            "made by newer code?"]


def _indexes_missing(meta: MetaData) -> list[str]:
    """Every index the models declare is in the database (a bulk load drops and rebuilds observation's)."""
    out = []
    for name, table in Base.metadata.tables.items():
        if name in meta.tables:
            present = {ix.name for ix in meta.tables[name].indexes}
            out += [f"index {ix.name} of table {name} is missing" for ix in table.indexes if ix.name not in present]
    return out


def _sqlite_checks(conn: Connection) -> list[str]:
    out = [f"SQLite integrity_check: {row[0]}" for row in conn.exec_driver_sql("PRAGMA integrity_check")
           if row[0] != "ok"]
    for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        out.append(f"SQLite foreign_key_check: {table} row {rowid} refers to a missing {parent} row")
    return out


def _orphans(conn: Connection, meta: MetaData) -> list[str]:
    """Every reference (foreign key) of every table points at an existing row, checked explicitly on both
    stores (SQLite enforces foreign keys only on connections that switched them on)."""
    out = []
    for table in meta.sorted_tables:
        for fk in table.foreign_key_constraints:
            if len(fk.columns) != 1 or fk.referred_table.name not in meta.tables:
                continue
            col = list(fk.columns)[0]
            target = fk.elements[0].column
            parent = target.table.alias("parent")
            n = conn.scalar(select(func.count()).select_from(
                table.outerjoin(parent, col == parent.c[target.name]))
                .where(col.is_not(None), parent.c[target.name].is_(None)))
            if n:
                out.append(f"{n} {table.name} rows refer to a missing {target.table.name} ({col.name})")
    return out


def _vintages(conn: Connection, obs: Table) -> list[str]:
    out = []
    latest = func.sum(case((obs.c.is_latest, 1), else_=0))
    bad_latest = conn.execute(select(obs.c.identity_key, latest).group_by(obs.c.identity_key)
                              .having(latest != 1).limit(5)).all()
    n_bad_latest = conn.scalar(select(func.count()).select_from(
        select(obs.c.identity_key).group_by(obs.c.identity_key).having(latest != 1).subquery()))
    if n_bad_latest:
        examples = ", ".join(f"{k} ({n} current)" for k, n in bad_latest)
        out.append(f"{n_bad_latest} figures do not have exactly one current vintage (is_latest), e.g. {examples}")
    gaps = (func.min(obs.c.vintage) != 1) | (func.max(obs.c.vintage) != func.count())
    n_gaps = conn.scalar(select(func.count()).select_from(
        select(obs.c.identity_key).group_by(obs.c.identity_key).having(gaps).subquery()))
    if n_gaps:
        examples = conn.execute(select(obs.c.identity_key).group_by(obs.c.identity_key).having(gaps)
                                .limit(5)).scalars().all()
        out.append(f"{n_gaps} figures have vintages that do not run 1, 2, ... without gaps, e.g. "
                   + ", ".join(examples))
    return out


def _runs_complete(conn: Connection, runs: Table, obs: Table) -> list[str]:
    """Each file is fully loaded or absent: a successful run's new + changed figures are exactly the figures
    carrying its run id, and no figure carries the id of a run that did not succeed."""
    out = []
    counts = select(obs.c.run_id, func.count().label("n")).group_by(obs.c.run_id).subquery()
    rows = conn.execute(
        select(runs.c.id, runs.c.path, runs.c.status, runs.c.rows_new, runs.c.rows_changed,
               func.coalesce(counts.c.n, 0))
        .select_from(runs.outerjoin(counts, counts.c.run_id == runs.c.id))
        .where((runs.c.status.in_(LOADED_STATUSES)) | (counts.c.n > 0))).all()
    for run_id, path, status, new, changed, n in rows:
        if status not in LOADED_STATUSES:
            out.append(f"load_run {run_id} ({path}) is {status!r} but {n} figures carry its id")
        elif (new or 0) + (changed or 0) != n:
            out.append(f"load_run {run_id} ({path}) recorded {new} new + {changed} changed figures but {n} are "
                       "in the store: the file is half-loaded")
    return out


def _stuck_running(conn: Connection, runs: Table, stale_after: dt.timedelta) -> list[str]:
    if not {"status", "started_at"} <= set(runs.c.keys()):
        return []
    cols = [runs.c.id, runs.c.started_at] + [runs.c[c] for c in ("pid", "host") if c in runs.c]
    cutoff = dt.datetime.now(dt.UTC) - stale_after
    out = []
    for row in conn.execute(select(*cols).where(runs.c.status == "running")).mappings():
        started = row["started_at"]
        if isinstance(started, str):
            started = dt.datetime.fromisoformat(started)
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        if started > cutoff or _process_alive(row.get("pid"), row.get("host")):
            continue
        out.append(f"{runs.name} {row['id']} has been 'running' since {started:%Y-%m-%d %H:%M} UTC with no live "
                   "process: it was interrupted; the next `python -m etl refresh` marks it failed")
    return out


def _process_alive(pid, host) -> bool:
    """Whether the run's process still exists (only knowable for a pid on this host)."""
    if pid is None or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


# --- content digest ---------------------------------------------------------------------------------------

def content_digest(engine: Engine) -> str:
    """A SHA-256 of the store's content, stable across runs, row order, ids, timestamps and run bookkeeping."""
    return content_digests(engine)["*"]


def content_digests(engine: Engine) -> dict[str, str]:
    """Per table (and "*" for all of them): the digest of its content (see content_digest)."""
    with engine.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        tables = [t for t in meta.sorted_tables if t.name not in RUN_BOOKKEEPING_TABLES]
        row_keys: dict[str, dict] = {}  # table -> surrogate id -> content hash of that row
        out: dict[str, str] = {}
        for table in tables:
            hashes, by_id = _table_hashes(conn, table, row_keys)
            if by_id is not None:
                row_keys[table.name] = by_id
            out[table.name] = hashlib.sha256(b"".join(sorted(hashes))).hexdigest()
    whole = hashlib.sha256()
    for name in sorted(out):
        whole.update(f"{name}\x1e{out[name]}\x1d".encode())
    out["*"] = whole.hexdigest()
    return out


def _surrogate_id(table: Table) -> str | None:
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and pk[0].name == "id":
        return "id"
    return None


def _table_hashes(conn: Connection, table: Table, row_keys: dict[str, dict]) -> tuple[list[bytes], dict | None]:
    sid = _surrogate_id(table)
    refs: dict[str, str] = {}  # column -> referred table whose surrogate id it holds
    for fk in table.foreign_keys:
        target = fk.column
        if _surrogate_id(target.table) == target.name:
            refs[fk.parent.name] = target.table.name
    cols = [c for c in table.columns if c.name != sid and not isinstance(c.type, DateTime)
            and c.name not in RUN_BOOKKEEPING_COLUMNS and refs.get(c.name) not in RUN_BOOKKEEPING_TABLES]
    cols.sort(key=lambda c: c.name)
    select_cols = cols + ([table.c[sid]] if sid else [])
    self_refs = [c.name for c in cols if refs.get(c.name) == table.name]
    base: dict = {}
    rows = []
    for row in conn.execute(select(*select_cols)).mappings():
        parts = []
        for c in cols:
            v = row[c.name]
            if c.name in refs and v is not None and c.name not in self_refs:
                v = row_keys.get(refs[c.name], {}).get(v, f"missing {refs[c.name]} {v}")
            parts.append(f"{c.name}={_norm(v, c)}")
        h = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).digest()
        if sid:
            base[row[sid]] = h
        rows.append((h, row))
    if self_refs:  # a reference to a row of the same table: that row's own content, one level deep
        rows = [(hashlib.blake2b(h + b"".join(base.get(row[c], b"-") for c in self_refs), digest_size=16).digest(),
                 row) for h, row in rows]
    hashes = [h for h, _ in rows]
    by_id = {row[sid]: h.hex() for h, row in rows} if sid else None
    return hashes, by_id


def _norm(v, column) -> str:
    if v is None:
        return "\x00"
    if isinstance(column.type, Boolean) or isinstance(v, bool):
        return "1" if v in (True, 1, "1") else "0"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, (bytes, memoryview)):
        return bytes(v).hex()
    return str(v)

