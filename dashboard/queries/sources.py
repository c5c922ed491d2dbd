"""Sources reads: every source series with its provenance and row count, and, for one quantity, the figures
different publishers give for it side by side (the points of one cumulative count stay one series)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, distinct, func, or_, select
from sqlalchemy.orm import aliased

from dashboard import config
from dashboard.cache import cached_query
from dashboard.filters import Filters
from dashboard.queries import core
from dashboard.queries.overview import TOTALS, cached, figures_where
from etl.export import export_conditions
from etl.models import Document, Observation, Place, Release, Series

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
    out["published_via"] = out["id"].map(via).astype(object).fillna("")
    for col in ("first_date", "last_date", "released_on", "retrieved_at"):
        out[col] = pd.to_datetime(out[col])
    return out.sort_values(["rows", "series_title"], ascending=[False, True]).drop(columns="id").reset_index(drop=True)


def quantity_key(row) -> str:
    """'IDP|flow|SYR|XSY-NW|2019-12-01|people': a flow is one quantity per start date (a count since then)."""
    start = row["reference_period_start"].date().isoformat() if row["measure"] != "stock" else ""
    origin = row["origin_code"]
    origin = "" if origin is None or pd.isna(origin) else origin  # no origin: None, or NaN from a pandas column
    return "|".join([row["population_group"], row["measure"], origin, row["location_code"], start, row["unit"]])


@cached_query
def quantities(engine: Engine, filters: Filters) -> list[dict]:
    """Dropdown options: the quantities in the filters, those given by several sources first."""
    from dashboard.charts.core import format_date, group_label

    stats = _quantity_stats_sql(engine, filters) if config.FAST_PATH and filters.as_of is None else \
        _quantity_stats(engine, filters)
    if stats.empty:
        return []
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


STAT_COLUMNS = ["sources", "publishers", "figures", "peak", "first", "group", "measure", "origin", "location"]


def _quantity_stats(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Per quantity key: sources, publishers, figures, peak, first start, names (the baseline: every figure of
    the filters read into pandas and grouped there)."""
    df = figures_where(engine, core.to_export_filter(filters), *TOTALS)
    df = df[df["value"].notna()]
    if df.empty:
        return pd.DataFrame(columns=STAT_COLUMNS)
    df["key"] = [quantity_key(r) for r in df.to_dict("records")]
    return df.groupby("key").agg(sources=("series_slug", "nunique"), publishers=("source", "nunique"),
                                 figures=("value", "size"), peak=("value", "max"),
                                 first=("reference_period_start", "first"), group=("population_group", "first"),
                                 measure=("measure", "first"), origin=("origin_name", "first"),
                                 location=("location_name", "first"))


