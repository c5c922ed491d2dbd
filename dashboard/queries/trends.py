"""Trends reads: one line per source series, population group, measure and place (a flow also by its basis:
one cumulative count, or per year / per month), gaps kept as breaks, shares of the parent area's total from
the same source, and the dated events."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine, and_, or_, select

from dashboard import config
from dashboard.cache import cached_query
from dashboard.charts.core import group_label  # the legend's words, also written in each row's `trace`
from dashboard.filters import Filters
from dashboard.queries import core
from dashboard.queries import ledger as ledger_marks
from dashboard.queries.overview import FIGURES_LIMIT, TOTALS, figures_where
from etl.export import EXPORT_ORDER, export_conditions
from etl.models import Event, Observation, Series

START_YEAR = 2011  # the Syrian crisis: the Trends page opens on 2011 to the latest year in the store
MAX_LINES = 8
LINE_KEY = ["series_slug", "population_group", "measure", "unit", "origin_code", "location_code", "basis"]
SAME_SOURCE = ["originator", "publisher", "vintage"]  # the same publication of the same originator's data
WIDE_KINDS = ("country", "composite", "region")
GAP_NOTE = "gap: this series has no figure for this date (not zero)"


def default_filters(engine: Engine) -> Filters:
    """2011 to the end of the latest year with data."""
    latest = core.known(engine)["span"][1]
    year = latest.year if latest else dt.date.today().year
    return Filters(date_from=dt.date(START_YEAR, 1, 1), date_to=dt.date(year, 12, 31))


@dataclass
class Lines:
    """The points to draw (one row per point, gaps included), and what was left out, in words."""

    points: pd.DataFrame
    n_lines: int = 0
    n_hidden: int = 0
    share_available: bool = False
    share_note: str = ""


@cached_query
def lines(engine: Engine, filters: Filters, *, share: bool = False, max_lines: int = MAX_LINES) -> Lines:
    """Totals only (a breakdown never joins its total's line); the largest `max_lines` lines."""
    wide = ()
    if filters.location is None:  # every location: countries and named regions; sub-national areas on request
        places = core.known(engine)["places"]
        wide = (Observation.location_code.in_([c for c, p in places.items() if p["kind"] in WIDE_KINDS]),)
    flt = core.to_export_filter(filters)
    if config.FAST_PATH and filters.as_of is None:
        df, peak = _top_lines_narrow(engine, flt, (*TOTALS, *wide), max_lines)
    else:
        df = figures_where(engine, flt, *TOTALS, *wide)
        if df.empty:
            return Lines(df)
        df = df.assign(basis=_basis(df), origin_code=df["origin_code"].fillna(""))
        peak = _peaks(df)
    if df.empty:
        return Lines(df)
    keep = peak.index[:max_lines]
    df = df.set_index(LINE_KEY).loc[keep].reset_index()
    df = _with_gaps(df)
    if filters.as_of is None:  # the ledger compares current figures: rivals and the ledger's choice per point
        df = ledger_marks.with_marks(engine, df.assign(observation_id=df["observation_id"].where(~df["is_gap"])))
    df["trace"] = _trace_names(engine, df, filters)
    df = df.sort_values(["trace", "reference_period_end"], kind="stable").reset_index(drop=True)
    df, available, note = _shares(engine, df, filters)
    df["chart_value"] = df["share"] if share and available else df["value"].astype("Float64")
    if share and available:
        df = df[df["share_line"]].reset_index(drop=True)
    return Lines(df, n_lines=len(keep), n_hidden=max(0, len(peak) - len(keep)), share_available=available,
                 share_note=note)


def _peaks(df: pd.DataFrame) -> pd.Series:
    """Each line's highest value, highest first (a line with no value last); ties keep the lines' key order."""
    return df.groupby(LINE_KEY, dropna=False)["value"].max().fillna(-1).sort_values(ascending=False, kind="stable")


NARROW = ["series_slug", "population_group", "measure", "unit", "origin_code", "location_code",
          "reference_period_start", "reference_period_end", "value", "observation_id"]


def _top_lines_narrow(engine: Engine, flt, conditions: tuple, max_lines: int) -> tuple[pd.DataFrame, pd.Series]:
    """The fast path: the lines are ranked on ten columns of the same figures (in the same order, with the same
    limit as figures_where), then only the figures of the top `max_lines` lines are read with their provenance.
    A figure's basis is taken from the ranking frame, as it depends on figures of other origins and units."""
    obs = Observation
    q = (select(Series.slug, obs.population_group, obs.measure, obs.unit, obs.origin_code, obs.location_code,
                obs.period_start, obs.period_end, obs.value, obs.id)
         .join(Series, Series.id == obs.series_id).where(*export_conditions(flt), *conditions)
         .order_by(*EXPORT_ORDER))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execution_options(yield_per=20_000).execute(q).fetchmany(FIGURES_LIMIT)]
    narrow = pd.DataFrame(rows, columns=NARROW)
    if narrow.empty:
        return narrow, pd.Series(dtype=float)
    for col in ("reference_period_start", "reference_period_end"):
        narrow[col] = pd.to_datetime(narrow[col])
    narrow["value"] = narrow["value"].astype("Int64")
    narrow = narrow.assign(basis=_basis(narrow), origin_code=narrow["origin_code"].fillna(""))
    peak = _peaks(narrow)
    keep = peak.index[:max_lines]
    series_ids = core.series_ids(engine)
    wanted = [and_(obs.series_id == series_ids[slug], obs.population_group == group, obs.measure == measure,
                   obs.unit == unit, obs.origin_code == origin if origin else obs.origin_code.is_(None),
                   obs.location_code == location)
              for slug, group, measure, unit, origin, location in dict.fromkeys(k[:6] for k in keep)]
    df = figures_where(engine, flt, *conditions, or_(*wanted))
    basis = dict(zip(narrow["observation_id"], narrow["basis"], strict=True))
    df = df[df["observation_id"].isin(basis.keys())]  # the same figures as the ranking (its limit)
    df = df.assign(basis=df["observation_id"].map(basis).astype(object), origin_code=df["origin_code"].fillna(""))
    return df.reset_index(drop=True), peak


