"""One sentence -> candidate displacement figures (number, qualifier, unit, kind, place, origin, period) and events.

A number is a candidate only when it counts people (a people noun or a displacement verb follows it) and the
sentence says what happened to them (the verb lexicon below); anything else is rejected.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from etl.extract import numbers, periods
from etl.gazetteer import Gazetteer

# What happened, by verb; the one nearest the number wins.
KINDS = [
    ("fled", r"\bfle[de]s?\b|\bfleeing\b|\babandon(?:ed|ing)? their homes\b|\b(?:leave|left|leaving) their homes\b"),
    ("displaced", r"\bdisplace(?:d|ment|ments)?\b"),
    ("returned", r"\breturn(?:ed|ing|s|ees)?\b|\bmoved back\b"),
    ("hosted", r"\bhost(?:s|ed|ing)?\b"),
    ("arrived", r"\barriv(?:ed|als?|ing)\b|\breceived\b"),
    ("crossed", r"\bcross(?:ed|es)\b"),
]
PEOPLE = {"people": "people", "persons": "people", "individuals": "people", "idps": "people",
          "refugees": "people", "returnees": "people", "syrians": "people", "civilians": "people",
          "residents": "people", "children": "people", "families": "families", "households": "households"}
# Words that may sit between a number and its noun ("3.6 million Syrian refugees", "142,000 more people").
FILLERS = {"more", "registered", "displaced", "newly", "new", "internally", "of", "these", "them", "the",
           "other", "additional", "further", "syrian", "iraqi", "afghan", "palestinian", "of people"}
DEMONYMS = {"syrian": "SYR", "iraqi": "IRQ", "afghan": "AFG", "palestinian": "PSE", "turkish": "TUR",
            "lebanese": "LBN", "jordanian": "JOR", "ukrainian": "UKR", "sudanese": "SDN", "somali": "SOM"}
NOT_PEOPLE_OUTCOMES = r"\b(killed|dead|died|injured|wounded|deployed|funded)\b"
EVENT_VERBS = r"\b(recover(?:ed|ing)? (?:full )?control|took control|tak(?:es|ing) control|captured|seized|retook)\b"
_PLACE_WORD = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:al-|el-)?[A-Z][\w'’-]*)*")
_LEVEL_WORDS = {"governorate": 1, "province": 1, "district": 2, "sub-district": 3}


@dataclass
class Candidate:
    number: int
    qualifier: str
    kind: str
    unit: str
    place: str | None
    origin: str | None
    period_start: dt.date
    period_end: dt.date
    low: int | None = None
    high: int | None = None
    span: tuple[int, int] = (0, 0)  # the number's offsets in the sentence
    place_published: str | None = None
    is_rounded: bool = False


@dataclass
class CandidateEvent:
    event_date: dt.date
    place: str | None
    title: str


@dataclass
class Extraction:
    candidates: list[Candidate] = field(default_factory=list)
    events: list[CandidateEvent] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (number as written, why not a candidate)


def extract(sentence: str, report_date: dt.date, gazetteer: Gazetteer, default_place: str | None = None) -> Extraction:
    out = Extraction()
    places = _places(sentence, gazetteer)
    dated = periods.find(sentence, report_date)
    for mention in numbers.find(sentence):
        written = sentence[mention.start:mention.end]
        unit, why = _unit(sentence, mention, has_previous=bool(out.candidates))
        if unit is None:
            out.rejected.append((written, why))
            continue
        kind = _kind(sentence, mention) or (out.candidates[-1].kind if out.candidates else None)
        if kind is None:
            out.rejected.append((written, "no displacement verb (fled, displaced, returned, hosted...)"))
            continue
        clause = _clause(sentence, mention)
        place = _nearest([p for p in places if clause[0] <= p[0] < clause[1]], mention) or _nearest(places, mention)
        period = _nearest_period(dated, mention)
        start, end = (period.start, period.end) if period else (report_date, report_date)
        out.candidates.append(Candidate(
            mention.value, mention.qualifier, kind, unit if unit != "same" else out.candidates[-1].unit,
            place[2] if place else default_place,
            _origin(sentence, mention) or (out.candidates[-1].origin if unit == "same" else None), start, end,
            mention.low,
            mention.high, (mention.start, mention.end), place[3] if place else None, mention.is_rounded))
    if re.search(EVENT_VERBS, sentence, re.I):
        when = dated[0].start if dated else _weekday(sentence, report_date)
        # the report's own place first: a sentence's first name is often its dateline ("BEIRUT:")
        out.events.append(CandidateEvent(when, default_place or (places[0][2] if places else None), sentence[:300]))
    return out


def _unit(sentence: str, mention: numbers.Mention, has_previous: bool) -> tuple[str | None, str]:
    """The counted noun after the number, or why this number does not count people."""
    after = sentence[mention.end:]
    words = re.findall(r"[A-Za-z][\w'-]*|[,.;:]", after)[:6]
    for i, word in enumerate(words):
        w = word.lower()
        if w in PEOPLE:
            tail = " ".join(words[i + 1:i + 6]).lower()
            if re.search(NOT_PEOPLE_OUTCOMES, tail):
                return None, f"people {re.search(NOT_PEOPLE_OUTCOMES, tail).group(1)}, not displaced"
            return PEOPLE[w], ""
        if w in FILLERS or w in DEMONYMS:
            continue
        if w in ("were", "was", "have", "has", "had", "are", "been") or any(re.match(p, w) for _, p in KINDS):
            verb = " ".join(words[i:i + 3]).lower()
            if any(re.search(p, verb) for _, p in KINDS):
                return "people", ""
        if w == "in" and has_previous:  # "..., and more than 650,000 in Jordan": the same count again
            return "same", ""
        return None, f"counts {word!r}, not people"
    return None, "no counted noun"


def _kind(sentence: str, mention: numbers.Mention) -> str | None:
    lo, hi = _clause(sentence, mention)
    best = None
    for kind, pattern in KINDS:
        for m in re.finditer(pattern, sentence[lo:hi], re.I):
            distance = min(abs(lo + m.start() - mention.end), abs(mention.start - (lo + m.end())))
            if best is None or distance < best[0]:
                best = (distance, kind)
    return best[1] if best else None


def _clause(sentence: str, mention: numbers.Mention) -> tuple[int, int]:
    """The part of the sentence the number belongs to: clauses joined by ", and", ", while", ";"."""
    cuts = [0] + [m.start() for m in re.finditer(r";|,\s+(?:and|while|whereas|but)\b", sentence)] + [len(sentence)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a <= mention.start < b:
            return a, b
    return 0, len(sentence)


def _places(sentence: str, gazetteer: Gazetteer) -> list[tuple[int, int, str, str]]:
    """(start, end, code, as written) for every capitalised name the gazetteer knows, not after "from"."""
    found = []
    for m in _PLACE_WORD.finditer(sentence):
        if re.search(r"\bfrom\s+$", sentence[:m.start()]):  # "an influx from Idlib": where people come from
            continue
        level_m = re.match(r"\s+(governorate|province|district|sub-district)\b", sentence[m.end():], re.I)
        code = _resolve(m.group(0), gazetteer, _LEVEL_WORDS[level_m.group(1).lower()] if level_m else None)
        if code:
            found.append((m.start(), m.end(), code, m.group(0)))
    return found


def _resolve(name: str, gazetteer: Gazetteer, level: int | None) -> str | None:
    res = gazetteer.resolve(name, scheme="name", level=level)
    if res.status == "matched":
        return res.code
    if res.status == "ambiguous":  # "Idlib" is the governorate and its district: the press means the larger
        codes = list(res.candidates)
        top = [c for c in codes if all(c == o or c in gazetteer.ancestors(o) for o in codes)]
        return top[0] if top else None
    return None


def _nearest(items: list, mention: numbers.Mention):
    if not items:
        return None
    return min(items, key=lambda p: min(abs(p[0] - mention.end), abs(mention.start - p[1])))


def _nearest_period(dated: list[periods.Period], mention: numbers.Mention) -> periods.Period | None:
    if not dated:
        return None
    return min(dated, key=lambda p: min(abs(p.span[0] - mention.end), abs(mention.start - p.span[1])))


def _origin(sentence: str, mention: numbers.Mention) -> str | None:
    """ "3.6 million Syrian refugees" -> SYR: a nationality written right after the number."""
    m = re.match(r"\s+(?:\w+\s+){0,2}?([A-Z][a-z]+)\s+(refugees|asylum|nationals|returnees)", sentence[mention.end:])
    return DEMONYMS.get(m.group(1).lower()) if m else None


def _weekday(sentence: str, report_date: dt.date) -> dt.date:
    """ "on Saturday" -> the last Saturday not after the report date; else the report date."""
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    m = re.search(r"\bon (" + "|".join(days) + r")\b", sentence, re.I)
    if not m:
        return report_date
    back = (report_date.weekday() - days.index(m.group(1).lower())) % 7
    return report_date - dt.timedelta(days=back)
