"""Reads for the Flows page: which origin -> destination figure sets exist, and the links of one set."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import aliased

from dashboard import config
from dashboard.cache import cached_query
from dashboard.filters import Filters, as_list, from_query
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from etl.export import ExportFilter, export_conditions, export_query
from etl.models import POPULATION_GROUPS, FlowSetCount, Observation, Place, Series

COUNTRY, GOVERNORATE = "country", "governorate"
# Which measures each Sankey can draw: countries of origin -> asylum (stocks, or yearly flows), and
# governorate -> governorate IDP movements (moves, not people).
LEVEL_MEASURES = {COUNTRY: ("stock", "flow"), GOVERNORATE: ("movement",)}
CACHE_SIZE = 8  # a release query over a long period can be 100k+ rows: keep few
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def cached_figures(engine: Engine, xf: ExportFilter) -> pd.DataFrame:
    """core.figures, remembered per store, data version and filter: changing top N, the figure set or the
    month does not query again, and a release filter (as_of), whose query ranks every vintage in the store
    (seconds), runs once. Callers must not modify the frame."""
    key = (engine.url.render_as_string(hide_password=False), core.data_version(engine), xf)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    df = core.figures(engine, xf)
    with _cache_lock:
        _cache[key] = df
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return df


@dataclass(frozen=True)
class Choice:
    """One figure set a Sankey may draw: one series, group, measure, unit and reference period."""

    slug: str
    title: str
    group: str
    measure: str
    unit: str
    start: dt.date
    end: dt.date
    links: int

    @property
    def key(self) -> str:
        return "|".join([self.slug, self.group, self.measure, self.unit, self.start.isoformat(), self.end.isoformat()])

    @property
    def series_key(self) -> tuple[str, str, str, str]:
        return self.slug, self.group, self.measure, self.unit


def inputs_to_filters(engine: Engine, date_from, date_to, origin, location, groups, measures, sources,
                      as_of) -> Filters:
    """The filter bar's values (ids f-*) as validated Filters, exactly as the URL would give them."""
    info = core.known(engine)
    args = {"from": date_from, "to": date_to, "origin": origin or "any", "location": location,
            "group": as_list(groups), "measure": as_list(measures), "source": as_list(sources),
            "as_of": as_of}
    return from_query({k: v for k, v in args.items() if v not in (None, "", [])},
                      known_places=set(info["places"]), known_sources=set(info["series"]))


def level_codes(engine: Engine, code: str | None, level: str) -> tuple[tuple[str, ...], str | None]:
    """The place codes a filter value stands for at a level, and a sentence when it had to be widened.

    Countries: the country itself (a sub-national place stands for its country). Governorates: the
    governorates in or equal to the place (a country stands for its governorates)."""
    if code is None:
        return (), None
    gaz = core.known(engine)["gazetteer"]
    place = gaz.place(code)
    if level == COUNTRY:
        if place.admin_level == 0:
            return (code,), None
        country = place.country_iso3
        if country and country in gaz:
            return (country,), f"{place.name} is not a country: its country, {gaz.name(country)}, is used"
        return (code,), None
    inside = {code} | core.descendants(engine, code)
    govs = tuple(sorted(c for c in inside if gaz.place(c).kind == "admin1"))
    return govs, None


def _level_filter(engine: Engine, flt: Filters, level: str):
    """The export filter of a level (its measures, the filter's places at that level) and notes in words."""
    measures = tuple(m for m in (flt.measures or LEVEL_MEASURES[level]) if m in LEVEL_MEASURES[level])
    origins, note_o = level_codes(engine, flt.origin, level)
    locations, note_l = level_codes(engine, flt.location, level)
    notes = [n for n in (note_o, note_l) if n]
    empty_place = (flt.origin is not None and not origins) or (flt.location is not None and not locations)
    return core.to_export_filter(flt, measures=measures, origin_codes=origins, location_codes=locations), \
        notes, (not measures) or empty_place


def _level_where(q, level: str):
    if level == COUNTRY:
        return [q.c.origin_admin_level == 0, q.c.location_admin_level == 0]
    return [q.c.origin_admin_level == 1, q.c.location_kind == "admin1"]


