"""Shared fixtures: migrated SQLite and PostgreSQL stores, and the app served to a real headless Chromium."""
from __future__ import annotations

import csv
import os
import re
import shutil
import sys
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
# Imported as `conftest` by pytest; a test importing `tests.conftest` would run this module a second time, and a
# second folder would point DATABASE_URL at an empty store under the app's feet: the twin's folder is reused.
_twin = sys.modules.get("conftest") or sys.modules.get("tests.conftest")
_SESSION_DIR = getattr(_twin, "_SESSION_DIR", None) or Path(tempfile.mkdtemp(prefix="displacement-tests-"))
APP_STORE_URL = f"sqlite:///{_SESSION_DIR / 'app_store.db'}"  # the real samples, loaded by `app_store`
EMPTY_STORE_URL = f"sqlite:///{_SESSION_DIR / 'empty_store.db'}"  # migrated, no figures: the empty states
os.environ["DATABASE_URL"] = APP_STORE_URL
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"

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

def sample_files() -> list[Path]:
    """The real samples, in the load order of their MANIFEST.csv."""
    with (SAMPLES / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
        return [SAMPLES / row["file"] for row in csv.DictReader(fh)]


def load_samples(eng, files: list[Path] | None = None) -> None:
    """Seed the gazetteer and events, then load the real samples (each must load whole)."""
    from etl import store as ops
    from etl.load import load_file

    ops.init(eng)
    for path in files or sample_files():
        result = load_file(eng, path)
        assert result.status == "success", f"{path.name}: {result.status} {getattr(result, 'message', '')}"


@pytest.fixture(scope="session")
def app_store() -> str:
    """APP_STORE_URL (the store the app reads by default) loaded with every real sample, once a session."""
    from etl import store as ops

    eng = db.make_engine(APP_STORE_URL)
    try:
        load_samples(eng)
        ops.rebuild_ledger(eng)  # as `refresh` does: the Sources page's rival figures, the charts' rival counts
    finally:
        eng.dispose()
    return APP_STORE_URL


@pytest.fixture
def use_store(monkeypatch):
    """Point the app at another store for one test: `use_store(url)`; the samples store again afterwards."""
    from dashboard import config
    from dashboard.queries import core

    used: list[str] = []

    def _use(url: str) -> None:
        used.append(url)
        monkeypatch.setattr(config, "DATABASE_URL", url)

    yield _use
    for url in used:  # dispose the engines made for these stores (the app caches one per URL)
        if url != APP_STORE_URL and (eng := core._engines.pop(url, None)) is not None:
            eng.dispose()


@pytest.fixture(scope="session")
def _empty_store() -> str:
    eng = db.make_engine(EMPTY_STORE_URL)
    db.upgrade(eng)
    eng.dispose()
    return EMPTY_STORE_URL


@pytest.fixture
def dash_app(_empty_store, use_store):
    """The Dash app, reading a migrated but empty SQLite store (for the empty states) during this test."""
    use_store(_empty_store)
    from app import app

    return app


@pytest.fixture(scope="session")
def served_app(app_store):
    """The Dash app, reading the store loaded with the real samples (built before the app first serves)."""
    from app import app

    return app


@pytest.fixture(scope="session")
def live_server(served_app):
    """The app on the real samples, served over HTTP on a free local port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server(LOCAL_HOST, 0, served_app.server, threaded=True)
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


@pytest.fixture(scope="session")
def context(browser, browser_context_args):
    """One browser context for the session: the app's JavaScript (plotly.js alone is 4.6 MB) is fetched and
    compiled once, not for every test. Each test still gets a page of its own, closed after it."""
    ctx = browser.new_context(**browser_context_args)
    yield ctx
    ctx.close()


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs of the requests the page tried to send anywhere but 127.0.0.1 (the dashboard must work offline)."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of the page (a test asserts this stays empty)."""
    return []


@pytest.fixture
def csp_violations() -> list[str]:
    """Content-Security-Policy violations the page reported (any one fails the test, see `page`)."""
    return []


# Every `securitypolicyviolation` event of the page, reported to the test (installed before any page script).
_CSP_LISTENER_JS = """document.addEventListener('securitypolicyviolation', e => window.__reportCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture
def page(page, offsite_requests, console_errors, csp_violations):
    """pytest-playwright's page; off-site requests are recorded, blocked, and fail the test; so does any
    Content-Security-Policy violation (reported as an event or as a console message)."""
    page.expose_function("__reportCspViolation", lambda text: csp_violations.append(text))
    page.add_init_script(_CSP_LISTENER_JS)
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)

    def _console(message):
        if message.type == "error":
            console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", _console)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))

    def _record(request):
        url = urlsplit(request.url)  # data: and blob: URLs never leave the machine
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != LOCAL_HOST:
            offsite_requests.append(request.url)

    page.on("request", _record)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield page
    page.close()
    if offsite_requests:
        pytest.fail(f"the page requested {len(offsite_requests)} off-site URL(s), e.g. {offsite_requests[0]}")
    if csp_violations:
        pytest.fail(f"{len(csp_violations)} Content-Security-Policy violation(s), e.g. {csp_violations[0]}")


# --- helpers for the browser tests --------------------------------------------------------------------

FILTER_IDS = ["f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure", "f-source", "f-as-of"]
# Ready: the page's content is in, no callback is running, every chart has its figure and its summary.
_READY_JS = """() => {
    const content = document.getElementById('_pages_content');
    if (!content || !content.textContent.trim()) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const panels = [...document.querySelectorAll('.chart-panel')];
    return panels.every(p => {
        const g = p.querySelector('.js-plotly-plot');
        const s = p.querySelector('.chart-summary');
        return g && g._fullLayout && Array.isArray(g.data) && (!s || s.textContent.trim());
    });
}"""


def wait_for_dash(page, timeout: float = 20_000) -> None:
    """Wait until Dash has rendered the page and every chart callback has answered."""
    page.wait_for_function(_READY_JS, timeout=timeout)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(_READY_JS, timeout=timeout)


def registered_pages() -> list[tuple[str, str]]:
    """(path, name) of every page in dash.page_registry, in the nav's order."""
    import dash

    from app import app  # noqa: F401  (importing the app registers its pages)

    return [(p["path"], p["name"]) for p in dash.page_registry.values()]


# --- the live fetchers' replay server -----------------------------------------------------------------

@pytest.fixture
def replay():
    """A real HTTP server on 127.0.0.1 (port 0) replaying scripted publisher responses; records every request."""
    from tests.replay import ReplayServer

    server = ReplayServer().start()
    yield server
    server.stop()

# --- the review page: a store with candidates, and callbacks posted as Dash's renderer posts them --------------

REPORT = Path(__file__).resolve().parent / "fixtures" / "reports" / "idlib_sentences.txt"
REVIEW_SAMPLES = ("unhcr_population_sample.csv", "nw_syria_displacement_sample.csv")


@pytest.fixture(scope="session")
def _review_template() -> Path:
    """UNHCR's and OCHA's sample figures, then the article's sentences read as a report (candidates pending)."""
    from etl import store as ops

    path = _SESSION_DIR / "review_template.db"
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        load_samples(eng, [SAMPLES / name for name in REVIEW_SAMPLES])
        result = ops.load(eng, REPORT, "report")
        assert result.status == "success", result.message
    finally:
        eng.dispose()
    return path


@pytest.fixture
def review_store(_review_template, tmp_path, use_store, monkeypatch) -> str:
    """A fresh copy of that store, which the app reads during this test (served on 127.0.0.1, no authentication
    configured, whatever the environment says); its URL."""
    from dashboard import config
    from etl import config as etl_config

    monkeypatch.setattr(etl_config, "UPLOAD_DIR", tmp_path / "uploads")  # reports read on the page land here
    for name, value in (("DASHBOARD_HOST", "127.0.0.1"), ("DASHBOARD_USERS", ""),
                        ("DASHBOARD_TRUSTED_USER_HEADER", "")):
        monkeypatch.setattr(config, name, value)
    path = tmp_path / "review.db"
    shutil.copyfile(_review_template, path)
    url = f"sqlite:///{path}"
    use_store(url)
    return url


def callback_body(app, func, inputs: list, state: list, changed: list[str]) -> dict:
    """The JSON body Dash's renderer posts to /_dash-update-component to run the callback `func`."""
    import inspect

    from dash._utils import split_callback_id

    app._setup_server()  # the app's callback map is filled on its first request
    target = inspect.unwrap(func)
    key = next(k for k, cb in app.callback_map.items()
               if cb.get("callback") is not None and inspect.unwrap(cb["callback"]) is target)
    return {"output": key, "outputs": split_callback_id(key), "inputs": inputs, "state": state,
            "changedPropIds": changed}

# --- a raw folder for refresh tests (scheduled refresh and health) -------------------------------------

RAW_MANIFEST_HEADER = "file,format,retrieved_on,release,released_on,channel,obtained_from,licence\n"
UNHCR_HEADER = ("year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,returned_refugees,idps,"
                "returned_idps,stateless,ooc,oip,hst")
# Real lines of UNHCR's population table (data/raw/unhcr_population.csv.gz), Syrians in 2019.
UNHCR_SYR_TUR_2019 = "2019,Syrian Arab Rep.,SYR,SYR,Türkiye,TUR,TUR,3576370,0,34303,0,0,0,0,,0"
UNHCR_SYR_LBN_2019 = "2019,Syrian Arab Rep.,SYR,SYR,Lebanon,LBN,LBN,910256,0,0,0,0,0,0,,0"
UNHCR_SYR_JOR_2019 = "2019,Syrian Arab Rep.,SYR,SYR,Jordan,JOR,JOR,654692,0,0,0,0,0,0,,0"


def write_raw(folder: Path, files: dict[str, list[str] | bytes], release: str = "refugees 2025.12.1",
              released_on: str = "2026-06-25") -> Path:
    """A raw folder as refresh reads it (RAW_DIR): MANIFEST.csv and UNHCR population files `name.csv` made of
    these lines under the real header (or raw bytes, e.g. an HTML page). Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = RAW_MANIFEST_HEADER
    for name, content in files.items():
        manifest += f"{name}.csv,unhcr_population,2026-11-25,{release},{released_on},test,test,CC BY 4.0\n"
        data = content if isinstance(content, bytes) else "\n".join([UNHCR_HEADER, *content]).encode() + b"\n"
        (folder / f"{name}.csv").write_bytes(data)
    (folder / "MANIFEST.csv").write_text(manifest, encoding="utf-8")
    return folder

# --- Redis (the shared cache of a scale-out deployment) ---------------------------------------------------

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    """A loopback port the kernel says is free now."""
    import socket

    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A real Redis (Debian's redis-server) on 127.0.0.1 and a free port, no persistence, in a temp folder;
    yields its URL (redis://127.0.0.1:PORT/0) and stops it after the module (a test that counts keys
    flushes the database first)."""
    import subprocess
    import time

    import redis

    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail(f"{REDIS_SERVER} is missing: apt-get install -y redis-server (bash scripts/test.sh does it)",
                    pytrace=False)
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([REDIS_SERVER, "--bind", LOCAL_HOST, "--port", str(port), "--save", "", "--appendonly",
                             "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://{LOCAL_HOST}:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"redis-server did not start: {(folder / 'redis.log').read_text()[-2000:]}",
                            pytrace=False)
            time.sleep(0.05)
    client.close()
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

# --- hypothesis profiles (tests/test_hostile_properties.py) -------------------------------------------------
# HYPOTHESIS_PROFILE=ci (the default: about 30 examples per format) or full (about 300); no deadline (the load
# time depends on the machine); the example database lives in the session's temporary folder.
def _register_hypothesis_profiles() -> None:
    from hypothesis import HealthCheck, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    common = {"deadline": None, "database": DirectoryBasedExampleDatabase(str(_SESSION_DIR / "hypothesis")),
              "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    settings.register_profile("ci", max_examples=30, **common)
    settings.register_profile("full", max_examples=300, **common)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_register_hypothesis_profiles()


def validated(fig):
    """A page's figure (a plain dict built without plotly's validation, dashboard.charts.core.figure) as plotly's
    figure object, after checking that plotly's validation leaves it unchanged: every key and value one plotly
    accepts, written the same (a figure object passes through, checked the same way)."""
    import json

    import plotly.graph_objects as go
    from plotly.io.json import to_json_plotly

    obj = go.Figure(fig)
    assert json.loads(to_json_plotly(obj)) == json.loads(to_json_plotly(fig)), "plotly's validation changed it"
    return obj


class FigurePage:
    """A page module whose callbacks' figures (by callback name: the positions of figures in its outputs) come
    back as validated() figure objects, for tests that read fig.data and fig.layout."""

    def __init__(self, module, figures: dict[str, tuple[int, ...]]):
        self._module, self._figures = module, figures

    def __getattr__(self, name):
        fn = getattr(self._module, name)
        if name not in self._figures:
            return fn

        def call(*args, **kwargs):
            out = list(fn(*args, **kwargs))
            for i in self._figures[name]:
                out[i] = validated(out[i])
            return tuple(out)
        return call
