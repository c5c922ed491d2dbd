"""Concurrency: requests/s of one repeated (cached) interaction on two gunicorn workers under wrk, against a bare
Flask endpoint returning the same bytes on the same workers; p99, the load generator's CPU, the workers' memory."""
from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks import dash_client, server
from benchmarks.report import Table, ratio

CONNECTIONS = 32
THREADS = 2
PAGE = "/trends"  # one chart callback with the default filters: the most common interaction
RSS_GOAL_MB = 250


def _lua(body: bytes, folder: Path) -> Path:
    path = folder / "post.lua"
    path.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = {json.dumps(body.decode())}\n", encoding="utf-8")
    return path


def _wrk(url: str, script: Path, duration_s: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration_s}s", "--latency",
                           "--timeout", "30s", "-s", str(script), url], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50.group(1) if p50 else "?", "p99": p99.group(1) if p99 else "?",
            "cpu_share": cpu / wall, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def _interaction(base_url: str) -> tuple[bytes, bytes]:
    """The payload of the page's chart callback with the default filters, and the response it gets."""
    client = dash_client.Client(base_url)
    layout = client.get_json("/_dash-layout")
    callbacks = dash_client.server_callbacks(client.get_json("/_dash-dependencies"))
    shell = {dash_client.id_key(p["id"]) for p in dash_client.walk(layout) if "id" in p}
    page = dash_client.load_page(client, PAGE, PAGE)
    dash_client.attach_callbacks(page, callbacks, shell)
    cb = page.callbacks[0][0]
    body = dash_client.payload(cb, page.values, ["f-from.value"])
    with ThreadPoolExecutor(4) as pool:  # each worker answers it a few times first
        list(pool.map(lambda _: client.request("POST", "/_dash-update-component", body), range(8)))
    status, resp = client.request("POST", "/_dash-update-component", body)
    if status != 200:
        raise RuntimeError(f"{PAGE} callback: HTTP {status}")
    return body, resp


def run(store_url: str, label: str, duration_s: int = 15) -> Table:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmpdir:
        tmp = Path(tmpdir)
        with server.gunicorn("app:server", {"DATABASE_URL": store_url}) as served:
            body, response = _interaction(served.base_url)
            dash = _wrk(served.base_url + "/_dash-update-component", _lua(body, tmp), duration_s)
            dash_rss = served.worker_rss_mb()
        (tmp / "response.json").write_bytes(response)
        with server.gunicorn("benchmarks.bare_app:server", {"BENCH_BARE_BYTES": str(tmp / "response.json")}) as bare_s:
            bare = _wrk(bare_s.base_url + "/bare-bytes", _lua(body, tmp), duration_s)
            bare_rss = bare_s.worker_rss_mb()
    rows = []
    for name, r, rss in ((f"dashboard: Trends chart callback, {label} store", dash, dash_rss),
                         ("bare Flask endpoint, same bytes", bare, bare_rss)):
        rows.append([name, f"{r['rps']:,.1f}", ratio(r["rps"], bare["rps"]), r["p50"], r["p99"],
                     f"{r['cpu_share'] * 100:.0f} % of a core", " / ".join(f"{m:,.0f} MB" for m in rss),
                     str(r["non2xx"]) + (f"; socket errors: {r['socket_errors']}" if r["socket_errors"] else "")])
    return Table("Concurrency", ["endpoint", "requests/s", "÷ bare", "p50", "p99", "wrk CPU", "worker RSS",
                                 "non-2xx"], rows,
                 notes=[f"wrk, {THREADS} threads, {CONNECTIONS} connections, {duration_s} s, POSTing one callback "
                        f"payload ({len(body):,} bytes; response {len(response):,} bytes) to gunicorn with "
                        f"{server.WORKERS} workers on 127.0.0.1; the load generator shares the machine's cores with "
                        "the workers (its CPU use is shown).",
                        "The request is the Trends chart callback of the page as first drawn (its default filters). "
                        "'Cached interaction' = the same request again and again: after its first answer each worker "
                        "serves it from the response cache (dashboard/response_cache.py; each worker's own "
                        "SimpleCache here), which still reads the store's data version on every request.",
                        f"Goal (issue 7): ≥ 50 % of the bare endpoint's requests/s; worker memory ≤ {RSS_GOAL_MB} MB "
                        "at 10 M rows."])
