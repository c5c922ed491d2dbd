"""Tests of the gazetteer: seeding, name and code resolution, traps, and guarded edits."""
from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.db import make_engine
from etl.gazetteer import Gazetteer, add_alias, add_place, keys, level_hint, normalise, seed
from etl.models import Base, CompositeMember, Place, PlaceAlias

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _hints(row: dict[str, str]) -> dict:
    return {"level": int(row["level_hint"]) if row["level_hint"] else None,
            "within": row["within_hint"] or None, "scheme": row.get("scheme_hint") or None}


def _counts(session: Session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Place, PlaceAlias, CompositeMember))


@pytest.fixture
def session() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        seed(s)
        s.commit()
        yield s
    engine.dispose()


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        seed(s)
        s.commit()
        return Gazetteer.load(s)


@pytest.mark.parametrize("row", _rows("gazetteer_variants.csv"), ids=lambda r: f"{r['name']}->{r['expected_code']}")
def test_variant_resolves(gaz: Gazetteer, row: dict[str, str]) -> None:
    res = gaz.resolve(row["name"], **_hints(row))
    assert (res.status, res.code) == ("matched", row["expected_code"]), res.suggestion


@pytest.mark.parametrize("row", _rows("gazetteer_traps.csv"), ids=lambda r: f"{r['name']}|{r['level_hint']}|"
                         f"{r['within_hint']}|{r['scheme_hint']}")
def test_trap_does_not_resolve(gaz: Gazetteer, row: dict[str, str]) -> None:
    res = gaz.resolve(row["name"], **_hints(row))
    assert res.status != "matched" and res.code is None, f"{row['why']}: got {res}"
    assert res.suggestion


def test_fixtures_are_big_enough() -> None:
    assert len(_rows("gazetteer_variants.csv")) >= 40
    assert len(_rows("gazetteer_traps.csv")) >= 10


def test_unhcr_scheme_never_confuses_austria_and_australia(gaz: Gazetteer) -> None:
    assert gaz.resolve("AUS", scheme="unhcr").code == "AUT"
    assert gaz.resolve("AUS", scheme="iso3").code == "AUS"
    assert gaz.resolve("AUS").code == "AUS"
    assert gaz.name("AUS") == "Australia" and gaz.name("AUT") == "Austria"


def test_ambiguous_lists_candidates_and_how_to_choose(gaz: Gazetteer) -> None:
    res = gaz.resolve("Idleb")
    assert res.status == "ambiguous" and res.candidates == ("SY07", "SY0700")
    assert "level=" in res.suggestion


def test_enclosing_reads_an_ambiguous_name_as_the_place_containing_the_others(gaz: Gazetteer) -> None:
    assert gaz.enclosing(gaz.resolve("Idleb")) == "SY07"  # the governorate, not its district SY0700
    assert gaz.enclosing(gaz.resolve("Gaziantep", within="TUR")) == gaz.resolve("Gaziantep", within="TUR").code
    congo = gaz.resolve("Congo")
    assert congo.status == "ambiguous" and gaz.enclosing(congo) is None  # two countries: neither contains the other
    assert gaz.enclosing(gaz.resolve("Idlbe", level=1)) is None


def test_unmatched_suggests_the_alias_command(gaz: Gazetteer) -> None:
    res = gaz.resolve("Idlbe", level=1)
    assert res.status == "unmatched" and res.candidates[0] == "SY07"
    assert "python -m etl alias add Idlbe SY07" in res.suggestion


def test_fuzzy_needs_a_scope(gaz: Gazetteer) -> None:
    assert gaz.resolve("Deir ez Zour", level=1).status == "unmatched"
    res = gaz.resolve("Deir ez Zour", level=1, within="SYR")
    assert (res.code, res.method) == ("SY09", "fuzzy")


def test_resolution_is_cached(gaz: Gazetteer) -> None:
    assert gaz.resolve("Gaziantep", within="TUR") is gaz.resolve("Gaziantep", within="TUR")


def test_unknown_scheme_or_scope_is_an_error(gaz: Gazetteer) -> None:
    with pytest.raises(ValueError, match="scheme"):
        gaz.resolve("SYR", scheme="m49")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="within"):
        gaz.resolve("Idleb", within="Atlantis")


