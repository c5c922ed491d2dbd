"""`python -m etl schedule` in a real process: `--once` refreshes what is due and exits; the loop refreshes,
sleeps until the next due time and stops cleanly on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import UNHCR_SYR_JOR_2019, UNHCR_SYR_TUR_2019, write_raw
from sqlalchemy import select

from etl.db import make_engine
from etl.models import RefreshRun, SourceRun

ROOT = Path(__file__).resolve().parents[1]
SCHEDULE = """
[sources.asylum]
cron = "0 6 * * *"
cadence = "P1D"

[sources.other]
cron = "0 6 1 1 *"
cadence = "P1Y"
"""


def setup(tmp_path: Path) -> dict:
    raw = write_raw(tmp_path / "raw", {"asylum": [UNHCR_SYR_TUR_2019], "other": [UNHCR_SYR_JOR_2019]})
    (tmp_path / "schedule.toml").write_text(SCHEDULE, encoding="utf-8")
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "RAW_DIR": str(raw),
            "SCHEDULE_FILE": str(tmp_path / "schedule.toml")}


def runs(env: dict) -> list[tuple]:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(RefreshRun.trigger, RefreshRun.status, SourceRun.source, SourceRun.status)
                .join(SourceRun, SourceRun.refresh_run_id == RefreshRun.id).order_by(SourceRun.id))]
    finally:
        engine.dispose()


def test_once_runs_what_is_due_and_then_nothing(tmp_path):
    env = setup(tmp_path)
    first = subprocess.run([sys.executable, "-m", "etl", "schedule", "--once"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "due now: asylum, other" in first.stdout and "refresh 1: success" in first.stdout
    again = subprocess.run([sys.executable, "-m", "etl", "schedule", "--once"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "nothing due; next: asylum at" in again.stdout and "06:00 UTC" in again.stdout
    assert runs(env) == [("schedule", "success", "asylum", "success"), ("schedule", "success", "other", "success")]
    status = subprocess.run([sys.executable, "-m", "etl", "status"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    head = status.stdout.split("\n\n")[0].splitlines()  # the freshness table comes first
    assert head[1].startswith("source\tfreshness\t")
    fresh = {line.split("\t")[0]: line.split("\t")[1] for line in head[2:]}
    assert fresh == {"asylum": "fresh", "other": "fresh"}


def test_the_loop_refreshes_sleeps_and_stops_on_sigterm(tmp_path):
    env = setup(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "etl", "schedule"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "sleeping until" in line or not line:
            break
    assert any("sleeping until" in x and "(next: asylum)" in x for x in lines), "".join(lines) + proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped (SIGTERM)" in out
    assert [r[2:] for r in runs(env)] == [("asylum", "success"), ("other", "success")]
