"""Gazetteer: places, codes and aliases, and resolution of published names and codes to canonical codes."""
from __future__ import annotations

import csv
import re
import shlex
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from etl.models import PLACE_KINDS, CompositeMember, Place, PlaceAlias

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

Scheme = Literal["iso3", "unhcr", "pcode", "iso3166_2", "name"]
SCHEMES: tuple[str | None, ...] = (None, "iso3", "unhcr", "pcode", "iso3166_2", "name")
# Alias kinds that hold codes: looked up verbatim (case matters: "VAN" is Vanuatu's UNHCR code, "Van" a province).
CODE_KINDS = frozenset({"iso3", "iso2", "unhcr_code", "iso3166_2", "pcode", "hasc", "code"})
_SCHEME_ALIAS_KINDS = {"iso3": {"iso3"}, "unhcr": {"unhcr_code"}, "pcode": {"pcode"}, "iso3166_2": {"iso3166_2"}}
FUZZY_MIN_SCORE = 92  # auto-match only near-identical spellings ...
FUZZY_MIN_LEAD = 6  # ... that clearly beat the runner-up
_SUGGEST_MIN_SCORE = 70
_ISO3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_PCODE = re.compile(r"^[A-Z]{2}\d{2,}$")

# --- normalisation -------------------------------------------------------------------------------

_LATIN_EXTRA = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe"})
# Standard Arabic search folding: alef wasla, alef maqsura, ta marbuta (حماة/حماه), Persian forms, tatweel.
_ARABIC = str.maketrans({"ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ـ": None})
_APOSTROPHES = re.compile(r"['’‘`´ʿʾʻʼ′\"“”]")
_TAGS: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(r"\s*\[\s*admin\s*(\d)[^\]]*\]$"), None),  # UNHCR: "Idleb [Admin 1]"
    (re.compile(r"\s+(?:governorate|gov\.?|province|muhafazah|mohafaza)$"), 1),
    (re.compile(r"\s+(?:sub-?\s?district|nahiya)$"), 3),
    (re.compile(r"\s+district$"), 2),
)
# Arabic articles (with sun-letter assimilation) are optional in transliterations: "Al-Hasakeh" = "Hasakeh".
_ARTICLE = re.compile(r"^(?:al|el|ar|as|ad|adh|ash|at|ath|az|an) (?=\S{3})")
_ARABIC_ARTICLE = re.compile(r"^ال(?=\S{2})")


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().translate(_LATIN_EXTRA)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", text).translate(_ARABIC).split())


def _split_tag(folded: str) -> tuple[str, int | None]:
    for pattern, level in _TAGS:
        m = pattern.search(folded)
        if m and m.start() > 0:
            return folded[: m.start()], int(m.group(1)) if level is None else level
    return folded, None


def _clean(text: str) -> str:
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def keys(name: str) -> tuple[str, ...]:
    """Lookup keys of a name: the normalised form, then (if different) the form without a leading article."""
    return _with_second(_clean(_split_tag(_fold(name))[0]))


def _with_second(primary: str) -> tuple[str, ...]:
    second = _ARABIC_ARTICLE.sub("", _ARTICLE.sub("", primary))
    return (primary, second) if second and second != primary else (primary,)


def normalise(name: str) -> str:
    """NFKC, casefold, no Latin diacritics, unified punctuation, no trailing admin tag: the alias key."""
    return keys(name)[0]


def level_hint(name: str) -> int | None:
    """Admin level implied by a trailing tag ("Idleb governorate" → 1, "Harim district" → 2)."""
    return _split_tag(_fold(name))[1]


def alias_key(alias: str, kind: str) -> str:
    """The stored lookup key: codes verbatim, names normalised."""
    return alias.strip() if kind in CODE_KINDS else normalise(alias)


# --- the in-memory gazetteer -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRecord:
    code: str
    name: str
    name_ar: str | None
    kind: str
    admin_level: int | None
    parent_code: str | None
    country_iso3: str | None


class Member(NamedTuple):
    code: str
    is_partial: bool


