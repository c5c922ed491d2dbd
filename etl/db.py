"""Engine creation (SQLite in WAL mode, PostgreSQL via psycopg) and schema migration through Alembic."""
from __future__ import annotations

import functools
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from etl import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: DATABASE_URL); SQLite gets WAL, foreign keys and a busy timeout."""
    url = url or config.database_url()
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs = {"poolclass": StaticPool} if in_memory else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # readers are not blocked by a load in WAL mode
            cur = dbapi_conn.cursor()
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            if max_pages := os.environ.get("SQLITE_MAX_PAGE_COUNT"):  # a full disk, for tests/test_full_disk.py
                cur.execute(f"PRAGMA max_page_count={int(max_pages)}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest Alembic revision the code ships (etl/migrations/versions)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def known_revisions() -> set[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` (Alembic owns the schema)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Python's sqlite3 opens a transaction only before DML, so the migration's first CREATE TABLEs
            # were committed one by one: a refresh killed during the first migration left tables without
            # their alembic_version, and every later run failed ("table load_run already exists"). An explicit
            # BEGIN makes the whole upgrade one transaction (SQLite's DDL is transactional).
            conn.exec_driver_sql("BEGIN")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
