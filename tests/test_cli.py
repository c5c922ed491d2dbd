"""`python -m etl` as a person runs it: exit codes 0 / 1 / 2, what it prints, and the files export writes.

Each test drives the command line in a subprocess against its own SQLite file. The samples are real publisher
lines from tests/fixtures/bad (damaged ones are SYNTHETIC damage, see its README).
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.export import EXPORT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "fixtures" / "bad"
OK_UNHCR = BAD / "ok_unhcr_population_2019_syria.csv"
OK_TURKEY = BAD / "ok_turkey_temporary_protection_2021.csv"
OK_IDMC = BAD / "ok_idmc_syria_2009_2011.csv"
FORMULA = BAD / "turkey_formula_source.csv"


class Cli:
    """Runs `python -m etl ...` with DATABASE_URL pointing at one SQLite file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 's.db'}"}

    def __call__(self, *args: object, expect: int | None = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if expect is not None:
            assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done


def read_export(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def cli(tmp_path) -> Cli:
    """A fresh store (`load`, `refresh` and `alias add` create it as `init` does)."""
    return Cli(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Cli:
    """One store for the read-only commands: UNHCR, DGMM (one source cell written like a formula) and IDMC."""
    run = Cli(tmp_path_factory.mktemp("built"))
    run("init")
    for path in (OK_UNHCR, OK_TURKEY, FORMULA, OK_IDMC):
        run("load", path)
    return run


# --- load ---------------------------------------------------------------------------------------------------

def test_init_then_load_then_the_same_file_again_is_skipped_and_force_finds_it_unchanged(cli):
    assert cli("init").stdout.startswith(f"store ready at {cli.folder / 's.db'}: ")
    first = cli("load", OK_UNHCR)
    assert "success" in first.stdout and "13 rows read, 13 new, 0 changed, 0 unchanged, 0 set aside" in first.stdout
    again = cli("load", OK_UNHCR)
    assert again.stdout.startswith(f"skipped  {OK_UNHCR.name}: unchanged since run")
    forced = cli("load", OK_UNHCR, "--force")
    assert "13 rows read, 0 new, 0 changed, 13 unchanged, 0 set aside" in forced.stdout


@pytest.mark.parametrize(("name", "fmt", "reason"), [
    ("turkey_header_only.csv", None, "file has a header but no data rows"),
    ("unhcr_truncated_mid_row.csv", None, "row 7: row has 6 fields but the header has 16"),
    ("unhcr_truncated.csv.gz", "unhcr_population", "gzip archive is truncated or corrupt"),
])
def test_load_of_a_bad_file_exits_1_and_names_the_file_and_the_reason(cli, name, fmt, reason):
    done = cli("load", BAD / name, *(["--format", fmt] if fmt else []), expect=1)
    assert done.stderr.startswith(f"REJECTED {name}: {BAD / name}: ")
    assert reason in done.stderr
    assert "Traceback" not in done.stderr


def test_load_of_a_file_with_a_bad_row_exits_2_and_prints_the_row_set_aside(cli):
    done = cli("load", BAD / "unhcr_negative_count.csv", expect=2)
    assert "partial" in done.stdout and "12 new" in done.stdout and "1 set aside" in done.stdout
    assert ("set aside: line 4, column refugees, value '-245810': negative count '-245810'; correct the count"
            in done.stderr)


def test_load_of_an_unrecognised_file_says_which_formats_were_tried_and_why_not(cli):
    done = cli("load", BAD / "unhcr_semicolon_delimited.csv", expect=1)
    assert "format not recognised (the header seems to use another delimiter than a comma); tried" in done.stderr
    for fmt, why in (("unhcr_population", "no column 'year'"), ("unhcr_flows", "no column 'year'"),
                     ("unhcr_solutions", "no column 'year'"), ("unhcr_demographics", "no column 'year'"),
                     ("idmc_via_unhcr", "no column 'year'"), ("reference_figures", "no column 'date'")):
        assert f"{fmt}: {why}" in done.stderr


def test_load_with_an_unknown_format_name_lists_the_known_ones(cli):
    done = cli("load", OK_UNHCR, "--format", "unhcr_popluation", expect=1)
    assert "unknown format 'unhcr_popluation'; known formats: " in done.stderr
    assert "unhcr_population" in done.stderr.split("known formats: ")[1]


# --- export -------------------------------------------------------------------------------------------------

def test_export_writes_the_columns_in_order_and_filters_by_place_names_and_aliases(built, tmp_path):
    by_code = tmp_path / "codes.csv"
    built("export", "--out", by_code, "--origin", "SYR", "--location", "TUR")
    rows = read_export(by_code)
    assert rows[0] == list(EXPORT_COLUMNS)
    col = {c: i for i, c in enumerate(rows[0])}
    body = rows[1:]
    assert {(r[col["origin_code"]], r[col["location_code"]]) for r in body} == {("SYR", "TUR")}
    assert sorted((r[col["population_group"]], r[col["reference_period_end"]], r[col["value"]]) for r in body) == [
        ("REF", "2019-12-31", "3576370"), ("REF", "2021-03-17", "3663336")]
    for alias in ("Turkey", "Türkiye"):
        out = tmp_path / f"{alias}.csv"
        built("export", "--out", out, "--origin", "Syria", "--location", alias)
        assert read_export(out) == rows


def test_export_with_an_unknown_place_exits_1_with_a_message(built, tmp_path):
    done = built("export", "--out", tmp_path / "x.csv", "--location", "Atlantis", expect=1)
    assert done.stderr.startswith("error: place 'Atlantis': unmatched")


def test_export_hxl_puts_the_hashtag_row_second(built, tmp_path):
    out = tmp_path / "hxl.csv"
    built("export", "--out", out, "--hxl", "--location", "TUR")
    rows = read_export(out)
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[1] == list(EXPORT_COLUMNS.values())
    assert all(not cell.startswith("#") for row in rows[2:] for cell in row) and len(rows) > 2


def test_export_writes_a_sidecar_naming_the_sources_and_their_licence(built, tmp_path):
    out = tmp_path / "unhcr.csv"
    done = built("export", "--out", out, "--source", "unhcr_rpsd")
    sidecar = out.with_name("unhcr.csv.sources.txt")
    text = sidecar.read_text(encoding="utf-8")
    assert "UNHCR Refugee Population Statistics Database" in text and "Licence: CC BY 4.0." in text
    assert "CC BY-NC-SA" not in text and "CC BY-NC-SA" not in done.stderr


def test_an_export_with_idmc_rows_warns_of_the_non_commercial_licence(built, tmp_path):
    out = tmp_path / "idmc.csv"
    done = built("export", "--out", out, "--source", "idmc_gidd")
    assert "CC BY-NC-SA 3.0 IGO" in done.stderr and "warning" in done.stderr
    assert "CC BY-NC-SA 3.0 IGO" in out.with_name("idmc.csv.sources.txt").read_text(encoding="utf-8")
    assert len(read_export(out)) == 1 + 3


def test_export_prefixes_formula_looking_text_with_an_apostrophe_and_keeps_numbers(built, tmp_path):
    out = tmp_path / "dgmm.csv"
    built("export", "--out", out, "--location", "TR-34")
    rows = read_export(out)
    col = {c: i for i, c in enumerate(rows[0])}
    (row,) = [r for r in rows[1:] if r[col["source_title"]].startswith("'")]
    assert row[col["source_title"]] == "'=gaphaberleri.com citing DGMM"
    assert row[col["publisher"]] == "'=gaphaberleri.com"
    assert row[col["value"]] == "511380"  # a number stays a number
    assert all(r[col["value"]].isdigit() for r in rows[1:])


# --- status, aliases and set-aside rows ---------------------------------------------------------------------

def test_status_prints_a_line_per_source_with_outcome_and_top_reason(cli):
    cli("load", OK_TURKEY)
    cli("load", BAD / "unhcr_negative_count.csv", expect=2)
    cli("load", BAD / "empty.csv", expect=1)
    done = cli("status")
    lines = {line.split("\t")[0]: line.split("\t") for line in done.stdout.splitlines() if "\t" in line}
    assert lines["source"][3] == "outcome" and lines["source"][-1] == "top_reasons_set_aside"
    assert lines["ok_turkey_temporary_protection_2021"][3] == "success"
    assert lines["unhcr_negative_count"][3] == "partial"
    assert lines["unhcr_negative_count"][8] == "1"
    assert lines["unhcr_negative_count"][-1] == "1x negative count …"
    assert lines["empty"][3] == "rejected" and lines["empty"][1] == "never"
    assert done.stdout.rstrip().endswith("observations: 17 current figures")


def test_alias_add_then_rejects_retry_loads_the_row_and_exits_0(cli):
    cli("load", BAD / "syria_governorate_unknown_code.csv", expect=2)
    listed = cli("rejects", "list")
    assert "SY-QQ" in listed.stdout and "python -m etl alias add SY-QQ CODE" in listed.stdout
    still = cli("rejects", "retry", expect=2)
    assert "1 rows tried, 0 loaded, 1 still set aside" in still.stdout
    added = cli("alias", "add", "SY-QQ", "SY02")
    assert "run python -m etl rejects retry" in added.stdout
    done = cli("rejects", "retry")
    assert "1 rows tried, 1 loaded, 0 still set aside" in done.stdout
    assert cli("rejects", "list").stdout.strip().count("\n") == 0  # the header only


def test_alias_add_with_an_unknown_code_exits_1_with_a_message(cli):
    done = cli("alias", "add", "Atlantis", "ZZ99", expect=1)
    assert done.stderr.startswith("error: unknown place code 'ZZ99'")


def test_refresh_of_an_unknown_source_exits_1_with_a_clear_message(cli):
    done = cli("refresh", "--source", "nonexistent", expect=1)
    assert done.stderr.startswith("error: unknown source nonexistent; known: ")
    assert "unhcr_population" in done.stderr and "Traceback" not in done.stderr
