"""Sources reads: every source series with its provenance and row count, and, for one quantity, the figures
different publishers give for it side by side (the points of one cumulative count stay one series)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.cache import cached_query
from dashboard.filters import Filters
from dashboard.queries import core
from dashboard.queries.overview import TOTALS, cached, figures_where
from etl.models import Document, Observation, Release, Series

# The worked example's comparisons, offered first when the filters hold them.
STORY = ("IDP|flow|SYR|XSY-NW|2019-12-01|people", "REF|stock|SYR|TUR||people")
MAX_OPTIONS = 200


@cached_query
def catalogue(engine: Engine) -> pd.DataFrame:
    """One row per series: publisher, originator, kind, licence, releases, retrieval date, documents, the
    outlets that quoted it, current figures and the span of their reference dates (cached per data version)."""
    return cached(engine, "catalogue", _catalogue).copy()


def _catalogue(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        series = pd.DataFrame(conn.execute(select(
            Series.id, Series.slug.label("series_slug"), Series.title.label("series_title"), Series.publisher,
            Series.originator, Series.source_kind, Series.licence, Series.citation, Series.url,
            Series.is_secondary)).mappings().all())
        # one scan grouped by (series, latest): several times faster on SQLite than a filtered count
        counts = pd.DataFrame(conn.execute(
            select(Observation.series_id.label("id"), Observation.is_latest.label("latest"),
                   func.count().label("rows"), func.min(Observation.period_end).label("first_date"),
                   func.max(Observation.period_end).label("last_date"))
            .group_by(Observation.series_id, Observation.is_latest)).mappings().all(),
            columns=["id", "latest", "rows", "first_date", "last_date"])
        counts = counts[counts["latest"].astype(bool)].drop(columns="latest")
        releases = pd.DataFrame(conn.execute(select(Release.series_id.label("id"), Release.label,
                                                    Release.released_on)).mappings().all(),
                                columns=["id", "label", "released_on"])
        docs = pd.DataFrame(conn.execute(
            select(Document.series_id.label("id"), Document.publisher.label("doc_publisher"),
                   func.max(Document.retrieved_on).label("retrieved"), func.count().label("n"))
            .group_by(Document.series_id, Document.publisher)).mappings().all(),
            columns=["id", "doc_publisher", "retrieved", "n"])
    if series.empty:
        return series
    out = series.merge(counts, on="id", how="left")
    out["rows"] = out["rows"].fillna(0).astype(int)
    rel = releases.groupby("id").agg(
        releases=("label", lambda s: len(s)),
        release=("label", lambda s: s.iloc[-1] if len(s) == 1 else f"{len(s)} releases (one per document)"),
        released_on=("released_on", "max"))
    out = out.merge(rel, left_on="id", right_index=True, how="left")
    doc = docs.groupby("id").agg(retrieved_at=("retrieved", "max"), documents=("n", "sum"))
    out = out.merge(doc, left_on="id", right_index=True, how="left")
    via = docs.merge(series[["id", "publisher"]], on="id")
    via = via[via["doc_publisher"] != via["publisher"]].groupby("id")["doc_publisher"].agg(
        lambda s: "; ".join(sorted(s)))
    out["published_via"] = out["id"].map(via).fillna("")
    for col in ("first_date", "last_date", "released_on", "retrieved_at"):
        out[col] = pd.to_datetime(out[col])
    return out.sort_values(["rows", "series_title"], ascending=[False, True]).drop(columns="id").reset_index(drop=True)


def quantity_key(row) -> str:
    """'IDP|flow|SYR|XSY-NW|2019-12-01|people': a flow is one quantity per start date (a count since then)."""
    start = row["reference_period_start"].date().isoformat() if row["measure"] != "stock" else ""
    return "|".join("" if pd.isna(v) else str(v) for v in (row["population_group"], row["measure"],
                    row["origin_code"], row["location_code"], start, row["unit"]))  # 'any origin': no code (NaN)


@cached_query
def quantities(engine: Engine, filters: Filters) -> list[dict]:
    """Dropdown options: the quantities in the filters, those given by several sources first."""
    from dashboard.charts.core import format_date, group_label

    df = figures_where(engine, core.to_export_filter(filters), *TOTALS)
    df = df[df["value"].notna()]
    if df.empty:
        return []
    df["key"] = [quantity_key(r) for r in df.to_dict("records")]
    stats = df.groupby("key").agg(sources=("series_slug", "nunique"), publishers=("source", "nunique"),
                                  figures=("value", "size"), peak=("value", "max"),
                                  first=("reference_period_start", "first"), group=("population_group", "first"),
                                  measure=("measure", "first"), origin=("origin_name", "first"),
                                  location=("location_name", "first"))
    stats["story"] = stats.index.map(lambda k: STORY.index(k) if k in STORY else len(STORY))
    stats = stats.sort_values(["story", "publishers", "peak"], ascending=[True, False, False]).head(MAX_OPTIONS)
    options = []
    for key, s in stats.iterrows():
        since = f", since {format_date(s['first'])}" if s["measure"] != "stock" else ""
        origin = f" from {s['origin']}" if isinstance(s["origin"], str) and s["origin"] != s["location"] else ""
        label = (f"{group_label(s['group'], s['measure'])} in {s['location']}{origin}{since} — "
                 f"{s['publishers']} publisher{'s' if s['publishers'] > 1 else ''}, {s['figures']} "
                 f"figure{'s' if s['figures'] > 1 else ''}")
        options.append({"label": label, "value": key})
    return options


@cached_query
def compare(engine: Engine, filters: Filters, key: str) -> pd.DataFrame:
    """The figures of one quantity in the period, every source, with `role`: 'single figure' or 'one of N
    points of one series' (same series and start, later ends: a series, not rivals)."""
    group, measure, origin, location, start, unit = (key.split("|") + [""] * 6)[:6]
    flt = core.to_export_filter(filters, population_groups=(group,), measures=(measure,),
                                origin_codes=(origin,) if origin else (), location_codes=(location,))
    df = figures_where(engine, flt, *TOTALS, Observation.unit == (unit or "people"))
    if not origin:
        df = df[df["origin_code"].isna()]
    if start:
        df = df[df["reference_period_start"] == pd.Timestamp(start)]
    if df.empty:
        return df
    series = core.known(engine)["series"]
    df["trace"] = df["series_slug"].map(lambda s: series.get(s, {}).get("publisher") or s)
    clash = df.groupby("trace")["series_slug"].nunique()
    df["trace"] = [t if clash[t] == 1 else f"{t} ({series.get(s, {}).get('title', s)})"
                   for t, s in zip(df["trace"], df["series_slug"], strict=True)]
    n = df.groupby("series_slug")["value"].transform("size")
    df["role"] = ["single figure" if k == 1 else f"one of {k} points of one series" for k in n]
    return df.sort_values(["trace", "reference_period_end"]).reset_index(drop=True)
