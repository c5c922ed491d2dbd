"""SIGKILL a real `python -m etl refresh --offline` at random points, on SQLite and on PostgreSQL.

After each kill: the store passes `etl.integrity.check`; a reader polling during the refresh never saw a file
half-loaded (for every load run it saw, either no figure or all of them); a rerun converges to exactly the
content digest of an uninterrupted refresh. The raw folder holds real files only: the samples of
tests/fixtures/samples and three files shipped in data/raw (about 1,300 figures, some seconds to load).

How many kills: KILL_TEST_RUNS per store (default 4, CI). The full count (docs/reliability.md):
    KILL_TEST_RUNS=20 bash scripts/test.sh tests/test_kill_refresh.py -s
The kill delays come from random.Random(KILL_TEST_SEED) (default 8), between 0 and the duration of the latest
uninterrupted refresh (the first, then every rerun that loaded all files): a failure names its seed and delay.
"""
from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import SAMPLES
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from etl import db, integrity
from etl.models import LoadRun

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHIPPED = ["unhcr_idmc.csv.gz", "turkey_syrians_temporary_protection_by_province.csv", "syria_idps_yearly.csv"]
RUNS = int(os.environ.get("KILL_TEST_RUNS", "4"))
SEED = int(os.environ.get("KILL_TEST_SEED", "8"))
KILL_DB = "displacement_kill_test"
TIMEOUT_S = 600


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    """The samples, then three shipped files, with their MANIFEST lines (the loader reads provenance there)."""
    folder = tmp_path_factory.mktemp("kill-raw")
    lines: list[dict] = []
    for manifest, names in ((SAMPLES / "MANIFEST.csv", None), (RAW / "MANIFEST.csv", SHIPPED)):
        with manifest.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if names is None or row["file"] in names:
                    shutil.copy(manifest.parent / row["file"], folder / row["file"])
                    lines.append(row)
    with (folder / "MANIFEST.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(lines[0]))
        w.writeheader()
        w.writerows(lines)
    assert len(lines) == 14
    return folder


class SqliteStores:
    def __init__(self, folder: Path):
        self.path = folder / "kill.db"

    def fresh(self) -> str:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{self.path}"

    def close(self) -> None:
        pass


class PostgresStores:
    """A database of its own on the TEST_DATABASE_URL server, dropped and created again for each refresh."""

    def __init__(self):
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.fail("TEST_DATABASE_URL is not set: run with `bash scripts/test.sh` (it starts PostgreSQL)",
                        pytrace=False)
        self.url = make_url(url).set(database=KILL_DB)
        self.admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def fresh(self) -> str:
        with self.admin.connect() as conn:  # FORCE: a killed client's backend may linger for a moment
            conn.execute(text(f"DROP DATABASE IF EXISTS {KILL_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {KILL_DB}"))
        return self.url.render_as_string(hide_password=False)

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {KILL_DB} WITH (FORCE)"))
        self.admin.dispose()


class Reader(threading.Thread):
    """Polls the figures per load run, each poll in its own transaction, while a refresh runs."""

    def __init__(self, url: str):
        super().__init__(name="kill-test-reader", daemon=True)
        self.engine = db.make_engine(url)
        self.stop = threading.Event()
        self.samples: list[dict[int, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with self.engine.connect() as conn:
                    self.samples.append(dict(conn.execute(
                        text("SELECT run_id, count(*) FROM observation GROUP BY run_id")).all()))
            except DBAPIError:  # the schema is not there yet (the refresh creates it)
                pass
            self.stop.wait(0.05)

    def finish(self) -> list[dict[int, int]]:
        self.stop.set()
        self.join(timeout=30)
        self.engine.dispose()
        return self.samples


@dataclass
class Outcome:
    seconds: float
    returncode: int | None
    killed: bool
    samples: list[dict[int, int]] = field(default_factory=list)
    stderr: str = ""


def refresh(url: str, raw_dir: Path, work: Path, kill_after: float | None = None) -> Outcome:
    """Run the refresh in a subprocess with a reader beside it; SIGKILL it after `kill_after` seconds."""
    env = {**os.environ, "DATABASE_URL": url, "RAW_DIR": str(raw_dir)}
    err = work / "refresh.stderr"
    reader = Reader(url)
    reader.start()
    t0 = time.monotonic()
    with err.open("w") as err_fh:
        proc = subprocess.Popen([sys.executable, "-m", "etl", "refresh", "--offline"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err_fh)
        killed = False
        if kill_after is not None:
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed = True
        rc = proc.wait(timeout=TIMEOUT_S)
    seconds = time.monotonic() - t0
    return Outcome(seconds, rc, killed, reader.finish(), err.read_text())


def expected_per_run(url: str) -> dict[int, int]:
    """Figures each load run brought in, by the run log (new + changed), for the runs that succeeded."""
    eng = db.make_engine(url)
    try:
        with eng.connect() as conn:
            return {rid: new + changed for rid, new, changed in conn.execute(
                select(LoadRun.id, LoadRun.rows_new, LoadRun.rows_changed)
                .where(LoadRun.status.in_(integrity.LOADED_STATUSES)))}
    finally:
        eng.dispose()


def half_loaded(samples: list[dict[int, int]], expected: dict[int, int]) -> list[str]:
    """What a reader saw that was not a whole file: a run's figures partly there, or a run that vanished."""
    seen = []
    for i, sample in enumerate(samples):
        for rid, n in sample.items():
            if expected.get(rid) != n:
                seen.append(f"poll {i}: run {rid} had {n} figures, its run log says {expected.get(rid)}")
    return seen


def state(url: str) -> tuple[list[str], str, int, int]:
    """Integrity problems, content digest, files loaded, load runs left 'running'."""
    eng = db.make_engine(url)
    try:
        problems = integrity.check(eng)
        digest = integrity.content_digest(eng)
        with eng.connect() as conn:
            tables = set(conn.dialect.get_table_names(conn))
            loaded = running = 0
            if "load_run" in tables:
                loaded = conn.scalar(text("SELECT count(*) FROM load_run WHERE status IN ('success', 'partial') "
                                          "AND rows_read > 0"))
                running = conn.scalar(text("SELECT count(*) FROM load_run WHERE status = 'running'"))
        return problems, digest, loaded, running
    finally:
        eng.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_killed_refresh_leaves_a_sound_store_and_a_rerun_converges(kind, raw_dir, tmp_path):
    stores = SqliteStores(tmp_path) if kind == "sqlite" else PostgresStores()
    rng = random.Random(f"{SEED}-{kind}")
    try:
        url = stores.fresh()
        ref = refresh(url, raw_dir, tmp_path)
        assert ref.returncode == 0, ref.stderr
        ref_problems, ref_digest, n_files, _ = state(url)
        assert ref_problems == [] and n_files == 14
        assert half_loaded(ref.samples, expected_per_run(url)) == []
        report = [f"{kind}: uninterrupted refresh {ref.seconds:.1f} s, {n_files} files, digest {ref_digest[:12]}, "
                  f"reader polls {len(ref.samples)}"]
        kills, between_files, full_seconds = 0, 0, ref.seconds
        for i in range(RUNS):
            delay = rng.uniform(0, full_seconds)
            where = f"{kind} run {i} (KILL_TEST_SEED={SEED}, kill after {delay:.2f} s)"
            url = stores.fresh()
            cut = refresh(url, raw_dir, tmp_path, kill_after=delay)
            kills += cut.killed
            problems, _, files_in, _ = state(url)
            assert problems == [], f"{where}: {problems}"
            rerun = refresh(url, raw_dir, tmp_path)
            assert rerun.returncode == 0, f"{where}: rerun failed: {rerun.stderr}"
            problems, digest, files_after, running = state(url)
            assert problems == [] and running == 0, f"{where}: after the rerun: {problems}, {running} running"
            assert half_loaded(cut.samples + rerun.samples, expected_per_run(url)) == [], where
            assert digest == ref_digest, f"{where}: the rerun did not converge to the uninterrupted content"
            between_files += 0 < files_in < 14
            if files_in == 0:  # the rerun loaded every file: its time follows how busy the machine is now
                full_seconds = rerun.seconds
            report.append(f"{where}: {'killed' if cut.killed else 'finished first'} with {files_in}/14 files "
                          f"in; rerun {rerun.seconds:.1f} s -> {files_after} files, same digest; reader polls "
                          f"{len(cut.samples) + len(rerun.samples)}, none half-loaded")
        report.append(f"{kind}: {kills} of {RUNS} refreshes killed, {between_files} of them with 1-13 of the 14 files "
                      "in; all converged")
        print("\n" + "\n".join(report))
    finally:
        stores.close()
