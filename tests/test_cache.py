"""The shared query cache (dashboard/cache.py): keys that every process agrees on, results identical to the
uncached queries on the real samples (SimpleCache and a real Redis), invalidation by the data version, and a
cache outage that leaves the dashboard working."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import redis
from conftest import SAMPLES, free_port, load_samples, sample_files

from dashboard import cache
from dashboard.filters import Filters
from dashboard.queries import border, flows, overview, people, sources, status, trends
from etl import db
from etl.load import load_file

ROOT = Path(__file__).resolve().parent.parent
GAZIANTEP = Filters(date_from=dt.date(2017, 1, 1), date_to=dt.date(2021, 12, 31), origin="SYR", location="TR-27")


@pytest.fixture
def use_cache(served_app):
    """Re-bind the cache of the app's server to another backend for one test: `use_cache(CACHE_TYPE=...)`."""
    def _use(**overrides) -> None:
        cache.init_app(served_app.server, overrides)

    yield _use
    cache.init_app(served_app.server)  # the environment's backend again


def same(a, b) -> None:
    """a and b hold the same values (frames: same columns, dtypes and values)."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    elif dataclasses.is_dataclass(a):
        assert type(a) is type(b)
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
    else:
        assert a == b or (pd.isna(a) and pd.isna(b))


def page_calls(engine) -> list[tuple]:
    """(query, args, kwargs) as the pages call them, on the worked example's filters."""
    offensive = Filters()
    pairing = border.pairing(None)
    figs = border.side_figures.uncached(engine, offensive, pairing)
    month = border.default_month(figs, border.months(figs), pairing)
    level = flows.COUNTRY
    flt = Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 12, 31))
    choice = flows.default_choice(flows.choices.uncached(engine, flt, level)[0])
    assert month is not None and choice is not None  # the samples hold both
    return [
        (overview.headline_cards, (engine, offensive), {}),
        (overview.place_cards, (engine, dataclasses.replace(offensive, location="TUR")), {}),
        (overview.first_after, (engine, Filters(date_from=dt.date(2010, 1, 1), date_to=dt.date(2010, 12, 31))), {}),
        (trends.lines, (engine, GAZIANTEP), {"share": True}),
        (trends.events, (engine, offensive), {}),
        (people.frame, (engine, Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
                                        location="TUR")), {}),
        (sources.catalogue, (engine,), {}),
        (sources.quantities, (engine, offensive), {}),
        (sources.compare, (engine, offensive, "IDP|flow|SYR|XSY-NW|2019-12-01|people"), {}),
        (status.store_summary, (engine,), {}),
        (status.load_status, (engine,), {}),
        (status.set_aside, (engine,), {}),
        (flows.choices, (engine, flt, level), {}),
        (flows.links, (engine, flt, level, choice), {}),
        (border.side_figures, (engine, offensive, pairing), {}),
        (border.national, (engine, offensive, month), {}),
    ]


