"""On PostgreSQL a file loads without prepared statements (so no generic plan made while the table was small is
kept for its growing key lookups), the foreign-key checks keep their cached plans, and the connection's setting is
given back afterwards; a file cut into many small chunks finds the figures of its earlier chunks by key."""
from __future__ import annotations

from conftest import SAMPLES
from sqlalchemy import func, select, text

import etl.load as load
from etl import store as ops
from etl.models import Observation

SAMPLE = SAMPLES / "unhcr_population_sample.csv"


def test_a_load_sends_no_prepared_statement_and_restores_the_connection(pg_engine, monkeypatch):
    ops.init(pg_engine)
    monkeypatch.setattr(load, "CHUNK_FIGURES", 2)  # nine chunks: each lookup statement runs more than 5 times
    seen = {}
    finish = load.FileWriter.finish

    def finish_and_look(self, *args, **kwargs):
        driver = self.conn.connection.driver_connection
        seen["threshold"] = driver.prepare_threshold
        seen["prepared"] = self.conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        seen["plan_cache_mode"] = self.conn.execute(text("SHOW plan_cache_mode")).scalar_one()
        seen["driver"] = driver
        return finish(self, *args, **kwargs)

    monkeypatch.setattr(load.FileWriter, "finish", finish_and_look)
    result = load.load_file(pg_engine, SAMPLE)
    assert result.status == "success" and result.rows_new > 2 * 5
    assert seen["threshold"] is None and seen["prepared"] == 0
    assert seen["plan_cache_mode"] == "auto"  # the foreign-key checks' plans are not re-made per figure
    assert seen["driver"].prepare_threshold == 5  # psycopg's default, given back with the connection


def test_the_same_file_in_many_chunks_on_postgresql_finds_its_figures_by_key(pg_engine, monkeypatch):
    ops.init(pg_engine)
    first = load.load_file(pg_engine, SAMPLE)
    monkeypatch.setattr(load, "CHUNK_FIGURES", 2)
    again = load.load_file(pg_engine, SAMPLE, force=True)  # every figure is looked up by key, chunk by chunk
    assert again.status == "success"
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, first.rows_new)
    with pg_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Observation)) == first.rows_new
