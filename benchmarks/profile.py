"""Where a cold interaction's time goes, in process: each page's callbacks for N drawn filter combinations (the
latency benchmark's draw), with no cache, under cProfile; prints p50 / p95 / max per page and each library's share
of the profile's own time (tottime summed by file: the store's driver and SQLAlchemy, pandas and numpy, plotly,
Dash / Flask, JSON, the project's code, and the rest: built-ins and the standard library).

DATABASE_URL=sqlite:///benchmarks/stores/synthetic_10m.db python -m benchmarks.profile [--combos 40] [--seed 11]
    [--pages Overview,Trends] [--dump DIR]

Times are in process (Flask's test client, one request at a time, no gunicorn, no HTTP): they show what the
Python work per request costs, not what a browser waits for (that is benchmarks.latency). --dump writes each
page's profile (pstats) for a closer look. The first interaction of a page includes its warm-up."""
from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import sys
import time
from concurrent.futures import Future
from pathlib import Path

from benchmarks import dash_client, latency

ROOT = Path(__file__).resolve().parent.parent
PROJECT = (str(ROOT / "dashboard") + os.sep, str(ROOT / "etl") + os.sep, str(ROOT / "app.py"))
LIBRARIES = (("sqlalchemy", "store"), ("sqlite3", "store"), ("psycopg", "store"), ("pandas", "pandas"),
             ("numpy", "pandas"), ("pyarrow", "pandas"), ("plotly", "plotly"), ("dash", "Dash"), ("flask", "Dash"),
             ("werkzeug", "Dash"), ("json", "JSON"))


class InProcess(dash_client.Client):
    """dash_client's HTTP calls answered by the app's Flask test client."""

    def __init__(self, flask_client):
        self.flask = flask_client

    def request(self, method, path, body=None):
        resp = self.flask.open(path, method=method, data=body,
                               headers={"Content-Type": "application/json"} if body is not None else {})
        return resp.status_code, resp.get_data()


class Inline:
    """A page level's callbacks one after the other."""

    def submit(self, fn, *args):
        fut: Future = Future()
        fut.set_result(fn(*args))
        return fut


def library(filename: str, function: str) -> str:
    if filename == "~":  # a built-in: the driver's own methods count as the store
        return "store" if "sqlite3" in function or "psycopg" in function else "other"
    if filename.startswith(PROJECT):
        return "app"
    return next((name for part, name in LIBRARIES if part in filename), "other")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--combos", type=int, default=40)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--pages", help="comma-separated page names (default: every page)")
    p.add_argument("--dump", type=Path, help="write each page's pstats file here")
    args = p.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        p.error("set DATABASE_URL to the store to profile")
    os.environ["CACHE_TYPE"] = "NullCache"  # cold: every query runs
    from app import app

    client = InProcess(app.server.test_client())
    pages = dash_client.discover_pages(client)
    first = next(pg for pg in pages if ("f-origin", "options") in pg.values)
    combos = latency.draw_combinations(latency._options(first, "f-origin"), latency._options(first, "f-source"),
                                       args.combos, args.seed)
    wanted = set(args.pages.split(",")) if args.pages else None
    print(f"{'page':14s} | {'p50':>8s} {'p95':>8s} {'max':>8s} | share of the profile's own time")
    for page in pages:
        if wanted and page.name not in wanted:
            continue
        times, prof = [], cProfile.Profile()
        for combo in combos:
            overrides = {(k, "value"): v for k, v in combo.items() if (k, "value") in page.values}
            started = time.perf_counter()
            prof.enable()
            dash_client.interact(client, page, overrides, Inline())
            prof.disable()
            times.append(time.perf_counter() - started)
        stats = pstats.Stats(prof)
        split: collections.Counter = collections.Counter()
        for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
            split[library(filename, function)] += own
        total = sum(split.values()) or 1
        times.sort()
        ms = [f"{times[int(q * (len(times) - 1))] * 1000:6.0f} ms" for q in (0.5, 0.95, 1.0)]
        print(f"{page.name:14s} | {' '.join(ms)} | "
              + ", ".join(f"{k} {v / total:.0%}" for k, v in split.most_common()))
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            stats.dump_stats(args.dump / f"{page.name.replace(' ', '_').lower()}.pstats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
