"""The refresh lock: two refreshes never overlap (a file lock beside a SQLite store; a PostgreSQL advisory lock
held on a dedicated connection, which also covers refreshes on other machines)."""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

EXIT_LOCKED = 75  # sysexits EX_TEMPFAIL: try again later (cron and systemd treat it as a failure to retry)
# pg_try_advisory_lock(int4, int4): "disp" and 6 (this issue), shown in pg_locks as classid / objid.
PG_LOCK_KEY = (0x64697370, 6)
_memory_lock = threading.Lock()  # an in-memory SQLite store lives in one process only


class LockBusy(Exception):
    """Another refresh holds the lock; `holder` says since when, which process and which host."""

    def __init__(self, holder: dict):
        self.holder = holder
        since = holder.get("since") or "an unknown time"
        super().__init__(f"a refresh is already running since {since} (pid {holder.get('pid', '?')} on host "
                         f"{holder.get('host', '?')}); this one did nothing: try again when it has finished")


def holder_info() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


@contextmanager
def refresh_lock(engine: Engine) -> Iterator[dict]:
    """Hold the refresh lock of `engine`'s store for the duration of the block, or raise LockBusy at once."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with _pg_lock(engine) as me:
            yield me
    elif backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _file_lock(lock_path(engine)) as me:
            yield me
    else:
        if not _memory_lock.acquire(blocking=False):
            raise LockBusy({"pid": os.getpid(), "host": socket.gethostname()})
        try:
            yield holder_info()
        finally:
            _memory_lock.release()


def lock_path(engine: Engine) -> Path:
    """The lock file beside a SQLite store: data/displacement.db -> data/displacement.db.refresh.lock."""
    db = Path(engine.url.database)
    return db.with_name(db.name + ".refresh.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[dict]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the kernel if the process dies
        except BlockingIOError:
            raise LockBusy(_read_holder(fd)) from None
        me = holder_info()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except ValueError:  # the holder is writing its details this very moment
        return {}


@contextmanager
def _pg_lock(engine: Engine) -> Iterator[dict]:
    me = holder_info()
    # Its own connection, outside the pool, in autocommit: the session lock is held as long as the connection
    # lives (PostgreSQL frees it when a killed refresh's connection drops) and no transaction stays open.
    app_name = f"etl refresh pid {me['pid']} on {me['host']}"[:63]
    lock_engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                connect_args={"application_name": app_name})
    try:
        with lock_engine.connect() as conn:
            if not conn.scalar(text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": PG_LOCK_KEY[0],
                                                                             "b": PG_LOCK_KEY[1]}):
                raise LockBusy(_pg_holder(conn))
            try:
                yield me
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": PG_LOCK_KEY[0], "b": PG_LOCK_KEY[1]})
    finally:
        lock_engine.dispose()


def _pg_holder(conn) -> dict:
    row = conn.execute(text(
        "SELECT a.application_name, a.backend_start, a.client_addr FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid::bigint = :a AND l.objid::bigint = :b AND l.objsubid = 2"),
        {"a": PG_LOCK_KEY[0], "b": PG_LOCK_KEY[1]}).first()
    if row is None:  # released between our attempt and this look
        return {}
    parts = (row.application_name or "").split()  # "etl refresh pid 123 on host"
    pid = parts[3] if len(parts) > 3 else "?"
    host = parts[5] if len(parts) > 5 else str(row.client_addr or "?")
    return {"pid": pid, "host": host, "since": row.backend_start.astimezone(dt.UTC).isoformat(timespec="seconds")}
