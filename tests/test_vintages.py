"""Idempotent loads, channel de-duplication, vintages kept on revision, and export --as-of a release.

The revised release here is SYNTHETIC (a real UNHCR line with its value changed by the test) and says so.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from etl import store as ops
from etl.export import ExportFilter, write_csv
from etl.load import load_file
from etl.models import Observation

HEADER = ("year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,returned_refugees,idps,"
          "returned_idps,stateless,ooc,oip,hst")
# Real line of UNHCR's population table (data/raw/unhcr_population.csv.gz).
SYR_TUR_2019 = "2019,Syrian Arab Rep.,SYR,SYR,Türkiye,TUR,TUR,3576370,0,34303,0,0,0,0,,0"
MANIFEST = "file,format,retrieved_on,release,released_on,channel,obtained_from,licence\n"


def write_release(folder: Path, line: str, release: str, released_on: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MANIFEST.csv").write_text(
        MANIFEST + f"population.csv,unhcr_population,2026-11-25,{release},{released_on},test,test,CC BY 4.0\n")
    path = folder / "population.csv"
    path.write_text(HEADER + "\n" + line + "\n", encoding="utf-8")
    return path


def refugees_syr_tur(engine, as_of: dt.date | None = None) -> pd.DataFrame:
    out = io.StringIO()
    with engine.connect() as conn:
        write_csv(conn, ExportFilter(origin_codes=("SYR",), location_codes=("TUR",), population_groups=("REF",),
                                     measures=("stock",), as_of=as_of), out)
    return pd.read_csv(io.StringIO(out.getvalue()))


def test_the_same_file_twice_changes_nothing(store, tmp_path):
    ops.init(store)
    path = write_release(tmp_path / "r1", SYR_TUR_2019, "refugees 2025.12.1", "2026-06-25")
    first = load_file(store, path)
    again = load_file(store, path, force=True)
    assert (first.rows_new, first.rows_changed) == (2, 0)  # REF stock and RET flow
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)
    skipped = load_file(store, path)
    assert skipped.skipped and skipped.rows_new == 0


def test_a_revised_figure_is_a_new_vintage_and_the_old_one_is_kept(engine, tmp_path):
    ops.init(engine)
    load_file(engine, write_release(tmp_path / "r1", SYR_TUR_2019, "refugees 2025.12.1", "2026-06-25"))
    revised = SYR_TUR_2019.replace("3576370", "3576999")  # SYNTHETIC revision, for this test only
    result = load_file(engine, write_release(tmp_path / "r2", revised, "synthetic 2026.11", "2026-11-01"))
    assert (result.rows_new, result.rows_changed, result.rows_unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        rows = conn.execute(select(Observation.vintage, Observation.value, Observation.is_latest)
                            .where(Observation.population_group == "REF").order_by(Observation.vintage)).all()
    assert [tuple(r) for r in rows] == [(1, 3576370, False), (2, 3576999, True)]
    assert refugees_syr_tur(engine)["value"].tolist() == [3576999]
    assert refugees_syr_tur(engine, as_of=dt.date(2026, 7, 1))["value"].tolist() == [3576370]
    assert refugees_syr_tur(engine, as_of=dt.date(2026, 7, 1))["vintage"].tolist() == ["refugees 2025.12.1"]


def test_an_older_release_loaded_late_does_not_become_current(engine, tmp_path):
    ops.init(engine)
    revised = SYR_TUR_2019.replace("3576370", "3576999")  # SYNTHETIC later release
    load_file(engine, write_release(tmp_path / "r2", revised, "synthetic 2026.11", "2026-11-01"))
    load_file(engine, write_release(tmp_path / "r1", SYR_TUR_2019, "refugees 2025.12.1", "2026-06-25"))
    assert refugees_syr_tur(engine)["value"].tolist() == [3576999]
    assert refugees_syr_tur(engine, as_of=dt.date(2026, 7, 1))["value"].tolist() == [3576370]


def test_the_same_release_through_another_channel_adds_nothing(engine, tmp_path):
    """UNHCR's end-year IDPs and IDMC's stock reach us in UNHCR's tables and again in a curated table."""
    ops.init(engine)
    load_file(engine, write_release(tmp_path / "r1", "2019,Syrian Arab Rep.,SYR,SYR,Syrian Arab Rep.,SYR,SYR,"
                                                     "0,0,0,6146994,477360,0,0,,0", "refugees 2025.12.1",
                                    "2026-06-25"))
    curated = tmp_path / "syria_idps_yearly.csv"
    curated.write_text(
        "date,geography,geography_code,population_type,value,source,source_url_or_path,note\n"
        "2019-12-31,Syrian Arab Republic,SYR,idps_unhcr,6146994,UNHCR Refugee Data Finder via R package refugees "
        "2025.12.1 (CC BY 4.0),github.com/PopulationStatistics/refugees data/population.rda @0c16a6d,"
        "UNHCR end-year figure (coo=coa=SYR)\n"
        "2019-12-31,Syrian Arab Republic,SYR,returned_idps_during_year,477360,UNHCR Refugee Data Finder via R "
        "package refugees 2025.12.1 (CC BY 4.0),github.com/PopulationStatistics/refugees data/population.rda "
        "@0c16a6d,returned during the year\n", encoding="utf-8")  # two real lines of data/raw/syria_idps_yearly.csv
    result = load_file(engine, curated)
    assert (result.status, result.rows_new, result.rows_unchanged) == ("success", 0, 2)
