"""Security headers and the Content-Security-Policy on every response; debug off by default; error pages and
callback errors that tell the client nothing about the server (no traceback, path or SQL)."""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import callback_body, wait_for_dash

ROOT = Path(__file__).resolve().parent.parent
# (A page may name the kind of failure, "could not be read (DatabaseError)": a class name, not a detail.)
LEAK = re.compile(r"Traceback|/work/|/tmp/|sqlite3\.|psycopg|\[SQL:|File \"|not a database", re.IGNORECASE)
PATHS = ["/", "/sources", "/review", "/export.sources.txt", "/healthz", "/assets/no-such-file.css",
         "/_dash-layout", "/_dash-dependencies"]


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def executable_inline_scripts(html: str) -> list[str]:
    """Inline <script> bodies a browser runs: not JSON data, not inside an Internet Explorer-only comment."""
    html = re.sub(r"<!--\[if IE\]>.*?<!\[endif\]-->", "", html, flags=re.S)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    return [body for attrs, body in scripts if body.strip() and "application/json" not in attrs]


@pytest.fixture
def client(served_app):
    return served_app.server.test_client()


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    csp = csp_directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["connect-src"] == ["'self'"] and csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]


def test_csp_names_no_offsite_origin_and_only_the_inline_scripts_dash_serves(client, served_app):
    response = client.get("/")
    header = response.headers["Content-Security-Policy"]
    csp = csp_directives(header)
    for values in csp.values():
        for value in values:  # 'self', 'none', hashes, and the data:/blob: schemes of images, fonts and workers
            assert value in {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"} or \
                re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", value), f"{value!r} in the CSP"
    assert "'unsafe-eval'" not in header
    assert "'unsafe-inline'" not in csp["script-src"]
    served = executable_inline_scripts(response.get_data(as_text=True))
    assert len(served) >= 2, "Dash's renderer start and the app's clientside callback are inline scripts"
    for body in served:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"], f"inline script not allowed by the CSP: {body[:80]!r}"
    assert set(csp["script-src"]) == {"'self'", *served_app.csp_hashes()}


def test_the_browser_tests_catch_a_csp_violation(page, csp_violations):
    """The `page` fixture fails a test on any violation: an inline script injected into the page is refused
    by the browser and reported (the list is emptied afterwards, so this test itself passes)."""
    page.goto("/")
    wait_for_dash(page)
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__injected = true'; document.body.appendChild(s); }""")
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected === true") is False
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()


@pytest.mark.parametrize("value, debug", [(None, "False"), ("0", "False"), ("true", "False"), ("1", "True")])
def test_debug_is_off_unless_dash_debug_is_1(value, debug):
    env = {k: v for k, v in os.environ.items() if k != "DASH_DEBUG"} | ({"DASH_DEBUG": value} if value else {})
    out = subprocess.run([sys.executable, "-c", "import app; print(app.config.DEBUG, app.server.debug)"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [debug, "False"]  # Flask's own debug (the Werkzeug debugger) is never on


@pytest.fixture
def corrupt_store(tmp_path, use_store) -> str:
    """The app reading a file that is not an SQLite database (a store URL pointing at a corrupt file)."""
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database\x00" * 400)
    url = f"sqlite:///{path}"
    use_store(url)
    return url


def _no_leak(response) -> str:
    text = response.get_data(as_text=True)
    assert not LEAK.search(text), f"the response shows {LEAK.search(text).group(0)!r}: {text[:500]}"
    return text


def test_a_server_error_page_shows_no_traceback_path_or_sql(corrupt_store, client, caplog):
    caplog.set_level(logging.WARNING)
    for path in ("/export.csv", "/export.sources.txt"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 500
        assert "Something went wrong" in _no_leak(response)
    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records if r.levelno >= logging.ERROR)
    assert "DatabaseError" in logged, "the error itself is logged on the server"
    response = client.get("/export.csv", headers={"Accept": "application/json"})
    assert response.status_code == 500 and response.get_json() == {"status": 500, "error": "Internal error"}


def test_not_found_is_short(client):
    response = client.get("/assets/no-such-file.css")
    assert response.status_code == 404
    assert "Nothing here" in _no_leak(response)


@pytest.mark.parametrize("path", ["/", "/sources", "/review", "/status"])
def test_pages_on_a_corrupt_store_show_no_detail(corrupt_store, client, path):
    assert client.get(path).status_code == 200
    _no_leak(client.get(path))
    response = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..", "outputs": [
            {"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "state": [], "changedPropIds": ["_pages_location.pathname"]})
    assert response.status_code == 200  # Dash Pages' own callback renders the page's layout
    assert "_pages_content" in _no_leak(response)


def test_a_failing_callback_gives_the_client_one_generic_sentence(corrupt_store, served_app, client, caplog):
    from app import download_chart_csv
    from dashboard import security

    caplog.set_level(logging.WARNING)
    chart = {"type": "chart-csv-button", "chart": "overview-trends"}
    body = callback_body(served_app, download_chart_csv, [{"id": chart, "property": "n_clicks", "value": 1}],
                         [{"id": {"type": "chart-data", "chart": "overview-trends"}, "property": "data", "value": []},
                          {"id": "url-query", "property": "data", "value": "?from=2019-12-01"}],
                         ['{"chart":"overview-trends","type":"chart-csv-button"}.n_clicks'])
    body["outputs"] = {"id": {"type": "chart-download", "chart": "overview-trends"},
                       "property": body["outputs"]["property"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    text = _no_leak(response)
    assert security.GENERIC_ERROR in text and security.ERROR_ID in text
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in caplog.records), "the traceback is logged"
