"""Run the benchmarks of issue 7 and write docs/benchmarks.md (not part of CI: it takes long and needs a quiet
machine).

python -m benchmarks.run [--sizes 100k,1m,10m] [--stores sqlite,postgresql] [--quick] [--only etl,export,...]
                         [--baseline] [--out docs/benchmarks.md] [--database-url URL]

PostgreSQL: `source scripts/pg.sh && pg_start` first (or pass --database-url of a server where databases named
bench_* may be created and dropped)."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from benchmarks import concurrency, etl_throughput, export, generate, latency, page, stores, synthetic
from benchmarks.report import Table, rate, seconds, write
from benchmarks.sizes import parse_sizes, size_label
from etl import db
from etl.models import Observation, Series

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("etl", "export", "latency", "page", "concurrency")
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
COMMAND = "python -m benchmarks.run"
ISSUE_SIZE = 1_000_000  # the HXL file and the export of issue 7 are 1 M rows
QUICK_COMBOS = 50  # a smoke check; the issue's figures need the full run's 200


def _rows_in(url: str) -> int | None:
    """Synthetic figures in an existing store, or None if it is missing or unreadable."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and not Path(u.database).exists():
        return None
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Observation).join(Series).where(
                Series.slug == synthetic.SERIES_SLUG))
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def ensure_stores(kinds: list[str], sizes: list[int], database_url: str | None, regenerate: bool,
                  seed: int) -> tuple[dict[tuple[str, str], str], Table]:
    """The synthetic store of each kind and size, generated unless one with the same row count exists."""
    urls, rows = {}, []
    for kind in kinds:
        for n in sizes:
            url = stores.store_url(kind, n, database_url)
            if not regenerate and _rows_in(url) == n:
                engine = db.make_engine(url)
                try:  # a store made before a migration gets it (e.g. a new index), as a deployed store would
                    db.upgrade(engine)
                finally:
                    engine.dispose()
                rows.append([kind, size_label(n), f"{n:,}", "reused (same size and generator; migrated to the "
                             "current schema)", "—"])
            else:
                g = generate.generate(kind, n, database_url=database_url, seed=seed)
                rows.append([kind, size_label(n), f"{n:,}", seconds(g.seconds), rate(g.rows, g.seconds, " rows/s")])
            urls[(kind, size_label(n))] = url
    return urls, Table("Synthetic stores", ["store", "size", "figures", "generated in", "rate"], rows, notes=[
        "`python -m benchmarks.generate`: labelled-synthetic figures on the real gazetteer (one series, "
        f"'{synthetic.LABEL}'); cardinalities and their sources are in benchmarks/synthetic.py. Rate = drawing and "
        "writing the figures (executemany on SQLite, COPY on PostgreSQL), not the migration."])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100k,1m,10m")
    p.add_argument("--stores", default="sqlite,postgresql")
    p.add_argument("--quick", action="store_true", help="100k rows on SQLite only: a smoke check")
    p.add_argument("--only", default=",".join(BENCHMARKS), help=f"some of {','.join(BENCHMARKS)}")
    p.add_argument("--baseline", action="store_true",
                   help=f"also run the latency baseline ({latency.server.FAST_PATH_ENV}=0) and report the ratio")
    p.add_argument("--combos", type=int, help=f"filter combinations per page (default {latency.N_COMBOS}; "
                   f"{QUICK_COMBOS} with --quick)")
    p.add_argument("--wrk-seconds", type=int, default=15)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--database-url", help="PostgreSQL server for the bench_* databases (default: TEST_DATABASE_URL)")
    p.add_argument("--regenerate", action="store_true", help="regenerate stores even if they exist")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    kinds = [k.strip() for k in args.stores.split(",") if k.strip()]
    if args.quick:
        kinds = ["sqlite"]
        if "--sizes" not in (argv if argv is not None else sys.argv[1:]):
            sizes = [100_000]
    combos = args.combos or (QUICK_COMBOS if args.quick else latency.N_COMBOS)
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = [b for b in only + kinds if b not in BENCHMARKS + stores.STORE_KINDS]
    if unknown:
        p.error(f"unknown: {', '.join(unknown)}")
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    tables: list[Table] = []
    failed: list[str] = []

    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    partial = args.quick or set(only) != set(BENCHMARKS) or sorted(set(sizes)) != [100_000, 1_000_000, 10_000_000] \
        or set(kinds) != set(stores.STORE_KINDS) or combos < latency.N_COMBOS

    def report(extra: list[Table] = (), running: str | None = None) -> None:
        """Write the report with what is measured so far: a stopped run keeps its finished benchmarks."""
        preface = ["Measurements of issue 7, written by the command below; every ratio compares figures measured "
                   "in the same run on the same machine. Synthetic stores hold labelled-synthetic figures "
                   f"('{synthetic.LABEL}'), never mixed with the shipped data."]
        if partial:
            preface.insert(0, f"**Partial run** ({'--quick: ' if args.quick else ''}sizes "
                           f"{', '.join(size_label(n) for n in sizes)}; stores {', '.join(kinds)}; benchmarks "
                           f"{', '.join(only)}; {combos} filter combinations per page). The full run is `{COMMAND} "
                           "--baseline` (every size and store, and the latency baseline).\n")
        if running:
            preface.insert(0, f"**Run in progress** (now: {running}; {time.perf_counter() - started:,.0f} s so far): "
                              "the tables below are what is measured so far.\n")
        preface.append(f"Load average at the start: {' / '.join(f'{x:.2f}' for x in load_at_start)} (1/5/15 min) "
                       f"on {os.cpu_count()} cores; above the core count, other work shared the CPU and every time "
                       "here is slower and noisier than on a quiet machine (ratios within one run suffer less).")
        try:
            write(args.out, [*tables, *extra], title="Benchmarks", preface=preface,
                  command=f"{COMMAND} {argv_text}".strip())
        except OSError as exc:  # a report that cannot be written now must not stop the measuring
            print(f"could not write {args.out}: {exc}", file=sys.stderr, flush=True)

    def step(name: str, fn) -> None:
        """Run one benchmark; a failure is written into the report (and the exit code), the others still run."""
        t0 = time.perf_counter()
        print(f"[{time.perf_counter() - started:7.0f} s] {name} ...", flush=True)
        report(running=name)
        try:
            tables.append(fn())
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            traceback.print_exc()
            failed.append(name)
            tables.append(Table(f"{name[0].upper()}{name[1:]}", [], [], notes=[
                f"FAILED: {type(exc).__name__}: {str(exc)[:500]}"]))
        print(f"[{time.perf_counter() - started:7.0f} s] {name} done in {time.perf_counter() - t0:.0f} s", flush=True)

    needs_stores = set(only) & {"export", "latency", "page", "concurrency"}
    urls: dict[tuple[str, str], str] = {}
    if needs_stores:
        urls, store_table = ensure_stores(kinds, sizes, args.database_url, args.regenerate, args.seed)
        tables.append(store_table)
    largest = max(sizes)
    top = {(k, size_label(largest)): urls[(k, size_label(largest))] for k in kinds} if urls else {}
    # The issue sizes two benchmarks at 1 M rows whatever the stores' sizes: the HXL file of the ETL benchmark and
    # the export (pandas' frame of a 10 M-row store would need about 40 GB). Smaller runs use their largest size.
    one_million = min(largest, ISSUE_SIZE)
    export_size = max((n for n in sizes if n <= ISSUE_SIZE), default=None)
    at_one_million = {key: url for key, url in urls.items() if export_size and key[1] == size_label(export_size)}
    # Latency first: it is the longest and the issue's main figure, so a run stopped later still has it.
    if "latency" in only:
        with tempfile.TemporaryDirectory(prefix="bench-logs-") as logs:
            step("interaction latency", lambda: latency.run(
                urls, n_combos=combos, baseline=args.baseline, log_dir=Path(logs),
                progress=lambda so_far: report([so_far], running="interaction latency")))
    if "page" in only:
        (kind, label), url = next(iter(top.items()))
        step("page", lambda: page.run(url, f"{label} {kind}"))
    if "concurrency" in only:
        for (kind, label), url in top.items():
            step(f"concurrency ({kind})", lambda url=url, kind=kind, label=label:
                 concurrency.run(url, f"{label} {kind}", args.wrk_seconds))
    if "export" in only and export_size is None:
        tables.append(Table("Export", [], [], notes=[
            f"Not run: the export is measured on a store of at most {size_label(ISSUE_SIZE)} rows (pandas' frame of "
            f"a larger one does not fit in memory) and --sizes {args.sizes} has none."]))
    elif "export" in only:
        step("export", lambda: export.run(at_one_million))
    if "etl" in only:
        step("ETL throughput", lambda: etl_throughput.run(kinds, one_million, args.database_url))
    report()
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}"
                                                                           if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
