"""A refresh: named sources run one after another under the refresh lock, each recorded (source_run) with its
outcome, its error and what changed since its previous load: new figures, revised ones (old -> new value) and
withdrawn ones (figures its previous load gave that this one does not).

A source runner takes (engine, source name, force, progress) and returns the LoadResults of the files it loaded
(an empty list: nothing new to load) or raises (the source failed). Offline: the files of data/raw (RAW_DIR);
the live fetchers register theirs with `register_runner("live", runner)`."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, insert, select, update

from etl import alerts, lock, store
from etl.load import EXIT_OK, EXIT_PARTIAL, EXIT_REJECTED, LoadResult, source_name
from etl.models import (
    FigureChange,
    LoadRun,
    Observation,
    RefreshRun,
    Series,
    SourceKeys,
    SourceRun,
    SourceRunLoad,
)

Runner = Callable[..., list[LoadResult]]
SUCCESSFUL = ("success", "unchanged", "partial")  # the source was read and its figures are in the store


@dataclass
class SourceOutcome:
    source: str
    status: str  # success / unchanged / partial / failed
    error: str | None = None
    results: list[LoadResult] = field(default_factory=list)
    source_run_id: int | None = None
    rows_new: int = 0
    rows_revised: int = 0
    rows_withdrawn: int | None = None
    last_success: dt.datetime | None = None


@dataclass
class RefreshOutcome:
    refresh_run_id: int
    status: str  # success / partial / failed
    sources: list[SourceOutcome]
    stopped: bool = False  # a signal stopped it between two sources

    @property
    def exit_code(self) -> int:
        statuses = {s.status for s in self.sources}
        return EXIT_REJECTED if "failed" in statuses else EXIT_PARTIAL if "partial" in statuses else EXIT_OK


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- sources ----------------------------------------------------------------------------------------

def offline_sources() -> dict[str, list[tuple]]:
    """Source name -> its files (path, format) in data/raw (or RAW_DIR), in MANIFEST order."""
    out: dict[str, list[tuple]] = {}
    for path, fmt in store.shipped_files():
        out.setdefault(source_name(path), []).append((path, fmt))
    return out


def run_offline(engine: Engine, source: str, *, force: bool = False, progress: bool = False) -> list[LoadResult]:
    files = offline_sources().get(source)
    if files is None:
        raise store.StoreError(f"no file of source {source} in the shipped data (MANIFEST.csv)")
    for path, _ in files:
        if not path.exists():
            raise store.StoreError(f"{path} is listed in MANIFEST.csv but missing")
    return [store.load(engine, path, fmt, progress=progress, force=force, rebuild=False) for path, fmt in files]


def run_live(engine: Engine, source: str, **kwargs) -> list[LoadResult]:
    """Fetch one source from its publisher (etl/live) and load it; an unchanged source loads nothing."""
    from etl.live.refresh import run_live as fetch_and_load

    return fetch_and_load(engine, source, **kwargs)


def _no_live_runner(engine: Engine, source: str, **_kwargs) -> list[LoadResult]:
    raise store.StoreError(f"no runner for this mode (source {source}); use mode = \"offline\" or \"live\"")


RUNNERS: dict[str, Runner] = {"offline": run_offline, "live": run_live}


def register_runner(mode: str, runner: Runner) -> None:
    RUNNERS[mode] = runner


def resolve_sources(names: list[str] | None, modes: dict[str, str] | None = None) -> list[str]:
    """Source names (or format names, as `refresh --source` always took) -> source names, in MANIFEST order;
    a source `modes` runs live need no shipped file and keeps its place in `names`."""
    files = offline_sources()
    if not names:
        return list(files)
    if modes and any(modes.get(n, "offline") != "offline" for n in names):
        offline = [n for n in names if modes.get(n, "offline") == "offline"]
        return [n for n in names if n not in offline] + (resolve_sources(offline) if offline else [])
    by_format = {}
    for src, entries in files.items():
        for _, fmt in entries:
            by_format.setdefault(fmt, []).append(src)
    unknown = [n for n in names if n not in files and n not in by_format]
    if unknown:
        raise store.StoreError(f"unknown source {', '.join(unknown)}; known: {', '.join(sorted(files))}")
    wanted = {s for n in names for s in ([n] if n in files else by_format[n])}
    return [s for s in files if s in wanted]


# --- the refresh ------------------------------------------------------------------------------------

def refresh(engine: Engine, sources: list[str] | None = None, *, trigger: str = "manual",
            modes: dict[str, str] | None = None, force: bool = False, progress: bool = False,
            should_stop: Callable[[], bool] | None = None,
            on_source: Callable[[SourceOutcome], None] | None = None) -> RefreshOutcome:
    """Run `sources` (all shipped sources by default) under the refresh lock; raises lock.LockBusy at once when
    another refresh runs. `modes`: source -> offline/live (default offline)."""
    with lock.refresh_lock(engine) as me:
        store.init(engine)
        names = resolve_sources(sources, modes)
        _close_interrupted(engine)
        with engine.begin() as conn:
            rid = conn.execute(insert(RefreshRun).values(
                trigger=trigger, started_at=_now(), status="running", host=me["host"], pid=me["pid"],
                sources=",".join(names))).inserted_primary_key[0]
        done: list[SourceOutcome] = []
        stopped = False
        for name in names:
            if should_stop is not None and should_stop():
                stopped = True
                break
            outcome = _run_source(engine, rid, name, (modes or {}).get(name, "offline"), force, progress)
            if outcome.status == "failed":
                alerts.report_failure(name, outcome.error or "", outcome.last_success, rid)
            done.append(outcome)
            if on_source is not None:
                on_source(outcome)
        if done:  # once, under the lock: also after an earlier refresh was killed between a load and its rebuild
            store.rebuild_ledger(engine)
        statuses = [s.status for s in done]
        status = ("failed" if statuses and all(s == "failed" for s in statuses) else
                  "partial" if any(s in ("failed", "partial") for s in statuses) else "success")
        message = f"stopped by a signal after {len(done)} of {len(names)} sources" if stopped else None
        with engine.begin() as conn:
            conn.execute(update(RefreshRun).where(RefreshRun.id == rid).values(
                status=status, finished_at=_now(), message=message))
        return RefreshOutcome(rid, status, done, stopped)


def _close_interrupted(engine: Engine) -> None:
    """Refreshes still 'running' while we hold the lock were killed: mark them failed, with their sources."""
    with engine.begin() as conn:
        stale = [r for (r,) in conn.execute(select(RefreshRun.id).where(RefreshRun.status == "running"))]
        if not stale:
            return
        why = "interrupted: the process ended before the refresh finished"
        conn.execute(update(RefreshRun).where(RefreshRun.id.in_(stale)).values(
            status="failed", finished_at=_now(), message=why))
        conn.execute(update(SourceRun).where(SourceRun.refresh_run_id.in_(stale), SourceRun.status == "running")
                     .values(status="failed", finished_at=_now(), error=why))


def last_success(conn, source: str) -> dt.datetime | None:
    """When the source was last read successfully: by a refresh, else by any load of its files."""
    found = conn.scalar(select(func.max(SourceRun.finished_at)).where(SourceRun.source == source,
                                                                      SourceRun.status.in_(SUCCESSFUL)))
    if found is None:
        found = conn.scalar(select(func.max(LoadRun.finished_at)).where(
            LoadRun.source == source, LoadRun.status.in_(("success", "partial"))))
    return as_utc(found)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)  # SQLite: naive


def _run_source(engine: Engine, rid: int, name: str, mode: str, force: bool, progress: bool) -> SourceOutcome:
    started = _now()
    with engine.begin() as conn:
        before = conn.scalar(select(func.coalesce(func.max(LoadRun.id), 0)))
        srid = conn.execute(insert(SourceRun).values(
            refresh_run_id=rid, source=name, mode=mode, status="running", started_at=started)).inserted_primary_key[0]
    runner = RUNNERS.get(mode, _no_live_runner)
    try:
        results = runner(engine, name, force=force, progress=progress)
        error = None
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, the others still run
        results, error = [], str(exc) if isinstance(exc, store.StoreError) else f"{type(exc).__name__}: {exc}"
    bad = [r for r in results if r.status in ("rejected", "failed")]
    if error is None and bad:
        error = "; ".join(r.message or r.status for r in bad)
    status = ("failed" if error else "partial" if any(r.status == "partial" for r in results)
              else "unchanged" if all(r.skipped for r in results) else "success")
    outcome = SourceOutcome(name, status, error, results, srid)
    written = [r for r in results if not r.skipped and r.status in ("success", "partial")]
    complete = status in ("success", "partial") and len(written) == len(results)  # every file read afresh
    with engine.begin() as conn:
        load_ids = [i for (i,) in conn.execute(select(LoadRun.id).where(LoadRun.id > before,
                                                                        LoadRun.source == name))]
        if load_ids:
            conn.execute(insert(SourceRunLoad), [{"source_run_id": srid, "load_run_id": i} for i in load_ids])
        if written:
            outcome.rows_revised, new_periods = _record_new_and_revised(conn, srid, load_ids)
            outcome.rows_new = sum(r.rows_new for r in written)
        else:
            new_periods = []
        if complete:
            outcome.rows_withdrawn = _record_withdrawn(conn, srid, name, {k for r in written for k in r.identity_keys})
        conn.execute(update(SourceRun).where(SourceRun.id == srid).values(
            status=status, error=error, finished_at=_now(), rows_read=sum(r.rows_read for r in written),
            rows_new=outcome.rows_new, rows_revised=outcome.rows_revised,
            rows_unchanged=sum(r.rows_unchanged for r in written),
            rows_set_aside=sum(r.rows_set_aside for r in written), rows_withdrawn=outcome.rows_withdrawn,
            new_periods=json.dumps(new_periods) if new_periods else None))
        outcome.last_success = last_success(conn, name)
    return outcome


def _record_new_and_revised(conn, srid: int, load_ids: list[int]) -> tuple[int, list[dict]]:
    """The figures the source's loads wrote: new ones counted per series and period; each new vintage of an
    existing figure recorded with the value of the vintage before it."""
    rows = conn.execute(select(Observation.id, Observation.identity_key, Observation.vintage, Observation.value,
                               Observation.is_latest, Series.slug, Observation.period_end)
                        .join(Series, Series.id == Observation.series_id)
                        .where(Observation.run_id.in_(load_ids))).all()
    periods: dict[tuple, int] = {}
    revised = []
    for r in rows:
        if r.vintage == 1:
            key = (r.slug, str(r.period_end))
            periods[key] = periods.get(key, 0) + 1
        else:
            revised.append(r)
    changes = []
    for i in range(0, len(revised), 500):
        chunk = revised[i:i + 500]
        vintages: dict[str, list[tuple]] = {}
        for oid, key, vintage, value in conn.execute(
                select(Observation.id, Observation.identity_key, Observation.vintage, Observation.value)
                .where(Observation.identity_key.in_([r.identity_key for r in chunk]))):
            vintages.setdefault(key, []).append((vintage, oid, value))
        for r in chunk:
            earlier = [v for v in vintages.get(r.identity_key, []) if v[0] < r.vintage]
            _, old_id, old_value = max(earlier) if earlier else (None, None, None)
            changes.append({"source_run_id": srid, "kind": "revised", "identity_key": r.identity_key,
                            "observation_id": r.id, "previous_observation_id": old_id, "old_value": old_value,
                            "new_value": r.value, "is_current": bool(r.is_latest)})
    if changes:
        conn.execute(insert(FigureChange), changes)
    new_periods = [{"series": s, "period_end": p, "figures": n} for (s, p), n in sorted(periods.items())]
    return len(changes), new_periods


def _record_withdrawn(conn, srid: int, source: str, keys: set[str]) -> int | None:
    """Figures the source's previous complete load gave and this one does not; this load's keys are kept for
    the next. None when there is no previous load to compare with."""
    previous = conn.execute(select(SourceKeys.keys).where(SourceKeys.source == source)).scalar()
    packed = b"".join(sorted(bytes.fromhex(k) for k in keys))
    values = {"source_run_id": srid, "n_keys": len(keys), "keys": packed}
    if previous is None:
        conn.execute(insert(SourceKeys).values(source=source, **values))
        return None
    conn.execute(update(SourceKeys).where(SourceKeys.source == source).values(**values))
    gone = sorted({previous[i:i + 16].hex() for i in range(0, len(previous), 16)} - keys)
    changes = []
    for i in range(0, len(gone), 500):
        for oid, key, value in conn.execute(select(Observation.id, Observation.identity_key, Observation.value)
                                            .where(Observation.identity_key.in_(gone[i:i + 500]),
                                                   Observation.is_latest.is_(True))):
            changes.append({"source_run_id": srid, "kind": "withdrawn", "identity_key": key, "observation_id": oid,
                            "previous_observation_id": None, "old_value": value, "new_value": None,
                            "is_current": True})
    if changes:
        conn.execute(insert(FigureChange), changes)
    return len(gone)
