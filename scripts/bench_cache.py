"""Benchmark (not a test): callback latency under gunicorn, uncached (CACHE_TYPE=NullCache) against the shared
Redis cache, on the real samples (tests/fixtures/samples), everything on 127.0.0.1.

    .venv/bin/python scripts/bench_cache.py [--requests 200] [--clients 2] [--workers 2] [--database-url URL]

Without --database-url a throwaway SQLite store is built from the samples; with it (e.g. $TEST_DATABASE_URL
after `source scripts/pg.sh && pg_start`) the database is used as it is if it holds figures, else the samples
are loaded into it (nothing is deleted). Starts its own redis-server and gunicorn, and stops them."""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
PAGES = {  # one callback per page: the output it fills, and the inputs a coordinator would send
    "trends": ("trends-share-note", ["2011-01-01", "2025-12-31", "SYR", None, [], [], [], None, "linear", "values"]),
    "overview": ("overview-cards", ["2019-12-01", "2020-03-31", "SYR", None, [], [], [], None]),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, payload: dict) -> float:
    t0 = time.perf_counter()
    req = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        resp.read()
        assert resp.status == 200
    return time.perf_counter() - t0


def payload(base: str, output_part: str, values: list) -> dict:
    with urllib.request.urlopen(f"{base}/_dash-dependencies", timeout=60) as resp:
        deps = json.loads(resp.read())
    dep = next(d for d in deps if output_part in d["output"])
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})
    return {"output": dep["output"], "outputs": outputs, "changedPropIds": [], "state": [],
            "inputs": [{**i, "value": v} for i, v in zip(dep["inputs"], values, strict=True)]}


def build_store(url: str) -> None:
    from sqlalchemy import inspect

    from etl import db
    from etl import store as ops
    from etl.load import load_file

    engine = db.make_engine(url)
    if inspect(engine).has_table("observation") and ops.count_observations(engine):
        engine.dispose()
        return
    ops.init(engine)
    with (SAMPLES / "MANIFEST.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            load_file(engine, SAMPLES / row["file"])
    engine.dispose()


def serve(env: dict, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                                 "app:server"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as resp:
                if resp.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise SystemExit(f"gunicorn did not start: {log.read_text()[-2000:]}")


def measure(base: str, body: dict, n: int, parallel: int) -> dict:
    url = f"{base}/_dash-update-component"
    for _ in range(5):  # warm-up: the first request also fills the cache
        post(url, body)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        times = list(pool.map(lambda _: post(url, body), range(n)))
    wall = time.perf_counter() - t0
    times.sort()
    return {"mean_ms": 1000 * statistics.mean(times), "p50_ms": 1000 * times[len(times) // 2],
            "p95_ms": 1000 * times[int(len(times) * 0.95) - 1], "req_per_s": n / wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=2, help="requests in flight at once")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn and redis on `kill` or `timeout`
    tmp = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    url = args.database_url or f"sqlite:///{tmp / 'store.db'}"
    build_store(url)
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", str(tmp)], stdout=subprocess.DEVNULL)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "GUNICORN_"))}
    base_env["DATABASE_URL"] = url
    modes = {"uncached (NullCache)": {"CACHE_TYPE": "NullCache"},
             "cached (Redis)": {"CACHE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}}
    print(f"store: {url.split('@')[-1]}; {args.workers} gunicorn workers; {args.requests} requests per row",
          flush=True)
    print(f"{'page':9} {'cache':22} {'clients':>7} {'mean ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6}")
    try:
        for mode, extra in modes.items():
            proc, base = serve({**base_env, **extra}, args.workers, tmp / "gunicorn.log")
            try:
                for page, (output, values) in PAGES.items():
                    body = payload(base, output, values)
                    r = measure(base, body, args.requests, args.clients)
                    print(f"{page:9} {mode:22} {args.clients:7} {r['mean_ms']:8.1f} {r['p50_ms']:7.1f} "
                          f"{r['p95_ms']:7.1f} {r['req_per_s']:6.1f}", flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        redis.terminate()
        redis.wait(timeout=10)


if __name__ == "__main__":
    main()
