"""The filter state every page shares: read from and written to the URL, checked against values that exist."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from etl.models import MEASURES, POPULATION_GROUPS

# The worked example: the Idlib offensive (1 Dec 2019 – 31 Mar 2020) and Syrians hosted in Türkiye.
OFFENSIVE = (dt.date(2019, 12, 1), dt.date(2020, 3, 31))
DEFAULT_ORIGIN = "SYR"
MAX_TEXT = 100  # no filter value is longer; longer input is ignored, never passed to a query


@dataclass(frozen=True)
class Filters:
    """What a coordinator selected. Codes are canonical place codes; empty tuples mean 'all'."""

    date_from: dt.date = OFFENSIVE[0]
    date_to: dt.date = OFFENSIVE[1]
    origin: str | None = DEFAULT_ORIGIN
    location: str | None = None
    groups: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    as_of: dt.date | None = None
    ignored: tuple[str, ...] = field(default=(), compare=False)  # URL values that were not valid, in words

    def to_query(self) -> str:
        """The URL query string (with '?') that reproduces this view."""
        pairs: list[tuple[str, str]] = [("from", self.date_from.isoformat()), ("to", self.date_to.isoformat())]
        pairs += [("origin", self.origin or "any")] if self.origin != DEFAULT_ORIGIN else []
        pairs += [("location", self.location)] if self.location else []
        pairs += [("group", g) for g in self.groups] + [("measure", m) for m in self.measures]
        pairs += [("source", s) for s in self.sources]
        pairs += [("as_of", self.as_of.isoformat())] if self.as_of else []
        return "?" + urlencode(pairs)

    def with_period(self, date_from: dt.date, date_to: dt.date) -> Filters:
        return replace(self, date_from=date_from, date_to=date_to)


def as_list(value: object) -> list:
    """A multi-value filter as a list, whatever a client posted: None is empty, one value is a list of one."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def from_query(args: Mapping[str, object], *, known_places: set[str], known_sources: set[str],
               default: Filters = Filters()) -> Filters:
    """Filters from URL query args (Dash Pages passes them to layout()); invalid values fall back to the
    default and are listed in `ignored`, so a tampered link shows a sentence, never an error."""
    ignored: list[str] = []

    def values(name: str) -> list[str]:
        raw = args.get(name)
        items = raw if isinstance(raw, list) else [] if raw is None else [raw]
        return [str(v)[:MAX_TEXT + 1] for v in items if str(v).strip()]

    def one_date(name: str, fallback: dt.date | None) -> dt.date | None:
        got = values(name)
        if not got:
            return fallback
        try:
            return dt.date.fromisoformat(got[0])
        except ValueError:
            ignored.append(f"{name}={got[0][:MAX_TEXT]!r} is not a date")
            return fallback

    def checked(name: str, allowed, transform=str) -> tuple[str, ...]:
        keep = []
        for v in values(name):
            if transform(v) in allowed:
                keep.append(transform(v))
            else:
                ignored.append(f"{name}={v[:MAX_TEXT]!r} is not known")
        return tuple(dict.fromkeys(keep))

    def place(name: str, fallback: str | None) -> str | None:
        got = values(name)
        if not got:
            return fallback
        if got[0] == "any":
            return None
        if got[0] in known_places:
            return got[0]
        ignored.append(f"{name}={got[0][:MAX_TEXT]!r} is not a known place code")
        return fallback

    date_from = one_date("from", default.date_from)
    date_to = one_date("to", default.date_to)
    if date_to < date_from:
        ignored.append("the period ended before it started: the dates were swapped")
        date_from, date_to = date_to, date_from
    return Filters(
        date_from=date_from, date_to=date_to,
        origin=place("origin", default.origin), location=place("location", default.location),
        groups=checked("group", POPULATION_GROUPS, str.upper) or default.groups,
        measures=checked("measure", MEASURES, str.lower) or default.measures,
        sources=checked("source", known_sources) or default.sources,
        as_of=one_date("as_of", default.as_of), ignored=tuple(ignored))
