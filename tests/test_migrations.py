"""Upgrading a populated store: a store built at the first Alembic revision (0001), holding the real samples,
is migrated to the latest revision ("head", whatever it is) without losing or changing a figure, and then
has exactly the schema the models declare. On SQLite and on PostgreSQL.

The 0001 store's rows are the real samples as today's loader writes them (tests/fixtures/samples, plus one
real UNHCR file with a row set aside), restricted to the tables and columns of revision 0001 and inserted
with plain SQL: what a store built at that revision holds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, insert, select, text
from sqlalchemy.engine import make_url

from etl import db
from etl import store as ops
from etl.load import load_file
from etl.models import Base

FIRST_REVISION = "0001"
BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


@pytest.fixture(scope="module")
def head_store() -> Engine:
    """The real samples loaded at head into a private SQLite store (the rows to put into a 0001 store)."""
    from conftest import load_samples

    eng = db.make_engine("sqlite://")
    load_samples(eng)
    # A real UNHCR line with one count made negative (tests/fixtures/bad/README.md): one row set aside.
    result = load_file(eng, BAD / "unhcr_negative_count.csv")
    assert result.status == "partial"
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(request, tmp_path) -> Engine:
    """An empty database: a new SQLite file, or the wiped TEST_DATABASE_URL database with no schema at all."""
    if request.param == "sqlite":
        eng = db.make_engine(f"sqlite:///{tmp_path / 'store_0001.db'}")
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url or "test" not in (make_url(url).database or ""):
            pytest.fail("TEST_DATABASE_URL must name a throwaway database with 'test' in its name "
                        "(bash scripts/test.sh starts one)", pytrace=False)
        eng = db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    yield eng
    eng.dispose()


def _parents_first(rows: list[dict]) -> list[dict]:
    """Place rows ordered so that a parent is written before its children (place.parent_code is a FK)."""
    by_code = {r["code"]: r for r in rows}

    def depth(code: str, seen=()) -> int:
        parent = by_code[code]["parent_code"]
        return 0 if parent is None or parent not in by_code or parent in seen else 1 + depth(parent, (*seen, code))

    return sorted(rows, key=lambda r: (depth(r["code"]), r["code"]))


def copy_into_first_revision(source: Engine, target: Engine) -> dict[str, int]:
    """Insert the source's rows into the target's 0001 tables, only the columns those tables have."""
    old, src = MetaData(), MetaData()
    counts = {}
    with source.connect() as s_conn, target.begin() as t_conn:
        old.reflect(t_conn)
        src.reflect(s_conn)
        for table in old.sorted_tables:
            if table.name == "alembic_version":
                continue
            missing = [c.name for c in table.columns if c.name not in src.tables[table.name].c]
            assert not missing, f"{table.name}: columns of revision 0001 gone from the models: {missing}"
            cols = [src.tables[table.name].c[c.name] for c in table.columns]
            rows = [dict(r) for r in s_conn.execute(select(*cols)).mappings()]
            if table.name == "place":
                rows = _parents_first(rows)
            for i in range(0, len(rows), 500):
                t_conn.execute(insert(table), rows[i:i + 500])
            counts[table.name] = len(rows)
            if target.dialect.name == "postgresql" and "id" in table.c and table.c.id.autoincrement:
                t_conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"coalesce(max(id), 1)) FROM {table.name}"))
    return counts


def snapshot(engine: Engine, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the given tables and columns, in primary-key order."""
    meta = MetaData()
    out = {}
    with engine.connect() as conn:
        meta.reflect(conn, only=list(tables))
        for name, columns in tables.items():
            table = meta.tables[name]
            order = list(table.primary_key.columns) or [table.c[c] for c in columns]
            out[name] = [tuple(r) for r in conn.execute(select(*(table.c[c] for c in columns)).order_by(*order))]
    return out


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_a_store_built_at_the_first_revision_upgrades_to_head_without_losing_a_figure(head_store, empty_store):
    db.upgrade(empty_store, FIRST_REVISION)  # alembic.command.upgrade(cfg, "0001") with etl/db.py's config
    assert revision(empty_store) == FIRST_REVISION
    counts = copy_into_first_revision(head_store, empty_store)
    assert counts["observation"] > 0 and counts["rejected_row"] == 1  # samples + the partial UNHCR file
    old_meta = MetaData()
    with empty_store.connect() as conn:
        old_meta.reflect(conn)
    tables = {t.name: [c.name for c in t.columns] for t in old_meta.sorted_tables if t.name != "alembic_version"}
    before = snapshot(empty_store, tables)

    ops.init(empty_store)  # what `python -m etl init` runs: alembic upgrade head, then the idempotent seeds

    head = ScriptDirectory.from_config(db.alembic_config(empty_store)).get_current_head()
    assert revision(empty_store) == head != FIRST_REVISION
    after = snapshot(empty_store, tables)
    for name in tables:  # counts, values and provenance: every row and every column of revision 0001
        assert len(after[name]) == len(before[name]), name
        assert after[name] == before[name], f"{name}: rows changed by the upgrade"
    with empty_store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []  # the upgraded schema is the schema the models declare
        # the summary tables added later (0008) were filled from the figures already there, as the loader keeps them
        from etl import summaries
        assert summaries.stored(conn) == summaries.computed(conn) != {}
        assert summaries.stored(conn) == summaries.stored(head_store.connect())
        # the worked example's figure, with its provenance, read through today's models
        row = conn.execute(text(
            "SELECT o.value, d.url, s.publisher, r.label FROM observation o JOIN document d ON d.id = o.document_id "
            "JOIN series s ON s.id = o.series_id JOIN release r ON r.id = o.release_id "
            "WHERE o.origin_code = 'SYR' AND o.location_code = 'TUR' AND o.population_group = 'REF' "
            "AND o.period_end = :end AND o.is_latest = :latest"), {"end": "2019-12-31", "latest": True}).all()
    assert [(v, p, rel) for v, _url, p, rel in row] == [(3576370, "UNHCR", "refugees 2025.12.1")]
