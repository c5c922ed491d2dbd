"""Interaction latency: distinct filter combinations drawn from the filter space, sent to every page's callbacks
through Dash's HTTP endpoint of the app under gunicorn; p50/p95 with caches cleared (fresh workers), and the
same requests again (cached hits)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks import dash_client, server
from benchmarks.report import Table, ms, ratio

N_COMBOS = 200  # issue 7: at least 200 distinct combinations
WARMUP_ROUNDS = 4  # the default view of each page, untimed, so both workers have imported and connected
FILTER_IDS = ("f-from", "f-to", "f-origin", "f-location", "f-group", "f-measure", "f-source", "f-as-of")
GROUPS = ("REF", "ASY", "RST", "NAT", "RET", "OOC", "IDP")
MEASURES = ("stock", "flow", "movement")


def draw_combinations(place_codes: list[str], source_slugs: list[str], n: int = N_COMBOS,
                      seed: int = 7) -> list[dict[str, object]]:
    """`n` distinct filter states: period, origin, location (countries and Syrian governorates and districts:
    the sub-national areas), groups, measures and sources, each drawn at random from the values the page offers."""
    rng = random.Random(seed)
    subnational = [c for c in place_codes if c.startswith("SY") and c[2:].isdigit()]
    countries = [c for c in place_codes if len(c) == 3 and c.isalpha()]
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    while len(out) < n:
        if rng.random() < 0.5:  # years of country figures, or months of district movements
            y0 = rng.randint(1951, 2025)
            start, end = dt.date(y0, 1, 1), dt.date(min(2025, y0 + rng.choice([0, 1, 5, 10, 30])), 12, 31)
        else:
            m0 = rng.randrange(60)
            start = dt.date(2019 + m0 // 12, m0 % 12 + 1, 1)
            end = start + dt.timedelta(days=rng.choice([30, 90, 365]))
        kind = rng.random()
        origin = rng.choice(countries) if kind < 0.4 else (rng.choice(subnational) if kind < 0.6 else None)
        kind = rng.random()
        location = rng.choice(countries) if kind < 0.4 else (rng.choice(subnational) if kind < 0.6 else None)
        combo = {"f-from": start.isoformat(), "f-to": end.isoformat(), "f-origin": origin, "f-location": location,
                 "f-group": sorted(rng.sample(GROUPS, rng.choice([0, 0, 1, 2]))),
                 "f-measure": sorted(rng.sample(MEASURES, rng.choice([0, 0, 1]))),
                 "f-source": sorted(rng.sample(source_slugs, min(len(source_slugs), rng.choice([0, 0, 1])))),
                 "f-as-of": None}
        key = json.dumps(combo, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(combo)
    return out


def _options(page: dash_client.Page, cid: str) -> list[str]:
    return [o["value"] if isinstance(o, dict) else o for o in page.values.get((cid, "options")) or []]


def measure_store(base_urls: dict[str, str], *, n_combos: int = N_COMBOS, seed: int = 7) -> dict[str, dict]:
    """Per mode ('fast', 'baseline') and page: cold and cached interaction times (seconds) over `n_combos`
    combinations, and errors. The modes' servers run side by side and each combination is sent to one mode right
    after the other (alternating which goes first), so a change in the machine's load falls on both alike."""
    clients = {mode: dash_client.Client(url) for mode, url in base_urls.items()}
    pages = {mode: dash_client.discover_pages(c) for mode, c in clients.items()}
    first_mode = next(iter(pages))
    first = next(p for p in pages[first_mode] if (("f-origin", "options") in p.values))
    combos = draw_combinations(_options(first, "f-origin"), _options(first, "f-source"), n_combos, seed)
    results: dict[str, dict] = {mode: {} for mode in clients}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for i, page in enumerate(pages[first_mode]):
            per_mode = {mode: pages[mode][i] for mode in clients}
            for mode, client in clients.items():
                for _ in range(WARMUP_ROUNDS):
                    dash_client.interact(client, per_mode[mode], {}, pool)
            got = {mode: {"cold": [], "cached": [], "errors": [], "callbacks": 0} for mode in clients}
            order = list(clients)
            for n, combo in enumerate(combos):
                # alternate who goes first: the first to ask also warms the store's pages for the other
                for mode in (order if n % 2 == 0 else order[::-1]):
                    client = clients[mode]
                    mine = per_mode[mode]
                    overrides = {(k, "value"): v for k, v in combo.items() if (k, "value") in mine.values}
                    first_try = dash_client.interact(client, mine, overrides, pool)
                    again = dash_client.interact(client, mine, overrides, pool)
                    r = got[mode]
                    r["cold"].append(first_try.seconds)
                    r["cached"].append(again.seconds)
                    r["errors"] += first_try.errors + again.errors
                    r["callbacks"] = first_try.requests
            for mode in clients:
                results[mode][page.name] = {**got[mode], "filters": sum((k, "value") in page.values
                                                                        for k in FILTER_IDS)}
    return results


