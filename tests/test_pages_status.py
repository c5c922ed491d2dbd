"""Data status page: the last load of each file, its rows and the outcome of the last attempt, and the rows set
aside with their reasons, read from load_run and rejected_row."""
from __future__ import annotations

from pathlib import Path

import pytest

from etl import db

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


@pytest.fixture
def status_page(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import status

    return status


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

    return status


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
