"""A full disk mid-load (SQLite's PRAGMA max_page_count reached): a clear error, exit 1, the store intact.

SQLITE_MAX_PAGE_COUNT (read by etl.db.make_engine for this test) caps the store a few pages above its size;
loading a real shipped file (data/raw/unhcr_idmc.csv.gz, 934 rows) then runs out of room inside its
transaction. The store must pass its integrity check, keep exactly its earlier content, and take the file
once there is room again.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES, load_samples
from sqlalchemy import text

from etl import db, integrity

ROOT = Path(__file__).resolve().parents[1]
BIG = ROOT / "data" / "raw" / "unhcr_idmc.csv.gz"
FILES = [SAMPLES / "unhcr_population_sample.csv", SAMPLES / "nw_syria_displacement_sample.csv"]


def etl(url: str, *args: str, max_pages: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("SQLITE_MAX_PAGE_COUNT", None)
    if max_pages is not None:
        env["SQLITE_MAX_PAGE_COUNT"] = str(max_pages)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_full_disk_mid_load_fails_clearly_and_leaves_the_store_intact(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    eng = db.make_engine(url)
    try:
        load_samples(eng, FILES)
        before = integrity.content_digest(eng)
        with eng.connect() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
            n_before = conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
    finally:
        eng.dispose()

    full = etl(url, "load", str(BIG), max_pages=pages + 3)

    assert full.returncode == 1, full.stdout + full.stderr
    assert "Traceback" not in full.stderr
    assert "FAILED unhcr_idmc.csv.gz: " in full.stderr
    assert "the disk or the database is full (database or disk is full): nothing of this file was written" \
        in full.stderr
    assert "free space where the store lives" in full.stderr
    print(full.stderr)
    eng = db.make_engine(url)
    try:
        assert integrity.check(eng) == []
        assert integrity.content_digest(eng) == before
        with eng.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM observation")).scalar_one() == n_before
            assert conn.execute(text("SELECT count(*) FROM load_run WHERE source = 'unhcr_idmc' "
                                     "AND status IN ('success', 'partial')")).scalar_one() == 0
    finally:
        eng.dispose()

    again = etl(url, "load", str(BIG))  # room again: the same file loads whole
    assert again.returncode == 0, again.stderr
    assert "934 rows read, 934 new" in again.stdout
    eng = db.make_engine(url)
    try:
        assert integrity.check(eng) == []
        assert integrity.content_digest(eng) != before
    finally:
        eng.dispose()