def _basis(df: pd.DataFrame) -> pd.Series:
    """A stock: ''. A flow over calendar months: 'per year', 'per month', 'per 4 months'; any other flow is
    a count since its start ('since 1 Dec 2019'), and the points of one cumulative count (same start, several
    ends) share it."""
    start, end = df["reference_period_start"], df["reference_period_end"]
    months = (end.dt.year - start.dt.year) * 12 + end.dt.month - start.dt.month + 1
    calendar = (start.dt.day == 1) & end.dt.is_month_end
    cumulative = df.groupby(["series_slug", "population_group", "measure", "location_code", "reference_period_start"],
                            dropna=False)["reference_period_end"].transform("nunique") > 1
    since = start.map({d: f"since {d.day} {d:%b %Y}" for d in start.dropna().unique()})  # once per date
    out = since.where(~calendar | cumulative, "per " + months.astype(str) + " months")
    out = out.where(~(calendar & (months == 12)), "per year").where(~(calendar & (months == 1)), "per month")
    return out.where(df["measure"] != "stock", "").astype(object)


def _with_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Yearly lines get a row for each missing year between their first and last: value empty, a gap in the
    line (connectgaps off), never a zero."""
    frames = []
    for _, line in df.groupby(LINE_KEY, dropna=False, sort=False):
        ends = line["reference_period_end"]
        yearly = (ends.dt.month == 12).all() and (ends.dt.day == 31).all() and \
            line["basis"].iloc[0] in ("", "per year")
        if yearly and len(line) > 1:
            have = set(ends.dt.year)
            missing = [y for y in range(min(have), max(have) + 1) if y not in have]
            if missing:
                template = line.iloc[[-1]]
                gaps = pd.concat([template] * len(missing), ignore_index=True)
                gaps["reference_period_end"] = [pd.Timestamp(y, 12, 31) for y in missing]
                gaps["reference_period_start"] = gaps["reference_period_end"] if line["measure"].iloc[0] == "stock" \
                    else [pd.Timestamp(y, 1, 1) for y in missing]
                for col in ("value", "value_low", "value_high"):
                    gaps[col] = pd.NA
                gaps["qualifier"], gaps["missing_reason"], gaps["note"] = None, None, GAP_NOTE
                gaps["source_ref"] = None
                line = pd.concat([line, gaps], ignore_index=True)
        frames.append(line)
    out = pd.concat(frames, ignore_index=True)
    out["is_gap"] = out["note"].eq(GAP_NOTE).fillna(False)
    for col in ("value", "value_low", "value_high"):
        out[col] = out[col].astype("Int64")
    return out


def _trace_names(engine: Engine, df: pd.DataFrame, filters: Filters) -> pd.Series:
    """One name per line: the series' own publisher (a press copy of DGMM's figures stays in DGMM's line;
    each point's hover names the outlet), the group and measure, the place, the basis of a flow."""
    series = core.known(engine)["series"]
    names = {}
    for key, line in df.groupby(LINE_KEY, dropna=False, sort=False):
        row = line.iloc[0]
        parts = [series.get(row["series_slug"], {}).get("publisher") or row["publisher"],
                 group_label(row["population_group"], row["measure"])]
        if not filters.location or row["location_code"] != filters.location:
            parts.append(f"in {row['location_name']}")
        if row["origin_code"] and row["origin_code"] not in (filters.origin, row["location_code"]):
            parts.append(f"from {row['origin_name']}")
        if row["basis"]:
            parts.append(row["basis"])
        names[key] = " — ".join(parts)
    clash = pd.Series(list(names.values())).value_counts()
    for key in names:  # two series of one publisher on one line name: the series title tells them apart
        if clash[names[key]] > 1:
            names[key] += f" ({series.get(key[0], {}).get('title', key[0])})"
    return pd.Series([names[k] for k in df[LINE_KEY].itertuples(index=False, name=None)], index=df.index)


