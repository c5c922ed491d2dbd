"""Smoke test of the benchmark harness at a tiny size: the generator's shape and labels on SQLite and PostgreSQL,
and `python -m benchmarks.run` writing its markdown (no timing is asserted)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from benchmarks import generate, stores, synthetic
from etl import db
from etl.load import identity_key
from etl.models import Document, LoadRun, Observation, Place, Release, Series

ROOT = Path(__file__).resolve().parent.parent
N = 2_000


@pytest.fixture(params=["sqlite", "postgres"])
def generated(request, tmp_path):
    """A 2k synthetic store made by the generator, on SQLite (a temp file) or on the test PostgreSQL server."""
    if request.param == "sqlite":
        url = generate.generate("sqlite", N, database_url=f"sqlite:///{tmp_path}/bench_synthetic_{{size}}.db",
                                quiet=True).url
    else:
        server = request.getfixturevalue("pg_engine").url.render_as_string(hide_password=False)
        url = generate.generate("postgresql", N, database_url=server, quiet=True).url
    engine = db.make_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        from sqlalchemy import create_engine
        admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)'))
        admin.dispose()


def test_generator_shape_and_labels(generated):
    with generated.connect() as conn:
        obs = conn.execute(select(Observation.identity_key, Observation.population_group, Observation.measure,
                                  Observation.origin_code, Observation.location_code, Observation.period_start,
                                  Observation.period_end, Observation.sex, Observation.age_group, Observation.cause,
                                  Observation.breakdown, Observation.unit, Observation.series_id,
                                  Observation.value)).all()
        places = dict(conn.execute(select(Place.code, Place.kind)).all())
        syrian_districts = set(conn.scalars(select(Place.code).where(Place.kind == "admin2",
                                                                    Place.country_iso3 == "SYR")))
        series = conn.execute(select(Series)).mappings().all()
        release = conn.execute(select(Release.label)).scalars().all()
        document = conn.execute(select(Document.title, Document.publisher)).one()
        run = conn.execute(select(LoadRun.status, LoadRun.rows_new)).one()
    assert len(obs) == N
    # identity keys are those the loader computes, and unique
    assert len({o.identity_key for o in obs}) == N
    for o in obs[:: N // 50]:
        rec = o._asdict() | {"series": synthetic.SERIES_SLUG}
        assert o.identity_key == identity_key(rec)
    # the stated shape: country pairs of six groups over 75 years, district movements at 2 %
    measures = Counter(o.measure for o in obs)
    assert measures["movement"] == round(N * synthetic.MOVEMENT_SHARE)
    assert measures["stock"] > measures["flow"] > 0
    countries = [o for o in obs if o.measure != "movement"]
    assert {o.population_group for o in countries} <= set(synthetic.GROUP_WEIGHTS)
    assert len({o.population_group for o in countries}) == len(synthetic.GROUP_WEIGHTS)
    assert all(places[o.origin_code] == "country" and places[o.location_code] == "country" for o in countries)
    assert all(o.origin_code != o.location_code for o in countries)
    years = {_date(o.period_end).year for o in countries}
    assert min(years) >= synthetic.FIRST_YEAR and max(years) <= synthetic.LAST_YEAR and len(years) > 30
    assert all(_date(o.period_start) == _date(o.period_end) for o in countries if o.measure == "stock")
    moves = [o for o in obs if o.measure == "movement"]
    assert {o.origin_code for o in moves} | {o.location_code for o in moves} <= syrian_districts
    assert all(o.population_group == "IDP" and _date(o.period_start).day == 1 for o in moves)
    assert Counter(o.sex for o in obs)["all"] > N / 2
    values = sorted(o.value for o in obs)
    assert values[0] >= 0 and values[len(values) // 2] < 1_000 < values[-1]  # skewed: small median, long tail
    # labelled synthetic everywhere a reader looks
    assert len(series) == 1 and {o.series_id for o in obs} == {series[0]["id"]}
    s = series[0]
    assert s["slug"] == synthetic.SERIES_SLUG and "not-real" in s["slug"]
    for field in (s["title"], s["publisher"], s["licence"], s["citation"], release[0], document.title,
                  document.publisher):
        assert "not real" in field.lower() or "never cite" in field.lower(), field
    assert run == ("success", N)


def test_generated_store_meets_the_model_constraints(generated):
    with generated.connect() as conn:
        if generated.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # the constraints are live: a figure that breaks one is refused by the same store
        bad = conn.execute(select(Observation.__table__).limit(1)).mappings().one()
        row = {k: v for k, v in bad.items() if k != "id"} | {"identity_key": "x" * 32, "value": -1}
        with pytest.raises(Exception, match="value_nonnegative"):
            conn.execute(Observation.__table__.insert().values(**row))
        conn.rollback()
        n = conn.scalar(select(func.count()).select_from(Observation).where(Observation.value < 0))
    assert n == 0


def test_generator_stops_when_the_disk_is_short(tmp_path, monkeypatch):
    monkeypatch.setattr(stores, "free_bytes", lambda url: (1_000, str(tmp_path)))
    with pytest.raises(SystemExit, match="not enough disk"):
        generate.generate("sqlite", N, database_url=f"sqlite:///{tmp_path}/bench_synthetic_{{size}}.db", quiet=True)
    assert not list(tmp_path.glob("*.db"))


def test_run_writes_the_markdown(tmp_path):
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "etl,export", "--sizes", "2k", "--out",
         str(out), "--database-url", f"sqlite:///{tmp_path}/bench_synthetic_{{size}}.db"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
        env={**os.environ, "BENCH_UNHCR_FILE": str(ROOT / "tests" / "fixtures" / "samples" /
                                                   "unhcr_population_sample.csv")})
    assert done.returncode == 0, done.stderr[-2000:]
    md = out.read_text(encoding="utf-8")
    for heading in ("# Benchmarks", "## Machine", "## Synthetic stores", "## ETL throughput", "## Export"):
        assert heading in md
    assert "**Partial run**" in md and "## Interaction latency" not in md
    assert "| SQLite |" in md and "| Python |" in md
    etl_rows = [ln for ln in md.splitlines() if ln.startswith("| sqlite | UNHCR population")]
    assert len(etl_rows) == 4 and "skipped by SHA-256" in etl_rows[3]
    assert "| sqlite | 2k | streaming export" in md
    assert not (ROOT / "benchmarks" / "stores" / "synthetic_2k.db").exists()  # the temp path was used


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def test_store_urls_keep_each_kind_on_its_own_server():
    """A PostgreSQL --database-url names the server of the postgresql stores and leaves the SQLite files alone;
    a SQLite URL is no PostgreSQL server."""
    pg = "postgresql+psycopg://u@h:5432/postgres"
    assert stores.store_url("sqlite", 100_000, pg) == f"sqlite:///{stores.STORES_DIR / 'synthetic_100k.db'}"
    assert stores.store_url("sqlite", 100_000, "postgresql+psycopg://u@h/bench_{size}").startswith("sqlite:///")
    assert stores.store_url("postgresql", 100_000, pg).endswith("/bench_synthetic_100k")
    assert stores.store_url("postgresql", 2_000, "postgresql+psycopg://u@h/b_{size}").endswith("/b_2k")
    assert stores.store_url("sqlite", 2_000, "sqlite:////tmp/s_{size}.db") == "sqlite:////tmp/s_2k.db"
    with pytest.raises(ValueError, match="not a PostgreSQL server"):
        stores.store_url("postgresql", 100_000, "sqlite:////tmp/s.db")


def test_profile_splits_every_pages_time(app_store, tmp_path):
    """python -m benchmarks.profile on the real samples: a line per page with its times and shares, and the
    page's pstats file when asked."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.profile", "--combos", "3", "--dump", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "DATABASE_URL": app_store})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = {ln.split(" | ")[0].strip(): ln.split(" | ") for ln in done.stdout.splitlines()[1:]}
    assert {"Overview", "Trends", "Flows", "Border region", "People", "Sources", "Data status", "Review"} <= set(lines)
    name, times, shares = lines["Overview"]
    p50, p95, slowest = (int(t) for t in times.split()[::2])
    assert times.split()[1::2] == ["ms"] * 3 and 0 <= p50 <= p95 <= slowest
    split = dict(part.rsplit(" ", 1) for part in shares.split(", "))
    assert {"store", "pandas", "Dash"} <= set(split) and 97 <= sum(int(v.rstrip("%")) for v in split.values()) <= 103
    assert (tmp_path / "overview.pstats").stat().st_size > 0
