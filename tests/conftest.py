"""Shared fixtures: migrated SQLite and PostgreSQL stores, and the app served to a real headless Chromium."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from etl import db

# The app under test reads its own throwaway SQLite file. DATABASE_URL is set before anything imports
# `app` (dashboard.config reads it once), so no test can touch data/displacement.db or a real server.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="displacement-tests-"))
APP_STORE_URL = f"sqlite:///{_SESSION_DIR / 'app_store.db'}"
os.environ["DATABASE_URL"] = APP_STORE_URL

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOST = "127.0.0.1"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """Mark tests by the fixtures they use, so `-m "not browser"` or `-m postgres` select them."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "pg_engine" in names or params.get("store") == "postgres":
            item.add_marker(pytest.mark.postgres)
        if names & {"page", "live_server"}:
            item.add_marker(pytest.mark.browser)


# --- stores -------------------------------------------------------------------------------------------

@pytest.fixture
def engine():
    """A fresh in-memory SQLite store at the latest migration."""
    eng = db.make_engine("sqlite://")
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine():
    """The PostgreSQL store named by TEST_DATABASE_URL, wiped and migrated afresh for each test."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.fail("TEST_DATABASE_URL is not set. Run the suite with `bash scripts/test.sh`, which starts a "
                    "throwaway PostgreSQL, or point TEST_DATABASE_URL at an empty database that may be wiped.",
                    pytrace=False)
    if "test" not in (make_url(url).database or ""):  # this fixture drops everything: refuse a real store
        pytest.fail(f"TEST_DATABASE_URL must name a database with 'test' in its name, got {url!r}", pytrace=False)
    eng = db.make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request):
    """The same test on SQLite (the embedded store) and on PostgreSQL (the server store)."""
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


# --- the app, served --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def dash_app():
    """The Dash app, reading a migrated but empty SQLite store."""
    eng = db.make_engine(APP_STORE_URL)
    db.upgrade(eng)
    eng.dispose()
    from app import app

    return app


@pytest.fixture(scope="session")
def live_server(dash_app):
    """The app served over HTTP on a free local port, in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server(LOCAL_HOST, 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's base URL, so tests can write page.goto("/")."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)",
                    pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs of the requests the page tried to send anywhere but 127.0.0.1 (the dashboard must work offline)."""
    return []


@pytest.fixture
def page(page, offsite_requests):
    """pytest-playwright's page; off-site requests are recorded, blocked, and fail the test."""

    def _record(request):
        url = urlsplit(request.url)  # data: and blob: URLs never leave the machine
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != LOCAL_HOST:
            offsite_requests.append(request.url)

    page.on("request", _record)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield page
    if offsite_requests:
        pytest.fail(f"the page requested {len(offsite_requests)} off-site URL(s), e.g. {offsite_requests[0]}")
