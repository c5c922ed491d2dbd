"""People reads: sex and age where published (a pyramid from UNHCR's demographic rows), the shares of women and
children in the north-west Syria reports, and what is not disaggregated, in words."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.cache import cached_query
from dashboard.filters import Filters
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from dashboard.queries.overview import figures_where, rank
from etl.models import Observation

AGE_ORDER = ["0-4", "5-11", "12-17", "18-59", "60+", "unknown"]
SEX_AGE_BREAKDOWNS = ("women", "children", "girls", "boys", "men", "elderly", "older people", "adolescents")
SPLIT = (Observation.sex.in_(("female", "male")),)


def scope(engine: Engine, filters: Filters) -> tuple[str, ...]:
    """The chosen location and the areas inside it (a country's figures by sex and age are published for its
    reporting locations, not for the country)."""
    if not filters.location:
        return ()
    return (filters.location, *sorted(core.descendants(engine, filters.location)))


@dataclass
class Pyramid:
    """Female and male by age band for one source, group and date, summed over disjoint reporting locations."""

    bands: pd.DataFrame  # one row per sex and age band: value, n_locations, provenance
    group: str | None = None
    date: pd.Timestamp | None = None
    source: str = ""
    n_locations: int = 0
    total: int | None = None  # the same rows' own totals (sex and age 'all'), side by side, never added
    sex_totals: dict = field(default_factory=dict)
    own_figure: dict | None = None  # the chosen place's own figure from the same source and date, if any
    other_groups: tuple[str, ...] = ()
    later: pd.Timestamp | None = None  # when nothing is in the period: the first date with a split after it


FRAME_LIMIT = 60_000


@cached_query
def frame(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every figure in the filters and the location's scope (totals, splits and breakdowns): one read that
    the pyramid, the shares and the sentences share. More than FRAME_LIMIT rows: the caller says 'too broad'."""
    return figures_where(engine, core.to_export_filter(filters, location_codes=scope(engine, filters)),
                         limit=FRAME_LIMIT)


@cached_query
def first_split_after(engine: Engine, filters: Filters) -> pd.Timestamp | None:
    """The first date after the period with a sex split for these places (to say where to look)."""
    q = select(func.min(Observation.period_end)).where(
        Observation.is_latest.is_(True), *SPLIT, Observation.period_end > filters.date_to)
    if filters.origin:
        q = q.where(Observation.origin_code == filters.origin)
    if filters.location:
        q = q.where(Observation.location_code.in_(scope(engine, filters)))
    with engine.connect() as conn:
        found = conn.scalar(q)
    return pd.Timestamp(found) if found else None


