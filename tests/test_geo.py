"""The shipped boundary files map to the gazetteer's canonical codes, and the border pairings to real areas."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dashboard import geo
from dashboard.queries import border

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


def _csv(name: str) -> list[dict]:
    with (GAZETTEER / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def gazetteer() -> dict:
    syria = {r["pcode"]: r for r in _csv("syria_admin.csv")}
    iso = {r["iso_3166_2"]: r for r in _csv("iso3166_2.csv")}
    countries = {r["iso3"] for r in _csv("countries.csv")} | {r["code"] for r in _csv("pseudo_places.csv")}
    return {"syria": syria, "iso": iso, "countries": countries}


def test_every_syrian_governorate_feature_is_an_ocha_pcode_of_the_gazetteer(gazetteer):
    codes = [f["id"] for f in geo.layer("syr_admin1")["features"]]

    assert sorted(codes) == [f"SY{i:02d}" for i in range(1, 15)]
    for code in codes:
        assert gazetteer["syria"][code]["admin_level"] == "1"
        assert gazetteer["syria"][code]["parent_pcode"] == "SYR"
    idleb = geo.feature("syr_admin1", "SY07")["properties"]
    assert (idleb["ADM1_EN"], gazetteer["syria"]["SY07"]["name"]) == ("Idleb", "Idleb")


@pytest.mark.parametrize("name,count", [("syr_admin2", 61), ("syr_admin2_nw", 13)])
def test_every_syrian_district_feature_is_a_gazetteer_district_of_its_governorate(gazetteer, name, count):
    features = geo.layer(name)["features"]

    assert len({f["id"] for f in features}) == count
    for f in features:
        place = gazetteer["syria"][f["id"]]
        assert place["admin_level"] == "2"
        assert place["parent_pcode"] == f["properties"]["ADM1_PCODE"] == f["id"][:4]
    assert {f["id"][:4] for f in geo.layer("syr_admin2_nw")["features"]} == {"SY07", "SY02"}


def test_every_turkish_province_feature_is_an_iso_3166_2_code_of_the_gazetteer(gazetteer):
    features = geo.layer("tur_admin1")["features"]

    assert len({f["id"] for f in features}) == 81
    for f in features:
        assert f["id"].startswith("TR-")
        row = gazetteer["iso"][f["id"]]
        assert (row["canonical_code"], row["country_iso3"]) == (f["id"], "TUR")
    assert gazetteer["iso"]["TR-63"]["name"] == geo.feature("tur_admin1", "TR-63")["properties"]["name_iso"] \
        == "Şanlıurfa"


@pytest.mark.parametrize("name", ["countries", "countries_me"])
def test_country_features_map_to_gazetteer_countries_except_two_unrecognised_areas(gazetteer, name):
    features = geo.layer(name)["features"]
    unmapped = sorted(f["properties"]["name"] for f in features if f["id"] is None)

    assert {f["id"] for f in features if f["id"]} <= gazetteer["countries"]
    assert set(unmapped) <= {"N. Cyprus", "Somaliland"}
    assert geo.feature(name, "XKX") is not None  # Kosovo has no ISO code in Natural Earth: the gazetteer's X-code
    assert {"SYR", "TUR", "LBN", "JOR", "IRQ"} <= set(geo.codes(name))


def test_border_pairings_name_gazetteer_places_with_boundaries(gazetteer):
    pairings = border.pairings()

    assert list(pairings) == ["nw-syria", "ne-syria"]
    nw = {(a.side, a.code) for a in pairings["nw-syria"].areas}
    assert nw == {("syria", "SY07"), ("syria", "SY02"), ("syria", "XSY-NW"), ("turkey", "TR-31"),
                  ("turkey", "TR-79"), ("turkey", "TR-27"), ("turkey", "TR-63")}
    ne = {(a.side, a.code) for a in pairings["ne-syria"].areas}
    assert ne == {("syria", "SY08"), ("syria", "SY11"), ("turkey", "TR-63"), ("turkey", "TR-47"),
                  ("turkey", "TR-73")}
    composites = {r["code"] for r in _csv("pseudo_places.csv") if r["kind"] == "composite"}
    for p in pairings.values():
        for a in p.areas:
            if a.kind == "composite":
                assert a.code in composites
                continue
            official = gazetteer["syria"][a.code]["name"] if a.side == "syria" else gazetteer["iso"][a.code]["name"]
            assert a.name == official
            assert geo.feature(geo.layer_for(a.code), a.code) is not None, a.code
            assert a.note


def test_centroids_views_and_lean_collections():
    lon, lat = geo.centroid("SY07")
    box = geo.bbox("syr_admin1", ["SY07"])
    assert box[0] < lon < box[2] and box[1] < lat < box[3]
    assert geo.centroid("TUR")[0] > 30  # the largest polygon (Anatolia), not a Thracian bit
    assert geo.centroid("XXX") is None

    view = geo.map_view(geo.union_bbox(box, geo.bbox("tur_admin1", ["TR-31", "TR-63"])))
    assert 35 < view["center"]["lon"] < 41 and 35 < view["center"]["lat"] < 38 and 5 < view["zoom"] < 9

    lean = geo.lean("tur_admin1", ["TR-31"], step=3)
    (feature,) = lean["features"]
    assert feature["id"] == "TR-31" and feature["properties"] == {"code": "TR-31"}
    ring = feature["geometry"]["coordinates"][0] if feature["geometry"]["type"] == "Polygon" else \
        feature["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1]
    assert "http" not in json.dumps(lean)
