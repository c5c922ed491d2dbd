"""Reads for the data status: what the store holds and the latest load of each source."""
from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select

from etl.models import LoadRun, Observation, Place, Series


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
