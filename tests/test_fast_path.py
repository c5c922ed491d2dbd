"""The fast path changes no number: every page's callbacks, fed the same filter states, return byte-identical
responses with the fast path (fast queries, query and response caches) and with the baseline
(DASHBOARD_FAST_PATH=0), on SQLite and on PostgreSQL, on the real samples and on a labelled-synthetic store.

FAST_PATH_COMBOS (default 6, CI; the full check is FAST_PATH_COMBOS=50) sets the filter states drawn per page
and store, besides the default view and the hand-picked ones (the worked example, a sub-national area, a look
back with as_of)."""
from __future__ import annotations

import datetime as dt
import json
import os
import random

import pandas as pd
import pytest
from conftest import APP_STORE_URL, load_samples, validated

from benchmarks import dash_client, generate, latency
from benchmarks.profile import Inline, InProcess
from dashboard import config
from dashboard.filters import Filters

COMBOS = int(os.environ.get("FAST_PATH_COMBOS", "6"))
SYNTHETIC_ROWS = 20_000
FIXED = [  # the worked example and views a coordinator opens first
    {"f-from": "2019-12-01", "f-to": "2020-03-31", "f-origin": "SYR", "f-location": None},
    {"f-from": "2011-01-01", "f-to": "2025-12-31", "f-origin": None, "f-location": "TUR"},
    {"f-from": "2019-11-01", "f-to": "2020-01-31", "f-origin": None, "f-location": "SY07"},
    {"f-from": "2000-01-01", "f-to": "2025-12-31", "f-origin": "SYR", "f-location": None, "f-as-of": "2020-06-30"},
    {"f-from": "1951-01-01", "f-to": "2025-12-31", "f-origin": None, "f-location": None, "f-group": ["REF"],
     "f-measure": ["stock"]},
]


def _responses(client, page, overrides, fast: bool, monkeypatch) -> list[tuple[str, int, object]]:
    monkeypatch.setattr(config, "FAST_PATH", fast)
    out: list = []
    dash_client.interact(client, page, overrides, Inline(), responses=out)
    return [(cb, status, json.loads(body) if status == 200 else body) for cb, status, body in out]


def _combos(page: dash_client.Page, first: dash_client.Page, seed: int) -> list[dict]:
    drawn = latency.draw_combinations(latency._options(first, "f-origin"), latency._options(first, "f-source"),
                                      COMBOS, seed) if COMBOS else []
    return [{}] + FIXED + drawn


def _check_store(url: str, use_store, monkeypatch, seed: int) -> int:
    from app import app

    use_store(url)
    client = InProcess(app.server.test_client())
    pages = dash_client.discover_pages(client)
    first = next(p for p in pages if ("f-origin", "options") in p.values)
    compared = figures = 0
    for page in pages:
        for combo in _combos(page, first, seed):
            overrides = {(k, "value"): v for k, v in combo.items() if (k, "value") in page.values}
            base = _responses(client, page, overrides, False, monkeypatch)
            fast = _responses(client, page, overrides, True, monkeypatch)
            fast_again = _responses(client, page, overrides, True, monkeypatch)  # the cached answer too
            assert [s for _, s, _ in base] == [s for _, s, _ in fast], (page.name, combo)
            for (cb, _, b), (_, _, f), (_, _, f2) in zip(base, fast, fast_again, strict=True):
                assert f == b, f"{page.name}: {cb[:80]} differs on the fast path for {combo}"
                assert f2 == b, f"{page.name}: {cb[:80]} differs when served from the cache for {combo}"
            compared += len(base)
            for _, status, body in fast:
                if status == 200:
                    for fig in _figures(body):  # built as plain dicts: each one plotly's validation leaves as it is
                        validated(fig)
                        figures += 1
    assert figures > compared / 10, f"only {figures} figures found in {compared} responses"
    return compared


