"""Two refreshes never overlap: a second `python -m etl refresh` (another process, real SQLite file or real
PostgreSQL) exits at once with code 75 and says who holds the lock; a killed holder frees it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import UNHCR_SYR_TUR_2019, write_raw
from sqlalchemy import select

from etl import lock
from etl.db import make_engine
from etl.models import RefreshRun

ROOT = Path(__file__).resolve().parents[1]
HOLDER = """
import sys, time
from etl import lock, refreshes
from etl.db import make_engine
from etl.models import RefreshRun
engine = make_engine(sys.argv[1])
with lock.refresh_lock(engine) as me:
    refreshes.store.init(engine)
    with engine.begin() as conn:  # what a refresh in progress has written
        conn.execute(RefreshRun.__table__.insert().values(trigger="manual", started_at=refreshes._now(),
                     status="running", host=me["host"], pid=me["pid"], sources="asylum"))
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    engine = request.getfixturevalue("pg_engine")  # wiped and migrated
    return engine.url.render_as_string(hide_password=False)


def etl(url: str, raw: Path, *args: str) -> subprocess.CompletedProcess:
    schedule = raw.parent / "schedule.toml"
    schedule.write_text('[sources.asylum]\ncron = "0 6 * * *"\ncadence = "P7D"\n', encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": url, "RAW_DIR": str(raw), "SCHEDULE_FILE": str(schedule)}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def start_holder(url: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = holder.stdout.readline()
    assert line.strip() == "locked", holder.stderr.read()
    return holder


def test_a_second_refresh_exits_with_who_holds_the_lock(store_url, tmp_path):
    raw = write_raw(tmp_path / "raw", {"asylum": [UNHCR_SYR_TUR_2019]})
    holder = start_holder(store_url)
    try:
        second = etl(store_url, raw, "refresh")
        assert second.returncode == lock.EXIT_LOCKED == 75, second.stderr
        assert "a refresh is already running since 20" in second.stderr
        assert f"pid {holder.pid} on host {socket.gethostname()}" in second.stderr
        assert "Traceback" not in second.stderr
        once = etl(store_url, raw, "schedule", "--once")  # the scheduler meets the same lock
        assert once.returncode == 75 and "already running" in once.stderr
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    after = etl(store_url, raw, "refresh")
    assert after.returncode == 0, after.stderr
    assert "1 files" in after.stdout


def test_a_killed_holder_frees_the_lock_and_its_refresh_is_marked_failed(store_url, tmp_path):
    raw = write_raw(tmp_path / "raw", {"asylum": [UNHCR_SYR_TUR_2019]})
    holder = start_holder(store_url)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    done = etl(store_url, raw, "refresh")
    assert done.returncode == 0, done.stderr
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(RefreshRun.pid, RefreshRun.status, RefreshRun.message)
                                .order_by(RefreshRun.id)).all()
    finally:
        engine.dispose()
    assert [(r.pid, r.status) for r in rows][0] == (holder.pid, "failed") and "interrupted" in rows[0].message
    assert rows[1].status == "success"


def test_the_lock_is_taken_once_within_a_process(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with lock.refresh_lock(engine) as me:
        assert lock.lock_path(engine).name == "store.db.refresh.lock"
        with pytest.raises(lock.LockBusy, match=f"pid {me['pid']}"):
            with lock.refresh_lock(engine):
                pass
    with lock.refresh_lock(engine):  # released
        pass
    engine.dispose()
