"""HXL-tagged HDX tables: HDX HAPI's CSV output of DTM's IDPs, read from its hashtags."""
from __future__ import annotations

import pytest

from etl import store
from tests.test_publishers_golden import SAMPLES, Cli, check_golden, load, manifest

HAPI = SAMPLES / "hdx" / "hapi_idps_hti.csv"


@pytest.mark.parametrize("name", sorted(manifest("hdx")))
def test_hdx_sample_matches_golden(store, name):
    check_golden(store, "hdx", name)


def test_hapi_gives_the_same_dtm_figures_through_another_channel(engine):
    store.init(engine)
    load(engine, SAMPLES / "iom_dtm" / "dtm_hdx_admin0_to_2_hti.csv")
    again = load(engine, HAPI)[0]
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 7)


def test_hapi_figures_end_to_end_through_the_command_line(tmp_path):
    cli = Cli(tmp_path)
    cli("init")
    assert "success" in cli("load", HAPI).stdout
    west = cli.export("--location", "HT01", "--from", "2010-11-30", "--to", "2010-11-30")
    assert west[["location_code", "location_name", "value", "vintage"]].values.tolist() == [
        ["HT01", "Ouest", "1059849", "round 1"]]
    hti = cli.export("--location", "HTI", "--from", "2022-11-30", "--to", "2022-11-30")
    assert sorted(zip(hti["breakdown"], hti["value"], strict=True)) == [("SA alternative", "39492"),
                                                                        ("total", "155166")]
