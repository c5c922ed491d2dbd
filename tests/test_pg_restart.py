"""The dashboard survives a PostgreSQL restart: the first request after the server is back succeeds.

The test starts its own throwaway cluster (as scripts/pg.sh does: as the `postgres` user when run as root),
serves the app's export route from the store on it, restarts the server with `pg_ctl restart -m fast` (which
ends every connection the app's pool holds) and asks again. etl.db.make_engine gives PostgreSQL engines
pool_pre_ping, so a dead pooled connection is replaced before the request uses it.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import SAMPLES, load_samples
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from etl import db

FILES = [SAMPLES / "unhcr_population_sample.csv", SAMPLES / "nw_syria_displacement_sample.csv"]


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL is not installed (apt-get install -y postgresql)", pytrace=False)
    return Path(found[-1]).parent


def _as_owner(*cmd: str) -> subprocess.CompletedProcess:
    """Run a server command as the cluster owner (pg_ctl refuses root)."""
    if os.geteuid() == 0:
        cmd = ("runuser", "-u", "postgres", "--", *cmd)
    return subprocess.run(cmd, cwd="/", capture_output=True, text=True, timeout=120, check=True)


class Cluster:
    def __init__(self):
        self.bin = _pg_bin()
        self.data = Path(tempfile.mkdtemp(prefix="pgrestart."))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        _as_owner(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.ctl("start")
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "displacement_restart_test"], check=True, timeout=60)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/displacement_restart_test"

    def ctl(self, action: str, *extra: str) -> None:
        _as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w",
                  "-t", "60", "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c fsync=off",
                  action, *extra)

    def remove(self) -> None:
        try:
            _as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture
def cluster():
    c = Cluster()
    yield c
    c.remove()


def backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def test_the_first_request_after_a_postgresql_restart_succeeds(cluster, use_store):
    from app import app
    from dashboard.queries import core

    eng = db.make_engine(cluster.url)
    load_samples(eng, FILES)
    eng.dispose()
    use_store(cluster.url)
    client = app.server.test_client()
    query = "/export.csv?origin=SYR&location=TUR&group=REF&from=2019-12-31&to=2019-12-31"

    before = client.get(query)
    assert before.status_code == 200
    body = before.get_data(as_text=True)
    assert "3576370" in body
    app_engine = core._engines[cluster.url]
    pid_before = backend_pid(app_engine)
    plain = create_engine(cluster.url)  # no pre-ping: shows that the restart really ends pooled connections
    backend_pid(plain)

    cluster.ctl("restart", "-m", "fast")

    after = client.get(query)  # the first request once the server is back
    assert after.status_code == 200
    assert after.get_data(as_text=True) == body
    assert backend_pid(app_engine) != pid_before  # served on a new connection, the old one was dropped
    with pytest.raises(OperationalError):
        backend_pid(plain)
    plain.dispose()