def _figures(tree):
    """Every figure (a dict with data and layout) in a callback response, cards' sparklines included."""
    if isinstance(tree, dict):
        if isinstance(tree.get("data"), list) and isinstance(tree.get("layout"), dict):
            yield tree
            return
        for value in tree.values():
            yield from _figures(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _figures(value)


@pytest.fixture
def synthetic_url(store, tmp_path):
    """A labelled-synthetic store (benchmarks/generate.py) of SYNTHETIC_ROWS figures on SQLite or PostgreSQL."""
    if store.dialect.name == "sqlite":
        return generate.generate("sqlite", SYNTHETIC_ROWS, quiet=True,
                                 database_url=f"sqlite:///{tmp_path}/bench_synthetic_{{size}}.db").url
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    return generate.generate("postgresql", SYNTHETIC_ROWS, database_url=url, quiet=True).url


def test_samples_same_on_both_paths(store, app_store, use_store, monkeypatch):
    if store.dialect.name == "sqlite":
        url = APP_STORE_URL
    else:
        from etl import store as ops
        load_samples(store)
        ops.rebuild_ledger(store)
        url = store.url.render_as_string(hide_password=False)
    assert _check_store(url, use_store, monkeypatch, seed=random.Random(1).randrange(1000)) > 100


def test_synthetic_same_on_both_paths(synthetic_url, use_store, monkeypatch):
    assert _check_store(synthetic_url, use_store, monkeypatch, seed=11) > 100


# --- the fast queries one by one, against their baseline, on the real samples (SQLite and PostgreSQL) ---------

QUERY_FILTERS = [Filters(), Filters(origin=None), Filters(origin=None, location="TUR", date_from=dt.date(1990, 1, 1),
                                                          date_to=dt.date(2025, 12, 31)),
                 Filters(origin=None, date_from=dt.date(1951, 1, 1), date_to=dt.date(2025, 12, 31)),
                 Filters(origin="SYR", date_from=dt.date(2000, 1, 1), date_to=dt.date(2025, 12, 31), groups=("IDP",))]


@pytest.fixture
def samples_store(store, app_store):
    """The real samples: the session's app store on SQLite, loaded afresh on PostgreSQL."""
    from etl import db
    from etl import store as ops
    if store.dialect.name == "sqlite":
        eng = db.make_engine(app_store)
        yield eng
        eng.dispose()
        return
    load_samples(store)
    ops.rebuild_ledger(store)
    yield store


@pytest.mark.parametrize("filters", QUERY_FILTERS, ids=lambda f: f.to_query())
def test_quantity_statistics_grouped_by_the_database_equal_pandas(samples_store, filters):
    from dashboard.queries import sources
    baseline = sources._quantity_stats(samples_store, filters)
    fast = sources._quantity_stats_sql(samples_store, filters)
    baseline.loc[baseline["measure"] == "stock", "first"] = pd.NaT  # a stock's start is not part of its key
    assert len(baseline) > 0 or filters.location == "TUR"
    pd.testing.assert_frame_equal(fast, baseline, check_dtype=False)


@pytest.mark.parametrize("filters", QUERY_FILTERS, ids=lambda f: f.to_query())
def test_trend_lines_ranked_on_narrow_rows_equal_the_baseline(samples_store, filters, monkeypatch):
    from dashboard.queries import trends
    monkeypatch.setattr(config, "FAST_PATH", False)
    baseline = trends.lines.uncached(samples_store, filters)
    monkeypatch.setattr(config, "FAST_PATH", True)
    fast = trends.lines.uncached(samples_store, filters)
    assert (fast.n_lines, fast.n_hidden, fast.share_available, fast.share_note) == \
        (baseline.n_lines, baseline.n_hidden, baseline.share_available, baseline.share_note)
    assert len(baseline.points) > 0 or filters.location == "TUR"
    pd.testing.assert_frame_equal(fast.points, baseline.points)


@pytest.mark.parametrize("level", ["country", "governorate"])
@pytest.mark.parametrize("filters", QUERY_FILTERS, ids=lambda f: f.to_query())
def test_flow_sets_grouped_without_documents_equal_the_export_grouping(samples_store, filters, level):
    from dashboard.queries import flows
    xf, _, nothing = flows._level_filter(samples_store, filters, level)
    with samples_store.connect() as conn:
        baseline = sorted(tuple(r) for r in conn.execute(flows._sets_from_export(xf, level)))
        fast = sorted(tuple(r) for r in conn.execute(flows._sets_narrow(xf, level)))
    assert fast == baseline
    assert baseline or nothing or filters.location == "TUR" or level == "governorate"


SUMMARY_FILTERS = [*[f for f in QUERY_FILTERS if f.origin is None and f.location is None],
                   Filters(origin=None, date_from=dt.date(2019, 1, 1), date_to=dt.date(2020, 12, 31),
                           groups=("REF", "IDP"), measures=("stock", "movement")),
                   Filters(origin=None, date_from=dt.date(1951, 1, 1), date_to=dt.date(2025, 12, 31),
                           sources=("UNHCR",)),  # a publisher
                   Filters(origin=None, date_from=dt.date(1951, 1, 1), date_to=dt.date(2025, 12, 31),
                           sources=("unhcr_rpsd", "wos_idp_task_force_movements"), measures=("flow",))]


@pytest.mark.parametrize("level", ["country", "governorate"])
@pytest.mark.parametrize("filters", SUMMARY_FILTERS, ids=lambda f: f.to_query())
def test_flow_sets_read_from_the_summary_equal_the_export_grouping(samples_store, filters, level):
    """No place chosen: the Flows page reads its sets from flow_set_count (kept by the loader), not the figures."""
    from dashboard.queries import flows
    xf, _, nothing = flows._level_filter(samples_store, filters, level)
    with samples_store.connect() as conn:
        baseline = sorted(tuple(r) for r in conn.execute(flows._sets_from_export(xf, level)))
        summary = sorted(tuple(r) for r in conn.execute(flows._sets_summary(xf, level)))
    assert summary == baseline
    assert baseline or nothing or level == "governorate"
    assert baseline or filters.date_from != dt.date(2019, 1, 1)  # the IDP movements of Nov 2019 - Jan 2020
