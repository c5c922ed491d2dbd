"""Data status page: the last load of each file, its rows and the outcome of the last attempt, and the rows set
aside with their reasons, read from load_run and rejected_row."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FigurePage

from etl import db

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


@pytest.fixture
def status_page(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import status

    return FigurePage(status, {"update_status": (1, 6), "update_freshness": (0,)})


@pytest.fixture
def troubled_store(tmp_path, use_store):
    """A store with one file loaded whole, one partial (a row set aside) and one rejected whole."""
    from etl import store as ops
    from etl.load import load_file

    url = f"sqlite:///{tmp_path / 'troubled.db'}"
    engine = db.make_engine(url)
    ops.init(engine)
    outcomes = [load_file(engine, BAD / name).status for name in (
        "ok_turkey_temporary_protection_2021.csv", "unhcr_negative_count.csv", "unhcr_html_error_page.csv")]
    assert outcomes == ["success", "partial", "rejected"]
    engine.dispose()
    use_store(url)
    from app import app  # noqa: F401
    from dashboard.pages import status

    return FigurePage(status, {"update_status": (1, 6), "update_freshness": (0,)})


def test_last_load_of_each_sample_file(status_page):
    (counts, fig, summary, columns, table, rows, rfig, rsummary, rcolumns, rtable, rrows, dcols,
     drows) = status_page.update_status(None)

    by_file = {r["file"]: r for r in rows}
    assert len(rows) == 11
    nw = by_file["nw_syria_displacement_sample.csv"]
    assert (nw["outcome"], nw["rows_read"], nw["rows_new"], nw["rows_set_aside"]) == ("success", 26, 26, 0)
    assert nw["current_figures"] == 26
    assert "3 rows not loaded" in nw["message"] or "not loaded" in nw["message"]  # total-population rows
    assert sum(r["current_figures"] for r in rows) == int(counts.children.split(" current figures")[0]
                                                          .split()[-1].replace(",", ""))
    assert "Every last attempt succeeded or found its file unchanged." in summary
    current, aside = fig.data
    assert list(zip(current.y, current.x, strict=True)) == [(r["file"], r["current_figures"]) for r in rows]
    assert list(aside.x) == [r["rows_set_aside"] for r in rows]
    assert rsummary == "No row has been set aside: every row read was loaded." and rrows == [] and not rfig.data


def test_rows_set_aside_with_their_reasons_and_a_rejected_file(troubled_store):
    (counts, fig, summary, _, _, rows, rfig, rsummary, _, rtable, rrows, dcols,
     drows) = troubled_store.update_status(None)

    by_file = {r["file"]: r for r in rows}
    assert by_file["unhcr_negative_count.csv"]["outcome"] == "partial"
    assert by_file["unhcr_negative_count.csv"]["rows_set_aside"] == 1
    assert by_file["unhcr_html_error_page.csv"]["outcome"] == "rejected"
    assert by_file["unhcr_html_error_page.csv"]["current_figures"] == 0
    assert "Last attempt not successful: unhcr_negative_count.csv (partial" in summary
    assert "unhcr_html_error_page.csv (rejected:" in summary
    (detail,) = drows
    assert (detail["file"], detail["row_number"], detail["column"], detail["value"]) == (
        "unhcr_negative_count.csv", 4, "refugees", "-245810")
    assert detail["reason"] and detail["status"] == "open"
    (bar,) = rfig.data
    assert list(bar.x) == [r["rows"] for r in rrows] == [1]
    assert rrows == rtable and "1 row set aside (1 still open)" in rsummary


def test_an_empty_store_says_how_to_build_it(dash_app):
    from dashboard.pages import status

    assert "has not been built" in str(status.layout())
    out = status.update_status(None)
    assert "empty" in out[2]


def _post_callback(base_url: str, name: str) -> dict:
    """Call a page callback over HTTP exactly as the browser does (POST /_dash-update-component)."""
    import json
    import urllib.request

    from dash._callback import GLOBAL_CALLBACK_MAP

    from app import app

    callbacks = {**GLOBAL_CALLBACK_MAP, **app.callback_map}  # Dash moves them to the app on its first request
    key, entry = next((k, v) for k, v in callbacks.items() if getattr(v.get("callback"), "__name__", None) == name)
    outputs = [{"id": o.component_id, "property": o.component_property} for o in entry["output"]]
    body = {"output": key, "outputs": outputs, "changedPropIds": [], "state": [],
            "inputs": [{"id": "status-refresh", "property": "children", "value": None}]}
    request = urllib.request.Request(f"{base_url}/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["response"]


def test_the_running_app_shows_a_load_made_by_another_process(tmp_path, use_store):
    """No restart: the served app's cached results are keyed by the data version, which another process's
    load changes."""
    import os
    import subprocess
    import sys
    import threading

    from conftest import UNHCR_SYR_JOR_2019, UNHCR_SYR_TUR_2019, write_raw
    from werkzeug.serving import make_server

    from etl import store as ops
    from etl.load import load_file

    url = f"sqlite:///{tmp_path / 'live.db'}"
    raw = write_raw(tmp_path / "raw", {"asylum": [UNHCR_SYR_TUR_2019], "jordan": [UNHCR_SYR_JOR_2019]})
    engine = db.make_engine(url)
    ops.init(engine)
    assert load_file(engine, raw / "asylum.csv").status == "success"
    engine.dispose()
    use_store(url)
    from app import app

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        before = _post_callback(base, "update_status")
        rows = before["status-loads-table"]["rowData"]
        assert [r["file"] for r in rows] == ["asylum.csv"]
        assert "holds 2 current figures" in str(before["status-counts"]["children"])

        loaded = subprocess.run([sys.executable, "-m", "etl", "load", str(raw / "jordan.csv")], capture_output=True,
                                text=True, timeout=120, cwd=Path(__file__).resolve().parents[1],
                                env={**os.environ, "DATABASE_URL": url})
        assert loaded.returncode == 0, loaded.stderr

        after = _post_callback(base, "update_status")
        by_file = {r["file"]: r for r in after["status-loads-table"]["rowData"]}
        assert set(by_file) == {"asylum.csv", "jordan.csv"}
        assert (by_file["jordan.csv"]["rows_new"], by_file["jordan.csv"]["current_figures"]) == (1, 1)
        assert "holds 3 current figures" in str(after["status-counts"]["children"])
    finally:
        server.shutdown()
        thread.join(timeout=10)