@dataclass(frozen=True)
class Resolution:
    code: str | None
    status: Literal["matched", "ambiguous", "unmatched"]
    candidates: tuple[str, ...] = ()
    suggestion: str | None = None
    method: str = "none"  # code, alias, fuzzy or none

    @property
    def is_matched(self) -> bool:
        return self.status == "matched"


class Gazetteer:
    """Places and aliases held in memory; `resolve` turns a published name or code into a canonical code."""

    def __init__(self, places: Iterable[PlaceRecord], aliases: Iterable[tuple[str, str, str]],
                 members: Iterable[tuple[str, str, bool]] = ()) -> None:
        self._places = {p.code: p for p in places}
        self._members: dict[str, tuple[Member, ...]] = {}
        grouped: dict[str, list[Member]] = defaultdict(list)
        for composite, member, is_partial in members:
            grouped[composite].append(Member(member, bool(is_partial)))
        self._members = {k: tuple(sorted(v)) for k, v in grouped.items()}
        self._codes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._names: dict[str, set[str]] = defaultdict(set)
        self._names2: dict[str, set[str]] = defaultdict(set)  # article-less keys
        self._keys_of: dict[str, set[str]] = defaultdict(set)  # code -> its name keys, for fuzzy
        for p in self._places.values():  # a place's own names resolve even if seed() was skipped
            for nm in (p.name, p.name_ar):
                if nm:
                    self._add_name(keys(nm), p.code)
        for key, code, kind in aliases:
            if code not in self._places:
                continue
            if kind in CODE_KINDS:
                self._codes[kind][key].add(code)
            else:  # stored keys are already normalised; normalising twice could strip a second tag
                self._add_name(_with_second(key), code)
        self._ancestors = {c: self._walk_up(c) for c in self._places}
        self._cache: dict[tuple[str, int | None, str | None, str | None], Resolution] = {}
        self._choices: dict[tuple[str | None, int | None], tuple[list[str], list[str]]] = {}

    def _add_name(self, ks: tuple[str, ...], code: str) -> None:
        self._names[ks[0]].add(code)
        self._keys_of[code].update(ks)
        for k in ks[1:]:
            self._names2[k].add(code)

    def _walk_up(self, code: str) -> tuple[str, ...]:
        chain: list[str] = []
        parent = self._places[code].parent_code
        while parent and parent in self._places and parent not in chain:
            chain.append(parent)
            parent = self._places[parent].parent_code
        return tuple(chain)

    @classmethod
    def load(cls, db: Session | Connection) -> Gazetteer:
        """Read places, aliases and composite members from the store."""
        places = [PlaceRecord(*row) for row in db.execute(select(
            Place.code, Place.name, Place.name_ar, Place.kind, Place.admin_level, Place.parent_code,
            Place.country_iso3))]
        aliases = [tuple(r) for r in db.execute(select(PlaceAlias.alias_key, PlaceAlias.code, PlaceAlias.kind))]
        members = [tuple(r) for r in db.execute(select(
            CompositeMember.composite_code, CompositeMember.member_code, CompositeMember.is_partial))]
        return cls(places, aliases, members)  # type: ignore[arg-type]

    # --- look-ups by code ---

    def __contains__(self, code: object) -> bool:
        return code in self._places

    def __len__(self) -> int:
        return len(self._places)

    def place(self, code: str) -> PlaceRecord:
        try:
            return self._places[code]
        except KeyError:
            raise KeyError(f"unknown place code {code!r}") from None

    def name(self, code: str) -> str:
        return self.place(code).name

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Parent, grandparent, ... up to the country (or region) at the top."""
        self.place(code)
        return self._ancestors[code]

    def enclosing(self, res: Resolution) -> str | None:
        """The code a resolution means in running text: the match, or for an ambiguous name the one place that
        contains every other candidate ("Idlib" names the governorate and its district: the press means the
        governorate); None when no candidate contains all the others (two towns of one name)."""
        if res.is_matched:
            return res.code
        if res.status != "ambiguous":
            return None
        top = [c for c in res.candidates if all(c == o or c in self.ancestors(o) for o in res.candidates)]
        return top[0] if top else None

    def members(self, composite_code: str) -> tuple[Member, ...]:
        self.place(composite_code)
        return self._members.get(composite_code, ())

    def places(self, kind: str | None = None) -> Iterator[PlaceRecord]:
        return (p for p in self._places.values() if kind is None or p.kind == kind)

    def describe(self, code: str) -> str:
        """'Idleb (SY07, governorate of Syrian Arab Rep.)'."""
        p = self.place(code)
        word = {"admin1": "province" if p.country_iso3 == "TUR" else "governorate", "admin2": "district",
                "admin3": "sub-district", "pseudo": "pseudo-place", "composite": "composite area",
                "provider_location": "provider location"}.get(p.kind, p.kind)
        parent = f" of {self._places[p.parent_code].name}" if p.parent_code in self._places else ""
        return f"{p.name} ({code}, {word}{parent})"

    # --- resolution ---

    def resolve(self, ref: str, *, level: int | None = None, within: str | None = None,
                scheme: Scheme | None = None) -> Resolution:
        """Resolve a published name or code; never guesses across countries (fuzzy only inside `within`)."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}; use one of {SCHEMES}")
        cache_key = (ref, level, within, scheme)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._resolve(ref, level, within, scheme)
        return self._cache[cache_key]

    def _resolve(self, ref: str, level: int | None, within: str | None, scheme: str | None) -> Resolution:
        text = " ".join(str(ref).split())
        if not text:
            return Resolution(None, "unmatched", suggestion="empty place name or code")
        scope = self._scope(within)
        if level is None:
            level = level_hint(text)
        if scheme not in (None, "name"):  # a code scheme: codes only, and case does not matter
            return self._pick(self._by_code(text, scheme) or self._by_code(text.upper(), scheme),
                              text, level, scope, "code")
        if scheme is None and text in self._places:
            return self._pick({text}, text, level, scope, "code")
        hits = set() if scheme == "name" else self._by_code(text, None)
        ks = keys(text)
        names = set(self._names.get(ks[0], ()))
        if not names:  # only then accept article-less forms, so "Al Bab" never competes with "Bab"
            for k in ks:
                names |= self._names.get(k, set()) | self._names2.get(k, set())
        found = self._pick(hits | names, text, level, scope, "alias") if hits | names else None
        if found and found.status != "unmatched":
            return found
        if scope is not None:
            fuzzy = self._fuzzy(ks, level, scope)
            if fuzzy and fuzzy[0][1] >= FUZZY_MIN_SCORE and (
                    len(fuzzy) == 1 or fuzzy[0][1] - fuzzy[1][1] >= FUZZY_MIN_LEAD):
                return Resolution(fuzzy[0][0], "matched", (fuzzy[0][0],), None, "fuzzy")
        else:
            fuzzy = []
        if found:  # an exact name that the level/scope ruled out explains more than a fuzzy guess
            return found
        if not fuzzy:  # outside a scope, fuzzy only feeds the suggestion
            fuzzy = self._fuzzy(ks, level, None)
        return self._unmatched(text, fuzzy, scope)

    def _by_code(self, text: str, scheme: str | None) -> set[str]:
        place = self._places.get(text)
        if place is not None and _fits_scheme(place, scheme):
            return {text}
        kinds = _SCHEME_ALIAS_KINDS.get(scheme or "", CODE_KINDS)
        return {c for k in kinds for c in self._codes.get(k, {}).get(text, ())}

    def _scope(self, within: str | None) -> str | None:
        if within is None:
            return None
        if within in self._places:
            return within
        res = self.resolve(within)
        if res.code is None:
            raise ValueError(f"within={within!r} is not a known place code ({res.status})")
        return res.code

    def _fits(self, code: str, level: int | None, scope: str | None) -> bool:
        place = self._places[code]
        if level is not None and place.admin_level != level:
            return False
        if scope is None:
            return True
        # Inside a composite or region = inside one of its members (partial ones too: `within` is a search area).
        area = {scope} | {m.code for m in self._members.get(scope, ())}
        return bool(area.intersection((code, *self._ancestors[code])))

    def _pick(self, hits: set[str], text: str, level: int | None, scope: str | None, method: str) -> Resolution:
        fitting = self._ordered(c for c in hits if self._fits(c, level, scope))
        if len(fitting) == 1:
            return Resolution(fitting[0], "matched", fitting, None, method)
        if fitting:
            listed = "; ".join(self.describe(c) for c in fitting)
            return Resolution(None, "ambiguous", fitting, f"{text!r} names {len(fitting)} places: {listed}. "
                              "Pass level= or within= to choose, or add a more specific alias.", method)
        if not hits:
            return Resolution(None, "unmatched", (), _no_match(text, scope), "none")
        others = self._ordered(hits)
        wanted = " and ".join(w for w in (f"level {level}" if level is not None else "",
                                          f"within {scope}" if scope else "") if w)
        listed = "; ".join(self.describe(c) for c in others)
        return Resolution(None, "unmatched", others, f"{text!r} is {listed}: not {wanted}.", "none")

    def _ordered(self, codes: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(codes), key=lambda c: (self._places[c].admin_level is None,
                                                       self._places[c].admin_level or 0, c)))

    def _fuzzy(self, ks: tuple[str, ...], level: int | None, scope: str | None) -> list[tuple[str, float]]:
        """Best score per place among the places allowed by level and scope, best first."""
        choice_key = (scope, level)
        if choice_key not in self._choices:
            pairs = [(k, c) for c, ck in self._keys_of.items() if self._fits(c, level, scope) for k in sorted(ck)]
            self._choices[choice_key] = ([k for k, _ in pairs], [c for _, c in pairs])
        names, codes = self._choices[choice_key]
        best: dict[str, float] = {}
        for k in ks:
            for _, score, i in process.extract(k, names, scorer=fuzz.token_sort_ratio, limit=25,
                                               score_cutoff=_SUGGEST_MIN_SCORE):
                best[codes[i]] = max(best.get(codes[i], 0.0), score)
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))

    def _unmatched(self, text: str, fuzzy: list[tuple[str, float]], scope: str | None) -> Resolution:
        top = tuple(c for c, _ in fuzzy[:3])
        if not top:
            return Resolution(None, "unmatched", (), _no_match(text, scope), "none")
        guesses = " or ".join(self.describe(c) for c in top)
        return Resolution(None, "unmatched", top, f"did you mean {guesses}? add it with: "
                          f"python -m etl alias add {shlex.quote(text)} {top[0]}", "none")


