"""Refresh records and freshness: what a refresh changed (new, revised old -> new, withdrawn), fresh / due /
overdue from the last success and the cadence, and the schedule file's durations and cron times.

The revised release is SYNTHETIC (real UNHCR lines, one value changed by the test) and says so."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import UNHCR_SYR_JOR_2019, UNHCR_SYR_LBN_2019, UNHCR_SYR_TUR_2019, write_raw
from sqlalchemy import func, select

from etl import config, freshness, refreshes, schedule
from etl.models import FigureChange, Observation, RefreshRun, SourceRun

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def raw(tmp_path, monkeypatch):
    """Point refresh at a raw folder of its own; returns a function that (re)writes it."""
    monkeypatch.setattr(config, "RAW_DIR", tmp_path / "raw")
    return lambda files, **kw: write_raw(tmp_path / "raw", files, **kw)


def test_a_refresh_records_new_revised_and_withdrawn_figures(store, raw):
    raw({"asylum": [UNHCR_SYR_TUR_2019, UNHCR_SYR_LBN_2019], "other": [UNHCR_SYR_JOR_2019]})
    first = refreshes.refresh(store)
    assert first.status == "success" and first.exit_code == 0
    by = {s.source: s for s in first.sources}
    assert (by["asylum"].status, by["asylum"].rows_new, by["asylum"].rows_withdrawn) == ("success", 3, None)

    revised = UNHCR_SYR_TUR_2019.replace("3576370", "3576999")  # SYNTHETIC revision, for this test only
    raw({"asylum": [revised], "other": [UNHCR_SYR_JOR_2019]}, release="synthetic 2026.11", released_on="2026-11-01")
    second = refreshes.refresh(store)
    by = {s.source: s for s in second.sources}
    assert by["other"].status == "unchanged"  # same file: skipped
    assert (by["asylum"].rows_new, by["asylum"].rows_revised, by["asylum"].rows_withdrawn) == (0, 1, 1)
    with store.connect() as conn:
        changes = {c["kind"]: c for c in freshness.changes(conn, [by["asylum"].source_run_id])}
        runs = conn.execute(select(RefreshRun.id, RefreshRun.trigger, RefreshRun.status)
                            .order_by(RefreshRun.id)).all()
    assert (changes["revised"]["old_value"], changes["revised"]["new_value"], changes["revised"]["location_code"],
            changes["revised"]["is_current"]) == (3576370, 3576999, "TUR", True)
    assert (changes["withdrawn"]["old_value"], changes["withdrawn"]["location_code"]) == (910256, "LBN")
    assert [tuple(r) for r in runs] == [(first.refresh_run_id, "manual", "success"),
                                        (second.refresh_run_id, "manual", "success")]


def test_new_figures_are_counted_by_series_and_period(engine, raw):
    raw({"asylum": [UNHCR_SYR_TUR_2019]})
    refreshes.refresh(engine)
    raw({"asylum": [UNHCR_SYR_TUR_2019, UNHCR_SYR_TUR_2019.replace("2019,", "2020,", 1)]})  # SYNTHETIC new year
    out = refreshes.refresh(engine)
    with engine.connect() as conn:
        (row,) = [r for r in freshness.health(conn, {}, NOW) if r["source"] == "asylum"]
    assert (row["new"], row["revised"], row["withdrawn"]) == (2, 0, 0)  # REF stock and RET flow of 2020
    assert row["new_periods"] == [{"series": "unhcr_rpsd", "period_end": "2020-12-31", "figures": 2}]
    assert out.sources[0].rows_new == 2


def test_a_failing_source_keeps_its_figures_and_the_others_load(store, raw):
    raw({"asylum": [UNHCR_SYR_TUR_2019], "other": [UNHCR_SYR_JOR_2019]})
    refreshes.refresh(store)
    with store.connect() as conn:
        before = conn.execute(select(Observation.identity_key, Observation.value, Observation.vintage)
                              .order_by(Observation.identity_key)).all()
    html = b"<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head><body></body></html>\n"
    raw({"asylum": html, "other": [UNHCR_SYR_JOR_2019, UNHCR_SYR_LBN_2019]})
    out = refreshes.refresh(store)
    by = {s.source: s for s in out.sources}
    assert by["asylum"].status == "failed" and "HTML" in by["asylum"].error
    assert by["other"].status == "success" and by["other"].rows_new == 1
    assert (out.status, out.exit_code) == ("partial", 1)
    with store.connect() as conn:
        after = conn.execute(select(Observation.identity_key, Observation.value, Observation.vintage)
                             .order_by(Observation.identity_key)).all()
        rows = {r["source"]: r for r in freshness.health(conn, {}, NOW)}
    assert set(before) <= set(after) and len(after) == len(before) + 1  # only LBN added
    assert rows["asylum"]["last_status"] == "failed" and "HTML" in rows["asylum"]["last_error"]
    assert rows["asylum"]["last_success"] is not None  # the earlier success is kept


def test_an_interrupted_refresh_is_closed_by_the_next(engine, raw):
    raw({"asylum": [UNHCR_SYR_TUR_2019]})
    with engine.begin() as conn:  # what a killed refresh leaves behind
        refreshes.store.init(engine)
        conn.execute(RefreshRun.__table__.insert().values(trigger="schedule", started_at=NOW, status="running",
                                                          host="h", pid=1, sources="asylum"))
    refreshes.refresh(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(RefreshRun.status, RefreshRun.message).order_by(RefreshRun.id)).all()
        assert conn.scalar(select(func.count()).select_from(FigureChange)) == 0
        assert conn.scalar(select(func.count()).select_from(SourceRun)) == 1
    assert rows[0][0] == "failed" and "interrupted" in rows[0][1] and rows[1][0] == "success"


@pytest.mark.parametrize(("age_days", "expected"), [
    (0, "fresh"), (6.9, "fresh"), (7, "due"), (7.9, "due"), (8, "overdue"), (400, "overdue")])
def test_fresh_until_the_cadence_then_due_for_the_grace_then_overdue(age_days, expected):
    assert freshness.state(NOW - dt.timedelta(days=age_days), 7 * DAY, DAY, NOW) == expected


def test_never_loaded_and_unscheduled_sources():
    assert freshness.state(None, 7 * DAY, DAY, NOW) == "never"
    assert freshness.state(NOW, None, None, NOW) == "unscheduled"


@pytest.mark.parametrize(("text", "days"), [("P1Y", 365), ("P6M", 180), ("P7D", 7), ("P2W", 14), ("PT12H", 0.5),
                                            (30, 30), ("p1y2m", 425)])
def test_durations(text, days):
    assert schedule.parse_duration(text) == dt.timedelta(days=days)


@pytest.mark.parametrize("bad", ["1Y", "P", "P0D", "yearly", -3])
def test_bad_durations_are_refused(bad):
    with pytest.raises(schedule.ScheduleError):
        schedule.parse_duration(bad)


def test_the_shipped_schedule_names_every_shipped_source():
    plan = schedule.load_schedule(config.DATA_DIR / "schedule.toml")
    assert set(plan) == set(refreshes.offline_sources())
    assert plan["unhcr_population"].cadence == 180 * DAY and plan["unhcr_population"].grace == 18 * DAY
    assert plan["unhcr_idmc"].grace == 36.5 * DAY


def test_a_schedule_file_with_a_bad_cron_names_the_source(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[sources.unhcr_flows]\ncron = "61 * * * *"\ncadence = "P1Y"\n')
    with pytest.raises(schedule.ScheduleError, match=r"\[sources.unhcr_flows\] cron '61 \* \* \* \*'"):
        schedule.load_schedule(path)


def test_due_from_the_cron_time_after_the_last_attempt():
    entry = schedule.SourceSchedule("a", "0 6 * * 1", 7 * DAY, DAY)  # Mondays 06:00 UTC; NOW is a Wednesday
    plan = {"a": entry, "b": schedule.SourceSchedule("b", "0 6 * * *", DAY, DAY)}
    monday_7 = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
    assert schedule.due(plan, {"a": monday_7, "b": NOW - dt.timedelta(hours=1)}, NOW) == []
    assert schedule.due(plan, {"a": monday_7 - 7 * DAY}, NOW) == ["a", "b"]  # b never tried: due now
    when, which = schedule.next_wake(plan, {"a": monday_7, "b": NOW}, NOW)
    assert (when, which) == (dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC), ["b"])
