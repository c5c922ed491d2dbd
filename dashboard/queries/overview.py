"""Overview reads: the source precedence (data/source_precedence.csv) that picks a headline figure, the cards
(one per population group and measure, never combining dates or sources), and the page helpers the Overview,
Trends, People, Sources and Data status pages share (filters from the URL or the filter bar, figure frames,
JSON records for the chart data stores, a guard so a callback never raises into the page)."""
from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import config
from dashboard.cache import cached_query
from dashboard.filters import Filters, as_list, from_query
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from etl import precedence
from etl.export import EXPORT_ORDER, ExportFilter, export_conditions, export_query
from etl.gazetteer import normalise
from etl.models import Document, Observation, PlaceAlias, Release, Series
from etl.precedence import DATE_FIELDS, LIST_FIELDS, PRECEDENCE_FILE, Rule, load_precedence  # noqa: F401
from etl.precedence import key as _key

log = logging.getLogger(__name__)
TOTALS = (Observation.sex == "all", Observation.age_group == "all", Observation.breakdown == "total")
QUANTITY = ["population_group", "measure", "unit", "location_code"]


# --- the precedence (parsed and applied by etl.precedence, which the figure ledger uses too) ---------------

def rank(df: pd.DataFrame, rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """The figures best first by the precedence rules (then by series name, so the order is total)."""
    return precedence.rank(df, rules)


def explain(ranked: pd.DataFrame, rules: Sequence[Rule] | None = None) -> str:
    """Why the first figure won: the first rule that puts it before the best figure of another source."""
    rules = precedence.precedence() if rules is None else rules
    if len(ranked) <= 1:
        return "the only figure for this quantity in the period"
    chosen = ranked.iloc[[0]]
    others = ranked.iloc[1:]
    other = others[others["series_slug"] != chosen["series_slug"].iloc[0]]
    runner = (other if len(other) else others).iloc[[0]]
    for rule in rules:
        if _key(rule, chosen).iloc[0] != _key(rule, runner).iloc[0]:
            a, b = chosen.iloc[0], runner.iloc[0]
            if rule.field in LIST_FIELDS:
                why = f"{rule.field.replace('_', ' ')} {a[rule.field]} before {b[rule.field]}"
            else:
                why = rule.label
            value = "no figure" if pd.isna(b["value"]) else f"{int(b['value']):,}"
            value = value if b["qualifier"] in (None, "exact") else f"{b['qualifier']} {value}"
            return (f"chosen by rule {rule.order} of the source precedence: {why} (next: {b['source']}, "
                    f"{value}, {_date(b['reference_period_end'])})")
    return "chosen by the series order"


def _date(value) -> str:
    d = pd.Timestamp(value)
    return f"{d.day} {d:%b %Y}"


# --- the cards --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    """A figure of the worked example shown when no location is chosen."""

    group: str
    measure: str
    origin: str
    location: str


HEADLINES = (  # the story: refugees hosted in Türkiye, the Idlib offensive, IDPs in Syria
    Headline("REF", "stock", "SYR", "TUR"),
    Headline("IDP", "flow", "SYR", "XSY-NW"),
    Headline("IDP", "stock", "SYR", "SYR"),
)


@dataclass
class Card:
    """One headline figure (or one sum over countries of origin from one source and date) and its context."""

    group: str
    measure: str
    unit: str
    location_code: str
    location_name: str
    origin_code: str | None
    origin_name: str | None
    figure: dict  # the chosen row (export columns + extras); value is the sum when `parts` has rows
    rule: str
    stale_since: int | None = None  # year of the latest figure when it is older than the period
    rivals: int = 0
    rival_sources: tuple[str, ...] = ()
    ledger_rivals: int = 0  # rival figures of the card's figure in the figure ledger (see Sources)
    parts: list[dict] = field(default_factory=list)  # the rows summed across origins, if any
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # points of the same series (and origins)

    @property
    def key(self) -> str:
        return f"{self.group}-{self.measure}-{self.origin_code or 'any'}-{self.location_code}"


FIGURES_LIMIT = core.FIGURES_LIMIT


def figures_where(engine: Engine, flt, *conditions, limit: int = FIGURES_LIMIT) -> pd.DataFrame:
    """Like core.figures, with extra conditions on the observation (e.g. TOTALS) applied in SQL."""
    rows = []
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=5000).execute(export_query(flt, extras=True).where(*conditions))
        for row in result:
            rows.append(tuple(row))
            if len(rows) >= limit:
                break
    return with_source(engine, typed(pd.DataFrame(rows, columns=core.FIGURE_COLUMNS)))


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Figure columns as the views expect them, whichever of them `df` has: dates as datetimes, counts as Int64,
    flags as bool (figures_where and the narrow card read must type alike, or a card differs between them)."""
    for col in ("reference_period_start", "reference_period_end", "published_on", "retrieved_at"):
        if col in df:
            df[col] = pd.to_datetime(df[col])
    for col in ("value", "value_low", "value_high"):
        if col in df:
            df[col] = df[col].astype("Int64")
    for col in ("is_secondary", "is_rounded", "is_suspected_typo", "is_preliminary"):
        if col in df:
            df[col] = df[col].fillna(False).astype(bool)
    return df


def with_source(engine: Engine, df: pd.DataFrame) -> pd.DataFrame:
    """Add `source`: the series' publisher, and the document's when it differs ('DGMM (Türkiye) via People's
    Daily (French ed.)', 'IDMC via UNHCR'), so a copy never passes for the original."""
    series = core.known(engine)["series"]
    own = df["series_slug"].map(lambda s: series.get(s, {}).get("publisher"))
    df["source"] = [p if o in (None, p) else f"{o} via {p}" for o, p in zip(own, df["publisher"], strict=True)]
    return df


@cached_query
def first_after(engine: Engine, filters: Filters) -> dt.date | None:
    """The first reference date after the period with a figure for exactly the chosen place (to say where
    to look when the period holds none)."""
    q = select(func.min(Observation.period_end)).where(Observation.is_latest.is_(True), *TOTALS,
                                                      Observation.period_end > filters.date_to)
    if filters.location:
        q = q.where(Observation.location_code == filters.location)
    if filters.origin:
        q = q.where(Observation.origin_code == filters.origin)
    with engine.connect() as conn:
        return conn.scalar(q)


@cached_query
def headline_cards(engine: Engine, filters: Filters) -> list[Card]:
    """The worked example's cards, within the filters (a headline whose group, measure or origin the filters
    leave out is skipped)."""
    cards = []
    for h in HEADLINES:
        if (filters.groups and h.group not in filters.groups) or (filters.measures and h.measure not in
                                                                   filters.measures):
            continue
        if filters.origin not in (None, h.origin):
            continue
        cards += place_cards(engine, replace(filters, origin=h.origin, location=h.location),
                             group=h.group, measure=h.measure)
    return cards


@cached_query
def place_cards(engine: Engine, filters: Filters, *, group: str | None = None,
                measure: str | None = None) -> list[Card]:
    """One card per population group and measure present for exactly filters.location (a stock and a flow
    are different quantities: never one card)."""
    flt = core.to_export_filter(filters, date_from=None,
                                population_groups=(group,) if group else filters.groups,
                                measures=(measure,) if measure else filters.measures)
    if config.FAST_PATH and filters.as_of is None:
        rows = _narrow_totals(engine, flt)
        full_of = functools.partial(_full_rows, engine, rows)
    else:
        df = figures_where(engine, flt, *TOTALS)
        rows = df[NARROW]
        full_of = df.loc.__getitem__
    if rows.empty:
        return []
    info = core.known(engine)
    # The ledger compares current figures: a figure it passed over for a rival is never the headline.
    marks = ledger_marks.marks(engine, rows["observation_id"]) if filters.as_of is None else {}
    choices = [c for idx in rows.groupby(["population_group", "measure", "unit"], sort=False).indices.values()
               if (c := _choose(rows.iloc[idx], filters, marks)) is not None]
    # The full rows every card shows (its figure and its trend's points), read at once (one query, not two a card).
    wanted = list(dict.fromkeys(label for c in choices for label in (c.best.name, *c.trend_labels)))
    full = full_of(wanted) if wanted else None
    cards = [_card(c, full.loc.__getitem__, filters, info, marks) for c in choices]
    measure_order = {"stock": 0, "flow": 1, "movement": 2}
    return sorted(cards, key=lambda c: (measure_order.get(c.measure, 3), -(c.figure["value"] or 0)))


# The columns the choice needs: selecting on them, not on the 45 columns of provenance, keeps a card fast.
NARROW = ["series_slug", "source", "publisher", "source_kind", "is_secondary", "reference_period_start",
          "reference_period_end", "value", "qualifier", "vintage", "origin_code", "origin_name", "location_code",
          "population_group", "measure", "unit", "is_rounded", "published_on", "observation_id"]


def _narrow_totals(engine: Engine, flt) -> pd.DataFrame:
    """The fast path: figures_where(engine, flt, *TOTALS)[NARROW], the same rows in the same order, read from
    the covering index ix_observation_latest_totals_cover alone (no provenance columns, no joins but the series);
    the document's publisher and date, the release's label and the origin's name come from small look-ups."""
    obs = Observation
    q = (select(Series.slug, obs.is_secondary, obs.period_start, obs.period_end, obs.value, obs.qualifier,
                obs.release_id, obs.origin_code, obs.location_code, obs.population_group, obs.measure, obs.unit,
                obs.is_rounded, obs.document_id, obs.id)
         .join(Series, Series.id == obs.series_id).where(*export_conditions(flt), *TOTALS).order_by(*EXPORT_ORDER))
    with engine.connect() as conn:
        got = conn.execution_options(yield_per=20_000).execute(q).fetchmany(FIGURES_LIMIT)
    df = pd.DataFrame([tuple(r) for r in got], columns=[
        "series_slug", "is_secondary", "reference_period_start", "reference_period_end", "value", "qualifier",
        "release_id", "origin_code", "location_code", "population_group", "measure", "unit", "is_rounded",
        "document_id", "observation_id"])
    look = cached(engine, "card_lookups", _card_lookups)
    places = core.known(engine)["places"]
    df["publisher"] = df["document_id"].map(look["publishers"]).astype(object)
    df["published_on"] = df["document_id"].map(look["published_on"]).astype(object)
    df["vintage"] = df["release_id"].map(look["releases"]).astype(object)
    df["source_kind"] = df["series_slug"].map(look["source_kinds"]).astype(object)
    names = {c: places[c]["name"] for c in df["origin_code"].dropna().unique() if c in places}
    df["origin_name"] = [names.get(c) for c in df["origin_code"]]
    return with_source(engine, typed(df))[NARROW]


def _card_lookups(engine: Engine) -> dict:
    """Documents' publisher and date and releases' labels by id, series' kinds by slug (cached per data version)."""
    with engine.connect() as conn:
        docs = conn.execute(select(Document.id, Document.publisher, Document.published_on)).all()
        releases = dict(conn.execute(select(Release.id, Release.label)).all())
        kinds = dict(conn.execute(select(Series.slug, Series.source_kind)).all())
    return {"publishers": {i: p for i, p, _ in docs}, "published_on": {i: d for i, _, d in docs},
            "releases": releases, "source_kinds": kinds}


def _full_rows(engine: Engine, rows: pd.DataFrame, labels) -> pd.DataFrame:
    """The full rows (figures_where's columns) of these labels of `rows`, with the same labels. Read by id
    alone: the ids already meet the filters."""
    labels = pd.Index(labels)
    ids = [int(i) for i in rows.loc[labels, "observation_id"]]
    by_id = ExportFilter()
    parts = [figures_where(engine, by_id, Observation.id.in_(ids[i:i + 5000]))
             for i in range(0, len(ids), 5000)] or [figures_where(engine, by_id, Observation.id.in_([]))]
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    df = df.set_index("observation_id", drop=False).loc[ids]
    df.index = labels
    return df


@dataclass
class Choice:
    """A card's choice, made on the NARROW columns alone: the headline figure, why, its rivals, the figures summed
    across origins if any, and the labels of its trend's points (whose full rows the card then reads)."""

    candidates: pd.DataFrame
    best: pd.Series
    rule: str
    stale_since: int | None
    summed: pd.DataFrame | None  # the chosen source's figures for each origin on that date, when added
    rivals: pd.DataFrame
    trend_points: pd.DataFrame  # NARROW rows, see _trend_points

    @property
    def trend_labels(self) -> list:
        return _trend_labels(self.trend_points, summed=self.summed is not None)


def _choose(rows: pd.DataFrame, filters: Filters, marks: dict | None = None) -> Choice | None:
    """The choice of one quantity's card: `rows` are its figures' NARROW columns."""
    marks = marks or {}
    start = pd.Timestamp(filters.date_from)
    valued = rows[rows["value"].notna()]
    in_period = valued[valued["reference_period_end"] >= start]
    stale_since = None
    if in_period.empty:
        if valued.empty:
            return None
        # Nothing in the period: the most recent figure before it, whatever its source, says how stale it is.
        latest = valued["reference_period_end"].max()
        candidates = rank(valued[valued["reference_period_end"] == latest])
        stale_since = int(latest.year)
        rule = f"no figure in the period: the latest before it ({_date(latest)})"
    else:
        candidates = rank(in_period)
        rule = explain(candidates)
    # The figure ledger compares current figures: one it passed over for a rival (an override, or a rival the
    # rules put first within the ledger's tolerance) is never the headline.
    kept = ~candidates["observation_id"].map(lambda i: i in marks and not marks[i][1])
    if not kept.iloc[0] and kept.any():
        candidates = pd.concat([candidates[kept], candidates[~kept]])
        rule = "chosen in the figure ledger over the figure the rules put first here (see Sources)"
    best = candidates.iloc[0]
    same = (candidates["series_slug"] == best["series_slug"]) & \
        (candidates["reference_period_start"] == best["reference_period_start"]) & \
        (candidates["reference_period_end"] == best["reference_period_end"]) & \
        (candidates["vintage"] == best["vintage"])
    summed = None
    if filters.origin is None:
        # No origin chosen: the chosen source's figures for each country of origin on that date are disjoint
        # and are added (same source, release, date, measure, unit); other sources' figures never are.
        by_origin = candidates[same].drop_duplicates("origin_code")
        summed = by_origin if len(by_origin) > 1 else None
    pool = in_period if stale_since is None else candidates
    rivals = pool[pool["series_slug"] != best["series_slug"]]
    return Choice(candidates, best, rule, stale_since, summed, rivals,
                  _trend_points(rows, best, summed=summed is not None))


def _card(choice: Choice, full_of: Callable, filters: Filters, info: dict, marks: dict | None = None) -> Card:
    """The card of a choice; full_of(labels) gives the full rows of the choice's rows (export columns + extras)."""
    marks = marks or {}
    best, parts = choice.best, []
    figure = full_of([best.name]).iloc[0].to_dict()
    if choice.summed is not None:
        parts = choice.summed.to_dict("records")
        figure["value"] = int(choice.summed["value"].sum())
        figure["qualifier"] = "exact" if (choice.summed["qualifier"] == "exact").all() else "about"
        figure["origin_code"], figure["origin_name"] = None, f"{len(choice.summed)} countries of origin"
    location = best["location_code"]
    trend = _trend(full_of, choice.trend_points, summed=bool(parts))
    trend = trend.assign(rival_note=[ledger_marks.rival_note(*marks[i]) if i in marks and not parts else ""
                                     for i in trend["observation_id"]])
    return Card(group=best["population_group"], measure=best["measure"], unit=best["unit"],
                location_code=location, location_name=info["places"].get(location, {}).get("name", location),
                origin_code=figure["origin_code"], origin_name=figure["origin_name"], figure=figure, rule=choice.rule,
                stale_since=choice.stale_since, rivals=len(choice.rivals),
                rival_sources=tuple(dict.fromkeys(choice.rivals["source"])), parts=parts, trend=trend,
                ledger_rivals=0 if parts else marks.get(best["observation_id"], (0, True))[0])


def _trend_points(rows: pd.DataFrame, best: pd.Series, *, summed: bool) -> pd.DataFrame:
    """The NARROW rows of the trend's points: the chosen figure's series for the same quantity (a flow: the same
    start, i.e. one cumulative count, or else the same length of period, e.g. calendar years); one point per date
    (not summed: the chosen origin's; summed: every origin's, added per date below)."""
    pts = rows[(rows["series_slug"] == best["series_slug"])]
    if best["measure"] != "stock":
        length = (best["reference_period_end"] - best["reference_period_start"]).days
        same_start = pts["reference_period_start"] == best["reference_period_start"]
        if same_start.sum() > 1:
            pts = pts[same_start]
        else:
            days = (pts["reference_period_end"] - pts["reference_period_start"]).dt.days
            pts = pts[(days - length).abs() <= 3]
    if not summed:
        pts = pts[pts["origin_code"].fillna("") == (best["origin_code"] or "")]
        return pts.sort_values("reference_period_end").drop_duplicates("reference_period_end", keep="last")
    return pts


TREND_KEYS = ["reference_period_start", "reference_period_end", "vintage"]


def _trend_labels(pts: pd.DataFrame, *, summed: bool) -> list:
    """The rows whose full rows the trend shows: each point's (summed: the first figure of each date and release,
    whose provenance the sum's point carries)."""
    return list(pts.drop_duplicates(TREND_KEYS).index if summed else pts.index)


def _trend(full_of: Callable, pts: pd.DataFrame, *, summed: bool) -> pd.DataFrame:
    """The trend's points with their full rows; summed across origins, one sum per date and release."""
    if not summed:
        return full_of(_trend_labels(pts, summed=False))
    agg = pts[pts["value"].notna()].groupby(TREND_KEYS, as_index=False).agg(
        value=("value", "sum"), n_origins=("origin_code", "nunique"))
    first = full_of(_trend_labels(pts, summed=True)).drop(columns=["value"])
    out = agg.merge(first, on=TREND_KEYS, how="left")
    out["origin_code"], out["origin_name"] = None, out["n_origins"].map(lambda n: f"{n} countries of origin")
    out["value"] = out["value"].astype("Int64")
    return out.sort_values("reference_period_end").drop_duplicates("reference_period_end", keep="last")


# --- page helpers (shared by the Overview, Trends, People, Sources and Data status pages) ----------------

@dataclass(frozen=True)
class PageContext:
    engine: Engine
    filters: Filters
    place_options: list[dict]
    source_options: list[dict]
    release_options: list[dict]

    def filter_bar_args(self) -> dict:
        return {"place_options": self.place_options, "source_options": self.source_options,
                "release_options": self.release_options}


def page_context(query_args: dict, default: Filters | Callable[[Engine], Filters] | None = None
                 ) -> PageContext | None:
    """What a page layout needs, or None when the store is missing or empty (the page says so in words).
    `default`: the page's own default filters, or a function of the engine that gives them."""
    engine = core.store_engine()
    if not core.has_data(engine):
        return None
    info = core.known(engine)
    default = default(engine) if callable(default) else default
    filters = from_query(query_args, known_places=set(info["places"]), known_sources=set(info["series"]),
                         default=default or Filters())
    places = list(place_options(engine))
    have = {o["value"] for o in places}
    for code in (filters.origin, filters.location):  # a chosen place without data stays selectable
        if code and code not in have:
            places.append({"label": info["gazetteer"].describe(code), "value": code})
    sources = [{"label": f"{s['title']} ({s['publisher']})", "value": slug} for slug, s in info["series"].items()]
    releases = list(dict.fromkeys((label, day) for label, day in info["releases"]))
    seen, release_opts = set(), []
    for label, day in releases:
        if day.isoformat() not in seen:
            seen.add(day.isoformat())
            release_opts.append({"label": f"{label} ({day.isoformat()})", "value": day.isoformat()})
    if filters.as_of and filters.as_of.isoformat() not in seen:
        release_opts.append({"label": filters.as_of.isoformat(), "value": filters.as_of.isoformat()})
    return PageContext(engine, filters, places, sources, release_opts)


_CACHE: dict[tuple[str, int, str], object] = {}


def cached(engine: Engine, name: str, compute: Callable[[Engine], object]):
    """compute(engine), kept until the data version changes (a load invalidates it)."""
    key = (engine.url.render_as_string(hide_password=False), core.data_version(engine), name)
    if key not in _CACHE:
        for old in [k for k in _CACHE if k[0] == key[0] and k[2] == name]:
            del _CACHE[old]
        _CACHE[key] = compute(engine)
    return _CACHE[key]


def place_options(engine: Engine) -> tuple[dict, ...]:
    """Places with data as dropdown options (cached per data version); each carries its aliases in `search`,
    so typing "Urfa" in the dropdown finds Şanlıurfa (Dash matches the label and `search`)."""
    return cached(engine, "place_options", _place_options)


def _place_options(engine: Engine) -> tuple[dict, ...]:
    info = core.known(engine)
    aliases: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for alias, code in conn.execute(select(PlaceAlias.alias, PlaceAlias.code)):
            aliases.setdefault(code, []).append(alias)
    gaz = info["gazetteer"]
    # UNHCR's 3,494 reporting locations (camps, "dispersed in the country") stay out of the list: with them
    # every page would carry 1.7 MB of options. They stay reachable by URL (location=XJOR-U-...).
    kinds = {"country": 0, "composite": 1, "region": 1, "admin1": 2, "admin2": 3, "admin3": 4, "pseudo": 5}
    codes = sorted((c for c in info["places_with_data"] if c in info["places"] and info["places"][c]["kind"] in kinds),
                   key=lambda c: (kinds.get(info["places"][c]["kind"], 6), info["places"][c]["name"]))
    out = []
    for code in codes:
        label = gaz.describe(code)
        name = info["places"][code]["name"]
        # every alias, and the name without diacritics ("Sanliurfa"), so any of them finds the place
        words = [a for a in dict.fromkeys([*aliases.get(code, ()), normalise(name)]) if a.casefold() != name.casefold()]
        extra = " ".join(words)
        out.append({"label": label, "value": code, "search": f"{label} {extra}".strip()})
    return tuple(out)


def filters_from_values(engine: Engine, values: Sequence, default: Filters | None = None) -> Filters:
    """The filter bar's values (f-from, f-to, f-origin, f-location, f-group, f-measure, f-source, f-as-of)
    as Filters, validated like a URL (the bar posts what the URL would hold)."""
    date_from, date_to, origin, location, groups, measures, sources, as_of = (list(values) + [None] * 8)[:8]
    info = core.known(engine)
    args = {"from": date_from, "to": date_to, "origin": origin or "any", "location": location,
            "group": as_list(groups), "measure": as_list(measures), "source": as_list(sources),
            "as_of": as_of}
    return from_query({k: v for k, v in args.items() if v not in (None, [], "")},
                      known_places=set(info["places"]), known_sources=set(info["series"]),
                      default=default or Filters())


def records(df: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict]:
    """JSON-safe rows for a chart's data store and table: dates as ISO text, missing as None."""
    if df is None or df.empty:
        return []
    out = df[list(columns)] if columns else df
    rows = []
    for rec in out.to_dict("records"):
        rows.append({k: _json(v) for k, v in rec.items()})
    return rows


def _json(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def guarded(fallback: Callable[[str], tuple]) -> Callable:
    """Wrap a callback body so an error becomes `fallback(message)` (a sentence in the page, never a
    traceback); the error itself goes to the server log."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - a page must never show a traceback
                log.exception("callback %s failed", fn.__name__)
                return fallback(f"These figures could not be read ({type(exc).__name__}). Try other filters, "
                                "or see the Data status page.")
        return inner
    return wrap


FIGURE_TABLE = [  # (column, header) of the table behind a chart of figures
    ("trace", "Series in the chart"), ("figure", "Figure"), ("period", "Reference date or period"),
    ("value", "Value"), ("qualifier", "Qualifier"), ("missing_reason", "Missing because"),
    ("population_group", "Group"), ("measure", "Measure"), ("origin_name", "Origin"),
    ("location_name", "Location"), ("source", "Source"), ("series_title", "Series"),
    ("source_title", "Document"), ("source_url", "URL"), ("licence", "Licence"), ("vintage", "Release"),
    ("retrieved_at", "Retrieved"), ("citation", "Cite as"),
]


def column_defs(columns: Sequence[tuple[str, str]], present: Sequence[str]) -> list[dict]:
    """AG Grid column definitions (text cells: a quote is shown as text, never as HTML)."""
    return [{"field": c, "headerName": h, "sortable": True, "filter": True, "resizable": True}
            for c, h in columns if c in present]
