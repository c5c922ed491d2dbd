"""Shared reads of the store: the engine, the data version, the values filters may take, and figures with provenance."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url

from dashboard import config
from dashboard.filters import Filters
from etl import store
from etl.db import make_engine
from etl.export import EXPORT_COLUMNS, EXTRA_COLUMNS, ExportFilter, iter_rows
from etl.gazetteer import Gazetteer, normalise
from etl.models import Observation, Place, PlaceAlias, Release, Series

FIGURE_COLUMNS = list(EXPORT_COLUMNS) + list(EXTRA_COLUMNS)
_engines: dict[str, Engine] = {}


def store_engine() -> Engine | None:
    """The engine of the configured store, or None while its SQLite file does not exist."""
    url = make_url(config.DATABASE_URL)
    # Connecting would create an empty file, which scripts/run.sh would then take for a built store.
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():
            return None
    if config.DATABASE_URL not in _engines:
        _engines[config.DATABASE_URL] = make_engine(config.DATABASE_URL)
    return _engines[config.DATABASE_URL]


def has_data(engine: Engine | None) -> bool:
    if engine is None or not inspect(engine).has_table(Observation.__tablename__):
        return False
    with engine.connect() as conn:
        return conn.scalar(select(Observation.id).limit(1)) is not None


def data_version(engine: Engine) -> str:
    """Changes whenever a load is recorded: the key for cached results (a refresh invalidates them). On the fast
    path it is read once per HTTP request (a callback asks for it several times); the baseline reads it each time."""
    if config.FAST_PATH:
        from dashboard.cache import store_version
        version = store_version(engine)
        if version is not None:
            return version
    with engine.connect() as conn:
        return store.data_version(conn)


@functools.lru_cache(maxsize=8)
def _known(url: str, version: str) -> dict:
    engine = _engines.get(url) or make_engine(url)
    with engine.connect() as conn:
        places = conn.execute(select(Place.code, Place.name, Place.kind, Place.admin_level, Place.parent_code,
                                     Place.country_iso3)).mappings().all()
        used = {c for (c,) in conn.execute(select(Observation.location_code).distinct())}
        used |= {c for (c,) in conn.execute(select(Observation.origin_code).distinct()) if c}
        series = conn.execute(select(Series.slug, Series.title, Series.publisher, Series.licence,
                                     Series.citation).order_by(Series.title)).mappings().all()
        series_ids = dict(conn.execute(select(Series.slug, Series.id)).all())
        releases = conn.execute(select(Release.label, Release.released_on).where(Release.released_on.is_not(None))
                                .distinct().order_by(Release.released_on)).all()
        span = conn.execute(select(func.min(Observation.period_end), func.max(Observation.period_end))).one()
        gazetteer = Gazetteer.load(conn)
    return {"places": {p["code"]: dict(p) for p in places}, "places_with_data": used,
            "series": {s["slug"]: dict(s) for s in series}, "releases": releases, "span": tuple(span),
            "gazetteer": gazetteer, "series_ids": series_ids}


def known(engine: Engine) -> dict:
    """Places, places with data, series, releases and the date span in the store (cached per data version)."""
    return _known(engine.url.render_as_string(hide_password=False), data_version(engine))


def series_ids(engine: Engine) -> dict[str, int]:
    """Series id by slug (cached per data version, with the rest of `known`)."""
    return known(engine)["series_ids"]


def place_name(engine: Engine, code: str | None) -> str:
    if code is None:
        return "any place"
    place = known(engine)["places"].get(code)
    return place["name"] if place else code


def search_places(engine: Engine, text: str, limit: int = 20) -> list[dict]:
    """Places with data whose name or any alias contains `text` (typing "Urfa" finds Şanlıurfa)."""
    info = known(engine)
    key = normalise(text or "")
    if not key:
        return []
    with engine.connect() as conn:
        codes = [c for (c,) in conn.execute(select(PlaceAlias.code).where(PlaceAlias.alias_key.contains(key))
                                            .distinct().limit(500))]
    codes += [c for c, p in info["places"].items() if key in normalise(p["name"]) or key == c.lower()]
    seen, out = set(), []
    for code in codes:
        if code in seen or code not in info["places_with_data"]:
            continue
        seen.add(code)
        out.append({"label": info["gazetteer"].describe(code), "value": code})
    return sorted(out, key=lambda o: (len(o["label"]), o["label"]))[:limit]


def descendants(engine: Engine, code: str) -> set[str]:
    """Areas inside `code` (its admin children, grandchildren; a composite's members), not `code` itself."""
    gaz: Gazetteer = known(engine)["gazetteer"]
    inside = {p.code for p in gaz.places() if code in gaz.ancestors(p.code)}
    if gaz.place(code).kind == "composite":
        inside |= {m.code for m in gaz.members(code)}
    return inside


def to_export_filter(filters: Filters, **overrides) -> ExportFilter:
    """The ETL export's filter for these dashboard filters (the CSV export and the charts share one query)."""
    args = dict(origin_codes=(filters.origin,) if filters.origin else (),
                location_codes=(filters.location,) if filters.location else (),
                population_groups=filters.groups, measures=filters.measures, date_from=filters.date_from,
                date_to=filters.date_to, sources=filters.sources, as_of=filters.as_of)
    args.update(overrides)
    return ExportFilter(**args)


FIGURES_LIMIT = 200_000  # the most figures one view reads


def figures(engine: Engine, flt: ExportFilter, limit: int = FIGURES_LIMIT) -> pd.DataFrame:
    """Figures with provenance as a DataFrame (export columns, then the extra ones)."""
    rows = []
    with engine.connect() as conn:
        for row in iter_rows(conn, flt, extras=True):
            rows.append(row)
            if len(rows) >= limit:
                break
    df = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    for col in ("reference_period_start", "reference_period_end", "published_on", "retrieved_at"):
        df[col] = pd.to_datetime(df[col])
    for col in ("value", "value_low", "value_high"):
        df[col] = df[col].astype("Int64")
    return df


def today() -> dt.date:
    return dt.date.today()
