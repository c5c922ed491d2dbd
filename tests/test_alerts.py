"""A failing source alerts: one JSON line on stderr and exactly one POST per failing source to a real webhook
receiver on 127.0.0.1 (source, error, last success, run id, host); the store keeps that source's figures, the
other sources load, and the Data status page shows it failed. A webhook that is down or slow is logged and
never stops the refresh."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import UNHCR_SYR_JOR_2019, UNHCR_SYR_LBN_2019, UNHCR_SYR_TUR_2019, validated, write_raw
from sqlalchemy import select

from etl import alerts
from etl.db import make_engine
from etl.models import Observation

ROOT = Path(__file__).resolve().parents[1]
HTML = (ROOT / "tests" / "fixtures" / "bad" / "unhcr_html_error_page.csv").read_bytes()  # a bot-challenge page
TRUNCATED_GZ = (ROOT / "tests" / "fixtures" / "bad" / "unhcr_truncated.csv.gz").read_bytes()


class Receiver:
    """A webhook on 127.0.0.1 (port 0) that records every POST; `delay` seconds before answering."""

    def __init__(self, delay: float = 0.0, status: int = 200):
        self.posts: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.posts.append({"path": self.path, "type": self.headers["Content-Type"],
                                    "json": json.loads(body)})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:  # the client gave up (timeout)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/secret-token"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def etl(url: str, raw: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": url, "RAW_DIR": str(raw), **env})


def figures(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(Observation.location_code, Observation.value,
                                                          Observation.vintage).order_by(Observation.id))]
    finally:
        engine.dispose()


def test_one_post_per_failing_source_and_the_store_keeps_its_figures(tmp_path, receiver):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    raw = tmp_path / "raw"
    write_raw(raw, {"asylum": [UNHCR_SYR_TUR_2019], "camps": [UNHCR_SYR_LBN_2019], "other": [UNHCR_SYR_JOR_2019]})
    assert etl(url, raw, "refresh").returncode == 0
    before = figures(url)
    # the publisher now answers with a bot-challenge page and a cut-off archive; `other` gained a line
    write_raw(raw, {"asylum": HTML, "other": [UNHCR_SYR_JOR_2019, UNHCR_SYR_TUR_2019.replace("2019,", "2018,", 1)]})
    (raw / "camps.csv").unlink()
    (raw / "camps.csv.gz").write_bytes(TRUNCATED_GZ)
    manifest = (raw / "MANIFEST.csv").read_text()
    (raw / "MANIFEST.csv").write_text(manifest + manifest.splitlines()[1].replace("asylum.csv", "camps.csv.gz") + "\n")

    done = etl(url, raw, "refresh", ALERT_WEBHOOK_URL=receiver.url, ALERT_TIMEOUT_SECONDS="5")

    assert done.returncode == 1, done.stderr
    posted = sorted((p["json"] for p in receiver.posts), key=lambda p: p["source"])
    assert [p["source"] for p in posted] == ["asylum", "camps"]
    assert all(p["type"] == "application/json" and p["path"] == "/hooks/secret-token" for p in receiver.posts)
    asylum, camps = posted
    assert "HTML" in asylum["error"] and "truncated" in camps["error"], camps["error"]
    assert asylum["last_success"].startswith("20") and asylum["run_id"] == camps["run_id"] == 2
    assert asylum["host"] and asylum["status"] == "failed" and "asylum failed" in asylum["text"]
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert sorted(r["source"] for r in logged if r["event"] == "refresh_source_failed") == ["asylum", "camps"]
    assert {r["run_id"] for r in logged} == {2} and all(r["last_success"] for r in logged)
    after = figures(url)
    assert after[:len(before)] == before  # the failed sources' figures as they were
    assert [f[:2] for f in after[len(before):]] == [("TUR", 3576370), ("SYR", 34303)]  # `other`'s new 2018 line


def test_the_status_page_shows_the_failed_source_with_its_error(tmp_path, use_store):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    raw = tmp_path / "raw"
    write_raw(raw, {"asylum": [UNHCR_SYR_TUR_2019], "other": [UNHCR_SYR_JOR_2019]})
    assert etl(url, raw, "refresh").returncode == 0
    write_raw(raw, {"asylum": HTML, "other": [UNHCR_SYR_JOR_2019]})
    assert etl(url, raw, "refresh").returncode == 1
    use_store(url)
    from app import app  # noqa: F401
    from dashboard.pages import status

    fig, summary, _, rows, data, changes_summary, change_rows = status.update_freshness(None)
    fig = validated(fig)
    by = {r["source"]: r for r in rows}
    assert by["asylum"]["state"].startswith("failed") and "HTML" in by["asylum"]["last_error"]
    assert by["other"]["last_status"] == "unchanged" and not by["other"]["state"].startswith("failed")
    assert "Last refresh failed: asylum (" in summary and rows == data
    assert list(fig.data[0].y) == [r["source"] for r in rows]


def test_a_webhook_that_is_down_or_slow_is_logged_not_fatal(capsys):
    slow = Receiver(delay=5)
    try:
        record = alerts.failure_record("asylum", "boom", None, 7)
        started = time.monotonic()
        assert alerts.post(record, slow.url, timeout=0.5) is False
        assert time.monotonic() - started < 3  # gave up at the timeout, did not wait for the answer
        assert len(slow.posts) == 1
    finally:
        slow.close()
    assert alerts.post(record, slow.url, timeout=0.5) is False  # nobody listens on that port any more
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["event"] for r in lines] == ["alert_failed", "alert_failed"]
    assert all(r["source"] == "asylum" and r["run_id"] == 7 and "secret" not in r["url"] for r in lines)


def test_a_failing_webhook_does_not_change_the_refresh_outcome(tmp_path):
    down = Receiver(status=500)
    try:
        raw = write_raw(tmp_path / "raw", {"asylum": HTML, "other": [UNHCR_SYR_JOR_2019]})
        done = etl(f"sqlite:///{tmp_path / 'store.db'}", raw, "refresh", ALERT_WEBHOOK_URL=down.url)
    finally:
        down.close()
    assert done.returncode == 1 and len(down.posts) == 1
    events = [json.loads(line)["event"] for line in done.stderr.splitlines() if line.startswith("{")]
    assert events == ["refresh_source_failed", "alert_failed"]
    assert "refresh 1: partial" in done.stdout and "other" in done.stdout
