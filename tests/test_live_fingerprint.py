"""Schema fingerprints: what counts as a change (added, removed, retyped, HXL tag, key missing from rows) and what
does not (UNHCR's '-' and empty cells, a numeric column that also has numbers as strings)."""
from __future__ import annotations

import pytest

from etl.live import fingerprint
from etl.live.fingerprint import SchemaChanged, differences, of_csv, of_json

CSV = "iso3,year,idps\n#country+code,#date+year,#affected+idps\nSYR,2019,6100000\nTUR,2019,\n"


def test_csv_fingerprint_has_kinds_and_hxl_tags():
    fp = of_csv(CSV)
    assert fp["fields"] == {"iso3": "text", "year": "number", "idps": "number"}
    assert fp["hxl"] == {"iso3": "#country+code", "year": "#date+year", "idps": "#affected+idps"}


def test_csv_changes_are_named():
    changed = "iso3,year,people,note\n#country+code,#date+year,#affected+refugees,\nSYR,2019,\"6,100,000\",x\n"
    assert differences(of_csv(CSV), of_csv(changed)) == [
        "removed column 'idps'", "added column 'people' (text)", "added column 'note' (text)"]
    retagged = CSV.replace("#affected+idps", "#affected+refugees").replace("6100000", "6.1 million")
    assert differences(of_csv(CSV), of_csv(retagged)) == [
        "retyped column 'idps': number -> text", "HXL tag of 'idps': #affected+idps -> #affected+refugees"]


def test_json_values_that_show_no_type_change_nothing():
    expected = of_json([{"year": 2023, "refugees": 649091, "oip": "-"}, {"year": 2024, "refugees": "0", "oip": "-"}],
                       envelope={"items": [], "maxPages": 1})
    assert expected["fields"] == {"year": "number", "refugees": "number", "oip": ""}
    later = of_json([{"year": "2025", "refugees": "-", "oip": 12}], envelope={"maxPages": 1, "items": []})
    assert differences(expected, later) == []


def test_json_changes_are_named():
    expected = of_json([{"year": 2023, "coa_iso": "JOR"}] * 2, envelope={"items": [], "maxPages": 1})
    renamed = of_json([{"year": 2023, "coa_iso": "JOR"}, {"year": "2023-12-31", "coa_iso3": "JOR"}],
                      envelope={"items": [], "pages": 1})
    assert differences(expected, renamed) == [
        "added key 'coa_iso3' (text)", "retyped key 'year': number -> date|number",
        "key 'coa_iso' missing from 1 of 2 rows",
        "removed envelope key 'maxPages'", "added envelope key 'pages'"]


def test_check_fails_without_an_accepted_fingerprint_and_passes_after_save(tmp_path):
    fp = of_csv(CSV)
    with pytest.raises(SchemaChanged, match="no accepted fingerprint"):
        fingerprint.check("x", fp, tmp_path)
    fingerprint.save("x", of_json([{"a": 1}], envelope={"items": []}), tmp_path)
    assert fingerprint.load("x", tmp_path)["envelope"] == ["items"]
    fingerprint.save("x", fp, tmp_path)
    fingerprint.check("x", fp, tmp_path)