def run(store_urls: dict[tuple[str, str], str], *, n_combos: int = N_COMBOS, baseline: bool = False,
        log_dir: Path | None = None, progress: Callable[[Table], None] | None = None) -> Table:
    """Latency per store, size and page; with `baseline`, the same with DASHBOARD_FAST_PATH=0 and the ratio.
    `progress` gets the table so far after each store (a long run keeps what it measured if it is stopped)."""
    from benchmarks.load import redis  # (load imports this module)

    rows = []
    for (kind, label), url in store_urls.items():
        modes = [("fast", "1")] + ([("baseline", "0")] if baseline else [])
        with contextlib.ExitStack() as stack:
            base_urls = {}
            for mode, flag in modes:
                env = {"DATABASE_URL": url, server.FAST_PATH_ENV: flag}
                if mode == "fast":  # one cache for both workers, as deployed (docs/deploy.md)
                    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-redis-"))
                    env["CACHE_REDIS_URL"] = stack.enter_context(redis(Path(folder)))
                log = (log_dir / f"gunicorn_{kind}_{label}_{mode}.log") if log_dir else None
                served = stack.enter_context(server.gunicorn("app:server", env, log_path=log))  # fresh workers
                base_urls[mode] = served.base_url
            measured = measure_store(base_urls, n_combos=n_combos)
        for page, r in measured["fast"].items():
            cold, cached = np.array(r["cold"]) * 1000, np.array(r["cached"]) * 1000
            base = measured.get("baseline", {}).get(page)
            base_p95 = float(np.percentile(np.array(base["cold"]) * 1000, 95)) if base else None
            p95 = float(np.percentile(cold, 95))
            rows.append([kind, label, page, str(r["callbacks"]), str(len(cold)), ms(np.percentile(cold, 50)),
                         ms(p95), ms(np.percentile(cached, 50)), ms(np.percentile(cached, 95)),
                         ms(base_p95) if base_p95 is not None else "not run (--baseline)",
                         ratio(base_p95, p95) if base_p95 is not None else "—",
                         str(len(r["errors"])) + (f" ({r['errors'][0]})" if r["errors"] else "")])
        if progress is not None:
            progress(_table(rows, n_combos))
    return _table(rows, n_combos)


def _table(rows: list[list[str]], n_combos: int) -> Table:
    return Table(
        "Interaction latency",
        ["store", "rows", "page", "callbacks", "combinations", "p50 cold", "p95 cold", "p50 cached", "p95 cached",
         "baseline p95 cold", "baseline ÷ fast", "errors"],
        rows,
        notes=[f"Each page's callbacks are sent to `/_dash-update-component` of `gunicorn app:server` "
               f"({server.WORKERS} workers, 127.0.0.1) with payloads built from `/_dash-dependencies` and the page "
               "as the router draws it; callbacks that feed one another run in order, the others in parallel, as "
               "in the browser. An interaction's time is until its last response.",
               f"{n_combos} distinct filter combinations (period, origin, location incl. Syrian governorates and "
               "districts, groups, measures, source) drawn at random from the options the page offers; the same "
               "combinations on every page and store.",
               "Caches cleared first: each store and mode gets freshly started workers; each page's default view is "
               f"requested {WARMUP_ROUNDS} times untimed first (imports, connections), then every combination once "
               "(cold) and at once again (cached). With `--baseline` both apps run side by side (2 + 2 workers) and "
               "each combination goes to both, one right after the other, the first of the two alternating (the "
               "first to ask also warms the store's pages in memory for the other), so the machine's load falls on "
               "both alike.",
               "The fast path runs as deployed: both workers share one Redis (a throwaway redis-server on "
               "loopback, emptied for each store and mode), so a repeated interaction is a cache hit whichever "
               "worker answers. Baseline (`--baseline`) = the same app with "
               f"`{server.FAST_PATH_ENV}=0`: no query cache, and the plain queries instead of the fast ones "
               "(tests/test_fast_path.py checks that both return the same responses).",
               "Goal (issue 7): p95 ≤ 100 ms at 10 M rows on both stores, ≥ 20× faster than the baseline."])
