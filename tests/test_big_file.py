"""A big labelled-synthetic UNHCR population table loads in chunks inside one transaction, with a memory ceiling.

The loading process is a real `python -m etl load` in a subprocess; its peak resident memory (VmHWM, which it
reports as it exits) must stay under RSS_LIMIT_MB whatever the file's size. A file of the same kind cut mid-row
near its end is rejected whole, with the store's content digest unchanged, although most of its chunks were
written before the cut line was read.

On SQLite a file of ETL_BULK_LOAD_MB or more is a bulk load (observation's secondary indexes dropped and rebuilt
inside the transaction); the "sqlite-bulk" case sets that threshold to 0 so that the CI-sized file takes the bulk
path too, and every case ends with the store's integrity checks (which include every declared index).

Size: BIG_FILE_MB (default 2, CI). The full size (docs/reliability.md, about 7.6 million lines):
    BIG_FILE_MB=500 .venv/bin/python -m pytest tests/test_big_file.py -s -p no:randomly
The memory bound is a ceiling, not a speed assertion: times are printed (-s), never asserted.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from benchmarks import bigfile
from etl import db, integrity
from etl import store as ops
from etl.models import LoadRun, Observation, RejectedRow

BIG_FILE_MB = float(os.environ.get("BIG_FILE_MB", "2"))
RSS_LIMIT_MB = 400
TRUNCATED_MB = max(BIG_FILE_MB / 3, 2)  # still a dozen chunks written before the cut line is read


@pytest.fixture(params=["sqlite", "sqlite-bulk", "postgres"])
def store_url(request, tmp_path, monkeypatch) -> str:
    """An empty migrated store with the gazetteer: a SQLite file, or the wiped TEST_DATABASE_URL database."""
    if request.param == "sqlite-bulk":
        monkeypatch.setenv("ETL_BULK_LOAD_MB", "0")  # the load subprocess inherits it
    if request.param.startswith("sqlite"):
        engine = db.make_engine(f"sqlite:///{tmp_path / 'big.db'}")
    else:
        engine = request.getfixturevalue("pg_engine")
    ops.init(engine)
    engine.dispose()
    return engine.url.render_as_string(hide_password=False)


def test_a_big_file_loads_in_one_transaction_under_the_memory_ceiling(store_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("big-file")  # under the temp dir (/tmp), removed by pytest
    engine = db.make_engine(store_url)
    try:
        # 1. Cut mid-row near its end: rejected whole, nothing of its earlier chunks stays.
        cut = bigfile.write(folder, TRUNCATED_MB, seed=8, name=f"{bigfile.PREFIX}_unhcr_population_cut.csv")
        cut_line = bigfile.truncate_mid_row(cut.path)
        before = integrity.content_digest(engine)
        rejected = bigfile.run_load(store_url, cut.path, folder)
        print(f"\ncut file {cut.bytes / 1e6:.0f} MB, {cut.lines:,} lines: exit {rejected.code} in "
              f"{rejected.seconds:.0f} s, peak RSS {rejected.peak_rss_mb:.0f} MB")
        assert rejected.code == 1, rejected.stdout + rejected.stderr
        assert "REJECTED" in rejected.stderr and f"row {cut_line}:" in rejected.stderr, rejected.stderr
        # too few fields, or (cut inside a quoted country name) an unbalanced quote
        assert "fields but the header has 16" in rejected.stderr or "malformed CSV" in rejected.stderr
        assert cut_line > cut.lines - 100, (cut_line, cut.lines)  # near the end: after almost every chunk
        assert integrity.content_digest(engine) == before, "a rejected file left figures in the store"
        assert integrity.check(engine) == []  # a rolled-back bulk load leaves its dropped indexes in place
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Observation)) == 0
            assert conn.execute(select(LoadRun.status)).scalars().all() == ["rejected"]
        assert rejected.peak_rss_mb < RSS_LIMIT_MB

        # 2. The whole file: every figure arrives (the structural zeros are not figures), in one run.
        big = bigfile.write(folder, BIG_FILE_MB, seed=7)
        loaded = bigfile.run_load(store_url, big.path, folder)
        print(f"big file {big.bytes / 1e6:.0f} MB, {big.lines:,} lines, {big.figures:,} figures: exit "
              f"{loaded.code} in {loaded.seconds:.0f} s ({big.figures / loaded.seconds:,.0f} figures/s), "
              f"peak RSS {loaded.peak_rss_mb:.0f} MB")
        assert loaded.code == 0, loaded.stdout + loaded.stderr
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Observation)) == big.figures
            assert conn.scalar(select(func.count()).select_from(RejectedRow)) == 0
            run = conn.execute(select(LoadRun).where(LoadRun.status == "success")).one()
        assert (run.rows_read, run.rows_new, run.rows_set_aside) == (big.figures, big.figures, 0)
        assert loaded.peak_rss_mb < RSS_LIMIT_MB
        assert integrity.check(engine) == []
    finally:
        engine.dispose()
