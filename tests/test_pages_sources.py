"""Sources page: every series with its provenance and row count, and one quantity as different publishers give it
(the worked example's rivals; a cumulative count's points are one series), on the real samples."""
from __future__ import annotations

import pandas as pd
import pytest


def bar(date_from="2019-12-01", date_to="2020-03-31", origin="SYR", location=None, groups=(), measures=(),
        sources=(), as_of=None) -> tuple:
    return date_from, date_to, origin, location, list(groups), list(measures), list(sources), as_of


@pytest.fixture
def sources(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import sources

    return sources


def test_every_series_with_publisher_licence_release_retrieval_and_rows(sources):
    fig, summary, columns, table, rows = sources.update_catalogue(None)

    by_slug = {r["series_slug"]: r for r in rows}
    assert len(rows) == 10
    unhcr = by_slug["unhcr_rpsd"]
    assert (unhcr["publisher"], unhcr["licence"], unhcr["release"]) == ("UNHCR", "CC BY 4.0", "refugees 2025.12.1")
    assert unhcr["retrieved_at"] and unhcr["originator"].startswith("UNHCR")
    assert by_slug["idmc_gidd"]["licence"] == "CC BY-NC-SA 3.0 IGO"
    assert "People's Daily (French ed.)" in by_slug["dgmm_temporary_protection"]["published_via"]
    assert by_slug["unicef_wos_nw_syria_sitreps"]["rows"] == 3
    assert {c["field"] for c in columns} >= {"publisher", "originator", "licence", "release", "retrieved_at", "rows"}
    # the bars are the rows: one bar per series, its length the row count
    (trace,) = fig.data
    assert list(zip(trace.y, trace.x, strict=True)) == [(r["label"], r["rows"]) for r in rows]
    assert "10 source series" in summary


def test_displaced_in_north_west_syria_side_by_side_with_the_ocha_series_as_one_series(sources):
    options, value = sources.update_quantities(*bar(), None)
    assert value == "IDP|flow|SYR|XSY-NW|2019-12-01|people"  # the worked example is offered first

    fig, summary, columns, table, rows, link = sources.update_compare(value, *bar())

    assert 'UNICEF more than 961,000 (5 Mar 2020)' in summary
    assert 'REACH Initiative about 959,000 (10 Mar 2020)' in summary
    assert "OCHA: one series of 9 points, about 284,000 → more than 948,000" in summary
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"OCHA", "REACH Initiative", "UNICEF"}
    assert traces["OCHA"].mode == "lines+markers+text" and traces["UNICEF"].mode == "markers+text"
    assert traces["UNICEF"].marker.symbol == ("triangle-up",)  # "more than" is drawn, not just written
    roles = {r["trace"]: r["role"] for r in rows}
    assert roles == {"OCHA": "one of 9 points of one series", "REACH Initiative": "single figure",
                     "UNICEF": "single figure"}
    assert all(r["reference_period_start"] == "2019-12-01" for r in rows)  # one quantity: since 1 Dec 2019
    drawn = sorted((t.name, pd.Timestamp(x).date().isoformat(), y) for t in fig.data
                   for x, y in zip(t.x, t.y, strict=True))
    assert drawn == sorted((r["trace"], r["reference_period_end"], r["value"]) for r in rows)
    assert rows == table


def test_syrians_in_turkiye_around_end_2019(sources):
    fig, summary, _, _, rows, _ = sources.update_compare("REF|stock|SYR|TUR||people", *bar())

    assert "UNHCR 3,576,370 (31 Dec 2019)" in summary
    assert "DGMM (Türkiye) via People's Daily (French ed.) 3,649,750 (21 Jan 2020)" in summary
    assert {r["originator"] for r in rows if r["trace"] == "DGMM (Türkiye)"} == {
        "Presidency of Migration Management (DGMM / Göç İdaresi), Türkiye"}


def test_quotes_are_text_never_html(sources):
    from dashboard.charts import sources as charts

    _, _, columns, _, rows, _ = sources.update_compare("IDP|flow|SYR|XSY-NW|2019-12-01|people", *bar())
    unicef = next(r for r in rows if r["trace"] == "UNICEF")
    assert unicef["source_ref"].startswith('"more than 961,000"')  # the publisher's words, kept as published
    assert not any("cellRenderer" in c or c.get("dangerously_allow_code") for c in columns)
    row = {**unicef, "source_ref": '<img src=x onerror=alert(1)> "x"', "value": 1, "qualifier": "exact",
           "reference_period_start": pd.Timestamp("2020-01-01"), "reference_period_end": pd.Timestamp("2020-01-02")}
    hover = charts._hover(row)
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover


def test_no_quantity_and_errors_are_sentences(sources, monkeypatch):
    fig, summary, *_ = sources.update_compare(None, *bar(date_from="1990-01-01", date_to="1990-01-02"))
    assert summary.startswith("No quantity in these filters")
    fig, summary, *_ = sources.update_compare("REF|stock|SYR|TUR||people", *bar(date_from="1995-01-01",
                                                                               date_to="1995-12-31"))
    assert summary.startswith("No source gives this quantity")

    from dashboard.queries import sources as queries

    monkeypatch.setattr(queries, "compare", lambda *a, **k: 1 / 0)
    fig, summary, *_ = sources.update_compare("REF|stock|SYR|TUR||people", *bar())
    assert "could not be read (ZeroDivisionError)" in summary
