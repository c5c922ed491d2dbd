"""etl.integrity: check() finds each kind of damage a killed or buggy load could leave, on SQLite and PostgreSQL;
content_digest() ignores ids, timestamps and run bookkeeping but sees every change of content, in any table.

The damage is done by the tests with SQL on a store loaded from real samples (tests/fixtures/samples); the
revised release is SYNTHETIC (a real UNHCR line with its value changed by the test) and says so.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES
from sqlalchemy import insert, select, text, update

from etl import db, integrity
from etl import store as ops
from etl.load import INTERRUPTED_MESSAGE, load_file
from etl.models import LoadRun, Observation
from tests.test_vintages import SYR_TUR_2019, write_release

ROOT = Path(__file__).resolve().parents[1]
FILES = [SAMPLES / "unhcr_population_sample.csv", SAMPLES / "syria_idps_yearly_sample.csv",
         SAMPLES / "nw_syria_displacement_sample.csv"]


def load(eng, tmp_path: Path) -> None:
    """Three real samples plus a SYNTHETIC revision of one real UNHCR line (so one figure has two vintages)."""
    ops.init(eng)
    for path in FILES:
        assert load_file(eng, path).status == "success"
    load_file(eng, write_release(tmp_path / "r1", SYR_TUR_2019, "refugees 2025.12.1", "2026-06-25"))
    revised = SYR_TUR_2019.replace("3576370", "3576999")  # SYNTHETIC revision, for this test only
    assert load_file(eng, write_release(tmp_path / "r2", revised, "synthetic 2026.11", "2026-11-01")).rows_changed


@pytest.fixture
def loaded(store, tmp_path):
    load(store, tmp_path)
    return store


def unchecked(eng):
    """A connection on which the store does not enforce references (to plant damage a bug could leave)."""
    conn = eng.connect()
    if eng.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    else:
        conn.exec_driver_sql("SET session_replication_role = replica")
    return conn


def revised_key(eng) -> str:
    with eng.connect() as conn:
        return conn.scalar(select(Observation.identity_key).where(Observation.vintage == 2))


def test_a_loaded_store_is_sound(loaded):
    assert revised_key(loaded) is not None
    assert integrity.check(loaded) == []


def test_a_figure_whose_document_is_gone_is_reported(loaded):
    with unchecked(loaded) as conn:
        conn.execute(update(Observation).where(Observation.id == conn.scalar(select(func_min_id())))
                     .values(document_id=999_999))
        conn.commit()
    problems = integrity.check(loaded)
    assert any("1 observation rows refer to a missing document (document_id)" in p for p in problems), problems


def func_min_id():
    from sqlalchemy import func
    return func.min(Observation.id)


def test_two_current_vintages_are_reported(loaded):
    key = revised_key(loaded)
    with loaded.begin() as conn:
        conn.execute(update(Observation).where(Observation.identity_key == key).values(is_latest=True))
    problems = integrity.check(loaded)
    assert any("1 figures do not have exactly one current vintage" in p and key in p for p in problems), problems


def test_no_current_vintage_is_reported(loaded):
    key = revised_key(loaded)
    with loaded.begin() as conn:
        conn.execute(update(Observation).where(Observation.identity_key == key).values(is_latest=False))
    assert any("exactly one current vintage" in p for p in integrity.check(loaded))


def test_a_gap_in_vintages_is_reported(loaded):
    key = revised_key(loaded)
    with loaded.begin() as conn:
        conn.execute(update(Observation).where(Observation.identity_key == key, Observation.vintage == 2)
                     .values(vintage=3))
    problems = integrity.check(loaded)
    assert any("vintages that do not run 1, 2" in p and key in p for p in problems), problems


def test_a_half_loaded_file_is_reported(loaded):
    with loaded.begin() as conn:
        run = conn.execute(select(LoadRun).where(LoadRun.path.like("%nw_syria%"))).one()
        victim = conn.scalar(select(Observation.id).where(Observation.run_id == run.id).limit(1))
        conn.execute(Observation.__table__.delete().where(Observation.id == victim))
    problems = integrity.check(loaded)
    assert any(f"load_run {run.id} " in p and f"recorded {run.rows_new} new + 0 changed figures but "
               f"{run.rows_new - 1} are in the store" in p for p in problems), problems


def test_figures_of_a_failed_run_are_reported(loaded):
    with loaded.begin() as conn:
        run_id = conn.scalar(select(LoadRun.id).where(LoadRun.path.like("%nw_syria%")))
        conn.execute(update(LoadRun).where(LoadRun.id == run_id).values(status="failed"))
    problems = integrity.check(loaded)
    assert any(f"load_run {run_id} " in p and "is 'failed' but" in p for p in problems), problems


def test_a_run_left_running_is_stuck_once_stale_and_the_next_refresh_fails_it(loaded, tmp_path, monkeypatch):
    now = dt.datetime.now(dt.UTC)
    with loaded.begin() as conn:  # what a writer that commits 'running' first and then dies would leave
        old = conn.execute(insert(LoadRun).values(source="killed", path="killed.csv", status="running",
                                                  started_at=now - dt.timedelta(hours=2))).inserted_primary_key[0]
        conn.execute(insert(LoadRun).values(source="recent", path="recent.csv", status="running", started_at=now))
    problems = integrity.check(loaded)
    assert len(problems) == 1 and problems[0].startswith(f"load_run {old} has been 'running' since"), problems
    assert len(integrity.check(loaded, stale_after=dt.timedelta(0))) == 2

    raw = tmp_path / "raw"  # a refresh of an empty RAW_DIR: it only closes the interrupted runs
    raw.mkdir()
    (raw / "MANIFEST.csv").write_text("file,format,retrieved_on,release,released_on,channel,obtained_from,"
                                      "licence\n", encoding="utf-8")
    monkeypatch.setattr(ops.config, "RAW_DIR", raw)
    assert ops.refresh(loaded) == []
    with loaded.connect() as conn:
        left = conn.execute(select(LoadRun.status, LoadRun.message).where(LoadRun.source.in_(["killed", "recent"])))
        assert set(left) == {("failed", INTERRUPTED_MESSAGE)}
    assert integrity.check(loaded, stale_after=dt.timedelta(0)) == []


def test_the_digest_ignores_ids_timestamps_and_run_bookkeeping(engine, tmp_path):
    load(engine, tmp_path)
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        ops.init(other)  # another store: other ids and timestamps, a skipped and a forced load on top
        with other.begin() as conn:  # shift every run id: run ids must not matter
            conn.execute(insert(LoadRun).values(source="x", path="x", status="rejected",
                                                started_at=dt.datetime.now(dt.UTC)))
        load(other, tmp_path / "again")
        assert load_file(other, FILES[0]).skipped
        forced = load_file(other, FILES[2], force=True)  # the same figures again: nothing changes
        assert (forced.rows_new, forced.rows_changed, forced.rows_unchanged) == (0, 0, 26)
        assert integrity.content_digest(other) == integrity.content_digest(engine)
    finally:
        other.dispose()


def test_the_digest_sees_a_changed_value_a_provenance_field_and_a_new_table(engine, tmp_path):
    load(engine, tmp_path)
    before = integrity.content_digests(engine)
    with engine.begin() as conn:
        oid = conn.scalar(select(func_min_id()))
        conn.execute(update(Observation).where(Observation.id == oid).values(value=Observation.value + 1))
    changed = integrity.content_digests(engine)
    assert changed["observation"] != before["observation"] and changed["*"] != before["*"]
    assert {k: v for k, v in changed.items() if k not in ("observation", "*")} == \
           {k: v for k, v in before.items() if k not in ("observation", "*")}
    with engine.begin() as conn:
        conn.execute(update(Observation).where(Observation.id == oid).values(value=Observation.value - 1))
        assert integrity.content_digests(engine) == before
        conn.execute(text("UPDATE document SET url = url || '#x' WHERE id = (SELECT min(id) FROM document)"))
    moved = integrity.content_digests(engine)
    assert moved["document"] != before["document"]
    assert moved["observation"] != before["observation"]  # figures name their document by content, not by id
    with engine.begin() as conn:  # a table added later (a ledger) is covered without naming it
        conn.execute(text("CREATE TABLE ledger_example (id INTEGER PRIMARY KEY, observation_id INTEGER "
                          "REFERENCES observation(id), rank INTEGER, decided_at TIMESTAMP)"))
        conn.execute(text(f"INSERT INTO ledger_example VALUES (1, {oid}, 1, '2026-01-01 00:00:00')"))
    with_ledger = integrity.content_digests(engine)
    assert "ledger_example" in with_ledger and with_ledger["*"] != moved["*"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_example SET decided_at = '2027-01-01 00:00:00', id = 7"))
    assert integrity.content_digests(engine)["*"] == with_ledger["*"]  # a timestamp or an id is not content


def test_the_digest_is_the_same_on_sqlite_and_postgresql(engine, pg_engine, tmp_path):
    load(engine, tmp_path / "a")
    load(pg_engine, tmp_path / "b")
    assert integrity.content_digests(pg_engine) == integrity.content_digests(engine)


def test_cli_check_exits_1_with_the_problems_and_0_when_sound(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    eng = db.make_engine(url)
    try:
        load(eng, tmp_path)
        env = {**os.environ, "DATABASE_URL": url}
        ok = subprocess.run([sys.executable, "-m", "etl", "check", "--digest"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
        assert ok.returncode == 0, ok.stderr
        assert f"content digest: {integrity.content_digest(eng)}" in ok.stdout and "ok" in ok.stdout
        key = revised_key(eng)
        with eng.begin() as conn:
            conn.execute(update(Observation).where(Observation.identity_key == key).values(is_latest=True))
    finally:
        eng.dispose()
    bad = subprocess.run([sys.executable, "-m", "etl", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1
    assert "problem: 1 figures do not have exactly one current vintage" in bad.stderr
    # the two current vintages are counted twice by the Flows summary's definition, once in the table
    assert "the Flows summary (flow_set_count) differs from the figures for 1 sets" in bad.stderr
    assert "2 problems" in bad.stdout


def test_a_store_one_migration_behind_says_how_to_migrate(store):
    """A store made by older code (here: migrated only to 0006) names its revision and `etl init`, then what it
    lacks; after `etl init`'s upgrade it is sound."""
    from alembic import command

    cfg = db.alembic_config(store)
    with store.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    problems = integrity.check(store)
    assert problems[0].startswith(f"the store is at schema revision 0006, the code at {db.head_revision()}: run "
                                  "`python -m etl init`")
    assert "index ix_observation_latest_totals_cover of table observation is missing" in problems
    db.upgrade(store)
    assert integrity.check(store) == []


def test_an_unknown_revision_is_reported(store):
    ops.init(store)
    with store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert any("schema revision is 9999, which this code does not know" in p for p in integrity.check(store))


def test_a_store_not_made_by_etl_init_is_told_to_run_it(tmp_path):
    from etl.models import Base

    eng = db.make_engine(f"sqlite:///{tmp_path / 'made_by_create_all.db'}")
    Base.metadata.create_all(eng)
    problems = integrity.check(eng)
    assert problems[0].startswith(f"no schema revision is recorded in the store (the code is at {db.head_revision()}): "
                                  "run `python -m etl init`"), problems
    eng.dispose()


def test_an_empty_store_has_no_problem(tmp_path):
    """A store nothing has been made in yet (e.g. a refresh killed before its first migration committed) is empty,
    not unsound: the next `etl init` or refresh makes it."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert integrity.check(eng) == []
    ops.init(eng)
    assert integrity.check(eng) == []
    eng.dispose()
