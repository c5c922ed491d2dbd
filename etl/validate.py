"""Row rules shared by every source: counts, dates, vocabularies and places, each failure named with its reason."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.gazetteer import Gazetteer, Resolution
from etl.models import MEASURES, POPULATION_GROUPS, QUALIFIERS, SEXES, UNITS
from etl.records import as_dicts

# UNHCR: "-" is not applicable, "*" a small number kept confidential, empty is no figure: never zero.
# https://www.unhcr.org/refugee-statistics/methodology/
MISSING_MARKERS = {"-": "not applicable", "–": "not applicable", "*": "confidential", "": "not available",
                   "n/a": "not available", "na": "not available", "..": "not available"}
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_PLAUSIBLE_COUNT = 2_000_000_000  # more than a quarter of humanity displaced is a typo, not a figure
# Too many bad rows means the file, not the rows, is wrong: reject it whole.
MAX_SET_ASIDE_ROWS = 10
MAX_SET_ASIDE_SHARE = 0.10

# Text a record carries into columns of bounded width (etl/models.py): longer text is set aside on every
# database alike (SQLite would store it, PostgreSQL would refuse the whole file).
TEXT_LIMITS = {"release": 500, "doc_publisher": 200, "channel": 200, "breakdown": 120, "age_group": 20,
               "cause": 20}
CODE_SCHEME_KINDS = {"iso3": "iso3", "unhcr": "unhcr_code", "pcode": "pcode", "iso3166_2": "iso3166_2"}
_THOUSANDS = re.compile(r"(?<=\d)[,\s\u00a0\u202f'](?=\d{3}(\D|$))")


@dataclass
class Validated:
    good: list[dict]  # typed records with origin_code / location_code resolved
    set_aside: list[dict]  # row_number, column, value, reason, suggestion, record_json


def too_many_set_aside(n_set_aside: int, n_rows: int) -> bool:
    return n_set_aside > MAX_SET_ASIDE_ROWS and n_set_aside > MAX_SET_ASIDE_SHARE * max(n_rows, 1)


def parse_count(raw: object) -> tuple[int | None, str | None, str | None]:
    """(value, missing_reason, error) for one published cell."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return None, "not available", None
    if isinstance(raw, (int, np.integer)) and not isinstance(raw, bool):
        return (int(raw), None, None) if raw >= 0 else (None, None, f"negative count {raw}")
    text = str(raw).strip()
    if text.lower() in MISSING_MARKERS:
        return None, MISSING_MARKERS[text.lower()], None
    cleaned = _THOUSANDS.sub("", text)
    if re.fullmatch(r"-?\d+(\.0+)?", cleaned):
        number = int(float(cleaned)) if "." in cleaned else int(cleaned)
        if number < 0:
            return None, None, f"negative count {text!r}"
        if number > MAX_PLAUSIBLE_COUNT:
            return None, None, f"implausibly large count {text!r}"
        return number, None, None
    if re.fullmatch(r"-?\d+\.\d+", cleaned):
        return None, None, f"fractional count {text!r}: people are counted in whole numbers"
    return None, None, f"not a number: {text!r}"


def _parse_date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return None
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        return None


def _record_json(rec: dict) -> str:
    return json.dumps({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rec.items()},
                      ensure_ascii=False, default=str)


class PlaceResolver:
    """Gazetteer lookups for the validator, plus composites given as code lists and a file's own places."""

    def __init__(self, gazetteer: Gazetteer, declared: set[str] = frozenset()):
        self.gazetteer, self.declared = gazetteer, set(declared)
        self._cache: dict[tuple, Resolution] = {}
        self._composites = {frozenset(m.code for m in gazetteer.members(p.code)): p.code
                            for p in gazetteer.places("composite")}
        self._levels = {(a, p.admin_level) for p in gazetteer.places() if p.kind.startswith("admin")
                        for a in gazetteer.ancestors(p.code)}

    def declare(self, codes: Iterable[str]) -> None:
        """More places the file defines (a later chunk's): earlier answers may change."""
        self.declared |= set(codes)
        self._cache.clear()

    def __call__(self, ref, scheme, level, within, fallback=None) -> Resolution:
        key = (ref, scheme, level, within, fallback)
        if key not in self._cache:
            self._cache[key] = self._resolve(str(ref), _none(scheme), _int(level), _none(within), _none(fallback))
        return self._cache[key]

    def _resolve(self, ref, scheme, level, within, fallback) -> Resolution:
        if ref in self.declared:
            return Resolution(ref, "matched", method="declared by the file")
        if ";" in ref:  # "SY-ID;SY-HL": the composite area made of exactly these places
            parts = [self(p.strip(), scheme, None, within) for p in ref.split(";")]
            if all(p.status == "matched" for p in parts):
                code = self._composites.get(frozenset(p.code for p in parts))
                if code:
                    return Resolution(code, "matched", method="composite")
            return Resolution(None, "unmatched", suggestion="define a composite area with these members in "
                              "data/gazetteer/pseudo_places.csv and composite_members.csv")
        try:
            res = self.gazetteer.resolve(ref, scheme=scheme, level=level, within=within)
        except ValueError:  # the country the place is looked up in is itself unknown (a damaged code cell)
            return Resolution(None, "unmatched", suggestion=f"the country {within!r} the place lies in is not a "
                              "known place code: correct the country code in the file")
        # A place the gazetteer cannot know (no areas of that level in that country) keeps the publisher's
        # own location; where the gazetteer covers that level, an unknown name is a real error.
        if res.status != "matched" and fallback and within and level is not None:
            scope = self.gazetteer.resolve(within, scheme="iso3")
            if scope.status == "matched" and (scope.code, level) not in self._levels:
                return Resolution(fallback, "matched", method="provider location")
        return res


