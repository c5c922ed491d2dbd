"""Summary tables kept current by the ETL, in the same transaction as the load that changes their figures.

One so far: `flow_set_count` (etl.models.FlowSetCount), the Flows page's figure sets with their numbers of links.
Listing the sets with no place chosen grouped every current figure of the period (10 M figures: 1-5 s); the
summary has one row per set (thousands).

How it stays current: the loader counts, for every figure it makes current, +1 on the figure's set, and for every
figure it stops being current, -1 (`FlowDelta`, fed by etl.load.FileWriter), and applies the sums in the file's own
transaction (`FlowDelta.apply`): a load that rolls back leaves the summary as it was. `rebuild` recomputes the whole
table from the figures, by the SQL definition below (`_sets_select`); it is run by the migration that made the
table, when the gazetteer changes a place's level or kind (store.init), and after a store filled outside the loader
(benchmarks/generate.py). `differences` compares the table with that definition: `python -m etl check` reports any
difference and `python -m etl summaries` rebuilds it.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Connection, bindparam, delete, func, literal, select
from sqlalchemy.orm import aliased

from etl.models import FLOW_LEVELS, FlowSetCount, Observation, Place

COUNTRY, GOVERNORATE = FLOW_LEVELS
FLOW_SET_KEY = ("level", "series_id", "population_group", "measure", "unit", "period_start", "period_end")


def level_of(origin: tuple[int | None, str] | None, location: tuple[int | None, str] | None) -> str | None:
    """A figure's Flows level from its places' (admin_level, kind): both countries; a governorate to an admin1
    area; else none. The same conditions as `_level_conditions`, which the test of this module compares."""
    if origin is None or location is None:
        return None
    if origin[0] == 0 and location[0] == 0:
        return COUNTRY
    if origin[0] == 1 and location[1] == "admin1":
        return GOVERNORATE
    return None


def _level_conditions(level: str, origin, location) -> list:
    if level == COUNTRY:
        return [origin.admin_level == 0, location.admin_level == 0]
    return [origin.admin_level == 1, location.kind == "admin1"]


def _sets_select(level: str):
    """The definition: current total figures with a value and an origin, grouped by set, at one level."""
    origin, location = aliased(Place), aliased(Place)
    obs = Observation
    key = [obs.series_id, obs.population_group, obs.measure, obs.unit, obs.period_start, obs.period_end]
    return (select(literal(level, FlowSetCount.level.type).label("level"), *key, func.count().label("links"))
            .join(origin, origin.code == obs.origin_code)
            .join(location, location.code == obs.location_code)
            .where(obs.is_latest.is_(True), obs.value.is_not(None), obs.sex == "all", obs.age_group == "all",
                   obs.breakdown == "total", *_level_conditions(level, origin, location))
            .group_by(*key))


def rebuild(conn: Connection) -> int:
    """Recompute flow_set_count from the figures, on the caller's transaction; returns its number of rows."""
    conn.execute(delete(FlowSetCount))
    for level in FLOW_LEVELS:
        conn.execute(FlowSetCount.__table__.insert().from_select(list(FLOW_SET_KEY) + ["links"], _sets_select(level)))
    return conn.scalar(select(func.count()).select_from(FlowSetCount))


def computed(conn: Connection) -> dict[tuple, int]:
    """The sets and links as the definition gives them now."""
    return {tuple(r[:-1]): r[-1] for level in FLOW_LEVELS for r in conn.execute(_sets_select(level))}


def stored(conn: Connection) -> dict[tuple, int]:
    cols = [getattr(FlowSetCount, c) for c in FLOW_SET_KEY]
    return {tuple(r[:-1]): r[-1] for r in conn.execute(select(*cols, FlowSetCount.links))}


def differences(conn: Connection, limit: int = 5) -> list[str]:
    """Sentences for the sets whose stored count differs from the figures (empty: the summary is current)."""
    want, have = computed(conn), stored(conn)
    wrong = sorted((k for k in want.keys() | have.keys() if want.get(k) != have.get(k)), key=str)
    if not wrong:
        return []
    shown = "; ".join(f"{k[0]} series {k[1]} {k[2]} {k[3]} {k[4]} {k[5]}..{k[6]}: {have.get(k, 0)} stored, "
                      f"{want.get(k, 0)} in the figures" for k in wrong[:limit])
    more = f" and {len(wrong) - limit} more" if len(wrong) > limit else ""
    return [f"the Flows summary (flow_set_count) differs from the figures for {len(wrong)} sets ({shown}{more}): "
            "run `python -m etl summaries` to rebuild it"]


