"""Where each benchmark store lives (one per store kind and size), and wiping one safely before it is refilled."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from benchmarks.sizes import size_label

STORES_DIR = Path(__file__).resolve().parent / "stores"  # gitignored
STORE_KINDS = ("sqlite", "postgresql")
# Only databases whose name says they hold benchmark data are ever dropped.
SAFE_NAME_WORDS = ("bench", "synthetic")


def store_url(kind: str, n_rows: int, database_url: str | None = None) -> str:
    """The URL of the synthetic store of `n_rows` rows: a SQLite file under benchmarks/stores/, or the database
    bench_synthetic_<size> on the PostgreSQL server of `database_url` (or BENCH_DATABASE_URL / TEST_DATABASE_URL).
    A URL containing '{size}' is used as a template instead."""
    label = size_label(n_rows)
    if kind not in STORE_KINDS:
        raise ValueError(f"unknown store {kind!r}; known: {', '.join(STORE_KINDS)}")
    given = database_url.replace("{size}", label) if database_url else None
    backend = make_url(given).get_backend_name() if given else None
    if kind == "sqlite":  # a PostgreSQL server's URL (for the other kind) leaves the SQLite files in place
        return given if backend == "sqlite" else f"sqlite:///{STORES_DIR / f'synthetic_{label}.db'}"
    if backend == "sqlite":
        raise ValueError(f"{database_url!r} is not a PostgreSQL server (for the postgresql stores)")
    if database_url and "{size}" in database_url:
        return given
    return pg_database_url(f"bench_synthetic_{label}", database_url)


def pg_database_url(name: str, database_url: str | None = None) -> str:
    """The database `name` on the PostgreSQL server of `database_url` (or BENCH_DATABASE_URL / TEST_DATABASE_URL)."""
    server = database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not server:
        raise SystemExit("PostgreSQL benchmarks need a server: pass --database-url "
                         "postgresql+psycopg://user@host:port/db (or `source scripts/pg.sh && pg_start`, which "
                         "exports TEST_DATABASE_URL)")
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def is_safe_to_wipe(url: str) -> bool:
    u = make_url(url)
    name = Path(u.database or "").name if u.get_backend_name() == "sqlite" else (u.database or "")
    return any(w in name.lower() for w in SAFE_NAME_WORDS)


def recreate(url: str) -> None:
    """Remove the store at `url` and make it empty again (a fresh file, or DROP and CREATE DATABASE)."""
    if not is_safe_to_wipe(url):
        raise SystemExit(f"refusing to wipe {make_url(url).render_as_string()}: its name must contain one of "
                         f"{', '.join(SAFE_NAME_WORDS)}")
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(u.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        admin.dispose()


def free_bytes(url: str) -> tuple[int, str]:
    """Free bytes where the store's data go, and that folder (PostgreSQL: the server's data directory when this
    client may read it, else the filesystem root)."""
    u: URL = make_url(url)
    if u.get_backend_name() == "sqlite":
        folder = Path(u.database).resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path("/")
        eng = create_engine(u)
        try:
            with eng.connect() as conn:
                found = Path(conn.execute(text("SHOW data_directory")).scalar_one())
            if found.exists():
                folder = found
        except Exception:  # not a superuser, or the server is on another machine: the root is the best guess
            pass
        finally:
            eng.dispose()
    return shutil.disk_usage(folder).free, str(folder)
