"""A short load run (the CI size of benchmarks/load.py): simulated users click through every page's filters
against `gunicorn app:server` with two workers on the real samples and a shared Redis, all on 127.0.0.1.

Size from LOAD_USERS and LOAD_SECONDS (10 users, 15 s by default); the full run (50 users, 60 s, the whole
shipped store) is `python -m benchmarks.load --users 50 --seconds 60 --store shipped` (docs/load.md). Speed
is reported there, never asserted here."""
from __future__ import annotations

import os

from benchmarks import load, server

USERS = int(os.environ.get("LOAD_USERS", "10"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "15"))


def test_users_clicking_through_filters_get_no_error_and_no_5xx(app_store, redis_server, tmp_path):
    log = tmp_path / "gunicorn.log"
    env = {"DATABASE_URL": app_store, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_server,
           "WEB_CONCURRENCY": str(server.WORKERS)}
    with server.gunicorn("app:server", env, log_path=log) as served:
        result = load.run_load(served.base_url, users=USERS, seconds=SECONDS,
                               server_pids=lambda: [served.process.pid, *served.worker_pids()])
        assert served.process.poll() is None, "gunicorn died under load"

    assert result.errors == [], f"{len(result.errors)} errors, first: {result.errors[:3]}"
    assert result.status_5xx == 0
    callbacks = [s for s in result.samples if s.kind == "callback"]
    assert len(callbacks) >= USERS, "every user ran at least one page's callbacks"
    assert {s.status for s in callbacks} <= {200, 204}
    assert result.interactions >= USERS
    pages = {s.page for s in callbacks}
    assert len(pages) >= 2, f"the users clicked through more than one page: {pages}"
    assert result.server_cpu_s > 0  # the requests reached gunicorn's workers
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "Exception on" not in text, text[-3000:]