def test_keys_ignore_the_words_about_ignored_url_values_and_follow_every_filter(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    fn = trends.lines.uncached
    key = cache.query_key(fn, "7.0.1", (engine, GAZIANTEP), {})

    assert key == cache.query_key(fn, "7.0.1", (engine, dataclasses.replace(GAZIANTEP, ignored=("x=1 is bad",))), {})
    assert key == cache.query_key(fn, "7.0.1", (engine, GAZIANTEP), {"share": False})  # the default, spelled out
    assert key != cache.query_key(fn, "7.0.1", (engine, GAZIANTEP), {"share": True})
    assert key != cache.query_key(fn, "7.0.2", (engine, GAZIANTEP), {})  # a new data version
    for change in ({"location": "TR-31"}, {"groups": ("REF",)}, {"as_of": dt.date(2020, 1, 1)},
                   {"date_to": dt.date(2021, 12, 30)}, {"origin": None}):
        assert key != cache.query_key(fn, "7.0.1", (engine, dataclasses.replace(GAZIANTEP, **change)), {}), change
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    assert key != cache.query_key(fn, "7.0.1", (other, GAZIANTEP), {})  # another store
    assert key.startswith("q:7.0.1:dashboard.queries.trends.lines:")
    assert not (tmp_path / "store.db").exists()  # keying never connects
    engine.dispose()
    other.dispose()


@pytest.mark.parametrize("backend", ["SimpleCache", "RedisCache"])
def test_page_queries_give_the_same_results_from_the_cache(backend, app_store, use_cache, request):
    if backend == "RedisCache":
        url = request.getfixturevalue("redis_server")
        redis.Redis.from_url(url).flushdb()
        use_cache(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url)
    else:
        use_cache(CACHE_TYPE="SimpleCache")
    assert cache.backend_name() == backend
    engine = db.make_engine(app_store)
    version = cache.store_version(engine)
    assert version is not None
    for fn, args, kwargs in page_calls(engine):
        expected = fn.uncached(*args, **kwargs)
        key = cache.query_key(fn.uncached, version, args, kwargs)
        assert cache.cache.get(key) is None
        first = fn(*args, **kwargs)  # computed and stored
        assert cache.cache.get(key) is not None, fn.__qualname__
        second = fn(*args, **kwargs)  # read back from the cache
        same(expected, first)
        same(expected, second)
    engine.dispose()


def test_another_process_finds_the_result_under_the_same_key_in_redis(app_store, use_cache, redis_server):
    redis.Redis.from_url(redis_server).flushdb()
    use_cache(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_server)
    engine = db.make_engine(app_store)
    sources.compare(engine, Filters(), "IDP|flow|SYR|XSY-NW|2019-12-01|people")
    engine.dispose()
    script = (
        "import sys, pandas as pd; from flask import Flask; sys.path.insert(0, 'tests')\n"
        "from dashboard import cache; from dashboard.filters import Filters; from dashboard.queries import sources\n"
        "from etl import db\n"
        "server = Flask('probe'); cache.init_app(server)\n"
        f"engine = db.make_engine({app_store!r}); args = (engine, Filters(), 'IDP|flow|SYR|XSY-NW|2019-12-01|people')\n"
        "key = cache.query_key(sources.compare.uncached, cache.store_version(engine), args, {})\n"
        "hit = cache.cache.get(key)\n"
        "pd.testing.assert_frame_equal(hit[0], sources.compare.uncached(*args), check_exact=True)\n"
        "print('hit', key)\n")
    env = {**os.environ, "CACHE_REDIS_URL": redis_server, "PYTHONHASHSEED": "12345", "DATABASE_URL": app_store}
    env.pop("CACHE_TYPE", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("hit q:")


def test_a_load_changes_the_data_version_so_the_cached_answer_follows(tmp_path, use_cache):
    use_cache(CACHE_TYPE="SimpleCache")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    late = SAMPLES / "turkey_temporary_protection_sample.csv"
    load_samples(engine, [f for f in sample_files() if f != late])
    v1 = cache.store_version(engine)
    assert trends.lines(engine, GAZIANTEP).points.empty  # no Gaziantep figure yet (and now cached)
    assert trends.lines(engine, GAZIANTEP).points.empty

    assert load_file(engine, late).status == "success"

    v2 = cache.store_version(engine)
    values = set(trends.lines(engine, GAZIANTEP).points["value"].dropna())
    assert v2 != v1
    assert {446564, 449667} <= values  # DGMM's Gaziantep figures, without clearing anything
    same(trends.lines.uncached(engine, GAZIANTEP), trends.lines(engine, GAZIANTEP))
    # a rejected file changes no figure but is news for the Data status page: the version moves too
    bad = Path(__file__).resolve().parent / "fixtures" / "bad" / "unhcr_html_error_page.csv"
    assert load_file(engine, bad).status == "rejected"
    assert cache.store_version(engine) != v2
    assert status.load_status(engine)["outcome"].eq("rejected").any()
    engine.dispose()


def test_an_unreachable_redis_leaves_the_queries_working(app_store, use_cache, caplog):
    use_cache(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    engine = db.make_engine(app_store)
    with caplog.at_level(logging.WARNING, logger="dashboard.cache"):
        got = sources.compare(engine, Filters(), "IDP|flow|SYR|XSY-NW|2019-12-01|people")
    same(sources.compare.uncached(engine, Filters(), "IDP|flow|SYR|XSY-NW|2019-12-01|people"), got)
    assert "cache get failed (ConnectionError)" in caplog.text
    engine.dispose()


def test_a_private_in_memory_store_is_never_cached(engine, use_cache):
    use_cache(CACHE_TYPE="SimpleCache")
    before = len(cache.cache.cache._cache)
    assert status.store_summary(engine)["observations"] == 0
    assert cache.store_key(engine) is None
    assert len(cache.cache.cache._cache) == before


def test_null_cache_runs_every_query(app_store, use_cache):
    use_cache(CACHE_TYPE="NullCache")
    engine = db.make_engine(app_store)
    assert cache.backend_name() == "NullCache"
    same(status.load_status.uncached(engine), status.load_status(engine))
    key = cache.query_key(status.load_status.uncached, cache.store_version(engine), (engine,), {})
    assert cache.cache.get(key) is None
    engine.dispose()