def _fits_scheme(place: PlaceRecord, scheme: str | None) -> bool:
    if scheme is None:
        return True
    if scheme == "iso3":  # countries and the documented X-codes that stand in for one (XXA stateless ...)
        return place.admin_level == 0 and len(place.code) == 3
    if scheme == "pcode":
        return place.kind in ("admin1", "admin2", "admin3") and bool(_PCODE.match(place.code))
    if scheme == "iso3166_2":
        return bool(_ISO3166_2.match(place.code))
    return False  # UNHCR codes are only ever aliases: UNHCR's "AUS" is Austria


def _no_match(text: str, scope: str | None) -> str:
    where = f" within {scope}" if scope else ""
    return f"no place called {text!r}{where}; add it with: python -m etl alias add {shlex.quote(text)} CODE"


# --- writing to the store --------------------------------------------------------------------------


def add_alias(session: Session, name: str, code: str, source: str = "manual", *, kind: str = "name",
              lang: str | None = None) -> bool:
    """Record another spelling (or code) of a place; False if it was already known."""
    if session.get(Place, code) is None:
        raise ValueError(f"unknown place code {code!r}: check the code (ISO3, ISO 3166-2, p-code or X-code) "
                         "or add the place first")
    key = alias_key(name, kind)
    if not key:
        raise ValueError(f"alias {name!r} is empty once normalised")
    exists = session.execute(select(PlaceAlias.id).where(
        PlaceAlias.alias_key == key, PlaceAlias.code == code, PlaceAlias.kind == kind)).first()
    if exists:
        return False
    session.add(PlaceAlias(alias=name.strip(), alias_key=key, code=code, kind=kind, lang=lang, source=source))
    session.flush()
    return True


