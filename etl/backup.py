"""`python -m etl backup OUT`: a consistent copy of the store while the dashboard reads and a load may write.

SQLite: the online backup API (sqlite3.Connection.backup) into a new SQLite file. PostgreSQL: `pg_dump
--format=custom` (restore with `pg_restore`); the password goes through PGPASSWORD, never the command line."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine


class BackupError(Exception):
    """A backup that could not be made, with a message for the person who ran it."""


def _pg_dump() -> str:
    found = shutil.which("pg_dump")
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise BackupError("pg_dump was not found: install the PostgreSQL client (apt-get install -y postgresql-client)")
    return str(versions[-1])


def backup(engine: Engine, out: Path) -> str:
    """Write the store to `out` (which must not exist yet); a sentence saying what was written."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise BackupError("an in-memory store cannot be backed up")
        if not Path(url.database).exists():
            raise BackupError(f"the SQLite store {url.database} does not exist")
        src = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        dst = sqlite3.connect(out)
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return f"SQLite store copied to {out} (restore: stop the dashboard and put this file in place)"
    if url.get_backend_name() == "postgresql":
        env = {**os.environ}
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        done = subprocess.run([_pg_dump(), "--format=custom", "--no-owner", "--file", str(out), "--dbname", dsn],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            out.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
        return f"PostgreSQL store dumped to {out} (restore: pg_restore --clean --if-exists --no-owner -d DB {out})"
    raise BackupError(f"no backup for {url.get_backend_name()} stores")
