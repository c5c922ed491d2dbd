"""Fetch each live source, check its schema fingerprint, then load its files with the offline loader.

A source that fails (network, HTML, truncation, schema, a missing key, a rejected file) keeps its previous data and
its previous state; the other sources still run. `live_refresh` is what the CLI and the scheduler call."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine

from etl import store
from etl.live import dtm, fingerprint, hdx, idmc, unhcr
from etl.live.archive import RunArchive
from etl.live.config import LiveSettings
from etl.live.fetch import FetchContext, LiveError
from etl.live.http import Client, FetchError
from etl.load import LoadResult, load_file

SOURCES: dict[str, ModuleType] = {m.NAME: m for m in (unhcr, hdx, idmc, dtm)}


@dataclass
class SourceResult:
    source: str
    status: str  # fetched / unchanged / failed
    started: dt.datetime
    finished: dt.datetime
    files: list[str] = field(default_factory=list)
    rows: int = 0  # rows read by the loader from the fetched files
    rows_set_aside: int = 0
    error: str | None = None
    message: str | None = None  # "unchanged (304)", "unchanged (same sha256)", the loader's notes
    requests: int = 0
    loads: list[LoadResult] = field(default_factory=list)  # what the loader did with each fetched file

    @property
    def seconds(self) -> float:
        return (self.finished - self.started).total_seconds()

    def line(self) -> str:
        """The per-source summary line the CLI prints."""
        head = f"{self.source:6} {self.status.upper() if self.status == 'failed' else self.status:9}"
        tail = f" ({self.seconds:.1f} s, {self.requests} requests)"
        if self.status == "failed":
            return f"{head} {self.error}{tail}"
        if self.status == "unchanged":
            return f"{head} {self.message}: skipped{tail}"
        return (f"{head} {len(self.files)} file(s) {', '.join(Path(f).name for f in self.files)}, {self.rows} rows "
                f"read" + (f"; {self.message}" if self.message else "") + tail)


def live_refresh(engine: Engine, sources: list[str] | None = None, *, settings: LiveSettings | None = None,
                 client: Client | None = None, fingerprint_dir: Path | None = None, accept_schema: bool = False,
                 progress: bool = False, force: bool = False) -> list[SourceResult]:
    """Fetch and load each source (all by default); one SourceResult per source, failures included."""
    unknown = [s for s in sources or [] if s not in SOURCES]
    if unknown:
        raise store.StoreError(f"unknown live source {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    settings = settings or LiveSettings.from_env()
    own_client = client is None
    client = client or Client(settings.http)
    try:
        return [_one(engine, name, SOURCES[name], settings, client, fingerprint_dir, accept_schema, progress, force)
                for name in (sources or list(SOURCES))]
    finally:
        if own_client:
            client.close()


def _one(engine: Engine, name: str, module: ModuleType, settings: LiveSettings, client: Client,
         fingerprint_dir: Path | None, accept_schema: bool, progress: bool, force: bool) -> SourceResult:
    started = dt.datetime.now(dt.UTC)
    sent = client.requests_sent
    result = SourceResult(name, "failed", started, started)
    archive = RunArchive(settings.archive_dir, name, started)
    ctx = FetchContext(settings, client, archive, archive.load_state())
    try:
        fetched = module.fetch(ctx)
        if not fetched.changed:
            archive.save_state(ctx.new_state)
            result.status, result.message = "unchanged", f"unchanged ({fetched.unchanged_by})"
            return result
        notes = []
        if accept_schema:
            old = fingerprint.load(name, fingerprint_dir)
            diff = fingerprint.differences(old, fetched.fingerprint) if old else ["first fingerprint"]
            path = fingerprint.save(name, fetched.fingerprint, fingerprint_dir)
            notes.append(f"schema accepted into {path.name}" + (f" ({'; '.join(diff)})" if diff else " (no change)"))
        else:
            fingerprint.check(name, fetched.fingerprint, fingerprint_dir)
        for path, fmt in fetched.files:
            loaded = load_file(engine, path, fmt, retrieved_on=ctx.retrieved_on, progress=progress, force=force)
            result.files.append(str(path))
            result.loads.append(loaded)
            result.rows += loaded.rows_read
            result.rows_set_aside += loaded.rows_set_aside
            if loaded.status in ("rejected", "failed"):
                raise LiveError(f"the loader {loaded.status} {path.name}: {loaded.message}")
            if loaded.skipped or loaded.status == "partial":
                notes.append(f"{path.name}: {loaded.message or loaded.status}")
        archive.save_state(ctx.new_state)  # only now: a failed run is fetched again next time
        result.status, result.message = "fetched", "; ".join(notes) or None
    except (LiveError, FetchError, fingerprint.SchemaChanged) as exc:
        result.error = str(exc)
    except Exception as exc:  # one source's bug must not stop the others
        result.error = f"unexpected error ({type(exc).__name__}: {str(exc)[:300]})"
    finally:
        result.finished = dt.datetime.now(dt.UTC)
        result.requests = client.requests_sent - sent
    return result


def run_live(engine: Engine, source: str, *, force: bool = False, progress: bool = False,
             accept_schema: bool = False) -> list[LoadResult]:
    """The refresh runner for mode "live" (etl.refreshes): fetch and load one source under the refresh lock and
    its records; an unchanged source loads nothing; a failed one raises, so it is recorded, alerted and kept."""
    result = live_refresh(engine, [source], accept_schema=accept_schema, progress=progress, force=force)[0]
    if result.status == "failed":
        raise store.StoreError(f"{result.error} ({result.requests} requests)")
    print(result.line(), flush=True)  # fetched or unchanged (304 / same sha256), with its requests and time
    return result.loads
