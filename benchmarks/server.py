"""Start an app under gunicorn on 127.0.0.1 for a benchmark, and read its workers' memory."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
# The speed-up work (summary tables, caches) must honour this: "0" runs the baseline path (no summary tables,
# no result caches), anything else the fast path.
FAST_PATH_ENV = "DASHBOARD_FAST_PATH"


@dataclass
class Served:
    base_url: str
    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        kids = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in kids.read_text().split()] if kids.exists() else []

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker now, in MB (from /proc)."""
        out = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out.append(int(line.split()[1]) / 1024)
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int = WORKERS, timeout_s: float = 120,
             log_path: Path | None = None) -> Iterator[Served]:
    """`gunicorn APP` with `workers` workers on a free local port, until the block ends (then stopped)."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"{HOST}:{port}",
           "--no-control-socket", "--timeout", "300", "--log-level", "warning"]
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    served = Served(f"http://{HOST}:{port}", port, proc)
    try:
        _wait_ready(served, timeout_s)
        yield served
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(served: Served, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {served.process.returncode} before serving")
        try:
            conn = http.client.HTTPConnection(HOST, served.port, timeout=60)
            conn.request("GET", "/_dash-layout")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status < 500 and len(served.worker_pids()) >= 1:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {timeout_s:.0f} s")
