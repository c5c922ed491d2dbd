"""The Flows summary (flow_set_count, etl/summaries.py) that the loader keeps in each file's transaction.

On SQLite and PostgreSQL: after every load of the real samples, and after revisions (a newer release, an older
release, a value withdrawn to 'not available'), the table equals its definition over the figures; a file rejected
after some of its figures were written leaves it as it was; `etl check` reports a summary that differs and
`etl summaries` rebuilds it. The revised lines are SYNTHETIC (a real UNHCR line with its value changed by the test)
and say so. The page's sets read from it are compared with the baseline in tests/test_fast_path.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import sample_files
from sqlalchemy import delete, select, update

from etl import db, integrity, summaries
from etl import store as ops
from etl.load import load_file
from etl.models import FlowSetCount
from tests.test_vintages import SYR_TUR_2019, write_release

ROOT = Path(__file__).resolve().parents[1]


def _stored(eng) -> dict:
    with eng.connect() as conn:
        return summaries.stored(conn)


def _definition(eng) -> dict:
    with eng.connect() as conn:
        return summaries.computed(conn)


def _syr_tur_refugees(eng) -> int | None:
    key = next((k for k in _stored(eng) if k[0] == "country" and k[2] == "REF" and str(k[6]) == "2019-12-31"), None)
    return _stored(eng).get(key)


def test_every_load_keeps_the_summary_equal_to_its_definition(store, tmp_path):
    ops.init(store)
    assert _stored(store) == {}
    for path in sample_files():
        assert load_file(store, path).status == "success"
        assert _stored(store) == _definition(store), path.name
    assert {k[0] for k in _stored(store)} == {"country", "governorate"}  # both levels are in the real samples
    assert all(n > 0 for n in _stored(store).values())

    before = _syr_tur_refugees(store)
    # the same figure, then a newer release revising it (SYNTHETIC value): a new vintage replaces it, same count
    load_file(store, write_release(tmp_path / "r1", SYR_TUR_2019, "refugees 2025.12.1", "2026-06-25"))
    revised = SYR_TUR_2019.replace("3576370", "3576999")  # SYNTHETIC revision, for this test only
    assert load_file(store, write_release(tmp_path / "r2", revised, "synthetic 2026.11", "2026-11-01")).rows_changed
    assert _stored(store) == _definition(store)
    # an older release with another value (SYNTHETIC): kept as a vintage, never current; nothing changes
    older = SYR_TUR_2019.replace("3576370", "3500000")  # SYNTHETIC, for this test only
    assert load_file(store, write_release(tmp_path / "r0", older, "synthetic 2020.1", "2020-01-01")).rows_changed
    assert _stored(store) == _definition(store)
    assert _syr_tur_refugees(store) == before
    # a newer release withholds the value (SYNTHETIC: published as '*', confidential): one link less
    withdrawn = SYR_TUR_2019.replace("3576370", "*")  # SYNTHETIC, for this test only
    assert load_file(store, write_release(tmp_path / "r3", withdrawn, "synthetic 2026.12", "2026-12-01")).rows_changed
    assert _stored(store) == _definition(store)
    assert _syr_tur_refugees(store) == before - 1
    # and a later one publishes it again (SYNTHETIC value): back
    again = SYR_TUR_2019.replace("3576370", "3577000")  # SYNTHETIC, for this test only
    assert load_file(store, write_release(tmp_path / "r4", again, "synthetic 2027.1", "2027-01-01")).rows_changed
    assert _stored(store) == _definition(store)
    assert _syr_tur_refugees(store) == before


def test_a_rejected_file_leaves_the_summary_as_it_was(store, tmp_path):
    ops.init(store)
    assert load_file(store, sample_files()[0]).status == "success"
    before = _stored(store)
    assert before
    # SYNTHETIC: good lines for years the store does not have (new sets), then too many negative counts: the good
    # lines are written in the file's transaction before the count of bad rows rejects the file
    good = [SYR_TUR_2019.replace("2019,", f"{year},", 1) for year in (1991, 1992, 1993)]
    bad = [SYR_TUR_2019.replace("3576370", "-5").replace("2019,", f"{1960 + i},", 1) for i in range(30)]
    path = write_release(tmp_path / "bad", "\n".join(good + bad), "synthetic bad", "2026-11-01")
    assert load_file(store, path).status == "rejected"
    assert _stored(store) == before == _definition(store)


def test_check_reports_a_summary_that_differs_and_summaries_rebuilds_it(store, tmp_path):
    if store.dialect.name == "sqlite":  # a file the command can open (the fixture's store is in memory)
        store = db.make_engine(f"sqlite:///{tmp_path}/store.db")
    ops.init(store)
    for path in sample_files()[:3]:
        assert load_file(store, path).status == "success"
    assert integrity.check(store) == []
    with store.begin() as conn:  # damage done by the test: one count off, one set gone
        first, second = conn.execute(select(FlowSetCount.level, FlowSetCount.series_id, FlowSetCount.period_end)
                                     .order_by(FlowSetCount.period_end).limit(2)).all()
        conn.execute(update(FlowSetCount).where(FlowSetCount.period_end == first.period_end,
                                                FlowSetCount.series_id == first.series_id)
                     .values(links=FlowSetCount.links + 1))
        conn.execute(delete(FlowSetCount).where(FlowSetCount.period_end == second.period_end,
                                                FlowSetCount.series_id == second.series_id,
                                                FlowSetCount.level == second.level))
    problems = integrity.check(store)
    assert len(problems) == 1 and "flow_set_count" in problems[0] and "python -m etl summaries" in problems[0]
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    done = subprocess.run([sys.executable, "-m", "etl", "summaries"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "flow_set_count" in done.stdout
    assert integrity.check(store) == []
    assert _stored(store) == _definition(store)


def test_level_of_agrees_with_the_sql_definition():
    assert summaries.level_of((0, "country"), (0, "country")) == "country"
    assert summaries.level_of((1, "admin1"), (1, "admin1")) == "governorate"
    assert summaries.level_of((1, "admin1"), (2, "admin2")) is None
    assert summaries.level_of((0, "country"), (1, "admin1")) is None
    assert summaries.level_of(None, (0, "country")) is None
    assert summaries.level_of((None, "composite"), (0, "country")) is None
