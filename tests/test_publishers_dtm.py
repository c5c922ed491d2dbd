"""IOM DTM samples (API v2 and v3 JSON, HDX CSV export): goldens, rounds, assessment types, parts, places, CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from etl import store
from etl.export import ExportFilter
from etl.models import Place
from etl.sources.iom_dtm import latest_round
from tests.test_publishers_golden import SAMPLES, Cli, check_golden, export, load, manifest, one

DTM = SAMPLES / "iom_dtm"


@pytest.mark.parametrize("name", sorted(manifest("iom_dtm")))
def test_dtm_sample_matches_golden(store, name):
    check_golden(store, "iom_dtm", name)


def test_every_round_is_a_dated_stock_and_current_is_the_latest_round(engine):
    store.init(engine)
    load(engine, DTM / "dtm_v2_admin2_irq.json", DTM / "dtm_v3_admin0_tcd.json")
    falluja = export(engine, ExportFilter(location_codes=("IRQ-G01Q01",)))
    assert falluja[["reference_period_end", "value", "vintage"]].values.tolist() == [
        ["2014-04-01", "96978", "round 1"], ["2024-04-30", "17124", "round 132"]]
    with engine.connect() as conn:
        current = latest_round(conn)
    rows = {(r.location_code, r.period_end.isoformat()): r.people for r in current.itertuples()}
    assert rows[("IRQ-G01Q01", "2024-04-30")] == 17124
    assert rows[("IRQ-G02Q01", "2014-04-01")] == 60  # Abu Al-Khaseeb: round 1 is its latest round in the sample
    # Chad round 24 is published as two rows (conflict, natural disaster): stored as published, summed on read.
    assert rows[("TCD", "2025-01-31")] == 221543 + 4146


def test_baseline_and_site_assessment_of_one_area_total_are_kept_once(engine):
    store.init(engine)
    load(engine, DTM / "dtm_v3_admin0_tcd.json")
    tcd = export(engine, ExportFilter(location_codes=("TCD",)))
    r1 = tcd[tcd["reference_period_end"] == "2017-09-30"]
    assert sorted(zip(r1["breakdown"], r1["value"], strict=True)) == [("SA alternative", "147032"), ("total", "147032")]
    with engine.connect() as conn:
        by_date = {r.period_end.isoformat(): r.people for r in latest_round(conn, ("TCD",)).itertuples()}
    assert by_date == {"2025-01-31": 225689}
    r9 = tcd[(tcd["reference_period_end"] == "2019-09-30") & (tcd["sex"] == "all")]
    parts = r9[~r9["breakdown"].str.startswith("SA")]
    assert sorted(parts["value"].astype(int)) == [23850, 145153]  # BA parts; their sum is the SA figure 169003
    assert one(r9, breakdown="SA alternative")["value"] == "169003"


def test_null_counts_are_missing_not_zero(engine):
    store.init(engine)
    load(engine, DTM / "dtm_v3_admin0_tcd.json")
    tcd = export(engine, ExportFilter(location_codes=("TCD",)))
    # numberMales / numberFemales are null before round 18: no sex rows there, and never a 0.
    assert set(tcd.loc[tcd["sex"] != "all", "reference_period_end"]) == {"2022-07-30", "2025-01-31"}
    assert "0" not in set(tcd["value"])


def test_places_with_a_code_and_parent_are_added_with_the_file_as_source(engine):
    store.init(engine)
    load(engine, DTM / "dtm_v3_admin0_tcd.json", DTM / "dtm_hdx_admin0_to_2_hti.csv")
    with engine.connect() as conn:
        lac = conn.execute(select(Place).where(Place.code == "TD07")).one()
        ouest = conn.execute(select(Place).where(Place.code == "HT01")).one()
    assert (lac.name, lac.kind, lac.parent_code, lac.source) == ("Lac", "admin1", "TCD",
                                                                 "IOM DTM (dtm_v3_admin0_tcd.json)")
    assert lac.boundary_version.startswith("IOM DTM p-codes")
    assert (ouest.name, ouest.parent_code) == ("Ouest", "HTI")


def test_an_admin2_keeps_its_admin1_parent(engine):
    store.init(engine)
    load(engine, DTM / "dtm_v2_admin2_irq.json")
    with engine.connect() as conn:
        assert conn.scalar(select(Place.parent_code).where(Place.code == "IRQ-G01Q01")) == "IRQ-G01"


def test_dtm_figures_end_to_end_through_the_command_line(tmp_path):
    cli = Cli(tmp_path)
    cli("init")
    for name in ("dtm_v2_admin2_irq.json", "dtm_v3_admin0_tcd.json", "dtm_v3_admin2_hti.json"):
        assert "success" in cli("load", DTM / name).stdout  # recognised with no --format
    falluja = cli.export("--location", "IRQ-G01Q01", "--from", "2024-04-30", "--to", "2024-04-30")
    assert falluja[["location_code", "reference_period_end", "value", "publisher"]].values.tolist() == [
        ["IRQ-G01Q01", "2024-04-30", "17124", "IOM DTM"]]
    delmas = cli.export("--location", "HT0112", "--from", "2010-11-30", "--to", "2010-11-30")
    assert one(delmas, sex="all")["value"] == "296882"
    assert one(delmas, sex="female")["value"] == "155825"
