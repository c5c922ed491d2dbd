"""Reads for the data status: what the store holds, the last load of each file, and the rows set aside."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, inspect, select

from dashboard.cache import cached_query
from etl import freshness as health
from etl import schedule
from etl.models import LoadRun, Observation, Place, RejectedRow, Series
from etl.store import _reason_kind  # the CLI's grouping of reasons that differ only in their values


@cached_query
def store_summary(engine: Engine) -> dict:
    """Counts of current observations, series and places, and the latest load run of each source."""
    if not inspect(engine).has_table(Observation.__tablename__):
        return {"has_schema": False, "observations": 0, "series": 0, "places": 0, "latest_loads": []}
    latest_ids = select(func.max(LoadRun.id)).group_by(LoadRun.source).scalar_subquery()
    with engine.connect() as conn:
        counts = {  # observations: current figures only, earlier vintages of a figure are not counted again
            "observations": conn.scalar(select(func.count()).where(Observation.is_latest.is_(True))),
            "series": conn.scalar(select(func.count()).select_from(Series)),
            "places": conn.scalar(select(func.count()).select_from(Place)),
        }
        runs = conn.execute(
            select(LoadRun.source, LoadRun.status, LoadRun.finished_at, LoadRun.rows_read, LoadRun.rows_set_aside)
            .where(LoadRun.id.in_(latest_ids)).order_by(LoadRun.source)
        ).mappings().all()
    return {"has_schema": True, **counts, "latest_loads": [dict(run) for run in runs]}


@cached_query
def load_status(engine: Engine) -> pd.DataFrame:
    """One row per file loaded: the outcome of the last attempt, the counts of the last load that read it
    (a skipped unchanged file keeps its earlier counts), the figures it holds now and its open set-aside rows."""
    cols = ["file", "source", "last_attempt", "outcome", "message", "last_load", "rows_read", "rows_new",
            "rows_changed", "rows_unchanged", "rows_set_aside", "current_figures", "open_set_aside", "path"]
    with engine.connect() as conn:
        runs = conn.execute(select(*LoadRun.__table__.c).order_by(LoadRun.started_at, LoadRun.id)).all()
        # one scan grouped by (run, latest) is several times faster on SQLite than a filtered count
        per_run = [(run_id, n) for run_id, latest, n in conn.execute(
            select(Observation.run_id, Observation.is_latest, func.count())
            .group_by(Observation.run_id, Observation.is_latest)).all() if latest]
        open_rows = dict(conn.execute(select(RejectedRow.path, func.count()).where(RejectedRow.status == "open")
                                      .group_by(RejectedRow.path)).all())
    path_of = {run.id: run.path for run in runs}
    current: dict[str, int] = {}
    for run_id, n in per_run:  # a figure belongs to the run that first wrote it (later loads left it unchanged)
        current[path_of.get(run_id, "")] = current.get(path_of.get(run_id, ""), 0) + n
    by_path: dict[str, dict] = {}
    for run in runs:
        entry = by_path.setdefault(run.path, {c: None for c in cols} | {"path": run.path})
        skipped = run.rows_read == 0 and (run.message or "").startswith("unchanged")
        entry.update(file=Path(run.path).name, source=run.source, last_attempt=run.started_at,
                     outcome="unchanged (skipped)" if skipped else run.status, message=run.message or "")
        if not skipped and run.status not in ("rejected", "failed", "running"):
            entry.update(last_load=run.finished_at, rows_read=run.rows_read, rows_new=run.rows_new,
                         rows_changed=run.rows_changed, rows_unchanged=run.rows_unchanged,
                         rows_set_aside=run.rows_set_aside)
    for path, entry in by_path.items():
        entry["current_figures"] = int(current.get(path, 0))
        entry["open_set_aside"] = int(open_rows.get(path, 0))
    df = pd.DataFrame(list(by_path.values()), columns=cols)
    for col in ("last_attempt", "last_load"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df.sort_values(["current_figures", "file"], ascending=[False, True]).reset_index(drop=True)


@cached_query
def set_aside(engine: Engine, limit: int = 2000) -> pd.DataFrame:
    """Rows set aside, newest first: file, row, column, value, reason, suggestion, and whether still open."""
    cols = ["file", "source", "row_number", "column", "value", "reason", "reason_kind", "suggestion", "status",
            "run_id", "path"]
    with engine.connect() as conn:
        rows = conn.execute(select(RejectedRow.path, RejectedRow.source, RejectedRow.row_number,
                                   RejectedRow.column, RejectedRow.value, RejectedRow.reason, RejectedRow.suggestion,
                                   RejectedRow.status, RejectedRow.run_id)
                            .order_by(RejectedRow.id.desc()).limit(limit)).all()
    data = [{"file": Path(r.path).name, "source": r.source, "row_number": r.row_number, "column": r.column,
             "value": r.value, "reason": r.reason, "reason_kind": _reason_kind(r.reason),
             "suggestion": r.suggestion, "status": r.status, "run_id": r.run_id, "path": r.path} for r in rows]
    return pd.DataFrame(data, columns=cols)


def freshness(engine: Engine, schedule_file: Path, now: dt.datetime | None = None) -> tuple[pd.DataFrame, str | None]:
    """Per source: fresh / due / overdue / never, last success, last attempt and error, what its last refresh
    changed; and a sentence when the schedule file cannot be read (every source is then unscheduled)."""
    problem = None
    try:
        plan = schedule.load_schedule(schedule_file)
    except schedule.ScheduleError as exc:
        plan, problem = {}, str(exc)
    with engine.connect() as conn:
        rows = health.health(conn, plan, now)
    df = pd.DataFrame(rows, columns=FRESHNESS_COLUMNS)
    for col in ("last_success", "due_at", "overdue_at", "last_attempt"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df, problem


FRESHNESS_COLUMNS = ["source", "state", "mode", "cadence_days", "last_success", "due_at", "overdue_at",
                     "last_attempt", "last_status", "last_error", "refresh_run_id", "source_run_id", "new",
                     "revised", "withdrawn", "new_periods"]


def changes(engine: Engine, source_run_ids: list[int], limit: int = 1000) -> pd.DataFrame:
    """The figures the given source runs revised (old -> new) or withdrew."""
    cols = ["source", "refresh_run_id", "kind", "slug", "population_group", "measure", "origin_code",
            "location_code", "period_start", "period_end", "sex", "age_group", "breakdown", "old_value", "new_value",
            "is_current", "identity_key"]
    with engine.connect() as conn:
        return pd.DataFrame(health.changes(conn, [int(i) for i in source_run_ids], limit), columns=cols)
