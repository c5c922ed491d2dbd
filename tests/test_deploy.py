"""The scale-out deployment: /healthz, and the app under gunicorn with two workers on PostgreSQL sharing a Redis
cache, driven over HTTP on 127.0.0.1 (real PostgreSQL, real Redis, real gunicorn; nothing mocked).

A refresh in another process (`python -m etl load` of a real sample) becomes visible in both workers without a
restart: the cache is keyed by the store's data version."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from conftest import LOCAL_HOST, SAMPLES, free_port, load_samples, sample_files
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from etl import db

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn"]  # this interpreter, whatever the bin/gunicorn shebang says
DEPLOY_DB = "displacement_deploy_test"
LATE_FILE = SAMPLES / "turkey_temporary_protection_sample.csv"  # DGMM figures by province, loaded during the test
GAZIANTEP = ["2017-01-01", "2021-12-31", "SYR", "TR-27", [], [], [], None, "linear", "values"]  # Trends inputs
OFFENSIVE = ["2019-12-01", "2020-03-31", "SYR", None, [], [], [], None]  # Overview inputs


# --- HTTP ------------------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def pid(self) -> str | None:
        return self.headers.get("X-Worker-Pid")


def http(url: str, payload: dict | None = None, timeout: float = 60) -> Reply:
    """GET, or POST `payload` as JSON; a new connection each time (so gunicorn's workers share them out)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read())


def callback_payload(base: str, output_part: str, values: Sequence) -> dict:
    """The body Dash's renderer posts to /_dash-update-component for the callback whose output names
    `output_part`, with these input values (the callback map comes from the running app)."""
    deps = json.loads(http(f"{base}/_dash-dependencies").body)
    dep = next(d for d in deps if output_part in d["output"])
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})
    assert len(dep["inputs"]) == len(values)
    return {"output": dep["output"], "outputs": outputs, "changedPropIds": [], "state": [],
            "inputs": [{**i, "value": v} for i, v in zip(dep["inputs"], values, strict=True)]}


def many(url: str, payload: dict | None, n: int, parallel: int = 4) -> list[Reply]:
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda _: http(url, payload), range(n)))