@cached_query
def choices(engine: Engine, flt: Filters, level: str) -> tuple[list[Choice], list[str]]:
    """Every figure set in the filters at this level, with its number of links; notes in words."""
    xf, notes, nothing = _level_filter(engine, flt, level)
    if nothing:
        return [], notes + [f"the filters leave no {level}-level flows (measure or place)"]
    if xf.as_of is not None:  # one (slow) release query, grouped here and reused by links()
        df = _level_rows(cached_figures(engine, xf), level)
        keys = ["series_slug", "series_title", "population_group", "measure", "unit", "reference_period_start",
                "reference_period_end"]
        rows = [(*k, n) for k, n in df.groupby(keys).size().items()]
    else:
        if not config.FAST_PATH:
            stmt = _sets_from_export(xf, level)
        elif xf.origin_codes or xf.location_codes or xf.touching_codes:
            stmt = _sets_narrow(xf, level)
        else:  # no place chosen: the summary table the loader keeps (one row per set)
            stmt = _sets_summary(xf, level)
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    out = [Choice(slug, title, group, measure, unit, _date(start), _date(end), int(n))
           for slug, title, group, measure, unit, start, end, n in rows]
    order = {g: i for i, g in enumerate(POPULATION_GROUPS)}
    # a total order (the database returns groups in any order): ties in the shown order fall back to the key
    out.sort(key=lambda c: (order.get(c.group, 99), c.measure != "stock", c.title, -c.end.toordinal(), c.key))
    return out, notes


def _sets_from_export(xf: ExportFilter, level: str):
    """The figure sets at a level, grouped over the export query (the baseline)."""
    q = export_query(xf, extras=True).order_by(None).subquery()
    cols = [q.c.series_slug, q.c.series_title, q.c.population_group, q.c.measure, q.c.unit,
            q.c.reference_period_start, q.c.reference_period_end]
    return (select(*cols, func.count())
            .where(*_level_where(q, level), q.c.value.is_not(None), q.c.origin_code.is_not(None),
                   q.c.sex == "all", q.c.age_group == "all", q.c.breakdown == "total")
            .group_by(*cols))


def _sets_narrow(xf: ExportFilter, level: str):
    """The same groups joined only to what they need: the series and both places' levels (the export query also
    joins every figure's document and release, which the grouping never reads; each figure has exactly one of each,
    so the rows are the same). 2-3x faster at 10 M rows for a period with no place chosen (3.3 -> 1.1 s, 11.4 ->
    5.1 s on SQLite)."""
    origin, location = aliased(Place), aliased(Place)
    obs = Observation
    cols = [Series.slug, Series.title, obs.population_group, obs.measure, obs.unit, obs.period_start, obs.period_end]
    levels = [origin.admin_level == 0, location.admin_level == 0] if level == COUNTRY else \
        [origin.admin_level == 1, location.kind == "admin1"]
    return (select(*cols, func.count())
            .join(Series, Series.id == obs.series_id)
            .join(location, location.code == obs.location_code)
            .join(origin, origin.code == obs.origin_code)
            .where(*export_conditions(xf), *levels, obs.value.is_not(None), obs.sex == "all", obs.age_group == "all",
                   obs.breakdown == "total")
            .group_by(*cols))


def _sets_summary(xf: ExportFilter, level: str):
    """The same groups read from flow_set_count (etl/summaries.py), for filters without a place: the table has the
    filters' other fields (series, group, measure, period end) and the links each set holds. 10 M figures, one year,
    no place: about 1 s grouping the figures; a few ms here."""
    s = FlowSetCount
    conditions = [s.level == level]
    if xf.population_groups:
        conditions.append(s.population_group.in_(xf.population_groups))
    if xf.measures:
        conditions.append(s.measure.in_(xf.measures))
    if xf.date_from:
        conditions.append(s.period_end >= xf.date_from)
    if xf.date_to:
        conditions.append(s.period_end <= xf.date_to)
    if xf.sources:
        conditions.append(or_(Series.slug.in_(xf.sources), Series.publisher.in_(xf.sources)))
    return (select(Series.slug, Series.title, s.population_group, s.measure, s.unit, s.period_start, s.period_end,
                   s.links)
            .join(Series, Series.id == s.series_id).where(*conditions))