def _quantity_stats_sql(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The same statistics grouped by the database (the fast path): one row per quantity comes back instead of
    every figure. A stock's key has no start (its `first` is then not shown, so it is left empty)."""
    obs, origin, location = Observation, aliased(Place), aliased(Place)
    start = case((obs.measure == "stock", None), else_=obs.period_start)
    source = case((Document.publisher == Series.publisher, Series.publisher),
                  else_=Series.publisher + " via " + Document.publisher)
    q = (select(obs.population_group, obs.measure, obs.origin_code, obs.location_code, start.label("start"), obs.unit,
                func.count(distinct(obs.series_id)), func.count(distinct(source)), func.count(), func.max(obs.value),
                func.min(origin.name), func.min(location.name))
         .join(Series, Series.id == obs.series_id).join(Document, Document.id == obs.document_id)
         .join(location, location.code == obs.location_code).outerjoin(origin, origin.code == obs.origin_code)
         .where(*export_conditions(core.to_export_filter(filters)), *TOTALS, obs.value.is_not(None))
         .group_by(obs.population_group, obs.measure, obs.origin_code, obs.location_code, start, obs.unit)).subquery()
    # Only the quantities that can be among the options come back: the story's, and those whose (publishers, peak)
    # is among the MAX_OPTIONS highest (ties included, so quantities() orders them exactly as it would all of them).
    ranked = select(*q.c, func.dense_rank().over(order_by=(q.c[7].desc(), q.c[9].desc())).label("rank")).subquery()
    with engine.connect() as conn:
        rows = [r[:12] for r in conn.execute(select(ranked).where(or_(ranked.c.rank <= MAX_OPTIONS,
                                                                      *_story_conditions(ranked.c))))]
    if not rows:
        return pd.DataFrame(columns=STAT_COLUMNS)
    keys, records = [], []
    for group, measure, origin_code, location_code, first, unit, n_series, n_pub, n, peak, o_name, l_name in rows:
        first = pd.Timestamp(first) if first is not None else pd.NaT
        day = first.date().isoformat() if measure != "stock" else ""
        keys.append("|".join([group, measure, origin_code or "", location_code, day, unit]))
        records.append((n_series, n_pub, n, peak, first, group, measure, o_name, l_name))
    stats = pd.DataFrame(records, columns=STAT_COLUMNS, index=pd.Index(keys, name="key")).sort_index()
    for col in ("figures", "peak"):
        stats[col] = stats[col].astype("Int64")
    return stats


def _story_conditions(c) -> list:
    """The quantities of STORY, on the columns of _quantity_stats_sql's groups."""
    out = []
    for key in STORY:
        group, measure, origin, location, start, unit = key.split("|")
        out.append(and_(c[0] == group, c[1] == measure, c[2] == origin if origin else c[2].is_(None),
                        c[3] == location, c[4] == dt.date.fromisoformat(start) if start else c[4].is_(None),
                        c[5] == unit))
    return out


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


# --- the figure ledger (etl.ledger): groups of rival figures, their members, overrides and flags -------------

GROUP_TABLE = [  # (column, header) of the ledger's groups table and its CSV
    ("group_id", "Group"), ("quantity", "Quantity"), ("place", "Place"), ("origin", "Origin"), ("span", "Period"),
    ("member_count", "Figures"), ("spread", "Spread (low–high)"), ("verdict", "Verdict"),
    ("chosen", "Chosen figure"), ("chosen_publisher", "Chosen publisher"), ("rule", "Rule that chose it"),
    ("rule_why", "Why"), ("override_status", "Override"), ("override_reason", "Override reason"),
    ("override_by", "Override by"), ("override_at", "Override at")]
FLAG_WORDS = {"series_point_outside_neighbours": "series point outside its neighbours",
              "series_not_monotonic": "cumulative count falls",
              "national_vs_subnational_sum": "national vs sum of sub-national",
              "dtm_round_superseded": "superseded DTM round"}


def ledger_groups(engine: Engine, filters: Filters, only_inconsistent: bool = False) -> pd.DataFrame:
    """The ledger's groups within the filters (place, origin, population group, measure, groups whose span meets
    the period), with the rule that chose (and its reason from the rules file) and any current override."""
    from dashboard.charts.core import format_date, group_label, qualified
    from etl import ledger

    with engine.connect() as conn:
        df = ledger.ledger_groups(conn, place=filters.location, only_inconsistent=only_inconsistent)
        over = _current_overrides(conn)
    if filters.origin:
        df = df[df["origin_code"] == filters.origin]
    if filters.groups:
        df = df[df["population_group"].isin(filters.groups)]
    if filters.measures:
        df = df[df["measure"].isin(filters.measures)]
    if len(df):
        start, end = pd.to_datetime(df["period_start"]), pd.to_datetime(df["period_end"])
        df = df[(end >= pd.Timestamp(filters.date_from)) & (start <= pd.Timestamp(filters.date_to))]
    df = df.reset_index(drop=True)
    if df.empty:
        return df.assign(**{c: pd.Series(dtype=object) for c, _ in GROUP_TABLE if c not in df.columns})
    rules = {r.order: r for r in precedence_rules()}
    df["quantity"] = [group_label(g, m) + ("" if u == "people" else f" ({u})") +
                      ("" if b == "total" else f", {b}") for g, m, u, b in
                      zip(df["population_group"], df["measure"], df["unit"], df["breakdown"], strict=True)]
    df["place"] = [f"{n} ({c})" + (" and areas inside it" if h else "") for n, c, h in
                   zip(df["location_name"], df["location_code"], df["has_composite"], strict=True)]
    df["origin"] = [f"{n} ({c})" if c else "" for n, c in zip(df["origin_name"], df["origin_code"], strict=True)]
    df["span"] = [format_date(s) if s == e else f"{format_date(s)} – {format_date(e)}"
                  for s, e in zip(df["period_start"], df["period_end"], strict=True)]
    df["spread"] = [f"{int(lo):,} – {int(hi):,}" for lo, hi in zip(df["spread_low"], df["spread_high"], strict=True)]
    df["chosen"] = [qualified(v, q) for v, q in zip(df["chosen_value"], df["chosen_qualifier"], strict=True)]
    df["rule"] = df["chosen_rule"].fillna("")
    df["rule_why"] = [_why(r, by, rules) for r, by in zip(df["rule"], df["chosen_by"], strict=True)]
    cur = df["group_id"].map(lambda g: over.get(int(g)))
    df["override_id"] = [o["id"] if o else None for o in cur]
    df["override_status"] = [f"override {o['id']}: {o['status']}" if o else "" for o in cur]
    df["override_reason"] = [o["reason"] if o else "" for o in cur]
    df["override_by"] = [o["reviewer"] if o else "" for o in cur]
    df["override_at"] = [when(o["created_at"]) if o else "" for o in cur]
    df["override_note"] = [(o["recheck_note"] or "") if o else "" for o in cur]
    return df


def precedence_rules():
    from etl import precedence

    return precedence.precedence()


def _why(rule: str, chosen_by: str, rules: dict) -> str:
    """The rules file's reason for 'rule 3 (reference_period_end): ...' ('' for a tie-break or an override)."""
    if chosen_by == "override":
        return "chosen by a person (the override's reason is kept with it)"
    head = rule.split(" ", 2)
    if len(head) >= 2 and head[0] == "rule" and head[1].isdigit() and int(head[1]) in rules:
        return rules[int(head[1])].why
    return ""


def when(value) -> str:
    """A stored UTC time as '2026-11-25 14:03 UTC' (SQLite gives it back without a zone)."""
    if value is None or pd.isna(value):
        return ""
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


def _current_overrides(conn) -> dict[int, dict]:
    """{group id: its latest override that is active or 'to re-check'} (matched through the figure's identity)."""
    from etl.models import LedgerMember, LedgerOverride

    q = (select(LedgerMember.group_id, LedgerOverride.id, LedgerOverride.status, LedgerOverride.reason,
                LedgerOverride.reviewer, LedgerOverride.created_at, LedgerOverride.recheck_note)
         .join(Observation, Observation.identity_key == LedgerOverride.chosen_identity_key)
         .join(LedgerMember, LedgerMember.observation_id == Observation.id)
         .where(LedgerOverride.status != "withdrawn").order_by(LedgerOverride.id))
    return {int(r.group_id): dict(r._mapping) for r in conn.execute(q)}


def ledger_members(engine: Engine, group_id: int) -> pd.DataFrame:
    """The figures of one group, chosen first, with their provenance (licence, citation, retrieval date too)."""
    from etl import ledger

    with engine.connect() as conn:
        df = ledger.group_members(conn, int(group_id))
        if df.empty:
            return df
        extra = pd.DataFrame(conn.execute(
            select(Observation.id.label("observation_id"), Series.licence, Series.citation, Series.originator,
                   Document.retrieved_on.label("retrieved_at"), Observation.location_code)
            .join(Series, Series.id == Observation.series_id).join(Document, Document.id == Observation.document_id)
            .where(Observation.id.in_([int(i) for i in df["observation_id"]]))).all(),
            columns=["observation_id", "licence", "citation", "originator", "retrieved_at", "_loc"])
    df = df.merge(extra.drop(columns="_loc"), on="observation_id", how="left", validate="1:1")
    for col in ("period_start", "period_end", "published_on", "retrieved_at"):
        df[col] = pd.to_datetime(df[col])
    return df


def group_overrides(engine: Engine, group_id: int) -> pd.DataFrame:
    """Every override (any status, newest first) made on a figure of this group."""
    from etl.models import LedgerMember, LedgerOverride

    q = (select(LedgerOverride.id, LedgerOverride.status, LedgerOverride.reason, LedgerOverride.reviewer,
                LedgerOverride.created_at, LedgerOverride.recheck_note, LedgerOverride.chosen_vintage,
                Observation.id.label("observation_id"), Observation.value, Observation.qualifier)
         .join(Observation, Observation.identity_key == LedgerOverride.chosen_identity_key)
         .join(LedgerMember, LedgerMember.observation_id == Observation.id)
         .where(LedgerMember.group_id == int(group_id)).order_by(LedgerOverride.id.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).all(), columns=list(q.selected_columns.keys()))


def ledger_flags(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The ledger's flags for figures in the filters' place (or anywhere) whose date falls in the period."""
    from etl import ledger

    with engine.connect() as conn:
        df = ledger.ledger_flags(conn)
    if df.empty:
        return df
    if filters.location:
        df = df[df["location_code"] == filters.location]
    end = pd.to_datetime(df["period_end"])
    df = df[(end >= pd.Timestamp(filters.date_from)) & (end <= pd.Timestamp(filters.date_to))].copy()
    df["what"] = df["kind"].map(lambda k: FLAG_WORDS.get(k, k.replace("_", " ")))
    df["period_end"] = pd.to_datetime(df["period_end"])
    return df.reset_index(drop=True)