def add_place(session: Session, code: str, name: str, kind: str, admin_level: int | None,
              parent_code: str | None, country_iso3: str | None, source: str,
              boundary_version: str | None = None, *, name_ar: str | None = None) -> Place:
    """Insert or update a place; refuses to move an existing code under another parent."""
    if kind not in PLACE_KINDS:
        raise ValueError(f"unknown place kind {kind!r}; use one of {PLACE_KINDS}")
    if parent_code is not None and session.get(Place, parent_code) is None:
        raise ValueError(f"parent {parent_code!r} of {code!r} is not a known place")
    place = session.get(Place, code)
    if place is None:
        place = Place(code=code, parent_code=parent_code)
        session.add(place)
    elif place.parent_code != parent_code:
        raise ValueError(f"place {code!r} already has parent {place.parent_code!r}; refusing to change it to "
                         f"{parent_code!r} (a new boundary version needs a new code)")
    place.name, place.name_ar, place.kind, place.admin_level = name, name_ar, kind, admin_level
    place.country_iso3, place.source, place.boundary_version = country_iso3, source, boundary_version
    session.flush()
    for alias, lang in ((name, None), (name_ar, "ar")):
        if alias:
            add_alias(session, alias, code, source, lang=lang)
    return place


@dataclass(frozen=True)
class SeedReport:
    places_added: int
    places_updated: int
    aliases_added: int
    members_added: int