def _level_rows(df: pd.DataFrame, level: str) -> pd.DataFrame:
    """Totals with a value and an origin, at the level (countries; governorates)."""
    keep = ((df["sex"] == "all") & (df["age_group"] == "all") & (df["breakdown"] == "total")
            & df["origin_code"].notna() & df["value"].notna())
    if level == COUNTRY:
        keep &= (df["origin_admin_level"] == 0) & (df["location_admin_level"] == 0)
    else:
        keep &= (df["origin_admin_level"] == 1) & (df["location_kind"] == "admin1")
    return df[keep]


def default_choice(options: list[Choice]) -> Choice | None:
    """Refugees first, stocks first, the series with the most links, its latest reference date."""
    if not options:
        return None
    order = {g: i for i, g in enumerate(POPULATION_GROUPS)}
    best = min(options, key=lambda c: (order.get(c.group, 99), c.measure != "stock", -c.links))
    same = [c for c in options if c.series_key == best.series_key]
    return max(same, key=lambda c: (c.end, c.start))


@cached_query
def links(engine: Engine, flt: Filters, level: str, choice: Choice) -> tuple[pd.DataFrame, int]:
    """The figures of one set (one series, group, measure, unit, period): totals only, with provenance.

    Returns the figures with a value and the number of figures published without one (not available,
    confidential): those are gaps, never zeros. Without a release filter (the ledger compares current
    figures), each figure's rivals in the ledger too (`rivals`, `is_chosen`, `rival_note`)."""
    xf, _, _ = _level_filter(engine, flt, level)
    if xf.as_of is None:  # a narrow query for this set (the level's query may hold many sets)
        xf = core.to_export_filter(flt, measures=(choice.measure,), population_groups=(choice.group,),
                                   sources=(choice.slug,), date_from=choice.end, date_to=choice.end,
                                   origin_codes=xf.origin_codes, location_codes=xf.location_codes)
    df = cached_figures(engine, xf)
    keep = ((df["series_slug"] == choice.slug) & (df["population_group"] == choice.group)
            & (df["measure"] == choice.measure) & (df["unit"] == choice.unit)
            & (df["reference_period_start"] == pd.Timestamp(choice.start))
            & (df["reference_period_end"] == pd.Timestamp(choice.end))
            & (df["sex"] == "all") & (df["age_group"] == "all") & (df["breakdown"] == "total")
            & df["origin_code"].notna())
    if level == COUNTRY:
        keep &= (df["origin_admin_level"] == 0) & (df["location_admin_level"] == 0)
    else:
        keep &= (df["origin_admin_level"] == 1) & (df["location_kind"] == "admin1")
    df = df[keep]
    missing = int(df["value"].isna().sum())
    df = df[df["value"].notna()].reset_index(drop=True)
    return (ledger_marks.with_marks(engine, df) if flt.as_of is None else df), missing


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def resolve_choice(options: list[Choice], key: str | None) -> Choice | None:
    """The option a coordinator picked if it is still offered under the current filters, else the default."""
    return next((c for c in options if c.key == key), None) or default_choice(options)


def other_dates(options: list[Choice], choice: Choice) -> list[Choice]:
    """The other reference dates or periods of the same series, group, measure and unit in the filters."""
    return sorted((c for c in options if c.series_key == choice.series_key and c.key != choice.key),
                  key=lambda c: c.end, reverse=True)


@cached_query
def filter_options(engine: Engine, flt: Filters) -> dict:
    """Options of the filter bar: places with data (countries, admin areas, composites), sources, releases."""
    info = core.known(engine)
    gaz = info["gazetteer"]
    kinds = {"country", "pseudo", "admin1", "admin2", "composite", "region"}
    codes = {c for c in info["places_with_data"] if c in info["places"] and info["places"][c]["kind"] in kinds}
    codes |= {c for c in (flt.origin, flt.location) if c}
    places = sorted(({"label": gaz.describe(c), "value": c} for c in codes), key=lambda o: o["label"])
    sources = [{"label": f"{s['title']} ({s['publisher']})", "value": slug} for slug, s in info["series"].items()]
    releases, seen = [], set()
    for label, released_on in info["releases"]:
        if released_on is not None and released_on not in seen:
            seen.add(released_on)
            releases.append({"label": f"{label} ({released_on.isoformat()})", "value": released_on.isoformat()})
    return {"place_options": places, "source_options": sources, "release_options": releases}