# --- PostgreSQL, Redis and gunicorn ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def deploy_db() -> str:
    """A database of its own on the TEST_DATABASE_URL cluster, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.fail("TEST_DATABASE_URL is not set: run `bash scripts/test.sh` (it starts a throwaway PostgreSQL)",
                    pytrace=False)
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DEPLOY_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DEPLOY_DB}"))
    yield make_url(url).set(database=DEPLOY_DB).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DEPLOY_DB} WITH (FORCE)"))
    admin.dispose()


@dataclass
class Deployment:
    base: str
    database_url: str
    redis_url: str
    log: Path
    proc: subprocess.Popen


@pytest.fixture(scope="module")
def deployment(deploy_db, redis_server, tmp_path_factory) -> Deployment:
    """The real samples but one on PostgreSQL, and `gunicorn -c gunicorn.conf.py app:server` with two workers
    on a free loopback port, sharing the Redis cache; the workers add X-Worker-Pid to each response."""
    eng = db.make_engine(deploy_db)
    load_samples(eng, [f for f in sample_files() if f != LATE_FILE])
    eng.dispose()
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "GUNICORN_"))}
    env.update(DATABASE_URL=deploy_db, CACHE_REDIS_URL=redis_server, DASHBOARD_EXPOSE_WORKER="1",
               HOST=LOCAL_HOST, PORT=str(port), WEB_CONCURRENCY="2", GUNICORN_ACCESS_LOG="-")
    with log.open("wb") as out:
        proc = subprocess.Popen([*GUNICORN, "-c", "gunicorn.conf.py", "--no-control-socket", "app:server"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{LOCAL_HOST}:{port}"
    deadline = time.monotonic() + 120  # two workers import the app on a busy 2-core machine
    while True:
        try:
            if http(f"{base}/healthz", timeout=5).status == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"gunicorn did not become healthy:\n{log.read_text()[-3000:]}", pytrace=False)
        time.sleep(0.25)
    yield Deployment(base, deploy_db, redis_server, log, proc)
    _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the gunicorn master (it stops its workers); its own process group killed if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- tests ---------------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_a_load_in_another_process_shows_in_both_workers_without_a_restart(deployment):
    base = deployment.base
    health = http(f"{base}/healthz")
    before = json.loads(health.body)
    assert health.status == 200 and before["status"] == "ok" and before["database"] == "postgresql"
    assert before["cache"] == "RedisCache"
    trends = callback_payload(base, "trends-share-note", GAZIANTEP)

    replies = many(f"{base}/_dash-update-component", trends, 12)
    assert {r.status for r in replies} == {200}
    assert len({r.pid for r in replies}) == 2, "both gunicorn workers answer"
    assert len({r.body for r in replies}) == 1  # every worker gives the same answer
    assert b"No figure for Gaziantep" in replies[0].body and b"446564" not in replies[0].body

    load = subprocess.run([sys.executable, "-m", "etl", "load", str(LATE_FILE)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": deployment.database_url}, timeout=300)
    assert load.returncode == 0, load.stdout + load.stderr

    after = json.loads(http(f"{base}/healthz").body)
    assert after["data_version"] != before["data_version"]
    seen: dict[str, bytes] = {}
    for _ in range(10):  # until both workers have answered after the load
        for reply in many(f"{base}/_dash-update-component", trends, 6):
            assert reply.status == 200
            seen[reply.pid] = reply.body
        if len(seen) == 2:
            break
    assert len(seen) == 2
    for pid, body in seen.items():  # DGMM's Gaziantep figures (People's Daily, Jan 2020; June 2021)
        assert b"446564" in body and b"449667" in body, f"worker {pid} still shows the old data"
    assert deployment.proc.poll() is None  # no restart


@pytest.mark.postgres
def test_the_same_request_is_served_from_redis_by_the_other_worker_with_identical_bytes(deployment):
    base = deployment.base
    client = redis.Redis.from_url(deployment.redis_url)
    client.flushdb()
    overview = callback_payload(base, "overview-cards", OFFENSIVE)

    first = http(f"{base}/_dash-update-component", overview)
    assert first.status == 200 and b"3,576,370 Syrian refugees in T" in first.body
    keys = sorted(client.keys("*"))
    # the page queries and the whole answer (dashboard/response_cache.py), both by data version
    assert keys and all(k.startswith((b"displacement:q:", b"displacement:r:")) for k in keys)
    assert any(b"overview.headline_cards" in k for k in keys)
    assert sum(k.startswith(b"displacement:r:") for k in keys) == 1
    hits = client.info("stats")["keyspace_hits"]

    other = None
    for _ in range(20):  # the same request again, 4 at a time (one idle sync worker may take every sequential
        for reply in many(f"{base}/_dash-update-component", overview, 4):  # accept), until the other one answers
            assert reply.status == 200
            assert reply.body == first.body  # identical bytes
            if reply.pid != first.pid:
                other = reply
        if other is not None:
            break
    assert other is not None, "the other worker never answered"
    assert sorted(client.keys("*")) == keys  # nothing computed again: no new key
    assert client.info("stats")["keyspace_hits"] > hits  # read from Redis
    client.close()


# --- /healthz without gunicorn ----------------------------------------------------------------------------

def test_healthz_reports_the_store_the_revision_and_the_data_version(app_store, served_app):
    from dashboard import cache, health

    reply = served_app.server.test_client().get("/healthz")
    body = reply.get_json()

    assert reply.status_code == 200
    assert body["status"] == "ok" and body["database"] == "sqlite"
    assert body["alembic_revision"] == body["alembic_head"] == health.code_head()
    eng = db.make_engine(app_store)
    with eng.connect() as conn:
        assert body["data_version"] == cache.data_version(conn)
    eng.dispose()
    assert reply.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_for_a_store_behind_the_code(tmp_path, use_store):
    from app import app

    store = tmp_path / "old.db"
    eng = db.make_engine(f"sqlite:///{store}")
    db.upgrade(eng, "0001")
    eng.dispose()
    use_store(f"sqlite:///{store}")

    reply = app.server.test_client().get("/healthz")
    body = reply.get_json()

    assert reply.status_code == 503
    assert body["status"] == "error" and body["alembic_revision"] == "0001"
    assert "python -m etl init" in body["reason"]
    assert str(tmp_path) not in reply.get_data(as_text=True)  # no path


def test_healthz_is_503_without_a_built_store_or_a_database(tmp_path, use_store):
    from app import app

    use_store(f"sqlite:///{tmp_path / 'never_built.db'}")
    reply = app.server.test_client().get("/healthz")
    assert reply.status_code == 503 and "has not been built" in reply.get_json()["reason"]
    assert "never_built" not in reply.get_data(as_text=True)
    assert not (tmp_path / "never_built.db").exists()  # the check does not create the file

    port = free_port()  # nothing listens there
    use_store(f"postgresql+psycopg://dash:s3cret-word@{LOCAL_HOST}:{port}/displacement")
    reply = app.server.test_client().get("/healthz")
    text_body = reply.get_data(as_text=True)
    assert reply.status_code == 503
    assert reply.get_json()["reason"] == "the database did not answer (OperationalError)"
    assert "s3cret" not in text_body and str(port) not in text_body and "Traceback" not in text_body


# --- backup and restore --------------------------------------------------------------------------------------

def _figures(url: str) -> list[tuple]:
    """Every figure with its provenance columns, in id order."""
    eng = db.make_engine(url)
    with eng.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT o.*, d.url, d.title, s.slug, r.label FROM observation o JOIN document d ON d.id = o.document_id "
            "JOIN series s ON s.id = o.series_id JOIN release r ON r.id = o.release_id ORDER BY o.id"))]
    eng.dispose()
    return rows


def _backup_cli(url: str, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "backup", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url}, timeout=300)


def test_backup_of_a_sqlite_store_is_a_working_copy(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    eng = db.make_engine(url)
    load_samples(eng, sample_files()[:3])
    eng.dispose()
    out = tmp_path / "backup.db"

    done = _backup_cli(url, out)

    assert done.returncode == 0, done.stderr
    copy = _figures(f"sqlite:///{out}")
    assert copy == _figures(url) and len(copy) > 0
    again = _backup_cli(url, out)
    assert again.returncode == 1 and "exists already" in again.stderr  # never overwrites a backup


@pytest.mark.postgres
def test_pg_dump_backup_restores_with_pg_restore_to_the_same_figures(pg_engine, tmp_path):
    load_samples(pg_engine, sample_files()[:3])
    url = pg_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "store.dump"

    done = _backup_cli(url, out)

    assert done.returncode == 0, done.stderr
    restored = make_url(url).set(database="displacement_restore_test")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS displacement_restore_test WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE displacement_restore_test"))
    try:
        dsn = restored.set(drivername="postgresql").render_as_string(hide_password=False)
        back = subprocess.run(["pg_restore", "--no-owner", "--dbname", dsn, str(out)], capture_output=True, text=True,
                              timeout=300)
        assert back.returncode == 0, back.stderr
        restored_url = restored.render_as_string(hide_password=False)
        figures = _figures(restored_url)
        assert figures == _figures(url) and len(figures) > 0
        check = db.make_engine(restored_url)
        with check.connect() as conn:  # the restored store is at the code's head: ready to serve
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == health_head()
        check.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS displacement_restore_test WITH (FORCE)"))
        admin.dispose()


def health_head() -> str:
    from dashboard import health

    return health.code_head()
