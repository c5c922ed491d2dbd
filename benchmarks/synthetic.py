"""Synthetic observations with stated, realistic cardinalities on the real gazetteer (pure: numpy in, columns out).

Every figure drawn here is invented for benchmarks; generate.py stores them under one series whose slug, title,
publisher and licence say so. Shares quoted as "shipped" were counted in the store that
`python -m etl refresh --offline` builds from data/raw (561,280 figures, release refugees 2025.12.1)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np

from etl.load import IDENTITY_FIELDS

# --- label: what a reader of the store, an export or the dashboard sees ------------------------------------------
SERIES_SLUG = "synthetic-benchmark-not-real"
LABEL = "Synthetic benchmark data — not real figures"
PUBLISHER = f"{LABEL} (benchmarks/generate.py)"
LICENCE = f"{LABEL}: generated, no licence applies; never cite"
DOC_URL = "benchmarks/generate.py"  # no web page: the generator is the document

# --- country pairs (stocks and flows) ----------------------------------------------------------------------------
N_ORIGINS = 230  # issue 7 ("about 230"); the shipped store has 219 origins at country level
N_LOCATIONS = 230  # issue 7; the shipped store has 199 countries of asylum
N_PAIRS = 15_000  # issue 7 ("sparse, about 15,000 pairs"); the shipped store has 10,509 country pairs
FIRST_YEAR, LAST_YEAR = 1951, 2025  # 75 years: the shipped UNHCR tables run from end-1951 to end-2025
# The six population groups with the most country-level figures in the shipped store, each weighted by how many
# figures it has there (for ASY, REF and OOC the count of stocks; for the others the count of flows).
GROUP_WEIGHTS = {"REF": 114_553, "ASY": 80_791, "RST": 9_614, "NAT": 7_386, "RET": 5_861, "OOC": 3_148}
FLOW_ONLY = frozenset({"RST", "NAT", "RET"})  # resettlement, naturalisation and returns are flows in UNHCR's tables
# Chance that a stock's year also has a flow of the same group (shipped: 102,175 ASY flows to 80,791 ASY stocks;
# 5,811 REF flows to 114,553 REF stocks; no OOC flows).
FLOW_WITH_STOCK = {"ASY": 1.0, "REF": 0.05, "OOC": 0.0}
# Chance that a figure also comes split by sex (female and male beside the total): 63 % of shipped figures are
# totals (355,192 of 561,280), so 1 / (1 + 2p) = 0.63.
SEX_SPLIT = 0.29

# --- district movements ----------------------------------------------------------------------------------------
N_DISTRICTS = 61  # Syrian districts (admin 2 p-codes) in data/gazetteer/syria_admin.csv
FIRST_MONTH, N_MONTHS = (2019, 1), 60  # five years of monthly IDP movement figures
# The shipped data has only 18 movement figures (0.003 %), too few to exercise the district path at any size:
# movements take a fixed 2 % of the rows instead (200,000 at 10 M, of at most 61 x 61 x 60 = 223,260).
MOVEMENT_SHARE = 0.02

# --- values ----------------------------------------------------------------------------------------------------
# Qualifiers as shipped: 560,326 exact, 945 about, 5 more than, 4 almost.
QUALIFIER_WEIGHTS = {"exact": 560_326, "about": 945, "more than": 5, "almost": 4}
# Log-normal counts fitted to the shipped values: 90.6 % are below 1,000 and 99.3 % below 100,000; the largest is
# 28,000,000 (values are capped there).
VALUE_LOG_MU, VALUE_LOG_SIGMA, VALUE_MAX = 1.67, 4.0, 28_000_000


@dataclass
class Drawn:
    """Columns of the drawn figures (equal length arrays; text as numpy str arrays)."""

    population_group: np.ndarray
    measure: np.ndarray
    origin_code: np.ndarray
    location_code: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    sex: np.ndarray
    value: np.ndarray
    qualifier: np.ndarray

    def __len__(self) -> int:
        return len(self.value)


def draw(n_rows: int, countries: list[str], districts: list[str], seed: int = 7) -> Drawn:
    """`n_rows` distinct figures: country pairs (stocks and flows) and district movements, in random order."""
    if len(countries) < max(N_ORIGINS, N_LOCATIONS) or len(districts) < N_DISTRICTS:
        raise ValueError(f"the gazetteer has {len(countries)} countries and {len(districts)} districts; the generator "
                         f"needs {max(N_ORIGINS, N_LOCATIONS)} and {N_DISTRICTS}")
    rng = np.random.default_rng(seed)
    n_moves = round(n_rows * MOVEMENT_SHARE)
    a = _country_figures(rng, n_rows - n_moves, sorted(countries))
    b = _movements(rng, n_moves, sorted(districts))
    cols = {f: np.concatenate([getattr(a, f), getattr(b, f)]) for f in Drawn.__dataclass_fields__}
    values = _values(rng, len(cols["value"]))
    cols["value"] = values
    names = list(QUALIFIER_WEIGHTS)
    p = np.array(list(QUALIFIER_WEIGHTS.values()), dtype=float)
    cols["qualifier"] = np.array(names)[rng.choice(len(names), size=len(values), p=p / p.sum())]
    return Drawn(**cols)


def _country_figures(rng: np.random.Generator, n: int, countries: list[str]) -> Drawn:
    origins = rng.choice(countries, N_ORIGINS, replace=False)
    locations = rng.choice(countries, N_LOCATIONS, replace=False)
    flat = rng.choice(N_ORIGINS * N_LOCATIONS, N_PAIRS * 2, replace=False)  # then drop origin == location
    pair_o, pair_l = origins[flat // N_LOCATIONS], locations[flat % N_LOCATIONS]
    keep = np.flatnonzero(pair_o != pair_l)[:N_PAIRS]
    pair_o, pair_l = pair_o[keep], pair_l[keep]
    groups = np.array(list(GROUP_WEIGHTS))
    weights = np.array(list(GROUP_WEIGHTS.values()), dtype=float)
    n_years, n_groups = LAST_YEAR - FIRST_YEAR + 1, len(groups)
    n_cells = N_PAIRS * n_years * n_groups
    # Weighted sampling without replacement (Efraimidis-Spirakis): the largest log(u) / w come first, so small
    # stores follow the weights and large ones fill the space.
    keys = np.log(rng.random(n_cells)) / weights[np.arange(n_cells) % n_groups]
    take = min(n, n_cells)
    top = np.argpartition(-keys, take - 1)[:take] if take < n_cells else np.arange(n_cells)
    cells = top[np.argsort(-keys[top], kind="stable")]
    g = groups[cells % n_groups]
    year = FIRST_YEAR + (cells // n_groups) % n_years
    pair = cells // (n_groups * n_years)
    has_stock = ~np.isin(g, list(FLOW_ONLY))
    flow_p = np.array([FLOW_WITH_STOCK.get(x, 1.0) for x in groups])[cells % n_groups]
    has_flow = ~has_stock | (rng.random(len(cells)) < flow_p)
    pos = np.arange(len(cells))
    fig_pos = np.concatenate([pos[has_stock], pos[has_flow]])
    fig_flow = np.concatenate([np.zeros(has_stock.sum(), bool), np.ones(has_flow.sum(), bool)])
    order = np.lexsort((fig_flow, fig_pos))
    fig_pos, fig_flow = fig_pos[order], fig_flow[order]
    n_sex = np.where(rng.random(len(fig_pos)) < SEX_SPLIT, 3, 1)
    row_fig = np.repeat(np.arange(len(fig_pos)), n_sex)
    sex_i = np.arange(len(row_fig)) - np.repeat(np.cumsum(n_sex) - n_sex, n_sex)
    if len(row_fig) < n:
        raise ValueError(f"{n:,} country figures do not fit the identity space ({len(row_fig):,} drawn at most)")
    row_fig, sex_i = row_fig[:n], sex_i[:n]
    cell = fig_pos[row_fig]
    is_flow = fig_flow[row_fig]
    yr = year[cell]
    end = np.char.add(yr.astype(str), "-12-31")
    start = np.where(is_flow, np.char.add(yr.astype(str), "-01-01"), end)
    return Drawn(population_group=g[cell], measure=np.where(is_flow, "flow", "stock"),
                 origin_code=pair_o[pair[cell]], location_code=pair_l[pair[cell]], period_start=start,
                 period_end=end, sex=np.array(["all", "female", "male"])[sex_i], value=np.zeros(n, np.int64),
                 qualifier=np.zeros(n, str))


def _movements(rng: np.random.Generator, n: int, districts: list[str]) -> Drawn:
    space = N_DISTRICTS * N_DISTRICTS * N_MONTHS
    if n > space:
        raise ValueError(f"{n:,} movements do not fit {N_DISTRICTS} x {N_DISTRICTS} districts x {N_MONTHS} months")
    d = np.array(districts[:N_DISTRICTS])
    cells = rng.choice(space, n, replace=False)
    month = cells % N_MONTHS
    pair = cells // N_MONTHS
    starts, ends = [], []
    for m in range(N_MONTHS):
        y, mo = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + m, 12)
        first = dt.date(y, mo + 1, 1)
        nxt = dt.date(y + (mo + 1) // 12, (mo + 1) % 12 + 1, 1)
        starts.append(first.isoformat())
        ends.append((nxt - dt.timedelta(days=1)).isoformat())
    return Drawn(population_group=np.full(n, "IDP"), measure=np.full(n, "movement"),
                 origin_code=d[pair // N_DISTRICTS], location_code=d[pair % N_DISTRICTS],
                 period_start=np.array(starts)[month], period_end=np.array(ends)[month], sex=np.full(n, "all"),
                 value=np.zeros(n, np.int64), qualifier=np.zeros(n, str))


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = np.exp(rng.normal(VALUE_LOG_MU, VALUE_LOG_SIGMA, n))
    return np.minimum(np.rint(raw), VALUE_MAX).astype(np.int64)


KEY_FIELDS = ("series", "population_group", "measure", "origin_code", "location_code", "period_start", "period_end",
              "sex", "age_group", "cause", "breakdown", "unit")


def identity_keys(drawn: Drawn, series_slug: str = SERIES_SLUG) -> list[str]:
    """etl.load.identity_key of every figure, without building a dict per row (the smoke test checks they agree)."""
    if IDENTITY_FIELDS != KEY_FIELDS:
        raise RuntimeError(f"etl.load.IDENTITY_FIELDS is now {IDENTITY_FIELDS}: update identity_keys()")
    tail = "\x1fall\x1fall\x1ftotal\x1fpeople"  # age_group, cause, breakdown, unit
    b2b = hashlib.blake2b
    return [b2b(f"{series_slug}\x1f{g}\x1f{m}\x1f{o}\x1f{lc}\x1f{s}\x1f{e}\x1f{x}{tail}".encode(),
                digest_size=16).hexdigest()
            for g, m, o, lc, s, e, x in zip(drawn.population_group.tolist(), drawn.measure.tolist(),
                                            drawn.origin_code.tolist(), drawn.location_code.tolist(),
                                            drawn.period_start.tolist(), drawn.period_end.tolist(),
                                            drawn.sex.tolist(), strict=True)]