def _date(value) -> dt.date:
    return value if type(value) is dt.date else dt.date.fromisoformat(str(value)[:10])


class FlowDelta:
    """The changes one load makes to flow_set_count, summed per set, applied in the load's transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        places = conn.execute(select(Place.code, Place.admin_level, Place.kind))
        self.places: dict[str, tuple[int | None, str] | None] = {code: (level, kind) for code, level, kind in places}
        self.levels: dict[tuple, str | None] = {}  # (origin, location) -> level, worked out once per pair
        self.counts: Counter = Counter()

    def _place(self, code: str | None) -> tuple[int | None, str] | None:
        if code is None:
            return None
        if code not in self.places:  # a place this file declared after the writer started
            row = self.conn.execute(select(Place.admin_level, Place.kind).where(Place.code == code)).first()
            self.places[code] = tuple(row) if row else None
        return self.places[code]

    def _level(self, origin: str | None, location: str) -> str | None:
        pair = (origin, location)
        if pair not in self.levels:
            self.levels[pair] = level_of(self._place(origin), self._place(location))
        return self.levels[pair]

    def add(self, row: dict, sign: int, value=None) -> None:
        """Count a figure row (as etl.load._row makes it) becoming current (+1) or ceasing to be (-1); `value`
        stands for the row's value when the figure counted is an earlier vintage of the same identity."""
        value = row["value"] if value is None and sign > 0 else value
        if value is None or row["sex"] != "all" or row["age_group"] != "all" or row["breakdown"] != "total":
            return
        level = self._level(row["origin_code"], row["location_code"])
        if level is not None:
            self.counts[(level, row["series_id"], row["population_group"], row["measure"], row["unit"],
                         _date(row["period_start"]), _date(row["period_end"]))] += 1 if sign > 0 else -1

    def add_new(self, rows: list[dict]) -> None:
        """`add(row, +1)` for each of many new figures (one call per chunk: the loader's cost per figure)."""
        counts, level_of_pair = self.counts, self._level
        for row in rows:
            if row["value"] is None or row["sex"] != "all" or row["age_group"] != "all" or row["breakdown"] != "total":
                continue
            level = level_of_pair(row["origin_code"], row["location_code"])
            if level is not None:
                counts[(level, row["series_id"], row["population_group"], row["measure"], row["unit"],
                        _date(row["period_start"]), _date(row["period_end"]))] += 1

    def apply(self) -> None:
        """Add the summed changes to the table: new sets inserted, emptied sets deleted."""
        changes = {k: n for k, n in self.counts.items() if n}
        if not changes:
            return
        table = FlowSetCount.__table__
        existing = {}
        keys = list(changes)
        for i in range(0, len(keys), 500):
            batch = keys[i:i + 500]
            periods = {k[6] for k in batch}
            rows = self.conn.execute(select(*[table.c[c] for c in FLOW_SET_KEY], table.c.links)
                                     .where(table.c.period_end.in_(periods)))
            wanted = set(batch)
            existing.update({tuple(r[:-1]): r[-1] for r in rows if tuple(r[:-1]) in wanted})
        inserts, updates, deletes = [], [], []
        for key, n in changes.items():
            now = existing.get(key, 0) + n
            if now < 0:
                raise RuntimeError(f"flow_set_count would go below zero for {key}: the summary is not current; "
                                   "run `python -m etl summaries`")
            params = dict(zip(FLOW_SET_KEY, key, strict=True))
            if key not in existing:
                if now:
                    inserts.append({**params, "links": now})
            elif now:
                updates.append({**{f"k_{c}": v for c, v in params.items()}, "links": now})
            else:
                deletes.append({f"k_{c}": v for c, v in params.items()})
        match = [table.c[c] == bindparam(f"k_{c}") for c in FLOW_SET_KEY]
        if inserts:
            self.conn.execute(table.insert(), inserts)
        if updates:
            self.conn.execute(table.update().where(*match).values(links=bindparam("links")), updates)
        if deletes:
            self.conn.execute(table.delete().where(*match), deletes)
        self.counts.clear()
