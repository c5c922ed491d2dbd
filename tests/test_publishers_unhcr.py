"""UNHCR as users get it: the Refugee Data Finder website download and the population API's JSON (cf_type=ISO)."""
from __future__ import annotations

import gzip

import pytest

from etl import store
from etl.export import ExportFilter
from tests.test_publishers_golden import ROOT, SAMPLES, Cli, check_golden, export, load, manifest, one

UNHCR = SAMPLES / "unhcr"
HEADER = ("year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,returned_refugees,idps,"
          "returned_idps,stateless,ooc,oip,hst")
MANIFEST = ("file,format,retrieved_on,release,released_on,channel,obtained_from,licence\n"
            "population.csv,unhcr_population,2026-11-25,refugees 2025.12.1,2026-06-25,test,test,CC BY 4.0\n")


@pytest.mark.parametrize("name", sorted(manifest("unhcr")))
def test_unhcr_sample_matches_golden(store, name):
    check_golden(store, "unhcr", name)


def test_website_download_keeps_unhcr_names_codes_and_mid_year_figures(engine):
    store.init(engine)
    load(engine, UNHCR / "rdf_download_refugees_by_asylum.csv")
    tur = export(engine, ExportFilter(location_codes=("TUR",), population_groups=("REF",)))
    assert tur[["reference_period_end", "value", "origin_code"]].values.tolist() == [
        ["1951-12-31", "2700", ""], ["2019-12-31", "3579531", ""], ["2020-12-31", "3652362", ""],
        ["2021-06-30", "3696831", ""]]  # the 10 November 2021 release gives mid-2021, not end-2021
    unknown = export(engine, ExportFilter(location_codes=("XXX",)))
    assert unknown["value"].tolist() == ["158800"]  # "Unknown " has no ISO3: resolved by its name


def test_the_same_release_through_the_api_adds_nothing(engine, tmp_path):
    """Nine real lines of data/raw/unhcr_population.csv.gz (release refugees 2025.12.1), then the API's figures."""
    store.init(engine)
    with gzip.open(ROOT / "data" / "raw" / "unhcr_population.csv.gz", "rt", encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.startswith(("2023,", "2024,", "2025,"))
                 and ",SYR,SYR," in ln and ln.split(",")[6] in ("JOR", "SYR", "TUR") and ln.split(",")[3] == "SYR"]
    assert len(lines) == 9
    (tmp_path / "MANIFEST.csv").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "population.csv").write_text(HEADER + "\n" + "".join(lines), encoding="utf-8")
    first = load(engine, tmp_path / "population.csv")[0]
    again = load(engine, UNHCR / "api_population_syr_2023_2025.json")[0]
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, first.rows_new)


def test_unhcr_figures_end_to_end_through_the_command_line(tmp_path):
    cli = Cli(tmp_path)
    cli("init")
    cli("load", UNHCR / "rdf_download_refugees_by_asylum.csv")
    cli("load", UNHCR / "api_population_syr_2023_2025.json")
    tur = cli.export("--location", "Turkey", "--population-group", "REF", "--from", "2019-12-31", "--to",
                     "2019-12-31")
    assert one(tur, origin_code="")["value"] == "3579531"
    syr_tur = cli.export("--origin", "SYR", "--location", "TUR", "--population-group", "REF", "--from",
                         "2025-12-31", "--to", "2025-12-31")
    assert syr_tur[["value", "publisher"]].values.tolist() == [["2347756", "UNHCR"]]