def _shares(engine: Engine, df: pd.DataFrame, filters: Filters) -> tuple[pd.DataFrame, bool, str]:
    """Each point ÷ the same source's total for the parent area, same date, measure, group and origin."""
    df = df.assign(parent_code=df["location_parent_code"], parent_value=pd.array([pd.NA] * len(df), "Int64"),
                   share=pd.array([pd.NA] * len(df), "Float64"), share_line=False)
    parents = tuple(sorted({p for p in df["parent_code"].dropna()}))
    if not parents:
        return df, False, ("Share unavailable: no line is inside a larger area (choose a province, governorate "
                           "or district to see its share of the country's total).")
    flt = core.to_export_filter(replace(filters, location=None), location_codes=parents, origin_codes=())
    totals = figures_where(engine, flt, *TOTALS)
    if totals.empty:
        return df, False, "Share unavailable: no source gives a total for the parent area of these lines."
    totals["origin_code"] = totals["origin_code"].fillna("")
    key = SAME_SOURCE + ["population_group", "measure", "unit", "origin_code", "reference_period_start",
                         "reference_period_end"]
    totals = totals.rename(columns={"location_code": "parent_code", "value": "parent_total"})
    totals = totals[key + ["parent_code", "parent_total"]].drop_duplicates(key + ["parent_code"])
    merged = df.merge(totals, on=key + ["parent_code"], how="left")
    merged["parent_value"] = merged["parent_total"].astype("Int64")
    ok = merged["parent_value"].notna() & merged["value"].notna() & (merged["parent_value"] > 0)
    merged.loc[ok, "share"] = merged.loc[ok, "value"].astype(float) / merged.loc[ok, "parent_value"].astype(float)
    lines_with = merged.loc[ok, "trace"].unique()
    merged["share_line"] = merged["trace"].isin(lines_with)
    merged = merged.drop(columns=["parent_total"])
    if not len(lines_with):
        return merged, False, ("Share unavailable: no source gives a total for the parent area on the same "
                               "date and measure as these figures.")
    without = merged.loc[~merged["share_line"], "trace"].nunique()
    many = len(lines_with) > 1
    note = f"Share: {len(lines_with)} line{'s have' if many else ' has'} the same source's total for the parent " \
           "area on the same date"
    note += f"; {without} other line{'s have' if without > 1 else ' has'} none and {'are' if without > 1 else 'is'}" \
            " left out of the share view." if without else "."
    return merged, True, note


@cached_query
def events(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Dated events in the period about the chosen places (all events when no place is chosen)."""
    cols = ["event_date", "end_date", "place_code", "title", "quote", "publisher", "source_title", "source_url"]
    with engine.connect() as conn:
        rows = conn.execute(select(*(getattr(Event, c) for c in cols)).where(Event.event_date <= filters.date_to)
                            .order_by(Event.event_date, Event.title)).all()
    df = pd.DataFrame([tuple(r) for r in rows if (r.end_date or r.event_date) >= filters.date_from], columns=cols)
    chosen = {c for c in (filters.origin, filters.location) if c}
    if df.empty or not chosen:
        return df
    gaz = core.known(engine)["gazetteer"]
    countries = {gaz.place(c).country_iso3 or c for c in chosen if c in gaz}
    related = df["place_code"].map(lambda c: c in chosen or (c in gaz and gaz.place(c).country_iso3 in countries))
    return df[related].reset_index(drop=True)