def validate(records: pd.DataFrame, gazetteer: Gazetteer, *, today: dt.date | None = None,
             declared: set[str] = frozenset(), resolve: PlaceResolver | None = None) -> Validated:
    """Split records into good typed rows and rows set aside with reason and suggestion. `resolve`: a resolver
    kept over the chunks of one file (its `declared` places are used instead of `declared`)."""
    today = today or dt.date.today()
    rows = as_dicts(records)
    good: list[dict] = []
    set_aside: list[dict] = []
    resolve = resolve or PlaceResolver(gazetteer, declared)

    for rec in rows:
        problem = _check(rec, resolve, today)
        if problem is None:
            good.append(rec)
        else:
            column, value, reason, suggestion = problem
            set_aside.append({
                "row_number": _int(rec.get("row_number")), "column": column,
                "value": None if value is None else str(value), "reason": reason,
                "suggestion": suggestion, "record_json": _record_json(rec),
            })
    return Validated(good, set_aside)


def _none(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else v


def _int(v):
    v = _none(v)
    return None if v is None else int(v)


def _check(rec: dict, resolve, today: dt.date):
    """Fill typed fields into rec; return (column, value, reason, suggestion) for the first problem."""
    col = rec.get("column") or "value"
    if _none(rec.get("problem")):
        column, reason, suggestion = (str(rec["problem"]).split("|", 2) + ["", ""])[:3]
        return column or col, rec.get("value_raw"), reason, suggestion or None
    for name, limit in TEXT_LIMITS.items():
        if isinstance(rec.get(name), str) and len(rec[name]) > limit:
            return name, rec[name][:80] + "...", f"{name.replace('_', ' ')} too long ({len(rec[name]):,} characters, " \
                f"at most {limit})", "shorten the text in the file"
    value, missing, error = parse_count(rec.get("value_raw"))
    if error:
        return col, rec.get("value_raw"), error, "correct the count in the file, or leave the cell empty if unknown"
    rec["value"], rec["missing_reason"] = value, missing
    for bound in ("value_low", "value_high"):
        if _none(rec.get(bound)) is not None:
            b, _, err = parse_count(rec[bound])
            if err or b is None:
                return bound, rec[bound], err or "bound missing", "give a whole non-negative number"
            rec[bound] = b
        else:
            rec[bound] = None
    for name, allowed in (("population_group", POPULATION_GROUPS), ("measure", MEASURES),
                          ("qualifier", QUALIFIERS), ("unit", UNITS), ("sex", SEXES)):
        if rec.get(name) not in allowed:
            return name, rec.get(name), f"unknown {name.replace('_', ' ')} {rec.get(name)!r}", \
                f"use one of: {', '.join(allowed)}"
    start, end = _parse_date(rec.get("period_start")), _parse_date(rec.get("period_end"))
    if start is None or end is None:
        bad = "period_start" if start is None else "period_end"
        return bad, rec.get(bad), "not a date", "write dates as YYYY-MM-DD"
    if end < start:
        return "period_end", end.isoformat(), f"period ends ({end}) before it starts ({start})", \
            "swap the dates, or check the period columns"
    if start < EARLIEST_DATE:
        return "period_start", start.isoformat(), f"date {start} is before {EARLIEST_DATE.year}", \
            "check the year"
    if end > today:
        return "period_end", end.isoformat(), f"date {end} is in the future", "check the year"
    if rec["measure"] == "stock" and start != end:
        return "period_start", start.isoformat(), "a stock is counted at one date: start must equal end", \
            "use the reference date for both, or mark the figure as a flow"
    rec["period_start"], rec["period_end"] = start, end
    for role in ("location", "origin"):
        ref = _none(rec.get(f"{role}_ref"))
        if ref is None:
            if role == "location":
                return "location", None, "no location given", "every figure needs the place it is about"
            rec["origin_code"] = None
            continue
        res = resolve(ref, rec.get(f"{role}_scheme"), rec.get(f"{role}_level"), rec.get(f"{role}_within"),
                      rec.get(f"{role}_fallback"))
        if res.status != "matched":
            reason = (f"{role} {ref!r} is ambiguous: could be {', '.join(res.candidates)}"
                      if res.status == "ambiguous" else f"{role} {ref!r} matches no known place")
            hint = res.suggestion or f"add it with: python -m etl alias add {str(ref)!r} CODE"
            scheme = _none(rec.get(f"{role}_scheme"))
            if scheme in CODE_SCHEME_KINDS:  # a code looked up in one scheme needs an alias of that kind
                hint = hint.replace(" CODE", f" CODE --kind {CODE_SCHEME_KINDS[scheme]}")
            return role, ref, reason, hint
        rec[f"{role}_code"] = res.code
    return None
