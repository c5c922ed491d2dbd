"""The figure ledger: rival figures for one quantity side by side, the figure chosen and the rule that chose it,
overrides with their reasons, consistency verdicts as interval logic, and flags on series and sums.

Grouping (rebuild): only current figures (is_latest) with a value. Figures are rivals when they share population
group, measure, unit, breakdown, sex, age group, cause and origin; the same place, or a place and a composite area
containing it (north-west Syria and Idleb); and dates within a tolerance, by chaining on sorted dates: stocks by
reference date (each within `stock_tolerance_days` of its neighbour, default 45), flows and movements first by
period start then by period end (each within `flow_tolerance_days`, default 3). Chaining means a long run of
close dates can span more than the tolerance. Measure is part of the quantity, so movements are never grouped with
people. Points of one line of figures (the same series and publisher) with different end dates are points of a
series (a cumulative count, a stock over time), never rivals: a group needs two lines, or one line with two figures
for the same end date. A composite area whose members have figures of their own at several places is not matched
with any of them (the composite figure is not a rival of Idleb's and Aleppo's at once). Superseded DTM rounds are
flagged and left out. The candidate keys (two series or documents for a quantity and place) are found in SQL.

Choice: the ordered rules of data/source_precedence.csv (etl.precedence), then the observation id; the ledger
records the first rule that separated the chosen figure from the runner-up. An override ("in the group that
contains this figure, choose it") survives rebuilds; when that figure gets a newer vintage the override goes
'to re-check' and the rules choose until a person confirms it again or withdraws it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, and_, case, delete, distinct, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from etl import precedence
from etl.intervals import Interval, interval, sum_intervals
from etl.models import (
    CompositeMember,
    Document,
    LedgerFlag,
    LedgerGroup,
    LedgerMember,
    LedgerOverride,
    Observation,
    Place,
    Release,
    Series,
)

FLOW_TOLERANCE_DAYS = 3
STOCK_TOLERANCE_DAYS = 45
QUANTITY = ["population_group", "measure", "unit", "breakdown", "sex", "age_group", "cause", "origin_code"]
RECHECK = "to re-check"


class LedgerError(Exception):
    """A ledger action that cannot be done, with the reason for the person doing it."""


@dataclass
class LedgerSummary:
    """What a rebuild found."""

    groups: int = 0
    inconsistent: int = 0
    members: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    overrides_applied: int = 0
    overrides_to_recheck: int = 0
    rules_sha: str = ""
    seconds: float = 0.0

    def __str__(self) -> str:
        flags = ", ".join(f"{n} {k}" for k, n in sorted(self.flags.items())) or "no flags"
        return (f"ledger: {self.groups} groups ({self.inconsistent} inconsistent), {self.members} figures; {flags}; "
                f"{self.overrides_applied} overrides applied, {self.overrides_to_recheck} to re-check "
                f"({self.seconds:.1f} s)")


# --- rebuild ------------------------------------------------------------------------------------------------

def rebuild(conn: Connection, rules_path: Path | str | None = None, *,
            flow_tolerance_days: int = FLOW_TOLERANCE_DAYS, stock_tolerance_days: int = STOCK_TOLERANCE_DAYS,
            now: dt.datetime | None = None) -> LedgerSummary:
    """Recompute every group, choice, verdict and flag from the store (deterministic; overrides applied)."""
    started = time.perf_counter()
    path = Path(rules_path) if rules_path else precedence.PRECEDENCE_FILE
    rules = precedence.load_precedence(path)
    sha = precedence.rules_sha(path)
    now = now or dt.datetime.now(dt.UTC)

    flags: list[dict] = []
    superseded = _dtm_superseded(conn, flags)
    summary = LedgerSummary()
    groups: list[dict] = []
    for figures in _candidate_batches(conn):  # places (anchors) a batch at a time: memory bounded by the batch
        figures = figures[~figures["id"].isin(superseded)]
        batch_groups, batch_summary = _choose(conn, _group(figures, flow_tolerance_days, stock_tolerance_days),
                                              rules, sha, now)
        groups += batch_groups
        summary.overrides_applied += batch_summary.overrides_applied
        summary.overrides_to_recheck = batch_summary.overrides_to_recheck
    groups, members = _number(groups)
    summary.groups = len(groups)
    summary.inconsistent = sum(g["verdict"] == "inconsistent" for g in groups)
    summary.members = len(members)
    _series_flags(conn, flags)
    _sum_flags(conn, flags)

    conn.execute(delete(LedgerMember))
    conn.execute(delete(LedgerGroup))
    conn.execute(delete(LedgerFlag))
    _insert(conn, LedgerGroup, groups)
    _insert(conn, LedgerMember, members)
    _insert(conn, LedgerFlag, [{**f, "id": i, "computed_at": now} for i, f in enumerate(flags, start=1)])
    summary.flags = dict(Counter(f["kind"] for f in flags))
    summary.rules_sha = sha
    summary.seconds = time.perf_counter() - started
    return summary


def _insert(conn: Connection, model, rows: list[dict], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        conn.execute(insert(model), rows[i:i + chunk])


def _valued():
    return Observation.is_latest.is_(True), Observation.value.is_not(None)


CANDIDATE_BATCH_ROWS = 200_000  # figures read into one batch of the rebuild (an anchor place is never split)


def _candidate_batches(conn: Connection, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """Current figures whose quantity and anchor place have figures from two series or two documents, a batch of
    anchor places at a time (every figure of an anchor is in the same batch, so groups never span batches).
    At least one frame, possibly empty.

    One GROUP BY in SQL finds the (place, population group, measure) with two series or documents; the rows of
    those, and of composite areas and their member places, are read through the (is_latest, location_code) index;
    the full key (with unit, breakdown, sex, age, cause, origin and the composite anchor) is checked in pandas."""
    batch_rows = batch_rows or CANDIDATE_BATCH_ROWS
    members = pd.DataFrame(conn.execute(select(CompositeMember.member_code, CompositeMember.composite_code)).all(),
                           columns=["member_code", "composite_code"])
    to_composite = members.groupby("member_code")["composite_code"].min()  # a place in two composites: the first
    narrow = [Observation.location_code, Observation.population_group, Observation.measure]
    counted = conn.execute(select(*narrow, func.count()).where(*_valued()).group_by(*narrow).having(or_(
        func.count(distinct(Observation.series_id)) >= 2, func.count(distinct(Observation.document_id)) >= 2))).all()
    composite_places = sorted(set(members["member_code"]) | set(members["composite_code"]))
    anchor_of = to_composite.to_dict()
    # Figures at composite areas and their member places are compared under the composite (the anchor): the same
    # test at (anchor, group, measure) level, which is coarser than the full key checked in pandas, so nothing that
    # could form a group is left out, and a big store's member countries are not read when nothing can rival them.
    composite_counted = []
    if composite_places:
        anchor_expr = case(*[(Observation.location_code == m, c) for m, c in sorted(anchor_of.items())],
                           else_=Observation.location_code) if anchor_of else Observation.location_code
        composite_counted = conn.execute(
            select(anchor_expr, Observation.population_group, Observation.measure, func.count())
            .where(*_valued(), Observation.location_code.in_(composite_places))
            .group_by(anchor_expr, Observation.population_group, Observation.measure).having(or_(
                func.count(distinct(Observation.series_id)) >= 2,
                func.count(distinct(Observation.document_id)) >= 2))).all()
    places_of: dict[str, list[str]] = {}
    for place in composite_places:
        places_of.setdefault(anchor_of.get(place, place), []).append(place)
    # Per anchor: its figures' count and its look-ups, each (places, population group, measures).
    n_of: dict[str, int] = {}
    lookups_of: dict[str, dict[tuple, set]] = {}
    for loc, grp, m, n in counted:
        anchor = anchor_of.get(loc, loc)
        n_of[anchor] = n_of.get(anchor, 0) + n
        lookups_of.setdefault(anchor, {}).setdefault(((loc,), grp), set()).add(m)
    for anchor, grp, m, n in composite_counted:
        n_of[anchor] = n_of.get(anchor, 0) + n
        lookups_of.setdefault(anchor, {}).setdefault((tuple(places_of[anchor]), grp), set()).add(m)
    wanted = {(loc, grp, m) for loc, grp, m, _n in counted}
    composite_set = set(composite_places)
    batch: list[tuple] = []
    n_batch = 0
    yielded = False
    for anchor in sorted(n_of):
        if batch and n_batch + n_of[anchor] > batch_rows:
            yield _candidates(conn, batch, wanted, composite_set, to_composite)
            yielded = True
            batch, n_batch = [], 0
        batch += [(places, grp, sorted(ms)) for (places, grp), ms in sorted(lookups_of[anchor].items())]
        n_batch += n_of[anchor]
    if batch or not yielded:
        yield _candidates(conn, batch, wanted, composite_set, to_composite)


def _candidates(conn: Connection, lookups: list[tuple], wanted: set[tuple], composite_places: set[str],
                to_composite: pd.Series) -> pd.DataFrame:
    """The candidate figures found by `lookups`, each (places, population group, measures), that are in a
    `wanted` (place, group, measure) or at a composite area or member place (see _candidate_batches)."""
    cols = ["id", "identity_key", "vintage", "series_id", "series_slug", "source_kind", "document_id", "publisher",
            "published_on", "released_on", *QUANTITY, "location_code", "place_kind", "reference_period_start",
            "reference_period_end", "value", "value_low", "value_high", "qualifier", "is_rounded", "is_secondary"]
    rows: list = []
    for places, grp, measures in lookups:  # each an index lookup (is_latest, location, group)
        condition = and_(Observation.location_code.in_(places) if len(places) > 1 else
                         Observation.location_code == places[0], Observation.population_group == grp,
                         Observation.measure.in_(measures))
        q = (select(Observation.id, Observation.identity_key, Observation.vintage, Observation.series_id,
                    Series.slug, Series.source_kind, Observation.document_id, Document.publisher,
                    Document.published_on, Release.released_on, *[getattr(Observation, c) for c in QUANTITY],
                    Observation.location_code, Place.kind, Observation.period_start, Observation.period_end,
                    Observation.value, Observation.value_low, Observation.value_high, Observation.qualifier,
                    Observation.is_rounded, Observation.is_secondary)
             .join(Series, Series.id == Observation.series_id).join(Document, Document.id == Observation.document_id)
             .join(Release, Release.id == Observation.release_id).join(Place, Place.code == Observation.location_code)
             .where(*_valued(), condition))
        rows += conn.execute(q).all()
    df = pd.DataFrame(rows, columns=cols).drop_duplicates("id")
    is_composite_place = df["location_code"].isin(composite_places)
    in_combo = pd.Series([k in wanted for k in zip(df["location_code"], df["population_group"], df["measure"],
                                                   strict=True)], index=df.index, dtype=bool)
    df = df[in_combo | is_composite_place].copy()
    df["origin_key"] = df["origin_code"].fillna("")
    df["anchor"] = df["location_code"].map(to_composite).fillna(df["location_code"])
    key = QUANTITY[:-1] + ["origin_key", "anchor"]
    by = df.groupby(key)
    two = (by["series_id"].transform("nunique") >= 2) | (by["document_id"].transform("nunique") >= 2)
    df = df[two].copy()
    for col in ("reference_period_start", "reference_period_end", "published_on", "released_on"):
        df[col] = pd.to_datetime(df[col])
    for col in ("is_rounded", "is_secondary"):
        df[col] = df[col].astype(bool)
    for col in ("value", "value_low", "value_high"):
        df[col] = df[col].astype("Int64")
    return df.sort_values("id", ignore_index=True)


def _chain(df: pd.DataFrame, by: list[str], date: str, days: int) -> pd.Series:
    """A chain number per row: sorted by `by` and `date`, a new chain where `by` changes or the gap exceeds days."""
    d = df.sort_values(by + [date, "id"], kind="stable")
    new = d[by].ne(d[by].shift()).any(axis=1) | (d[date] - d[date].shift()).dt.days.gt(days)
    return new.cumsum().reindex(df.index)


def _group(df: pd.DataFrame, flow_days: int, stock_days: int) -> pd.DataFrame:
    """Assign `group` (a chain of rival figures) to the candidates and keep the groups that hold rivals."""
    if df.empty:
        return df.assign(group=pd.Series(dtype=int))
    df = df.copy()
    df["origin_key"] = df["origin_code"].fillna("")
    df["is_composite"] = df["place_kind"].eq("composite")
    base = QUANTITY[:-1] + ["origin_key", "anchor"]
    # A composite matched with one member place only: when members have figures at several places, each place
    # (and the composite) keeps to itself.
    member_places = df["location_code"].where(~df["is_composite"])
    n_places = member_places.groupby([df[c] for c in base]).transform("nunique")
    df["place_key"] = df["anchor"].where(n_places <= 1, df["location_code"])
    keys = base + ["place_key"]
    df["group"] = -1
    stock = df["measure"].eq("stock")
    if stock.any():
        df.loc[stock, "group"] = _chain(df[stock], keys, "reference_period_end", stock_days)
    if (~stock).any():
        flows = df[~stock].copy()
        flows["start_chain"] = _chain(flows, keys, "reference_period_start", flow_days)
        df.loc[~stock, "group"] = _chain(flows, keys + ["start_chain"], "reference_period_end", flow_days) + \
            (df.loc[stock, "group"].max() if stock.any() else 0)
    # Rivals: two lines (series + publisher), or one line with two figures for the same end date.
    df["line"] = df["series_id"].astype(str) + "|" + df["publisher"].fillna("")
    n_lines = df.groupby("group")["line"].transform("nunique")
    same_end = df.duplicated(["group", "line", "reference_period_end"], keep=False)
    has_same_end = same_end.groupby(df["group"]).transform("any")
    return df[(n_lines >= 2) | has_same_end].copy()


def _choose(conn: Connection, df: pd.DataFrame, rules, sha: str, now: dt.datetime):
    """Rank each group by the rules (overrides first), record the deciding rule, the intervals and the verdicts."""
    summary = LedgerSummary()
    overrides = _live_overrides(conn, df, now, summary)
    if df.empty:
        return [], summary
    keys = precedence.sort_keys(df, rules)
    key_cols = list(keys.columns)
    df = pd.concat([df, keys], axis=1)
    df["_override"] = df["identity_key"].map(lambda k: 0 if k in overrides else 1)
    df = df.sort_values(["group", "_override"] + key_cols + ["id"], kind="stable")
    df["rank"] = df.groupby("group").cumcount() + 1
    df["interval"] = [interval(v, q, is_rounded=r, value_low=_int(lo), value_high=_int(hi)) for v, q, r, lo, hi in
                      zip(df["value"], df["qualifier"], df["is_rounded"], df["value_low"], df["value_high"],
                          strict=True)]
    groups = []
    by_order = {f"_k{r.order}": r for r in rules}
    for _, g in df.groupby("group", sort=False):
        chosen = g.iloc[0]
        over = overrides.get(chosen["identity_key"]) if chosen["_override"] == 0 else None
        rows = []
        for _, m in g.iterrows():
            if m["rank"] == 1:
                verdict, rule = "chosen", None
            else:
                verdict = "consistent" if chosen["interval"].overlaps(m["interval"]) else "inconsistent"
                rule = _override_text(over) if over else _deciding(chosen, m, key_cols, by_order)
            rows.append({"observation_id": int(m["id"]), "rank": int(m["rank"]),
                         "interval_low": m["interval"].low, "interval_high": m["interval"].high,
                         "is_composite_match": False, "verdict": verdict, "rule": rule, "_loc": m["location_code"],
                         "_composite": bool(m["is_composite"])})
        if over:
            chosen_rule, chosen_by = _override_text(over), "override"
            summary.overrides_applied += 1
        else:
            chosen_rule, chosen_by = rows[1]["rule"], "rule"
        composite = [r["_loc"] for r in rows if r["_composite"]]
        has_composite = bool(composite) and any(not r["_composite"] for r in rows)
        location = composite[0] if composite else chosen["location_code"]
        for r in rows:
            r["is_composite_match"] = has_composite and r["_loc"] != location
        start, end = g["reference_period_start"].min().date(), g["reference_period_end"].max().date()
        ident = [chosen[c] if c != "origin_code" else chosen["origin_key"] for c in QUANTITY]
        key = hashlib.md5("|".join(map(str, [*ident, location, start, end])).encode()).hexdigest()
        groups.append({
            "group_key": key, **{c: chosen[c] for c in QUANTITY}, "origin_code": chosen["origin_key"] or None,
            "location_code": location, "period_start": start, "period_end": end, "member_count": len(rows),
            "spread_low": int(g["value"].min()), "spread_high": int(g["value"].max()),
            "chosen_observation_id": int(chosen["id"]), "chosen_rule": chosen_rule, "chosen_by": chosen_by,
            "has_composite": has_composite,
            "verdict": "inconsistent" if any(r["verdict"] == "inconsistent" for r in rows) else "consistent",
            "rules_sha": sha, "computed_at": now, "_members": rows})
    return groups, summary


def _number(groups: list[dict]) -> tuple[list[dict], list[dict]]:
    """Group ids in a stable order, so the same store gives the same ids; the members with their group id."""
    groups.sort(key=lambda g: (g["location_code"], g["population_group"], g["measure"], g["period_end"],
                               g["group_key"]))
    out_members = []
    for gid, g in enumerate(groups, start=1):
        g["id"] = gid
        for r in g.pop("_members"):
            out_members.append({k: v for k, v in r.items() if not k.startswith("_")} | {"group_id": gid})
    return groups, out_members


def _deciding(chosen: pd.Series, other: pd.Series, key_cols: list[str], by_order: dict) -> str:
    for col in key_cols:
        if col.startswith("_k") and chosen[col] != other[col]:
            return by_order[col].text
    if chosen["series_slug"] != other["series_slug"]:
        return "series name (the rules tie)"
    return "tie broken by id"


def _override_text(over: dict) -> str:
    return f"override {over['id']} by {over['reviewer']} ({over['created_at']:%Y-%m-%d}): {over['reason']}"


def _live_overrides(conn: Connection, df: pd.DataFrame, now: dt.datetime, summary: LedgerSummary) -> dict:
    """Active overrides by identity key; an override whose figure has a newer vintage goes 'to re-check'."""
    rows = conn.execute(select(LedgerOverride).where(LedgerOverride.status == "active")
                        .order_by(LedgerOverride.created_at, LedgerOverride.id)).all()
    latest = dict(conn.execute(select(Observation.identity_key, func.max(Observation.vintage))
                               .where(Observation.identity_key.in_([r.chosen_identity_key for r in rows]))
                               .group_by(Observation.identity_key)).all()) if rows else {}
    live = {}
    for r in rows:
        newest = latest.get(r.chosen_identity_key)
        if newest is not None and newest > r.chosen_vintage:
            note = (f"the chosen figure has a newer release (vintage {newest}, was {r.chosen_vintage}), seen by the "
                    f"rebuild of {now:%Y-%m-%d %H:%M} UTC: the rules choose until someone confirms or withdraws it")
            conn.execute(update(LedgerOverride).where(LedgerOverride.id == r.id).values(status=RECHECK,
                                                                                      recheck_note=note))
            continue
        live[r.chosen_identity_key] = r._asdict()  # a later override of the same figure replaces an earlier one
    summary.overrides_to_recheck = conn.scalar(select(func.count()).select_from(LedgerOverride)
                                               .where(LedgerOverride.status == RECHECK))
    if not df.empty:
        in_groups = set(df["identity_key"])
        live = {k: v for k, v in live.items() if k in in_groups}
        # Two overrides in one group (groups merged since): the latest one decides.
        per_group: dict[int, str] = {}
        for k in sorted(live, key=lambda k: (live[k]["created_at"], live[k]["id"])):
            for gid in df.loc[df["identity_key"] == k, "group"]:
                per_group[gid] = k
        live = {k: live[k] for k in set(per_group.values())}
    return live


# --- flags ----------------------------------------------------------------------------------------------------

def _dtm_superseded(conn: Connection, flags: list[dict]) -> set[int]:
    """DTM rounds older than the latest round of their operation (series) and area: flagged, never chosen."""
    dtm = dict(conn.execute(select(Series.id, Series.slug).where(Series.slug.like("iom_dtm_%"))).all())
    if not dtm:
        return set()
    q = (select(Observation.id, Observation.series_id, Series.slug, Observation.location_code, Observation.sex,
                Observation.breakdown, Observation.period_end, Observation.value)
         .join(Series, Series.id == Observation.series_id)
         .where(Observation.series_id.in_(sorted(dtm)), *_valued()))
    df = pd.DataFrame(conn.execute(q).all(), columns=["id", "series_id", "slug", "location_code", "sex",
                                                      "breakdown", "period_end", "value"])
    if df.empty:
        return set()
    df["latest"] = df.groupby(["series_id", "location_code"])["period_end"].transform("max")
    old = df[df["period_end"] < df["latest"]]
    current = df[df["period_end"] == df["latest"]].drop_duplicates(["series_id", "location_code", "sex",
                                                                    "breakdown"])
    old = old.merge(current[["series_id", "location_code", "sex", "breakdown", "id", "value"]],
                    on=["series_id", "location_code", "sex", "breakdown"], how="left", suffixes=("", "_now"))
    for r in old.sort_values("id").itertuples(index=False):
        flags.append({"kind": "dtm_round_superseded", "observation_id": int(r.id),
                      "related_observation_id": None if pd.isna(r.id_now) else int(r.id_now),
                      "detail": f"DTM round of {r.period_end} at {r.location_code} ({r.slug}) is superseded by the "
                                f"round of {r.latest}: only the latest round of an operation is current",
                      "value": int(r.value), "compared_value": None if pd.isna(r.value_now) else int(r.value_now)})
    return set(old["id"].astype(int))


def _series_flags(conn: Connection, flags: list[dict]) -> None:
    """Cumulative flows (same series, quantity, place and start; later ends) must be non-decreasing: a point
    outside the window its neighbours allow is flagged, and so is a drop that no single outlier explains."""
    # Keys in SQL on a few columns (one scan), then the rows of those series and places through the index.
    narrow = [Observation.series_id, Observation.location_code, Observation.population_group,
              Observation.period_start]
    keys = conn.execute(select(*narrow).where(Observation.measure == "flow", *_valued()).group_by(*narrow)
                        .having(func.count(distinct(Observation.period_end)) >= 2)).all()
    if not keys:
        return
    q = (select(Observation.id, Observation.series_id, *[getattr(Observation, c) for c in QUANTITY],
                Observation.location_code, Observation.period_start, Observation.period_end, Observation.value,
                Observation.value_low, Observation.value_high, Observation.qualifier, Observation.is_rounded)
         .where(Observation.measure == "flow", *_valued(),
                Observation.location_code.in_(sorted({k[1] for k in keys})),
                Observation.series_id.in_(sorted({k[0] for k in keys}))))
    df = pd.DataFrame(conn.execute(q).all(), columns=list(q.selected_columns.keys()))
    df = df.merge(pd.DataFrame(keys, columns=["series_id", "location_code", "population_group", "period_start"]),
                  how="inner")
    df["origin_code"] = df["origin_code"].fillna("")
    if df.empty:
        return
    series_cols = ["series_id", *QUANTITY, "location_code", "period_start"]
    for _, s in df.sort_values(series_cols + ["period_end", "id"]).groupby(series_cols, sort=False):
        pts = [(int(r.id), r.period_end, int(r.value), interval(r.value, r.qualifier, is_rounded=bool(r.is_rounded),
                                                                value_low=_int(r.value_low),
                                                                value_high=_int(r.value_high)))
               for r in s.itertuples(index=False)]
        for i, (oid, end, value, iv) in enumerate(pts):
            prev = pts[i - 1] if i > 0 else None
            nxt = pts[i + 1] if i + 1 < len(pts) else None
            if prev and nxt and prev[3].low <= (nxt[3].high if nxt[3].high is not None else prev[3].low) and (
                    (iv.high is not None and iv.high < prev[3].low) or
                    (nxt[3].high is not None and iv.low > nxt[3].high)):
                below = iv.high is not None and iv.high < prev[3].low
                other = prev if below else nxt
                flags.append({"kind": "series_point_outside_neighbours", "observation_id": oid,
                              "related_observation_id": other[0],
                              "detail": f"{value:,} {iv} on {end} is outside what its neighbours allow on a "
                                        f"non-decreasing cumulative count: {prev[2]:,} {prev[3]} on {prev[1]} and "
                                        f"{nxt[2]:,} {nxt[3]} on {nxt[1]}",
                              "value": value, "compared_value": other[2]})
            elif prev and iv.high is not None and iv.high < prev[3].low:
                flags.append({"kind": "series_not_monotonic", "observation_id": oid,
                              "related_observation_id": prev[0],
                              "detail": f"a cumulative count falls: {value:,} {iv} on {end} after {prev[2]:,} "
                                        f"{prev[3]} on {prev[1]}",
                              "value": value, "compared_value": prev[2]})


def _sum_flags(conn: Connection, flags: list[dict]) -> None:
    """A figure for a place (a country) and the figures of the same series, quantity and dates for its
    sub-divisions (place.parent_code): flagged when they cannot agree. With every sub-division present the
    intervals of the total and of the sum must overlap; with some missing, the sum must not exceed the total."""
    kids = select(Place.code, Place.parent_code).where(Place.parent_code.is_not(None), Place.kind != "composite")
    parent_of = dict(conn.execute(kids).all())
    # Which series have figures for sub-divisions (one scan), then which of them also for the parent place.
    pairs = conn.execute(select(Observation.series_id, Place.parent_code).distinct()
                         .join(Place, Place.code == Observation.location_code)
                         .where(Place.parent_code.is_not(None), Place.kind != "composite", *_valued())).all()
    if not pairs:
        return
    at_parent = set(conn.execute(select(Observation.series_id, Observation.location_code).distinct().where(
        *_valued(), Observation.location_code.in_(sorted({p for _, p in pairs})),
        Observation.series_id.in_(sorted({s for s, _ in pairs})))).all())
    pairs = [p for p in pairs if tuple(p) in at_parent]
    if not pairs:
        return
    cols = [Observation.id, Observation.series_id, *[getattr(Observation, c) for c in QUANTITY],
            Observation.location_code, Observation.period_start, Observation.period_end, Observation.value,
            Observation.value_low, Observation.value_high, Observation.qualifier, Observation.is_rounded]
    names = [c.key for c in cols]
    frames = []
    for series_id, parent_code in pairs:
        places = [parent_code] + sorted(c for c, p in parent_of.items() if p == parent_code)
        for i in range(0, len(places), 500):
            q = select(*cols).where(*_valued(), Observation.series_id == series_id,
                                    Observation.location_code.in_(places[i:i + 500]))
            frames.append(pd.DataFrame(conn.execute(q).all(), columns=names))
    rows = pd.concat(frames, ignore_index=True).drop_duplicates("id")
    rows["origin_code"] = rows["origin_code"].fillna("")
    rows["parent_code"] = rows["location_code"].map(parent_of)
    same = ["series_id", *QUANTITY, "period_start", "period_end"]
    parents = rows.drop(columns="parent_code").rename(columns={"location_code": "parent_code", "id": "parent_id",
                                                              "value": "parent_value",
                                   "value_low": "parent_low", "value_high": "parent_high",
                                   "qualifier": "parent_qualifier", "is_rounded": "parent_rounded"})
    parents = parents[same + ["parent_code", "parent_id", "parent_value", "parent_low", "parent_high",
                              "parent_qualifier", "parent_rounded"]]
    df = rows[rows["parent_code"].notna()].merge(parents, on=same + ["parent_code"], how="inner")
    if df.empty:
        return
    n_children = dict(conn.execute(select(Place.parent_code, func.count()).where(
        Place.parent_code.in_(sorted(set(df["parent_code"]))), Place.kind != "composite")
        .group_by(Place.parent_code)).all())
    for pid, g in df.sort_values(["parent_id", "id"]).groupby("parent_id", sort=True):
        p = g.iloc[0]
        total = interval(p.parent_value, p.parent_qualifier, is_rounded=bool(p.parent_rounded),
                         value_low=_int(p.parent_low), value_high=_int(p.parent_high))
        parts = sum_intervals([interval(r.value, r.qualifier, is_rounded=bool(r.is_rounded),
                                        value_low=_int(r.value_low), value_high=_int(r.value_high))
                               for r in g.itertuples(index=False)])
        n, of = g["location_code"].nunique(), n_children.get(p.parent_code, 0)
        complete = n >= of
        bad = not total.overlaps(parts) if complete else (total.high is not None and parts.low > total.high)
        if bad:
            s = int(g["value"].sum())
            flags.append({"kind": "national_vs_subnational_sum", "observation_id": int(pid),
                          "related_observation_id": int(g["id"].iloc[0]),
                          "detail": f"{p.parent_code} {int(p.parent_value):,} {total} but its "
                                    f"{'' if complete else 'listed '}sub-divisions ({n} of {of}) add up to {s:,} "
                                    f"{parts}" + ("" if complete else ": more than the total"),
                          "value": int(p.parent_value), "compared_value": s})


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


# --- write actions --------------------------------------------------------------------------------------------

def override(conn: Connection, group_id: int, observation_id: int, reason: str, reviewer: str,
             rules_path: Path | str | None = None) -> int:
    """Choose `observation_id` in its group, with a reason (kept across rebuilds); returns the override id.
    Earlier overrides in the same group are withdrawn; the ledger is rebuilt."""
    if not reason or not reason.strip():
        raise LedgerError("an override needs a reason (--reason)")
    if not reviewer or not reviewer.strip():
        raise LedgerError("an override needs the reviewer's name (--by)")
    member = conn.execute(select(LedgerMember.group_id, Observation.identity_key, Observation.vintage)
                          .join(Observation, Observation.id == LedgerMember.observation_id)
                          .where(LedgerMember.observation_id == observation_id)).first()
    if member is None or member.group_id != group_id:
        where = "in no group" if member is None else f"in group {member.group_id}"
        raise LedgerError(f"observation {observation_id} is not a figure of group {group_id} (it is {where})")
    now = dt.datetime.now(dt.UTC)
    keys = conn.scalars(select(Observation.identity_key).join(LedgerMember, LedgerMember.observation_id ==
                                                              Observation.id)
                        .where(LedgerMember.group_id == group_id)).all()
    conn.execute(update(LedgerOverride).where(LedgerOverride.chosen_identity_key.in_(keys),
                                              LedgerOverride.status.in_(["active", RECHECK]))
                 .values(status="withdrawn", recheck_note=f"replaced by a new override of {reviewer.strip()} "
                                                          f"at {now:%Y-%m-%d %H:%M} UTC"))
    oid = conn.scalar(insert(LedgerOverride).values(
        chosen_identity_key=member.identity_key, chosen_vintage=member.vintage, reason=reason.strip(),
        reviewer=reviewer.strip(), created_at=now, status="active").returning(LedgerOverride.id))
    rebuild(conn, rules_path)
    return oid


def withdraw(conn: Connection, override_id: int, reviewer: str, rules_path: Path | str | None = None) -> None:
    """Withdraw an override (the rules choose again); who and when are kept in its note."""
    row = conn.execute(select(LedgerOverride).where(LedgerOverride.id == override_id)).first()
    if row is None:
        raise LedgerError(f"no override {override_id}")
    if row.status == "withdrawn":
        raise LedgerError(f"override {override_id} is already withdrawn")
    note = f"withdrawn by {reviewer} at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    conn.execute(update(LedgerOverride).where(LedgerOverride.id == override_id).values(
        status="withdrawn", recheck_note=f"{row.recheck_note}; {note}" if row.recheck_note else note))
    rebuild(conn, rules_path)


# --- queries for the dashboard (pure reads, DataFrames) --------------------------------------------------------

def ledger_groups(conn: Connection, place: str | None = None, population_group: str | None = None,
                  only_inconsistent: bool = False) -> pd.DataFrame:
    """One row per group: the quantity, place, span, spread, chosen figure and its source, rule and verdict."""
    loc, org = aliased(Place), aliased(Place)
    q = (select(LedgerGroup.id.label("group_id"), LedgerGroup.group_key, LedgerGroup.population_group,
                LedgerGroup.measure, LedgerGroup.unit, LedgerGroup.breakdown, LedgerGroup.sex, LedgerGroup.age_group,
                LedgerGroup.cause, LedgerGroup.origin_code, org.name.label("origin_name"), LedgerGroup.location_code,
                loc.name.label("location_name"), LedgerGroup.period_start, LedgerGroup.period_end,
                LedgerGroup.member_count, LedgerGroup.spread_low, LedgerGroup.spread_high,
                LedgerGroup.chosen_observation_id, Observation.value.label("chosen_value"),
                Observation.qualifier.label("chosen_qualifier"), Document.publisher.label("chosen_publisher"),
                Series.title.label("chosen_series"), LedgerGroup.chosen_rule, LedgerGroup.chosen_by,
                LedgerGroup.has_composite, LedgerGroup.verdict, LedgerGroup.rules_sha, LedgerGroup.computed_at)
         .join(Observation, Observation.id == LedgerGroup.chosen_observation_id)
         .join(Document, Document.id == Observation.document_id).join(Series, Series.id == Observation.series_id)
         .join(loc, loc.code == LedgerGroup.location_code).outerjoin(org, org.code == LedgerGroup.origin_code)
         .order_by(LedgerGroup.id))
    if place:
        at_place = (select(LedgerMember.group_id).join(Observation, Observation.id == LedgerMember.observation_id)
                    .where(Observation.location_code == place))
        q = q.where(or_(LedgerGroup.location_code == place, LedgerGroup.id.in_(at_place)))
    if population_group:
        q = q.where(LedgerGroup.population_group == population_group)
    if only_inconsistent:
        q = q.where(LedgerGroup.verdict == "inconsistent")
    return _frame(conn, q)


def group_members(conn: Connection, group_id: int) -> pd.DataFrame:
    """The figures of one group, chosen first: value, qualifier, interval, verdict, the rule, and provenance."""
    q = (select(LedgerMember.rank, LedgerMember.observation_id, Observation.value, Observation.qualifier,
                Observation.value_low, Observation.value_high, LedgerMember.interval_low, LedgerMember.interval_high,
                LedgerMember.verdict, LedgerMember.rule, LedgerMember.is_composite_match, Observation.location_code,
                Observation.origin_code, Observation.period_start, Observation.period_end, Series.slug.label(
                    "series_slug"), Series.title.label("series_title"), Series.source_kind,
                Document.publisher, Document.title.label("document_title"), Document.url.label("document_url"),
                Document.published_on, Release.label.label("release"), Observation.vintage,
                Observation.identity_key, Observation.source_ref, Observation.is_secondary, Observation.is_rounded)
         .join(Observation, Observation.id == LedgerMember.observation_id)
         .join(Series, Series.id == Observation.series_id).join(Document, Document.id == Observation.document_id)
         .join(Release, Release.id == Observation.release_id)
         .where(LedgerMember.group_id == int(group_id)).order_by(LedgerMember.rank))
    df = _frame(conn, q)
    df["interval"] = [str(Interval(int(lo), None if pd.isna(hi) else int(hi)))
                      for lo, hi in zip(df["interval_low"], df["interval_high"], strict=True)]
    return df


def overrides(conn: Connection, status: str | None = None) -> pd.DataFrame:
    """Overrides with their status and notes, newest first."""
    q = select(LedgerOverride).order_by(LedgerOverride.id.desc())
    if status:
        q = q.where(LedgerOverride.status == status)
    return _frame(conn, q)


def ledger_flags(conn: Connection, kind: str | None = None) -> pd.DataFrame:
    """The flags of the last rebuild."""
    q = (select(LedgerFlag.id, LedgerFlag.kind, LedgerFlag.observation_id, LedgerFlag.related_observation_id,
                LedgerFlag.value, LedgerFlag.compared_value, LedgerFlag.detail, Observation.location_code,
                Observation.period_end)
         .join(Observation, Observation.id == LedgerFlag.observation_id).order_by(LedgerFlag.id))
    if kind:
        q = q.where(LedgerFlag.kind == kind)
    return _frame(conn, q)


def rival_counts(conn: Connection, observation_ids) -> dict[int, int]:
    """{observation id: number of rival figures in its group} (0 for a figure in no group)."""
    ids = sorted({int(i) for i in observation_ids})
    out = dict.fromkeys(ids, 0)
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        q = (select(LedgerMember.observation_id, LedgerGroup.member_count)
             .join(LedgerGroup, LedgerGroup.id == LedgerMember.group_id)
             .where(LedgerMember.observation_id.in_(part)))
        out.update({int(o): int(n) - 1 for o, n in conn.execute(q)})
    return out


def chosen_observation_ids(conn: Connection) -> set[int]:
    """The figures the ledger chose, one per group."""
    return set(conn.scalars(select(LedgerGroup.chosen_observation_id)))


def passed_over_observation_ids(conn: Connection) -> set[int]:
    """Figures with a rival that was chosen instead (charts that show one figure per quantity leave them out)."""
    return set(conn.scalars(select(LedgerMember.observation_id).where(LedgerMember.rank > 1)))


def _frame(conn: Connection, q) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(q).all(), columns=list(q.selected_columns.keys()))
