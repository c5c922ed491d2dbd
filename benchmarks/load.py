"""Bounded load test on 127.0.0.1: N simulated users click through the pages' filters for D seconds against
`gunicorn -c gunicorn.conf.py app:server` (two workers), as the browser does (real Dash callback payloads).

    python -m benchmarks.load --users 50 --seconds 60 --store shipped      # the full run (docs/load.md)
    python -m benchmarks.load --users 10 --seconds 15 --store samples      # the CI size (tests/test_load.py)

Each user is a thread with its own keep-alive connection: it reads /_dash-layout and /_dash-dependencies once,
and loads a page through the page router the first time it visits it; then it loops: pick a page and a random
filter combination (drawn from the options the pages offer, benchmarks.latency.draw_combinations), post the
page's callbacks chained in order (one after another), think 0-1 s. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks import dash_client, server
from benchmarks.latency import draw_combinations

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
REDIS_SERVER = "/usr/bin/redis-server"
UPDATE = "/_dash-update-component"
SETUP = "(setup)"  # layout, dependencies and page-router requests
N_COMBOS = 1000


# --- stores, cache, server ------------------------------------------------------------------------------

def build_store(kind: str, folder: Path) -> str:
    """A fresh SQLite store in `folder`: 'shipped' (python -m etl refresh --offline: every file in data/) or
    'samples' (the real samples of tests/fixtures/samples, in their MANIFEST order); returns its URL."""
    url = f"sqlite:///{folder / f'{kind}.db'}"
    if kind == "shipped":
        done = subprocess.run([sys.executable, "-m", "etl", "refresh", "--offline"], cwd=ROOT,
                              env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"etl refresh --offline failed ({done.returncode}):\n{done.stdout[-2000:]}"
                               f"{done.stderr[-2000:]}")
        return url
    import csv

    from etl import db
    from etl import store as ops
    from etl.load import load_file

    eng = db.make_engine(url)
    try:
        ops.init(eng)
        with (SAMPLES / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                result = load_file(eng, SAMPLES / row["file"])
                if result.status != "success":
                    raise RuntimeError(f"{row['file']}: {result.status}")
    finally:
        eng.dispose()
    return url


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, no persistence; yields its URL."""
    port = server.free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--bind", server.HOST, "--port", str(port), "--save", "", "--appendonly",
                             "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis as redis_client

        client = redis_client.Redis(host=server.HOST, port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis_client.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()
        yield f"redis://{server.HOST}:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc), or 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the simulated users -------------------------------------------------------------------------------

@dataclass
class Sample:
    page: str
    kind: str  # "callback", "interaction" (a whole chain) or "setup"
    seconds: float
    status: int  # 0: no HTTP answer (connection error, timeout)


@dataclass
class Site:
    """What every user needs to know of the app, read once: its pages (as the router draws them, with their
    callbacks in levels) and the pool of filter combinations."""
    pages: list[dash_client.Page]
    combos: list[dict[str, object]]


@dataclass
class Result:
    users: int
    seconds: float  # wall time from the first user's start to the last user's end
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    loadgen_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    loadavg_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    loadavg_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    logged_failures: list[str] = field(default_factory=list)  # tracebacks in gunicorn's log (a 200 can hide one)

    @property
    def requests(self) -> int:
        return sum(s.kind != "interaction" for s in self.samples)

    @property
    def status_5xx(self) -> int:
        return sum(s.kind != "interaction" and s.status >= 500 for s in self.samples)

    @property
    def interactions(self) -> int:
        return sum(s.kind == "interaction" for s in self.samples)

    def per_page(self) -> dict[str, dict[str, float]]:
        """Per page: callbacks and interactions, and their p50/p95/p99 in milliseconds."""
        by: dict[tuple[str, str], list[float]] = defaultdict(list)
        for s in self.samples:
            by[(s.page, s.kind)].append(s.seconds * 1000)
        out: dict[str, dict[str, float]] = {}
        for (page, kind), ms in sorted(by.items()):
            a = np.array(ms)
            row = out.setdefault(page, {})
            row[f"{kind}_n"] = len(a)
            for q in (50, 95, 99):
                row[f"{kind}_p{q}"] = float(np.percentile(a, q))
        return out


def discover(base_url: str, n_combos: int = N_COMBOS, seed: int = 7, client=None) -> Site:
    client = client or dash_client.Client(base_url)
    pages = [page for page in dash_client.discover_pages(client) if page.callbacks]
    if not pages:
        raise RuntimeError("no page with server callbacks found in the app's layout")
    with_filters = next(p for p in pages if ("f-origin", "options") in p.values)

    def options(cid: str) -> list[str]:
        return [o["value"] if isinstance(o, dict) else o for o in with_filters.values.get((cid, "options")) or []]

    return Site(pages, draw_combinations(options("f-origin"), options("f-source"), n_combos, seed))


def router_body(path: str) -> bytes:
    return json.dumps({"output": dash_client.PAGES_CALLBACK_OUTPUT,
                       "outputs": [{"id": "_pages_content", "property": "children"},
                                   {"id": "_pages_store", "property": "data"}],
                       "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                  {"id": "_pages_location", "property": "search", "value": ""}],
                       "changedPropIds": ["_pages_location.pathname"], "state": []}).encode()


class User(threading.Thread):
    def __init__(self, index: int, base_url: str, site: Site, deadline: float, seed: int):
        super().__init__(name=f"user-{index}", daemon=True)
        self.client = dash_client.Client(base_url, timeout_s=120)
        self.site, self.deadline, self.rng = site, deadline, random.Random(seed * 1000 + index)
        self.samples: list[Sample] = []
        self.errors: list[str] = []

    def _send(self, page: str, kind: str, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        started = time.perf_counter()
        try:
            status, reply = self.client.request(method, path, body)
        except OSError as err:  # connection refused or reset, timeout
            status, reply = 0, repr(err).encode()
        self.samples.append(Sample(page, kind, time.perf_counter() - started, status))
        if status not in (200, 204):
            self.errors.append(f"{page} {kind} {path}: HTTP {status or 'no answer'}: {reply[:200]!r}")
        return status, reply

    def run(self) -> None:
        self._send(SETUP, "setup", "GET", "/_dash-layout")
        self._send(SETUP, "setup", "GET", "/_dash-dependencies")
        visited: set[str] = set()
        while time.monotonic() < self.deadline:
            page = self.rng.choice(self.site.pages)
            if page.path not in visited:  # the first visit loads the page through the router, as a browser does
                visited.add(page.path)
                self._send(SETUP, "setup", "POST", UPDATE, router_body(page.path))
            self.interact(page, self.rng.choice(self.site.combos))
            time.sleep(self.rng.uniform(0, 1))  # think time

    def interact(self, page: dash_client.Page, combo: dict[str, object]) -> None:
        """The page's callbacks with this filter state, level after level (a level's callbacks one after
        another), each level fed the values the previous levels returned."""
        overrides = {(k, "value"): v for k, v in combo.items() if (k, "value") in page.values}
        values = {**page.values, **overrides}
        changed = [f"{k[0]}.{k[1]}" for k in overrides]
        started = time.perf_counter()
        ok = True
        for level in page.callbacks:
            for cb in level:
                status, body = self._send(page.name, "callback", "POST", UPDATE,
                                          dash_client.payload(cb, values, changed))
                if status == 200:
                    for cid, props in json.loads(body).get("response", {}).items():
                        for prop, v in props.items():
                            values[(cid, prop)] = v
                elif status != 204:
                    ok = False
            changed = [f"{k[0]}.{k[1]}" for cb in level for k in cb.output_keys]
        self.samples.append(Sample(page.name, "interaction", time.perf_counter() - started, 200 if ok else 0))


def run_load(base_url: str, *, users: int, seconds: float, seed: int = 7, n_combos: int = N_COMBOS,
             server_pids: Callable[[], list[int]] | None = None) -> Result:
    """`users` users for `seconds` seconds against the app at `base_url`; every request's time and status.
    `server_pids` names the server's processes (read after the pages are discovered, so every worker is up)."""
    site = discover(base_url, n_combos, seed)
    pids = server_pids() if server_pids else []
    server_cpu0 = sum(cpu_seconds(p) for p in pids)
    cpu0, load0 = time.process_time(), os.getloadavg()
    started = time.monotonic()
    crowd = [User(i, base_url, site, started + seconds, seed) for i in range(users)]
    for user in crowd:
        user.start()
    for user in crowd:
        user.join()
    result = Result(users, time.monotonic() - started)
    result.loadgen_cpu_s = time.process_time() - cpu0
    result.server_cpu_s = sum(cpu_seconds(p) for p in pids) - server_cpu0
    result.loadavg_before, result.loadavg_after = load0, os.getloadavg()
    for user in crowd:
        result.samples += user.samples
        result.errors += user.errors
    return result


# --- where a worker's time goes -----------------------------------------------------------------------

class InProcess:
    """dash_client.Client's interface over the app's Flask test client (no HTTP), for profiling."""

    def __init__(self, flask_app):
        self.http = flask_app.test_client()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        reply = self.http.open(path, method=method, data=body, content_type="application/json" if body else None)
        return reply.status_code, reply.get_data()

    def get_json(self, path: str):
        return json.loads(self.request("GET", path)[1])


PROFILE_BUCKETS = {  # where a callback's time goes, by the module of the function on the stack
    "SQL (sqlalchemy, sqlite3, psycopg)": ("sqlalchemy", "sqlite3", "psycopg"),
    "DataFrames (pandas, numpy)": ("pandas", "numpy"),
    "figure building (plotly)": ("plotly",),
    "JSON encoding (plotly.io.json, json, orjson)": ("_json", "json/", "orjson", "plotly/io/_json"),
    "cache (flask_caching, redis)": ("flask_caching", "redis"),
}


def profile(database_url: str, interactions: int, seed: int = 7) -> str:
    """Run `interactions` random page interactions in this process with caching off (each one does the full
    work) under cProfile; the share of time inside each library family (inclusive, so shares overlap)."""
    import cProfile
    import pstats

    os.environ.update(DATABASE_URL=database_url, CACHE_TYPE="NullCache")
    os.environ.pop("CACHE_REDIS_URL", None)
    from app import app

    client = InProcess(app.server)
    site = discover("", N_COMBOS, seed, client=client)
    user = User(0, "http://127.0.0.1:1", site, 0, seed)
    user.client = client
    rng = random.Random(seed)
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    for _ in range(interactions):
        user.interact(rng.choice(site.pages), rng.choice(site.combos))
    prof.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(prof).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    lines = [f"{interactions} interactions in process, caching off: {wall:.1f} s wall, {len(user.errors)} errors; "
             "self time by library (exclusive):"]
    for label, needles in PROFILE_BUCKETS.items():
        own = sum(v[2] for k, v in stats.items() if any(n in k[0] or n in k[2] for n in needles))
        lines.append(f"- {label}: {own:.1f} s ({own / total:.0%})")
    lines.append(f"- total self time profiled: {total:.1f} s; the largest self times:")
    by_self = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:8]
    lines += [f"  - {k[0].rsplit('site-packages/', 1)[-1]}:{k[2]} {v[2]:.1f} s" for k, v in by_self]
    top = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)
    lines.append("top cumulative functions in the app (dashboard/):")
    lines += [f"- {k[0].split('/dashboard/')[-1]}:{k[2]} {v[3]:.1f} s" for k, v in top if "/dashboard/" in k[0]][:8]
    return "\n".join(lines)