def pyramid(engine: Engine, filters: Filters, figures: pd.DataFrame | None = None) -> Pyramid:
    figures = frame(engine, filters) if figures is None else figures
    rows = figures[figures["sex"].isin(("female", "male")) & figures["value"].notna()]
    if rows.empty:
        return Pyramid(rows, later=first_split_after(engine, filters))
    sizes = rows[rows["age_group"] == "all"].groupby("population_group")["value"].sum().sort_values(ascending=False)
    group = next((g for g in filters.groups if g in sizes.index), sizes.index[0] if len(sizes) else
                 rows["population_group"].iloc[0])
    rows = rows[rows["population_group"] == group]
    ranked = rank(rows)
    # The ledger compares current figures: a split it passed over for a rival's is not drawn (as Overview).
    marks = ledger_marks.marks(engine, rows["observation_id"]) if filters.as_of is None else {}
    kept = ~ranked["observation_id"].map(lambda i: i in marks and not marks[i][1])
    best = ranked[kept].iloc[0] if kept.any() else ranked.iloc[0]  # one source and one date: never combined
    rows = rows[(rows["series_slug"] == best["series_slug"]) & (rows["reference_period_end"] ==
                                                                 best["reference_period_end"])]
    rows = _one_level_per_location(rows)
    bands = rows[rows["age_group"] != "all"]
    if bands.empty:  # split by sex only, no age bands: one band per sex, of all ages (the chart says so)
        bands = rows[rows["age_group"] == "all"]
    agg = bands.groupby(["sex", "age_group"], as_index=False).agg(
        value=("value", "sum"), n_locations=("location_code", "nunique"), n_rows=("value", "size"),
        observation_id=("observation_id", "first"))
    if filters.as_of is None:  # a band of one figure: its rivals in the ledger; a sum of figures has none
        one = agg["observation_id"].where(agg["n_rows"] == 1)
        agg = ledger_marks.with_marks(engine, agg.assign(observation_id=one))
    first = bands.iloc[0]
    for col in ("population_group", "measure", "reference_period_start", "reference_period_end", "series_slug",
                "series_title", "source", "publisher", "originator", "licence", "citation", "retrieved_at",
                "vintage", "source_kind"):
        agg[col] = first[col]
    agg["origin_name"] = _origin_words(bands)
    agg["location_name"] = _location_words(engine, bands, filters)
    agg["age_rank"] = agg["age_group"].map(lambda a: AGE_ORDER.index(a) if a in AGE_ORDER else len(AGE_ORDER))
    agg = agg.sort_values(["sex", "age_rank"]).drop(columns="age_rank").reset_index(drop=True)
    agg["value"] = agg["value"].astype("Int64")
    sex_totals = rows[rows["age_group"] == "all"].groupby("sex")["value"].sum().astype(int).to_dict()
    same = (figures["population_group"] == group) & (figures["reference_period_end"] == best["reference_period_end"]) \
        & (figures["sex"] == "all") & (figures["age_group"] == "all") & figures["value"].notna()
    totals = figures[same & (figures["series_slug"] == best["series_slug"])
                     & figures["location_code"].isin(set(bands["location_code"]))]
    totals = _one_level_per_location(totals)
    own = None
    if filters.location and filters.location not in set(bands["location_code"]):
        mine = figures[same & (figures["location_code"] == filters.location) & (figures["breakdown"] == "total")
                       & (figures["measure"] == best["measure"]) & (figures["originator"] == best["originator"])]
        own = rank(mine).iloc[0].to_dict() if len(mine) else None
    return Pyramid(agg, group=group, date=best["reference_period_end"], source=best["source"],
                   n_locations=int(bands["location_code"].nunique()),
                   total=int(totals["value"].sum()) if len(totals) else None, sex_totals=sex_totals,
                   own_figure=own, other_groups=tuple(g for g in sizes.index if g != group))


def _one_level_per_location(rows: pd.DataFrame) -> pd.DataFrame:
    """Per location and origin: its 'total' rows if it has them, else its rows by accommodation type (UNHCR
    publishes one or the other for a location, never both: the types are disjoint parts of it)."""
    if rows.empty:
        return rows
    has_total = rows.groupby(["location_code", "origin_code"], dropna=False)["breakdown"].transform(
        lambda b: (b == "total").any())
    return rows[~has_total | (rows["breakdown"] == "total")]


def _origin_words(rows: pd.DataFrame) -> str:
    names = rows["origin_name"].dropna().unique()
    return names[0] if len(names) == 1 else f"{len(names)} countries of origin"


def _location_words(engine: Engine, rows: pd.DataFrame, filters: Filters) -> str:
    n = rows["location_code"].nunique()
    if n == 1:
        return rows["location_name"].iloc[0]
    where = core.place_name(engine, filters.location) if filters.location else "all countries"
    return f"{n} reporting locations in {where}"


