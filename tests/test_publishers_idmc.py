"""IDMC GIDD as IDMC publishes it: the classic download, the API's JSON pages and their HDX CSV export."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from etl import store
from etl.export import ExportFilter
from etl.models import Observation
from tests.test_publishers_golden import SAMPLES, Cli, check_golden, export, load, manifest, one

IDMC = SAMPLES / "idmc"
CLASSIC, API, HDX = (IDMC / n for n in ("gidd_classic_displacement_all.csv", "gidd_api_conflicts_page0.json",
                                        "hdx_idmc_idps_conflict.csv"))


@pytest.mark.parametrize("name", sorted(manifest("idmc")))
def test_idmc_sample_matches_golden(store, name):
    check_golden(store, "idmc", name)


def test_stocks_flows_causes_and_empty_cells(engine):
    store.init(engine)
    result = load(engine, CLASSIC)[0]
    assert "21 empty cells" in result.message  # no data, not zero: never loaded
    cod = export(engine, ExportFilter(location_codes=("COD",)))
    assert cod[["reference_period_start", "reference_period_end", "measure", "cause", "value", "qualifier"]
               ].values.tolist() == [
        ["2009-01-01", "2009-12-31", "flow", "conflict", "1000000", "about"],
        ["2009-01-01", "2009-12-31", "flow", "disaster", "130", "about"],
        ["2009-12-31", "2009-12-31", "stock", "conflict", "1900000", "about"],
        ["2017-01-01", "2017-12-31", "flow", "conflict", "2166000", "about"],
        ["2017-01-01", "2017-12-31", "flow", "disaster", "27000", "about"],
        ["2017-12-31", "2017-12-31", "stock", "conflict", "4480000", "about"]]
    assert sorted(export(engine, ExportFilter(location_codes=("XAB", "XKX")))["location_code"]) == [
        "XAB", "XAB", "XKX", "XKX"]  # IDMC's codes AB9 (Abyei) and XKX (Kosovo)


def test_rounded_value_is_the_observation_and_the_raw_one_is_kept_with_it(engine):
    store.init(engine)
    load(engine, HDX)
    tur = export(engine, ExportFilter(location_codes=("TUR",), measures=("stock",)))
    row = one(tur, reference_period_end="2017-12-31")
    assert (row["value"], row["qualifier"], row["note"]) == ("1113000", "about", "raw estimate 1112954")
    gmb = one(export(engine, ExportFilter(location_codes=("GMB",), measures=("stock",))))
    assert (gmb["value"], gmb["qualifier"]) == ("0", "exact")  # a raw 0 with no rounded value


def test_a_later_release_that_revises_a_figure_is_a_new_vintage(engine):
    store.init(engine)
    load(engine, CLASSIC)
    later = load(engine, HDX)[0]
    # IRQ 2017 stock (2,648,000 -> 2,616,000) and SYR 2016 new displacements (824,000 -> 2,148,000) were revised;
    # the other figures of the later release equal the earlier ones and add nothing.
    assert (later.rows_new, later.rows_changed, later.rows_unchanged) == (4, 2, 9)
    irq = export(engine, ExportFilter(location_codes=("IRQ",), measures=("stock",)))
    assert irq["value"].tolist() == ["2616000"]
    with engine.connect() as conn:
        kept = conn.execute(select(Observation.vintage, Observation.value, Observation.is_latest)
                            .where(Observation.location_code == "IRQ", Observation.measure == "stock")
                            .order_by(Observation.vintage)).all()
    assert [tuple(r) for r in kept] == [(1, 2648000, False), (2, 2616000, True)]


def test_idmc_figures_end_to_end_through_the_command_line(tmp_path):
    cli = Cli(tmp_path)
    cli("init")
    cli("load", CLASSIC)
    cli("load", API)
    done = cli("export", "--out", tmp_path / "x.csv", "--location", "IND", "--measure", "flow", "--from",
               "2010-12-31", "--to", "2010-12-31")
    assert "CC BY-NC-SA 3.0 IGO" in done.stderr
    ind = cli.export("--location", "IND", "--measure", "flow", "--from", "2010-12-31", "--to", "2010-12-31")
    conflict = one(ind, cause="conflict")
    assert (conflict["value"], conflict["vintage"]) == ("106000", "IDMC GIDD API, last updated 2025-05-13")
    assert one(ind, cause="disaster")["value"] == "1411000"
    tur = cli.export("--location", "TUR", "--measure", "stock", "--from", "2017-12-31", "--to", "2017-12-31")
    assert tur[["value", "publisher", "licence"]].values.tolist() == [["1113000", "IDMC", "CC BY-NC-SA 3.0 IGO"]]
