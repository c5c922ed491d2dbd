"""Trends page: lines per source series, group and measure on the real samples; gaps stay breaks, stock and flow
never share a trace, shares of the parent area's total, events as annotations, the data store is the traces."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import pandas as pd
import pytest
from conftest import FigurePage

from dashboard.queries import trends as queries
from etl import db

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


def bar(date_from="2011-01-01", date_to="2025-12-31", origin="SYR", location=None, groups=(), measures=(),
        sources=(), as_of=None) -> tuple:
    return date_from, date_to, origin, location, list(groups), list(measures), list(sources), as_of


def assert_store_is_the_traces(fig, rows: list[dict]) -> None:
    """Per trace, the same dates and the same drawn values as the data store's rows (gaps included, as None)."""
    drawn = [(t.name, pd.Timestamp(x).date().isoformat(), None if y is None else round(float(y), 9))
             for t in fig.data for x, y in zip(t.x, t.y, strict=True)]
    stored = [(r["trace"], r["reference_period_end"], None if r["chart_value"] is None else
               round(float(r["chart_value"]), 9)) for r in rows]
    assert drawn and sorted(drawn, key=str) == sorted(stored, key=str)


@pytest.fixture
def trends(app_store):
    from app import app  # noqa: F401
    from dashboard.pages import trends

    return FigurePage(trends, {"update_trends": (0,)})