# --- report --------------------------------------------------------------------------------------------

def logged_failures(log_text: str) -> list[str]:
    """One line per traceback in a gunicorn log: the message logged before it and the exception's last line."""
    lines = log_text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j] and not lines[j][0].isspace()), i)
            out.append(f"{lines[i - 1].strip() if i else ''}: {lines[end].strip()}")
    return out


def report(result: Result, command: str) -> str:
    n = result.requests
    lines = [f"Command: `{command}`", "",
             f"- {result.users} users for {result.seconds:.1f} s (wall, until the last user's last chain ended)",
             f"- requests: {n} ({n / result.seconds:.1f} requests/s), interactions (whole callback chains): "
             f"{result.interactions} ({result.interactions / result.seconds:.1f}/s)",
             f"- errors (no answer or status other than 200/204): {len(result.errors)}; status ≥ 500: "
             f"{result.status_5xx}",
             f"- load generator CPU: {result.loadgen_cpu_s:.1f} s; gunicorn (master + 2 workers) CPU: "
             f"{result.server_cpu_s:.1f} s",
             "- machine load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}"
             .format(*result.loadavg_before, *result.loadavg_after), "",
             "| page | callbacks | callback p50 | p95 | p99 | interactions | interaction p50 | p95 | p99 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for page, r in result.per_page().items():
        kind = "setup" if page == SETUP else "callback"
        cb = [f"{r[f'{kind}_p{q}']:.0f} ms" for q in (50, 95, 99)]
        it = ([f"{r[f'interaction_p{q}']:.0f} ms" for q in (50, 95, 99)] if "interaction_n" in r else ["—"] * 3)
        lines.append(f"| {page} | {r[f'{kind}_n']} | {' | '.join(cb)} | {r.get('interaction_n', '—')} | "
                     f"{' | '.join(it)} |")
    if result.errors:
        lines += ["", "First errors:"] + [f"- {e}" for e in result.errors[:5]]
    if result.logged_failures:
        lines += ["", f"Tracebacks in gunicorn's log (answered with a message, not a 5xx): "
                      f"{len(result.logged_failures)}"] + [f"- {e}" for e in sorted(set(result.logged_failures))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "50")))
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", "60")))
    ap.add_argument("--store", choices=["shipped", "samples"], default="shipped",
                    help="build a fresh SQLite store: every shipped file (refresh --offline, minutes) or the "
                         "test samples (seconds)")
    ap.add_argument("--database-url", help="use this existing store instead of building one")
    ap.add_argument("--cache", choices=["redis", "simple"], default="redis",
                    help="redis: a shared Redis on loopback (as deployed); simple: a SimpleCache per worker")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--log", type=Path, help="gunicorn's log file (default: discarded)")
    ap.add_argument("--profile", type=int, metavar="N",
                    help="instead of the load: N interactions in this process under cProfile, caching off")
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="load-"))
    try:
        url = args.database_url
        if not url:
            t0 = time.monotonic()
            url = build_store(args.store, folder)
            print(f"built the {args.store} store in {time.monotonic() - t0:.0f} s: {url}", flush=True)
        if args.profile:
            print(profile(url, args.profile, args.seed))
            return 0
        with contextlib.ExitStack() as stack:
            env = {"DATABASE_URL": url, "WEB_CONCURRENCY": str(server.WORKERS)}
            if args.cache == "redis":
                env.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=stack.enter_context(redis(folder)))
            else:
                env["CACHE_TYPE"] = "SimpleCache"
            log = args.log or folder / "gunicorn.log"
            served = stack.enter_context(server.gunicorn("app:server", env, log_path=log))
            result = run_load(served.base_url, users=args.users, seconds=args.seconds, seed=args.seed,
                              server_pids=lambda: [served.process.pid, *served.worker_pids()])
        result.logged_failures = logged_failures(log.read_text(errors="replace"))
        command = "python -m benchmarks.load " + " ".join(sys.argv[1:] if argv is None else argv)
        print(report(result, command.strip()))
        return 0 if not (result.errors or result.logged_failures) else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