def breakdown_shares(engine: Engine, filters: Filters, figures: pd.DataFrame | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Women, children... as a share of the total of the same date and source (same series, publisher, group,
    measure, origin, place and period). Returns (shares, breakdowns with no such total)."""
    figures = frame(engine, filters) if figures is None else figures
    parts = figures[figures["breakdown"].isin(SEX_AGE_BREAKDOWNS)]
    if parts.empty:
        return parts, parts
    totals = figures[_is_total(figures)]
    key = ["series_slug", "publisher", "population_group", "measure", "origin_code", "location_code",
           "reference_period_start", "reference_period_end"]
    totals = totals[key + ["value", "qualifier", "observation_id"]].rename(
        columns={"value": "total", "qualifier": "total_qualifier", "observation_id": "total_observation_id"})
    merged = parts.merge(totals.drop_duplicates(key), on=key, how="left")
    ok = merged["total"].notna() & merged["value"].notna() & (merged["total"] > 0)
    merged["total"] = merged["total"].astype("Int64")
    merged["share"] = pd.array([pd.NA] * len(merged), "Float64")
    merged.loc[ok, "share"] = merged.loc[ok, "value"].astype(float) / merged.loc[ok, "total"].astype(float)
    shares = merged[ok].sort_values(["reference_period_end", "source", "breakdown"]).reset_index(drop=True)
    if filters.as_of is None:  # the ledger compares current figures: the breakdown's rivals and its total's
        shares = ledger_marks.with_marks(engine, shares)
        shares["total_rival_note"] = ledger_marks.with_marks(engine, shares, "total_observation_id")["rival_note"]
    return shares, merged[~ok].reset_index(drop=True)


def _is_total(df: pd.DataFrame) -> pd.Series:
    return (df["sex"] == "all") & (df["age_group"] == "all") & (df["breakdown"] == "total")


def not_disaggregated(engine: Engine, filters: Filters, figures: pd.DataFrame | None = None,
                      limit: int = 8) -> list[str]:
    """Sentences for totals that have no sex or age split in the same source and date, e.g. 'UNHCR gives no
    sex or age split for internally displaced people from Syrian Arab Rep. in 14 governorates of Syrian
    Arab Rep. on 31 Dec 2025: totals only.'"""
    from dashboard.charts.core import format_date, group_label

    figures = frame(engine, filters) if figures is None else figures
    figures = figures[figures["value"].notna()]
    totals = figures[_is_total(figures)]
    if totals.empty:
        return []
    gaz = core.known(engine)["gazetteer"]
    # A split counts for its own place and every place above it (a country's split is published for its
    # reporting locations), from the same originator, group, measure, origin and date.
    key = ["originator", "population_group", "measure", "origin_code", "reference_period_end"]
    split = figures[figures["sex"] != "all"].drop_duplicates(key + ["location_code"])
    have = {(*k, place) for *k, loc in split[key + ["location_code"]].fillna("").itertuples(index=False, name=None)
            for place in (loc, *(gaz.ancestors(loc) if loc in gaz else ()))}
    tkeys = list(totals[key + ["location_code"]].fillna("").itertuples(index=False, name=None))
    lone = totals[[k not in have for k in tkeys]]
    # a breakdown by women / children counts as a partial split of its total
    parts = figures[figures["breakdown"].isin(SEX_AGE_BREAKDOWNS)]
    partial = set(parts[key + ["location_code"]].fillna("").itertuples(index=False, name=None))
    lone = lone.assign(partial=[k in partial for k in
                                lone[key + ["location_code"]].fillna("").itertuples(index=False, name=None)])
    places = core.known(engine)["places"]
    lone = lone.assign(area=[_area(r, places) for r in lone.itertuples(index=False)])
    sentences = []
    groups = lone.groupby(["source", "population_group", "measure", "origin_name", "area", "partial"], dropna=False,
                          sort=False)
    ordered = sorted(groups, key=lambda kv: -len(kv[1]))
    for (source, group, _, origin, area, partial), rows in ordered[:limit]:
        dates = rows["reference_period_end"]
        when = f"on {format_date(dates.max())}" if dates.nunique() == 1 else \
            f"from {dates.min().year} to {dates.max().year}"
        n = rows["location_code"].nunique()
        where = f"in {rows['location_name'].iloc[0]}" if n == 1 else f"in {n} {area}"
        measure = rows["measure"].iloc[0]
        who = group_label(group, measure) + (f" from {origin}" if isinstance(origin, str) and origin and
                                               group not in ("STA", "HST", "IDP", "IOC", "RDP") else "")
        tail = "totals with the share of women and children only" if partial else "totals only"
        sentences.append(f"{source} gives no sex or age split for {who} {where} {when}: {tail}.")
    if len(ordered) > limit:
        sentences.append(f"And {len(ordered) - limit} more sources, groups or areas with totals only "
                         "(see the full data).")
    return sentences


def _area(row, places: dict) -> str:
    """'governorates of Syrian Arab Rep.', 'provinces of Türkiye', 'countries'."""
    parent = places.get(row.location_parent_code or "", {}).get("name")
    kind = row.location_kind
    if kind == "admin1":
        words = "provinces" if row.location_parent_code == "TUR" else "governorates"
    else:
        words = {"country": "countries", "admin2": "districts", "admin3": "sub-districts",
                 "provider_location": "UNHCR reporting locations", "composite": "areas", "region": "regions",
                 "pseudo": "places"}.get(kind, "places")
    return f"{words} of {parent}" if parent and kind != "country" else words
