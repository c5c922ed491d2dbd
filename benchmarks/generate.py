"""Fill benchmark stores with labelled-synthetic figures on the real gazetteer.

python -m benchmarks.generate --sizes 100k,1m,10m --store sqlite|postgresql [--database-url URL] [--seed N]

Each store is created afresh by the project's own `etl.store.init` (Alembic migration, gazetteer and events),
then filled with one synthetic series (benchmarks/synthetic.py says what is drawn and why) by executemany in
large batches on SQLite or COPY on PostgreSQL, and analysed. Nothing is written to data/."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.engine import make_url

from benchmarks import bulk, stores, synthetic
from benchmarks.sizes import parse_sizes, size_label
from etl import db
from etl import store as etl_store
from etl import summaries as etl_summaries
from etl.models import Document, LoadRun, Place, Release, Series

# Bytes on disk per figure with its indexes, measured on the 100k stores (SQLite file 28.9 MB; PostgreSQL
# pg_total_relation_size('observation') 34 MB), checked with a third more for safety.
BYTES_PER_ROW = {"sqlite": 290, "postgresql": 350}
DISK_HEADROOM = 1.33
TRANSFORM_VERSION = "benchmarks.generate 1"

OBS_COLUMNS = ("identity_key", "series_id", "population_group", "measure", "origin_code", "location_code",
               "period_start", "period_end", "sex", "age_group", "cause", "breakdown", "unit", "vintage", "is_latest",
               "release_id", "value", "value_low", "value_high", "qualifier", "missing_reason", "document_id",
               "run_id", "source_ref", "origin_name_published", "location_name_published", "note", "is_secondary",
               "is_suspected_typo", "is_rounded", "is_preliminary")


@dataclass
class Generated:
    url: str
    store: str
    rows: int
    seconds: float  # drawing and writing the figures (not the migration and gazetteer)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def check_disk(url: str, kind: str, n_rows: int) -> None:
    """Stop before writing when the store's disk cannot take the rows (estimate per row, with headroom)."""
    need = int(n_rows * BYTES_PER_ROW[kind] * DISK_HEADROOM)
    free, folder = stores.free_bytes(url)
    if free < need:
        raise SystemExit(f"not enough disk for {n_rows:,} rows on {kind}: about {need / 1e9:.1f} GB needed "
                         f"({BYTES_PER_ROW[kind]} bytes a row, plus a third), {free / 1e9:.1f} GB free in {folder}. "
                         "Free some space or ask for a smaller size.")


def generate(kind: str, n_rows: int, *, database_url: str | None = None, seed: int = 7,
             quiet: bool = False) -> Generated:
    """Recreate the store of `n_rows` rows for `kind` and fill it; returns where it is and how fast it was."""
    url = stores.store_url(kind, n_rows, database_url)
    check_disk(url, kind, n_rows)
    stores.recreate(url)
    engine = db.make_engine(url)
    try:
        etl_store.init(engine)
        started = time.perf_counter()
        fill(engine, n_rows, seed=seed)
        seconds = time.perf_counter() - started
        with engine.begin() as conn:  # planner statistics, as a deployment would have after its loads
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    result = Generated(url, kind, n_rows, seconds)
    if not quiet:
        print(f"{kind} {size_label(n_rows)}: {n_rows:,} synthetic figures in {seconds:.1f} s "
              f"({result.rows_per_second:,.0f} rows/s) -> {make_url(url).render_as_string()}")
    return result


def fill(engine: Engine, n_rows: int, *, seed: int = 7) -> None:
    """Draw `n_rows` figures and write them under one labelled-synthetic series, release, document and run."""
    with engine.connect() as conn:
        countries = list(conn.scalars(select(Place.code).where(Place.kind == "country")))
        districts = list(conn.scalars(select(Place.code).where(Place.kind == "admin2", Place.country_iso3 == "SYR")))
    drawn = synthetic.draw(n_rows, countries, districts, seed=seed)
    keys = synthetic.identity_keys(drawn)
    today = dt.date.today()
    with engine.begin() as conn:
        series_id = conn.execute(insert(Series).values(
            slug=synthetic.SERIES_SLUG, title=synthetic.LABEL, publisher=synthetic.PUBLISHER,
            originator=synthetic.PUBLISHER, source_kind="estimate", licence=synthetic.LICENCE,
            citation=f"{synthetic.LABEL}, drawn by benchmarks/generate.py (seed {seed}); never cite",
            url=None, is_secondary=False)).inserted_primary_key[0]
        release_id = conn.execute(insert(Release).values(
            series_id=series_id, label=f"{synthetic.LABEL}: seed {seed}, {size_label(n_rows)} rows",
            released_on=None)).inserted_primary_key[0]
        document_id = conn.execute(insert(Document).values(
            series_id=series_id, title=f"{synthetic.LABEL} (seed {seed}, {n_rows:,} rows)", url=synthetic.DOC_URL,
            publisher=synthetic.PUBLISHER, published_on=None, retrieved_on=today,
            channel="benchmarks/generate.py")).inserted_primary_key[0]
        run_id = conn.execute(insert(LoadRun).values(
            source="synthetic_benchmark", path=synthetic.DOC_URL, file_sha256=None, format="synthetic",
            status="running", started_at=dt.datetime.now(dt.UTC), transform_version=TRANSFORM_VERSION,
            message=synthetic.LABEL)).inserted_primary_key[0]
    rows = _rows(drawn, keys, series_id, release_id, document_id, run_id)
    written = bulk.insert_rows(engine, "observation", OBS_COLUMNS, rows)
    with engine.begin() as conn:  # written outside the loader: its summary tables are computed once here
        etl_summaries.rebuild(conn)
        conn.execute(update(LoadRun).where(LoadRun.id == run_id).values(
            status="success", finished_at=dt.datetime.now(dt.UTC), rows_read=written, rows_new=written))


def _rows(drawn: synthetic.Drawn, keys: list[str], series_id: int, release_id: int, document_id: int, run_id: int):
    cols = zip(keys, drawn.population_group.tolist(), drawn.measure.tolist(), drawn.origin_code.tolist(),
               drawn.location_code.tolist(), drawn.period_start.tolist(), drawn.period_end.tolist(),
               drawn.sex.tolist(), drawn.value.tolist(), drawn.qualifier.tolist(), strict=True)
    for i, (key, group, measure, origin, location, start, end, sex, value, qualifier) in enumerate(cols, start=1):
        yield (key, series_id, group, measure, origin, location, start, end, sex, "all", "all", "total", "people",
               1, True, release_id, value, None, None, qualifier, None, document_id, run_id, f"synthetic row {i}",
               None, None, None, False, False, False, False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100k", help="comma-separated row counts: 2k,100k,1m,10m (default 100k)")
    p.add_argument("--store", choices=stores.STORE_KINDS, default="sqlite")
    p.add_argument("--database-url", help="SQLite file or PostgreSQL server to use ('{size}' is replaced)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    for n in parse_sizes(args.sizes):
        generate(args.store, n, database_url=args.database_url, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
