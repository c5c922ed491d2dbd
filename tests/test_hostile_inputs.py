"""The hostile-input corpus (tests/hostile, see its MANIFEST.csv): each file through `python -m etl load` against a
store that already holds real data, with the outcome the failure policy prescribes and never a traceback.

The files are real samples with SYNTHETIC damage, written by tests/hostile/make_corpus.py.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from etl import db
from etl.export import safe_cell
from etl.models import Candidate, Document, LoadRun, Observation, Place, RejectedRow
from tests.hostile.harness import (
    HOSTILE,
    ROOT,
    Entry,
    build_sqlite_base,
    cells_that_could_run,
    copy_store,
    digest,
    manifest,
    preload,
    run_cli,
)

ENTRIES = manifest()
EXIT = {"loaded": 0, "rejected": 1, "partial": 2}
# A representative subset for PostgreSQL: one or two per kind of damage and per reader.
PG_SUBSET = ["unhcr_population_cp1252.csv", "unhcr_population_huge_count.csv",
             "unhcr_flows_conflicting_duplicate_row.csv", "unhcr_demographics_1mb_location.csv",
             "unhcr_api_items_not_objects.json", "iom_dtm_hdx_admin_level_words.csv", "idmc_gidd_hdx_extra_column.csv",
             "turkey_province_600_char_source.csv", "turkey_province_formula_cells.csv", "report_html_error_page.html",
             "hxl_hapi_unknown_country.csv"]
FORMULA_FILES = ["turkey_province_formula_cells.csv", "unhcr_demographics_formula_location.csv",
                 "iom_dtm_hdx_formula_admin_name.csv", "idmc_gidd_classic_formula_name.csv"]


def _by_name(names: list[str]) -> list[Entry]:
    found = [e for e in ENTRIES if e.file in names]
    assert len(found) == len(names), set(names) - {e.file for e in found}
    return found


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    return build_sqlite_base(tmp_path_factory.mktemp("hostile-base"))


def test_the_corpus_is_complete_and_generated_by_its_script():
    files = {p.name for p in HOSTILE.iterdir()} - {"MANIFEST.csv", "make_corpus.py", "harness.py", "README.md",
                                                    "__pycache__"}
    assert files == {e.file for e in ENTRIES}
    assert len(ENTRIES) >= 60
    formats = {e.format for e in ENTRIES}
    assert formats >= {"unhcr_population", "unhcr_flows", "unhcr_solutions", "unhcr_demographics", "idmc_via_unhcr",
                       "unhcr_api", "unhcr_rdf_download", "hxl_table", "iom_dtm", "idmc_gidd",
                       "reference_figures", "report"}
    for e in ENTRIES:
        assert e.expected in EXIT, e.file
        assert (ROOT / e.derived_from).is_file(), e.derived_from
        assert e.expected == "loaded" or e.reason, f"{e.file}: a rejected or partial file names its reason"
        assert (e.expected == "partial") == (e.n_set_aside is not None), e.file


def check_outcome(entry: Entry, url: str, monkeypatch) -> None:
    """Load one hostile file through the CLI and assert what the failure policy prescribes."""
    engine = db.make_engine(url)
    try:
        before = digest(engine)
        with engine.connect() as conn:
            runs_before = conn.scalar(select(func.count()).select_from(LoadRun))
            obs_before = conn.scalar(select(func.count()).select_from(Observation))
            cand_before = conn.scalar(select(func.count()).select_from(Candidate))
        run = run_cli(entry.cli_args(), url, monkeypatch)
        assert "Traceback" not in run.text, run.text
        assert run.code == EXIT[entry.expected], f"exit {run.code}, expected {entry.expected}:\n{run.text[:2000]}"
        with engine.connect() as conn:
            runs = conn.execute(select(LoadRun).where(LoadRun.id > runs_before).order_by(LoadRun.id)).all()
            assert len(runs) == 1, "one load attempt, one run logged"
            log = runs[0]
            rejected_rows = conn.execute(select(RejectedRow).where(RejectedRow.run_id == log.id)
                                         .order_by(RejectedRow.id)).all()
            obs_after = conn.scalar(select(func.count()).select_from(Observation))
            cand_after = conn.scalar(select(func.count()).select_from(Candidate))
        if entry.expected == "rejected":
            assert log.status == "rejected"
            # The message names the file, the row and column where known, and the reason.
            message = run.err.strip()
            assert message.startswith(f"REJECTED {entry.path.name}: {entry.path}: "), message
            assert entry.reason in message, message
            if entry.row is not None:
                assert f"row {entry.row}" in message, message
            if entry.column:
                assert f"column {entry.column!r}" in message, message
            assert log.message and entry.reason in log.message
            assert digest(engine) == before, "a rejected file left something in the store"
        elif entry.expected == "partial":
            assert log.status == "partial"
            assert log.rows_set_aside == entry.n_set_aside == len(rejected_rows)
            first = rejected_rows[0]
            assert (first.row_number, first.column) == (entry.row, entry.column)
            assert entry.reason in first.reason
            assert all(r.reason and r.suggestion and r.suggestion.strip() for r in rejected_rows)
            assert all(r.path == str(entry.path) and r.status == "open" for r in rejected_rows)
            assert f"set aside: line {entry.row}, column {entry.column}" in run.err
            # The good rows are loaded in the same run.
            assert log.rows_new + log.rows_changed + log.rows_unchanged > 0
            assert obs_after - obs_before == log.rows_new + log.rows_changed
        else:
            assert log.status == "success"
            if entry.format == "report":
                assert cand_after > cand_before, "a report loaded with no candidate is a silent empty load"
            else:
                assert log.rows_read > 0 and log.rows_new + log.rows_changed + log.rows_unchanged > 0, \
                    "a silent empty load"
                assert obs_after - obs_before == log.rows_new + log.rows_changed
                assert not rejected_rows
    finally:
        engine.dispose()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.file for e in ENTRIES])
def test_a_hostile_file_gets_the_outcome_the_policy_prescribes_on_sqlite(entry, base_store, tmp_path, monkeypatch):
    check_outcome(entry, copy_store(base_store, tmp_path), monkeypatch)


@pytest.mark.parametrize("entry", _by_name(PG_SUBSET), ids=PG_SUBSET)
def test_a_hostile_file_gets_the_same_outcome_on_postgresql(entry, pg_engine, monkeypatch):
    preload(pg_engine)
    check_outcome(entry, pg_engine.url.render_as_string(hide_password=False), monkeypatch)


# One file per format (the last listed) through a real `python -m etl` process: exit code, message, no traceback.
SUBPROCESS = sorted({e.format: e for e in ENTRIES}.values(), key=lambda e: e.file)


@pytest.mark.parametrize("entry", SUBPROCESS, ids=[e.file for e in SUBPROCESS])
def test_the_command_line_process_exits_with_the_policy_code_and_no_traceback(entry, base_store, tmp_path):
    env = {**os.environ, "DATABASE_URL": copy_store(base_store, tmp_path)}
    done = subprocess.run([sys.executable, "-m", "etl", *entry.cli_args()], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == EXIT[entry.expected], done.stdout + done.stderr
    if entry.expected == "rejected":
        assert str(entry.path) in done.stderr and entry.reason in done.stderr


# --- formula cells: stored as text, exported neutralised ---------------------------------------------------

@pytest.fixture(scope="module")
def formula_export(tmp_path_factory):
    """The store with the four files that carry formula text loaded, and `python -m etl export` of it."""
    folder = tmp_path_factory.mktemp("formula")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'formula.db'}"}  # a new store: every row is new
    for name in FORMULA_FILES:
        done = subprocess.run([sys.executable, "-m", "etl", "load", str(HOSTILE / name)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    out = folder / "export.csv"
    done = subprocess.run([sys.executable, "-m", "etl", "export", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return env["DATABASE_URL"], out


def test_formula_text_from_a_source_is_stored_as_published(formula_export):
    url, _ = formula_export
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            titles = set(conn.scalars(select(Document.title)))
            names = set(conn.scalars(select(Place.name)))
    finally:
        engine.dispose()
    assert '=HYPERLINK("http://x","click") citing DGMM' in titles
    assert "@SUM(1+1)*cmd|' /C calc'!A0" in names
    assert '=HYPERLINK("http://x","click") [Admin 3: POC]' in names


def test_the_export_of_formula_text_has_no_cell_a_spreadsheet_would_run(formula_export):
    _, out = formula_export
    raw = out.read_text(encoding="utf-8")
    rows = list(csv.reader(raw.splitlines()))
    assert len(rows) > 20
    assert cells_that_could_run(rows) == []
    flat = [c for r in rows for c in r]
    # The neutralised text is there, whole, behind the apostrophe.
    assert safe_cell('=HYPERLINK("http://x","click") citing DGMM') in flat
    assert safe_cell("@SUM(1+1)*cmd|' /C calc'!A0") in flat
    assert safe_cell('=HYPERLINK("http://x","click") [Admin 3: POC]') in flat
    for line in raw.splitlines():  # opened as text, no line (a cell at a line start) begins a formula either
        assert not line.startswith(("=", "+", "@")), line[:80]