def seed(session: Session, data_dir: Path = DATA_DIR) -> SeedReport:
    """Load data/gazetteer/*.csv into the store; idempotent, never removes manual aliases."""
    places, aliases, members = _read_data(data_dir)
    existing = {p.code: p for p in session.scalars(select(Place))}
    new = [p for p in places if p["code"] not in existing]
    updated = 0
    for row in places:
        old = existing.get(row["code"])
        if old is None:
            continue
        if old.parent_code != row["parent_code"]:
            raise ValueError(f"place {row['code']!r} has parent {old.parent_code!r} in the store but "
                             f"{row['parent_code']!r} in {data_dir}; refusing to change it")
        changes = {k: v for k, v in row.items() if getattr(old, k) != v}
        if changes:
            session.execute(update(Place).where(Place.code == row["code"]).values(**changes))
            updated += 1
    depth = {p["code"]: _depth(p["code"], {q["code"]: q["parent_code"] for q in places}) for p in new}
    for d in sorted(set(depth.values())):  # parents first: the foreign key is checked row by row
        batch = [p for p in new if depth[p["code"]] == d]
        session.execute(insert(Place), batch)
    known = {tuple(r) for r in session.execute(select(PlaceAlias.alias_key, PlaceAlias.code, PlaceAlias.kind))}
    fresh = [a for a in aliases if (a["alias_key"], a["code"], a["kind"]) not in known]
    if fresh:
        session.execute(insert(PlaceAlias), fresh)
    have = {(m.composite_code, m.member_code): m for m in session.scalars(select(CompositeMember))}
    new_members = [m for m in members if (m["composite_code"], m["member_code"]) not in have]
    for m in members:
        old_m = have.get((m["composite_code"], m["member_code"]))
        if old_m is not None and old_m.is_partial != m["is_partial"]:
            old_m.is_partial = m["is_partial"]
    if new_members:
        session.execute(insert(CompositeMember), new_members)
    session.flush()
    return SeedReport(len(new), updated, len(fresh), len(new_members))


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth, parent = 0, parents.get(code)
    while parent:
        depth, parent = depth + 1, parents.get(parent)
    return depth


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_data(data_dir: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """Rows for the place, place_alias and composite_member tables, from the committed CSVs."""
    places: list[dict] = []
    aliases: dict[tuple[str, str, str], dict] = {}

    def place(code: str, name: str, kind: str, level: int | None, parent: str | None, country: str | None,
              source: str, name_ar: str | None = None, boundary: str | None = None) -> None:
        places.append({"code": code, "name": name, "name_ar": name_ar or None, "kind": kind, "admin_level": level,
                       "parent_code": parent or None, "country_iso3": country or None, "source": source,
                       "boundary_version": boundary or None})
        alias(name, code, "name", None, source)
        if name_ar:
            alias(name_ar, code, "name", "ar", source)

    def alias(text: str, code: str, kind: str, lang: str | None, source: str) -> None:
        key = alias_key(text, kind) if text else ""
        if key and (key, code, kind) not in aliases:  # first source wins: the CSVs are read best first
            aliases[(key, code, kind)] = {"alias": text.strip(), "alias_key": key, "code": code, "kind": kind,
                                          "lang": lang or None, "source": source}

    for r in _csv(data_dir / "countries.csv"):
        place(r["iso3"], r["name"], "country", 0, None, r["iso3"], r["source"], r["name_ar"])
        alias(r["iso2"], r["iso3"], "iso2", None, "ISO 3166-1 alpha-2 (pycountry)")
        if r["unhcr_code"]:
            alias(r["unhcr_code"], r["iso3"], "unhcr_code", None, r["source"])
    for r in _csv(data_dir / "pseudo_places.csv"):
        level = int(r["admin_level"]) if r["admin_level"] else None
        place(r["code"], r["name"], r["kind"], level, r["parent_code"], r["country_iso3"], r["source"])
    for r in _csv(data_dir / "syria_admin.csv"):
        kind = f"admin{r['admin_level']}"
        place(r["pcode"], r["name"], kind, int(r["admin_level"]), r["parent_pcode"], "SYR", r["source"],
              r["name_ar"], r["boundary_version"])
    for r in _csv(data_dir / "iso3166_2.csv"):
        code, iso = r["canonical_code"], r["iso_3166_2"]
        if code == iso:
            place(code, r["name"], "admin1", 1, r["country_iso3"], r["country_iso3"], r["source"],
                  boundary=r["boundary_version"])
        else:
            alias(iso, code, "iso3166_2", None, r["source"])
        lang = "tr" if r["country_iso3"] == "TUR" else None
        alias(r["name_iso"], code, "name", lang, f"ISO 3166-2 name; {r['source']}")
        alias(r["name_ne"], code, "name", None, "Natural Earth name_ne")
        alias(r["hasc"], code, "hasc", None, "HASC code (Natural Earth)")
    for r in _csv(data_dir / "country_names.csv"):
        alias(r["alias"], r["code"], r["kind"], r["lang"], r["source"])
    by_name: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for p in places:
        by_name[(p["country_iso3"], normalise(p["name"]))].append(p["code"])
    country_of = {p["code"]: p["country_iso3"] for p in places}
    name_of = {p["code"]: p["name"] for p in places}
    for r in _csv(data_dir / "aliases.csv"):
        if r["code"] not in country_of:
            raise ValueError(f"aliases.csv: {r['alias']!r} points at unknown code {r['code']!r}")
        # OCHA names a centre district after its governorate (SY07/SY0700 "Idleb"): a Latin spelling of the
        # name fits both; Arabic names differ ("مركز إدلب"), so Arabic variants stay with the row's code.
        same = by_name[(country_of[r["code"]], normalise(name_of[r["code"]]))] if r["kind"] == "name" else []
        targets = same if r["lang"] != "ar" and r["code"] in same else [r["code"]]
        for code in targets:
            alias(r["alias"], code, r["kind"], r["lang"], r["source"])
    members = [{"composite_code": r["composite_code"], "member_code": r["member_code"],
                "is_partial": r["is_partial"].strip().lower() in ("1", "true", "yes")}
               for r in _csv(data_dir / "composite_members.csv")]
    return places, list(aliases.values()), members
