"""The response cache: a repeated read-only chart request is answered from the cache with the same bytes; a new
data version, another day, a write callback or an answer given after an error are never served from it."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import cache, config, response_cache


@pytest.fixture
def client(served_app):
    cache.cache.clear()
    return served_app.server.test_client()


def _trends_body(served_app, date_from="2011-01-01"):
    """The body the browser posts for the Trends chart, read from the served page (benchmarks.dash_client)."""
    from benchmarks import dash_client
    from benchmarks.profile import InProcess
    if "page" not in _PAGE:
        pages = dash_client.discover_pages(InProcess(served_app.server.test_client()))
        _PAGE["page"] = next(p for p in pages if p.path.endswith("/trends"))
    page = _PAGE["page"]
    (cb,) = [c for level in page.callbacks for c in level if "trends-chart" in c.output]
    return json.loads(dash_client.payload(cb, {**page.values, ("f-from", "value"): date_from}, ["f-from.value"]))


_PAGE: dict = {}


def _post(client, body):
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_a_repeated_request_is_answered_from_the_cache(served_app, client, monkeypatch):
    body = _trends_body(served_app)
    first = _post(client, body)
    assert first.status_code == 200
    calls = []
    from dashboard.pages import trends
    monkeypatch.setattr(trends.queries, "lines", lambda *a, **k: calls.append(1))  # never reached on a hit
    again = _post(client, body)
    assert again.status_code == 200 and again.get_data() == first.get_data() and calls == []
    assert again.headers.get("Content-Security-Policy")  # the security headers are added to a hit too


def test_the_baseline_and_other_filters_are_not_served_from_it(served_app, client, monkeypatch):
    first = _post(client, _trends_body(served_app))
    other = _post(client, _trends_body(served_app, "2015-01-01"))
    assert other.get_data() != first.get_data()
    monkeypatch.setattr(config, "FAST_PATH", False)
    keys_before = len(cache.cache.cache._cache)
    assert _post(client, _trends_body(served_app, "2016-01-01")).status_code == 200
    assert len(cache.cache.cache._cache) == keys_before  # the baseline keeps nothing


def test_a_new_data_version_or_day_is_a_new_key():
    body = b'{"output": "x"}'
    today = dt.date(2026, 11, 25)
    assert response_cache.response_key("3.a", body, today) != response_cache.response_key("4.a", body, today)
    assert response_cache.response_key("3.a", body, today) != response_cache.response_key(
        "3.a", body, today + dt.timedelta(days=1))


def test_write_and_permission_dependent_callbacks_are_left_out(served_app):
    served_app._setup_server()
    names = {served_app.callback_map[k]["callback"].__name__ for k in response_cache.read_only_outputs(served_app)}
    assert names == set(response_cache.READ_ONLY)
    assert not names & {"act", "save_edit", "save_override", "withdraw_override", "update_ledger", "show_group",
                        "render", "fill_edit_form", "download_chart_csv", "download_chart_png"}


def test_an_answer_given_after_an_error_is_not_kept(served_app, client, monkeypatch):
    from dashboard.pages import trends

    def broken(*args, **kwargs):
        raise RuntimeError("store hiccup")

    body = _trends_body(served_app, "2012-01-01")
    with monkeypatch.context() as m:
        m.setattr(trends.queries, "lines", broken)
        failed = _post(client, body)
    assert failed.status_code == 200 and b"could not be read" in failed.get_data()
    healed = _post(client, body)
    assert b"could not be read" not in healed.get_data()


def test_errors_still_reach_standard_error():
    """Registering the failure mark must not silence Python's default output of errors (no logging set up)."""
    code = "import logging, app; logging.getLogger('dashboard.pages.trends').error('visible error line')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "visible error line" in done.stderr
