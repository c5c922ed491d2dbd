"""Golden tests of every source transform on small real samples: each loaded figure compared value by value.

Samples (tests/fixtures/samples, see its README.md) are the header plus chosen lines, bytes unchanged, of the
files shipped in data/raw; their MANIFEST.csv gives each sample's format and the release and channel of the
file it was cut from. For each sample, tests/golden/<sample>.csv is the export (etl.export.write_csv) of the
sample loaded into a fresh store (retrieval date fixed at 2026-11-25), and <sample>.source_ref.csv gives each
figure's source_ref (row reference or quoted sentence), which the export leaves out. Both are sorted by every
column, so SQLite and PostgreSQL give the same files.

Every golden was reviewed by hand against the raw lines, the rules in etl/sources and the glossary. Where the
code is wrong the golden says what it should be and KNOWN_BUGS names the bug: that test fails, with the bug
in its message, until etl/ is fixed.

Regenerate after a deliberate change, then review `git diff tests/golden` line by line:
    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_sources_golden.py
(the KNOWN_BUGS corrections are applied to what the code produces before it is written).

IOC (people in IDP-like situations) is in none of the shipped files: `zgrep -c IOC data/raw/*.csv.gz` and
`grep -c IOC data/raw/*.csv` gave 0 matches on 2026-11-25 (no such column or pop_type), so no sample has it.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from etl import formats, store
from etl.export import ExportFilter, write_csv
from etl.load import load_file
from etl.models import Document, Observation
from etl.records import snapshot

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "fixtures" / "samples"
GOLDEN = HERE / "golden"
RETRIEVED = dt.date(2026, 11, 25)
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"
with (SAMPLES / "MANIFEST.csv").open(encoding="utf-8", newline="") as _fh:
    FORMATS = {row["file"]: row["format"] for row in csv.DictReader(_fh)}
NAMES = sorted(FORMATS)
POPULATION, NW_SYRIA = "unhcr_population_sample.csv", "nw_syria_displacement_sample.csv"
DEMOGRAPHICS = "unhcr_demographics_sample.csv"
REF_COLUMNS = {  # the figure's identity as the export names it, its document, and its source_ref
    "population_group": Observation.population_group, "measure": Observation.measure,
    "origin_code": Observation.origin_code, "location_code": Observation.location_code,
    "reference_period_start": Observation.period_start, "reference_period_end": Observation.period_end,
    "sex": Observation.sex, "age_group": Observation.age_group, "cause": Observation.cause,
    "breakdown": Observation.breakdown, "unit": Observation.unit, "source_title": Document.title,
    "source_ref": Observation.source_ref,
}
# The groups each sample must give (UNHCR codes); together every group of the glossary except IOC.
EXPECTED_GROUPS = {
    "unhcr_population_sample.csv": {"REF", "ASY", "RET", "IDP", "RDP", "STA", "OOC", "OIP", "HST"},
    "unhcr_flows_sample.csv": {"REF", "ASY", "ROC", "OIP"},
    "unhcr_solutions_sample.csv": {"RET", "RST", "NAT", "RDP"},
    "unhcr_demographics_sample.csv": {"REF", "IDP", "RDP", "RET", "OOC", "STA", "HST"},
    "unhcr_idmc_sample.csv": {"IDP"},
    "nw_syria_displacement_sample.csv": {"IDP", "RDP"},
    "syria_idp_movements_sample.csv": {"IDP"},
    "turkey_temporary_protection_sample.csv": {"REF"},
    "syria_idps_yearly_sample.csv": {"IDP", "RDP", "RET"},
    "syria_idps_by_governorate_sample.csv": {"IDP", "RDP"},
    "syria_regional_snapshots_sample.csv": {"REF"},
}
ALL_GROUPS = {"REF", "ROC", "ASY", "OIP", "IDP", "STA", "OOC", "HST", "RET", "RDP", "RST", "NAT"}


def _aggregate_returns_have_no_origin(df: pd.DataFrame) -> pd.DataFrame:
    """Returns summed over every country of asylum have no single country left: origin empty, never SYR."""
    df = df.copy()
    ret = df["population_group"] == "RET"
    for col in ("origin_code", "origin_name", "origin_admin_level"):
        if col in df.columns:
            df.loc[ret, col] = ""
    return df


KNOWN_BUGS = {  # sample -> (the bug in etl/, the correction the golden carries)
    DEMOGRAPHICS: (
        "etl/sources/unhcr_demographics.py _cells(): RET rows (coo = coa = SYR, the country returned to) get "
        "origin_ref = coa_iso, i.e. 'returned from SYR to SYR'; the country left is not published there, so "
        "origin must be empty", _aggregate_returns_have_no_origin),
    "syria_idps_yearly_sample.csv": (
        "etl/sources/reference_figures.py _places(): returned_refugees_during_year ('summed over all countries "
        "of asylum') gets origin SYR, i.e. 'returned from SYR to SYR'; origin must be empty",
        _aggregate_returns_have_no_origin),
}


def _text(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


def load_sample(engine: Engine, name: str) -> dict[str, pd.DataFrame]:
    """Load one sample into a fresh store; its export and its source refs, as all-text frames."""
    store.init(engine)
    result = load_file(engine, SAMPLES / name, FORMATS[name], retrieved_on=RETRIEVED, today=RETRIEVED)
    assert result.status == "success" and not result.set_aside, \
        f"{name} did not load cleanly: {result.status}, {result.message}, {result.set_aside[:2]}"
    with engine.connect() as conn:
        out = io.StringIO()
        write_csv(conn, ExportFilter(), out)
        refs = conn.execute(select(*REF_COLUMNS.values()).join(Document, Document.id == Observation.document_id)
                            .where(Observation.is_latest.is_(True))).all()
    export = pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)
    ref_frame = pd.DataFrame([[_text(v) for v in row] for row in refs], columns=list(REF_COLUMNS))
    return {".csv": _canonical(export), ".source_ref.csv": _canonical(ref_frame)}


def read_golden(name: str, suffix: str = ".csv") -> pd.DataFrame:
    return _canonical(pd.read_csv(GOLDEN / (Path(name).stem + suffix), dtype=str, keep_default_na=False))


def compare_with_goldens(name: str, frames: dict[str, pd.DataFrame]) -> None:
    bug, fix = KNOWN_BUGS.get(name, (None, None))
    for suffix, loaded in frames.items():
        path = GOLDEN / (Path(name).stem + suffix)
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            _canonical(fix(loaded) if fix else loaded).to_csv(path, index=False, lineterminator="\n")
            continue
        golden = read_golden(name, suffix)
        lines = [df.to_csv(index=False, lineterminator="\n").splitlines() for df in (golden, loaded)]
        diff = list(difflib.unified_diff(*lines, f"golden {path.name}", "loaded now", n=0, lineterm=""))
        assert not diff, (f"KNOWN BUG (fix etl/, not the golden): {bug}\n" if bug else
                          f"{name}: loaded figures differ from {path.name}\n") + "\n".join(diff[:40])
        pd.testing.assert_frame_equal(loaded, golden)


@pytest.mark.parametrize("name", NAMES)
def test_sample_matches_golden(engine, name):
    compare_with_goldens(name, load_sample(engine, name))


@pytest.mark.parametrize("name", NAMES)  # PostgreSQL enforces column lengths that SQLite ignores
def test_sample_matches_golden_on_postgres(pg_engine, name):
    compare_with_goldens(name, load_sample(pg_engine, name))


def _one(df: pd.DataFrame, **match: str) -> pd.Series:
    rows = df[(df[list(match)] == pd.Series(match)).all(axis=1)]
    assert len(rows) == 1, f"expected one row with {match}, found {len(rows)}"
    return rows.iloc[0]


def test_population_headline_figures(engine):
    loaded = load_sample(engine, POPULATION)
    export, refs = loaded[".csv"], loaded[".source_ref.csv"]
    ref = _one(export, origin_code="SYR", location_code="TUR", population_group="REF")
    assert (ref["measure"], ref["reference_period_start"], ref["reference_period_end"], ref["value"],
            ref["publisher"]) == ("stock", "2019-12-31", "2019-12-31", "3576370", "UNHCR")
    # returned_refugees on the SYR->TUR line: returns to Syria (location) from Türkiye (origin), during 2019
    ret = _one(export, population_group="RET")
    assert (ret["origin_code"], ret["location_code"], ret["measure"], ret["reference_period_start"],
            ret["reference_period_end"], ret["value"]) == ("TUR", "SYR", "flow", "2019-01-01", "2019-12-31", "34303")
    # UNHCR's code AUS is Austria: coa AUS / coa_iso AUT loads as AUT; coa AUL / coa_iso AUS is Australia
    assert _one(export, location_code="AUT", population_group="REF")["value"] == "51955"
    assert _one(export, location_code="AUS", population_group="REF")["location_name"] == "Australia"
    assert _one(export, origin_code="XXX", population_group="REF")["origin_name"] == "Unknown"
    assert _one(export, population_group="OIP")["value"] == "173343", "empty oip cells must not load"
    assert _one(refs, population_group="REF", location_code="TUR", origin_code="SYR")["source_ref"] == \
        "unhcr_population_sample.csv line 8, column refugees"


def test_nw_syria_headline_figures(engine):
    loaded = load_sample(engine, NW_SYRIA)
    export, refs = loaded[".csv"], loaded[".source_ref.csv"]
    feb12 = _one(export, reference_period_end="2020-02-12")
    assert (feb12["value"], feb12["qualifier"], feb12["value_low"], feb12["value_high"]) == \
        ("800000", "more than", "800000", "")
    assert (feb12["population_group"], feb12["measure"], feb12["reference_period_start"], feb12["location_code"]) \
        == ("IDP", "flow", "2019-12-01", "XSY-NW")
    assert feb12["source_url"] == ("https://reliefweb.int/report/syrian-arab-republic/recent-developments-"
                                   "northwest-syria-situation-report-no-8-13-february")
    assert "Sitrep No. 8" in feb12["source_title"] and feb12["publisher"] == "OCHA"
    assert "more than 800,000" in _one(refs, reference_period_end="2020-02-12")["source_ref"]
    # a part is never its total: 569,000 children is a breakdown, 948,000 the separate total row of that date
    children = _one(export, reference_period_end="2020-02-23", breakdown="children")
    total = _one(export, reference_period_end="2020-02-23", breakdown="total")
    assert (children["value"], total["value"]) == ("569000", "948000")
    assert children["reference_period_start"] == total["reference_period_start"] == "2019-12-01"
    assert set(export.loc[export["reference_period_end"] == "2020-02-23", "breakdown"]) == {
        "total", "children", "women", "shelter: unfinished or damaged buildings",
        "shelter: under trees or in open spaces", "shelter: individual tents"}
    assert len(export) == 26, "29 rows, of which 3 total-population rows are not loaded"


def test_every_group_is_covered_by_the_goldens():
    found = {name: set(read_golden(name)["population_group"]) for name in NAMES}
    assert found == EXPECTED_GROUPS
    assert set().union(*found.values()) == ALL_GROUPS, "every group but IOC (absent from UNHCR's files)"


def _transform(name: str):
    module = formats.modules()[FORMATS[name]]
    return module.transform(snapshot(SAMPLES / name, RETRIEVED))


@pytest.mark.parametrize("name", ["unhcr_population_sample.csv", "unhcr_flows_sample.csv",
                                  "unhcr_solutions_sample.csv", "unhcr_idmc_sample.csv"])
def test_wide_tables_drop_structural_zeros_and_empty_cells(name):
    records = _transform(name).records
    bad = records[records["value_raw"].str.strip().isin(["0", ""])]
    assert bad.empty, f"structural zeros or empty cells became figures:\n{bad[['row_number', 'column']]}"


def test_demographics_split_only_where_published():
    records = _transform(DEMOGRAPHICS).records
    with (SAMPLES / DEMOGRAPHICS).open(encoding="utf-8", newline="") as fh:
        lines = {str(i): row for i, row in enumerate(csv.DictReader(fh), start=2)}
    no_split = {n for n, row in lines.items() if row["f_total"] == row["m_total"] == "0"}
    assert no_split, "the sample must have lines with totals but no sex split"
    cols = records.groupby(records["row_number"].astype(str))["column"].agg(set)
    assert all(cols[n] == {"total"} for n in no_split), "a line without a sex split gives only its total"
    zeros = records[records["value_raw"].str.strip() == "0"]
    assert not zeros.empty and not zeros["row_number"].astype(str).isin(no_split).any()
    assert (records["value_raw"].str.strip() != "").all()


@pytest.mark.parametrize(("name", "skipped"), [(NW_SYRIA, [5, 13, 17]),
                                               ("turkey_temporary_protection_sample.csv", [8])])
def test_reference_rows_skipped_on_purpose(name, skipped):
    messages = _transform(name).skipped
    assert [int(m.split()[1]) for m in messages] == skipped