@pytest.mark.parametrize("text,expected", [
    ("Şanlıurfa", "sanliurfa"), ("İSTANBUL", "istanbul"), ("Dar’a", "dara"), ("Deir-ez-Zor", "deir ez zor"),
    ("Idleb  Governorate", "idleb"), ("Idleb [Admin 1]", "idleb"), ("Ḩalab", "halab"), ("إدلب", "ادلب"),
    ("Iran (Islamic Rep. of)", "iran islamic rep of"), ("Idleb & Aleppo", "idleb and aleppo"),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_article_is_only_a_second_key() -> None:
    assert keys("Al-Hasakeh") == ("al hasakeh", "hasakeh")
    assert keys("Aleppo") == ("aleppo",)  # "al" must be a separate word
    assert level_hint("Harim district") == 2 and level_hint("Dana sub-district") == 3
    assert level_hint("El Hol [Admin 3: POC]") == 3 and level_hint("Hama") is None


def test_seed_is_idempotent_and_fast(session: Session) -> None:
    before = _counts(session)
    start = time.perf_counter()
    report = seed(session)
    session.commit()
    assert time.perf_counter() - start < 3
    assert (report.places_added, report.places_updated, report.aliases_added, report.members_added) == (0, 0, 0, 0)
    assert _counts(session) == before


def test_admin_units_present(session: Session) -> None:
    def codes(kind: str, country: str) -> set[str]:
        return set(session.scalars(select(Place.code).where(Place.kind == kind, Place.country_iso3 == country)))

    governorates, districts, provinces = codes("admin1", "SYR"), codes("admin2", "SYR"), codes("admin1", "TUR")
    assert governorates == {f"SY{i:02d}" for i in range(1, 15)}
    assert len(districts) == 61 and "SY0200" in districts and "SY0201" not in districts
    assert provinces == {f"TR-{i:02d}" for i in range(1, 82)}
    assert session.get(Place, "TR-63").name == "Şanlıurfa"
    assert session.get(Place, "SY0204").parent_code == "SY02"
    assert session.get(Place, "SY07").parent_code == "SYR"


def test_syrian_iso_codes_are_aliases_of_pcodes(gaz: Gazetteer) -> None:
    expected = {"SY-DI": "SY01", "SY-HL": "SY02", "SY-RD": "SY03", "SY-HI": "SY04", "SY-HM": "SY05",
                "SY-LA": "SY06", "SY-ID": "SY07", "SY-HA": "SY08", "SY-DY": "SY09", "SY-TA": "SY10",
                "SY-RA": "SY11", "SY-DR": "SY12", "SY-SU": "SY13", "SY-QU": "SY14"}
    assert {iso: gaz.resolve(iso, scheme="iso3166_2").code for iso in expected} == expected
    assert "SY-ID" not in gaz


def test_composites_and_ancestors(gaz: Gazetteer) -> None:
    assert [(m.code, m.is_partial) for m in gaz.members("XSY-NW")] == [("SY02", True), ("SY07", False)]
    assert {m.code for m in gaz.members("X3RP")} == {"TUR", "LBN", "JOR", "IRQ", "EGY"}
    assert gaz.ancestors("SY0703") == ("SY07", "SYR")
    assert gaz.place("TR-31").parent_code == "TUR"
    assert gaz.resolve("Hatay", within="X3RP").code == "TR-31"


def test_every_unhcr_code_resolves() -> None:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        seed(s)
        gaz = Gazetteer.load(s)
    for row in _rows("unhcr_codes_seen.csv"):
        by_iso = gaz.resolve(row["iso_code"], scheme="iso3")
        by_unhcr = gaz.resolve(row["unhcr_code"], scheme="unhcr")
        assert by_iso.code == by_unhcr.code == row["expected_code"], (row, by_iso, by_unhcr)


def test_add_alias_then_resolve(session: Session) -> None:
    assert Gazetteer.load(session).resolve("Idlbe", level=1).status == "unmatched"
    assert add_alias(session, "Idlbe", "SY07") is True
    assert add_alias(session, "IDLBE", "SY07") is False  # same normalised key
    assert Gazetteer.load(session).resolve("Idlbe", level=1).code == "SY07"
    with pytest.raises(ValueError, match="unknown place code 'SY99'"):
        add_alias(session, "Nowhere", "SY99")


def test_add_place_refuses_a_parent_change(session: Session) -> None:
    with pytest.raises(ValueError, match="parent 'SY07'.*'SY02'"):
        add_place(session, "SY0703", "Harim", "admin2", 2, "SY02", "SYR", "manual")
    add_place(session, "SY0703", "Harim", "admin2", 2, "SY07", "SYR", "manual")  # same parent: fine
    add_place(session, "SY070300", "Dana", "admin3", 3, "SY0703", "SYR", "test only")
    gaz = Gazetteer.load(session)
    assert gaz.resolve("Dana sub-district").code == "SY070300"
    assert gaz.ancestors("SY070300") == ("SY0703", "SY07", "SYR")