@pytest.fixture
def gappy_store(tmp_path, use_store):
    """The samples plus real UNHCR lines for Syrians in Türkiye in 2012, 2013 and 2015 (2014 and 2016-2018 are
    not published in this file: the line must break there), and the DGMM rows with missing markers."""
    from conftest import load_samples

    from etl.load import load_file

    with gzip.open(RAW / "unhcr_population.csv.gz", "rt", encoding="utf-8") as fh:
        header = fh.readline()
        lines = [line for line in fh if line.split(",")[0] in ("2012", "2013", "2015") and
                 next(csv.reader([line]))[2:7] == ["SYR", "SYR", "Türkiye", "TUR", "TUR"]]
    assert len(lines) == 3
    extra = tmp_path / "unhcr_population_syr_tur.csv"
    extra.write_text(header + "".join(lines), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gappy.db'}"
    engine = db.make_engine(url)
    load_samples(engine)
    for path in (extra, BAD / "turkey_missing_markers.csv"):
        assert load_file(engine, path, "unhcr_population" if path == extra else None).status == "success"
    engine.dispose()
    use_store(url)
    from app import app  # noqa: F401
    from dashboard.pages import trends

    return FigurePage(trends, {"update_trends": (0,)})


def test_default_period_is_2011_to_the_latest_year(app_store):
    from dashboard.queries import core

    assert queries.default_filters(core.store_engine()).date_from == dt.date(2011, 1, 1)
    assert queries.default_filters(core.store_engine()).date_to == dt.date(2025, 12, 31)


def test_lines_per_source_group_and_measure_never_mixing_stock_and_flow(trends):
    fig, summary, columns, table, rows, share_options, note, events, link = trends.update_trends(
        *bar(location="TUR"), "linear", "values")

    names = [t.name for t in fig.data]
    assert "UNHCR — refugees" in names and "DGMM (Türkiye) — refugees" in names
    assert "UNHCR — refugees (newly counted, flow) — per year" in names
    by_trace = pd.DataFrame(rows).groupby("trace")
    assert (by_trace["measure"].nunique() == 1).all() and (by_trace["series_slug"].nunique() == 1).all()
    axes = {t.name: t.yaxis for t in fig.data}
    assert axes["UNHCR — refugees"] != axes["UNHCR — refugees (newly counted, flow) — per year"]
    assert all(t.stackgroup is None and t.connectgaps is False for t in fig.data)  # never stacked, gaps break
    unhcr = [r for r in rows if r["trace"] == "UNHCR — refugees"]
    assert [(r["reference_period_end"], r["value"]) for r in unhcr] == [("2019-12-31", 3576370)]
    dgmm = {r["reference_period_end"]: r["value"] for r in rows if r["trace"] == "DGMM (Türkiye) — refugees"}
    assert dgmm["2020-01-21"] == 3649750  # the press copy stays DGMM's line; its outlet is in each hover
    assert "People's Daily" in next(t for t in fig.data if t.name.startswith("DGMM")).hovertext[1]
    assert_store_is_the_traces(fig, rows)
    assert rows == table and {"publisher", "licence", "series_title", "citation", "retrieved_at"} <= set(rows[0])
    assert "UNHCR — refugees" in summary or "lines" in summary


def test_gaps_stay_breaks_and_missing_values_are_not_zero(gappy_store):
    fig, summary, _, _, rows, *_ = gappy_store.update_trends(*bar(location="TUR"), "linear", "values")

    unhcr = [r for r in rows if r["trace"] == "UNHCR — refugees"]
    assert [r["reference_period_end"][:4] for r in unhcr] == [str(y) for y in range(2012, 2020)]
    gaps = [r for r in unhcr if r["is_gap"]]
    assert [r["reference_period_end"][:4] for r in gaps] == ["2014", "2016", "2017", "2018"]
    assert all(r["value"] is None and r["chart_value"] is None and r["figure"] == "no figure (gap)" for r in gaps)
    trace = next(t for t in fig.data if t.name == "UNHCR — refugees")
    assert [y for y in trace.y][2] is None and 0 not in trace.y
    assert f"{sum(bool(r['is_gap']) for r in rows)} gaps where a yearly series has no figure" in summary
    # a DGMM province figure published as '*' (confidential) is a break too, never 0
    fig, _, _, _, rows, *_ = gappy_store.update_trends(*bar(location="TR-27"), "linear", "values")
    hidden = [r for r in rows if r["reference_period_end"] == "2021-03-17"]
    assert hidden and hidden[0]["value"] is None and hidden[0]["missing_reason"] == "confidential"
    assert hidden[0]["figure"] == "no figure (confidential)"
    assert_store_is_the_traces(fig, rows)


def test_share_of_the_parent_area_from_the_same_source_and_date(trends):
    fig, summary, _, _, rows, share_options, note, *_ = trends.update_trends(
        *bar(location="TR-27", date_from="2017-01-01", date_to="2021-12-31"), "linear", "share")

    assert not next(o for o in share_options if o["value"] == "share")["disabled"]
    point = next(r for r in rows if r["reference_period_end"] == "2020-01-21")
    # Gaziantep 446,564 of Türkiye's 3,649,750, both from the Interior Ministry report quoted on 22 Jan 2020
    assert (point["value"], point["parent_value"]) == (446564, 3649750)
    assert point["chart_value"] == pytest.approx(446564 / 3649750)
    later = next(r for r in rows if r["reference_period_end"] == "2021-06-02")
    assert later["value"] == 449667 and later["chart_value"] is None  # no national total that day: a break
    assert fig.layout.yaxis.tickformat == ".0%"
    assert_store_is_the_traces(fig, rows)


def test_share_is_disabled_with_a_sentence_where_no_parent_total_exists(trends):
    *_, rows, share_options, note, _, _ = trends.update_trends(*bar(location="TUR"), "linear", "share")

    assert next(o for o in share_options if o["value"] == "share")["disabled"]
    assert note.startswith("Share unavailable") and "Showing values" in note
    assert all(r["chart_value"] == r["value"] for r in rows if r["value"] is not None)


def test_log_scale_and_events_as_annotations(trends):
    fig, _, _, _, rows, _, _, events, _ = trends.update_trends(
        *bar(location="XSY-NW", date_from="2019-06-01", date_to="2020-06-30"), "log", "values")

    assert fig.layout.yaxis.type == "log"
    notes = [a for a in fig.layout.annotations if a.hovertext]
    assert notes[0].text.startswith("1. Offensive in the Idlib area")
    assert "airstrikes and shelling gradually increased" in notes[0].hovertext and "OCHA" in notes[0].hovertext
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == len(notes) >= 4
    names = [t.name for t in fig.data]
    assert "OCHA — internally displaced people (newly displaced, flow) — since 1 Dec 2019" in names
    assert "OCHA — internally displaced people (newly displaced, flow) — per month" in names  # Feb 2020 only
    ocha = "OCHA — internally displaced people (newly displaced, flow) — since 1 Dec 2019"
    cumulative = [r["value"] for r in rows if r["trace"] == ocha]
    assert cumulative == [284000, 300000, 312000, 350000, 390000, 586000, 800000, 900000, 948000]
    assert "Offensive in the Idlib area" in str(events[0].to_plotly_json())


def test_movements_are_drawn_apart_from_people(trends):
    fig, _, _, _, rows, *_ = trends.update_trends(*bar(origin=None, location="SY07", date_from="2019-01-01",
                                                       date_to="2020-12-31"), "linear", "values")

    moves = [t for t in fig.data if "movements, not people" in t.name]
    assert moves and all(t.yaxis != s.yaxis for t in moves for s in fig.data if "movements" not in s.name)
    assert "Movements: moves, not people" in [a.text for a in fig.layout.annotations]
    assert {r["value"] for r in rows if r["measure"] == "movement"} >= {43600, 2700, 297000}


def test_no_data_and_errors_are_sentences(trends, monkeypatch):
    fig, summary, *_ = trends.update_trends(*bar(location="SY07", date_from="1995-01-01", date_to="1995-12-31"),
                                            "linear", "values")
    assert summary.startswith("No figure for Idleb") and not fig.data

    monkeypatch.setattr(queries, "lines", lambda *a, **k: 1 / 0)
    fig, summary, *_ = trends.update_trends(*bar(), "linear", "values")
    assert "could not be read (ZeroDivisionError)" in summary
