"""Is each source current? fresh (last success + cadence is still ahead), due (past it, within the grace),
overdue (past the grace), never (no success yet); with its last error and what its last refresh changed."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import aliased

from etl.models import FigureChange, LoadRun, Observation, RefreshRun, Series, SourceRun
from etl.refreshes import SUCCESSFUL, as_utc
from etl.schedule import SourceSchedule

STATES = ("fresh", "due", "overdue", "never", "unscheduled")


def state(last_success: dt.datetime | None, cadence: dt.timedelta | None, grace: dt.timedelta | None,
          now: dt.datetime) -> str:
    if cadence is None:
        return "unscheduled"
    if last_success is None:
        return "never"
    if now < last_success + cadence:
        return "fresh"
    return "due" if now < last_success + cadence + grace else "overdue"


def health(conn, schedule: dict[str, SourceSchedule], now: dt.datetime | None = None) -> list[dict]:
    """Per source (scheduled, or ever refreshed or loaded): freshness, last success, last attempt, its outcome
    and error, and the counts of what its last refresh changed."""
    now = now or dt.datetime.now(dt.UTC)
    has_runs = inspect(conn).has_table(SourceRun.__tablename__)
    latest: dict[str, SourceRun] = {}
    success: dict[str, dt.datetime] = {}
    if has_runs:
        last_ids = select(func.max(SourceRun.id)).group_by(SourceRun.source).scalar_subquery()
        latest = {r.source: r for r in conn.execute(select(SourceRun).where(SourceRun.id.in_(last_ids)))}
        success = dict(conn.execute(select(SourceRun.source, func.max(SourceRun.finished_at))
                                    .where(SourceRun.status.in_(SUCCESSFUL)).group_by(SourceRun.source)).all())
    loads = dict(conn.execute(select(LoadRun.source, func.max(LoadRun.finished_at))
                              .where(LoadRun.status.in_(("success", "partial"))).group_by(LoadRun.source)).all())
    names = list(schedule) + sorted((set(latest) | set(loads)) - set(schedule))
    out = []
    for name in names:
        entry = schedule.get(name)
        last = as_utc(success.get(name) or loads.get(name))  # a store built before refreshes were recorded
        run = latest.get(name)
        due_at = last + entry.cadence if entry and last else None
        out.append({
            "source": name, "state": state(last, entry.cadence if entry else None, entry.grace if entry else None,
                                           now),
            "mode": entry.mode if entry else None, "cadence_days": entry.cadence.days if entry else None,
            "last_success": last, "due_at": due_at, "overdue_at": due_at + entry.grace if due_at else None,
            "last_attempt": as_utc(run.started_at) if run else None, "last_status": run.status if run else None,
            "last_error": run.error if run and run.status == "failed" else None,
            "refresh_run_id": run.refresh_run_id if run else None, "source_run_id": run.id if run else None,
            "new": run.rows_new if run else None, "revised": run.rows_revised if run else None,
            "withdrawn": run.rows_withdrawn if run else None,
            "new_periods": json.loads(run.new_periods) if run and run.new_periods else [],
        })
    return out


def changes(conn, source_run_ids: list[int], limit: int = 1000) -> list[dict]:
    """The figures these source runs revised (old -> new) or withdrew, described by their identity."""
    if not source_run_ids:
        return []
    obs = aliased(Observation)
    shown = func.coalesce(FigureChange.observation_id, FigureChange.previous_observation_id)
    rows = conn.execute(
        select(SourceRun.source, SourceRun.refresh_run_id, FigureChange.kind, FigureChange.old_value,
               FigureChange.new_value, FigureChange.is_current, Series.slug, obs.population_group, obs.measure,
               obs.origin_code, obs.location_code, obs.period_start, obs.period_end, obs.sex, obs.age_group,
               obs.breakdown, FigureChange.identity_key)
        .join(SourceRun, SourceRun.id == FigureChange.source_run_id)
        .join(obs, obs.id == shown).join(Series, Series.id == obs.series_id)
        .where(FigureChange.source_run_id.in_(source_run_ids))
        .order_by(SourceRun.source, FigureChange.kind, FigureChange.id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def last_refresh(conn) -> dict | None:
    if not inspect(conn).has_table(RefreshRun.__tablename__):
        return None
    row = conn.execute(select(RefreshRun).order_by(RefreshRun.id.desc()).limit(1)).mappings().first()
    return None if row is None else {**row, "started_at": as_utc(row["started_at"]),
                                     "finished_at": as_utc(row["finished_at"])}
