"""The failure policy: a bad file is rejected whole with the store unchanged, bad rows are set aside (partial),
missing markers never become 0, set-aside rows load after `alias add` + retry, and each file loads atomically.

The files in tests/fixtures/bad are real publisher lines with SYNTHETIC damage, one kind each (see its README).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from etl import formats
from etl import load as loader
from etl import store as ops
from etl.load import load_file
from etl.models import Document, LoadRun, Observation, Place, PlaceAlias, RejectedRow, Release, Series
from etl.validate import too_many_set_aside

BAD = Path(__file__).parent / "fixtures" / "bad"
RAW = Path(__file__).parents[1] / "data" / "raw"
OK_UNHCR = BAD / "ok_unhcr_population_2019_syria.csv"
OK_TURKEY = BAD / "ok_turkey_temporary_protection_2021.csv"
TURKEY_VALUES = [("TR-27", 449356), ("TR-31", 435881), ("TR-34", 523067), ("TR-63", 423419), ("TUR", 3663336)]
STORE_TABLES = (Observation, Document, Release, Series, Place, PlaceAlias, RejectedRow)


def store_content(engine) -> dict[str, list[tuple]]:
    """Every row of the tables a load may touch (the run log apart), in primary-key order."""
    with engine.connect() as conn:
        return {m.__tablename__: [tuple(r) for r in conn.execute(
            select(m.__table__).order_by(*m.__table__.primary_key.columns))] for m in STORE_TABLES}


def runs(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(LoadRun.id, LoadRun.status, LoadRun.path, LoadRun.message)
                                               .order_by(LoadRun.id))]


def values(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            Observation.location_code, Observation.origin_code, Observation.population_group, Observation.value,
            Observation.missing_reason).order_by(Observation.location_code, Observation.population_group))]


def open_rejects(engine) -> list[RejectedRow]:
    return ops.open_rejects(engine)


@pytest.fixture
def loaded(store):
    """A store holding two good real samples, so "unchanged" is checked against content, not emptiness."""
    ops.init(store)
    assert load_file(store, OK_UNHCR).status == "success"
    assert load_file(store, OK_TURKEY).status == "success"
    return store


# --- rejected whole ---------------------------------------------------------------------------------------

REJECTED = [  # file, format (None: recognised from the header), reason, row, column
    ("unhcr_truncated_mid_row.csv", None, "row has 6 fields but the header has 16", 7, None),
    ("unhcr_truncated.csv.gz", "unhcr_population", "gzip archive is truncated or corrupt", None, None),
    ("unhcr_semicolon_delimited.csv", "unhcr_population", "seems to use another delimiter", 1, "year"),
    ("turkey_latin1.csv", "reference_figures", "not UTF-8: byte 0xfc cannot be decoded", 2, None),
    ("unhcr_missing_column.csv", "unhcr_population", "missing column(s) refugees", 1, "refugees"),
    ("turkey_duplicated_column.csv", None, "duplicated column name(s): note", 1, None),
    ("unhcr_html_error_page.csv", "unhcr_population", "an HTML page instead of data", 1, None),
    ("empty.csv", "reference_figures", "file is empty", None, None),
    ("turkey_header_only.csv", None, "file has a header but no data rows", None, None),
    ("turkey_unknown_population_type.csv", None, "unknown population_type 'syrians_under_tp'", 4,
     "population_type"),
    ("nw_syria_too_many_bad_rows.csv", None, "12 of 26 rows are bad (first: not a number", 2, "value"),
]


@pytest.mark.parametrize(("name", "fmt", "reason", "row", "column"), REJECTED, ids=[r[0] for r in REJECTED])
def test_a_bad_file_is_rejected_whole_with_its_reason_and_the_store_unchanged(loaded, name, fmt, reason, row,
                                                                             column):
    before, runs_before = store_content(loaded), runs(loaded)
    result = load_file(loaded, BAD / name, fmt)
    assert (result.status, result.exit_code) == ("rejected", 1)
    assert result.message.startswith(str(BAD / name) + ": ")
    assert reason in result.message.removeprefix(str(BAD / name))
    if row is not None:
        assert f"row {row}" in result.message
    if column is not None:
        assert f"column {column!r}" in result.message
    assert store_content(loaded) == before
    after = runs(loaded)
    assert after[:-1] == runs_before and after[-1][1:] == ("rejected", str(BAD / name), result.message)


@pytest.mark.parametrize(("name", "reason"), [
    ("unhcr_truncated.csv.gz", "gzip archive is truncated"), ("unhcr_html_error_page.csv", "HTML page"),
    ("empty.csv", "file is empty"), ("turkey_latin1.csv", "byte 0xfc"), ("unhcr_semicolon_delimited.csv", "delimiter")])
def test_a_recognised_format_keeps_the_real_reason_a_file_is_rejected(engine, name, reason):
    ops.init(engine)
    result = load_file(engine, BAD / name)
    assert result.status == "rejected"
    assert reason in result.message.removeprefix(str(BAD / name))


def test_a_multibyte_character_at_the_64k_boundary_does_not_hide_the_format(tmp_path):
    lines = gzip.decompress((RAW / "unhcr_population.csv.gz").read_bytes()).split(b"\n")
    turkey = b"2019,Syrian Arab Rep.,SYR,SYR,T\xc3\xbcrkiye,TUR,TUR,3576370,0,34303,0,0,0,0,,0"
    head, size = [], 0
    for line in lines:  # real lines while they fit before the boundary
        if size + len(line) + 1 + 31 > 65535:
            break
        head.append(line)
        size += len(line) + 1
    padding = b"\n" * (65535 - size - len(b"2019,Syrian Arab Rep.,SYR,SYR,T"))  # blank lines are skipped
    path = tmp_path / "population.csv"
    path.write_bytes(b"\n".join(head) + b"\n" + padding + turkey + b"\n")
    assert path.read_bytes()[65535:65537] == "ü".encode()
    assert formats.choose(path).FORMAT == "unhcr_population"


# --- loaded, with encodings and missing markers ------------------------------------------------------------

@pytest.mark.parametrize("name", ["turkey_utf8_bom.csv", "turkey_utf16_bom.csv"])
def test_a_file_with_a_byte_order_mark_loads_like_plain_utf8(engine, name):
    ops.init(engine)
    result = load_file(engine, BAD / name)
    assert (result.status, result.exit_code, result.rows_new) == ("success", 0, 5)
    assert [(loc, v) for loc, _, _, v, _ in values(engine)] == TURKEY_VALUES


def test_dash_star_and_empty_cells_of_the_reference_layout_are_missing_reasons_never_zero(store):
    ops.init(store)
    result = load_file(store, BAD / "turkey_missing_markers.csv")
    assert (result.status, result.exit_code, result.rows_new, result.rows_set_aside) == ("success", 0, 5, 0)
    assert values(store) == [("TR-27", "SYR", "REF", None, "confidential"),
                             ("TR-31", "SYR", "REF", None, "not available"),
                             ("TR-34", "SYR", "REF", None, "not applicable"),
                             ("TR-63", "SYR", "REF", 423419, None), ("TUR", "SYR", "REF", 3663336, None)]


def test_dash_and_star_in_a_unhcr_tidy_file_are_missing_reasons_and_empty_cells_no_figure(engine):
    ops.init(engine)
    result = load_file(engine, BAD / "unhcr_missing_markers.csv")
    assert (result.status, result.rows_new) == ("success", 13)
    got = values(engine)
    assert ("DEU", "SYR", "REF", None, "confidential") in got
    assert ("SYR", "IRQ", "RET", None, "not applicable") in got
    assert not [r for r in got if r[2] == "OIP"]  # UNHCR's empty oip cells are no figure, not a zero
    assert not [r for r in got if r[3] == 0]


# --- rows set aside ----------------------------------------------------------------------------------------

SET_ASIDE = [  # file, good figures, column, value, reason
    ("unhcr_negative_count.csv", 12, "refugees", "-245810", "negative count"),
    ("unhcr_non_numeric_count.csv", 12, "refugees", "12a", "not a number: '12a'"),
    ("unhcr_fractional_count.csv", 12, "refugees", "12.5", "fractional count '12.5'"),
    ("unhcr_unknown_iso3.csv", 11, "location", "QQQ", "location 'QQQ' matches no known place"),
    ("syria_governorate_unknown_code.csv", 3, "location", "SY-QQ", "location 'SY-QQ' matches no known place"),
    ("syria_governorate_ambiguous_place.csv", 3, "location", "Idleb", "is ambiguous: could be SY07, SY0700"),
    ("nw_syria_end_before_start.csv", 4, "period_end", "2019-11-15",
     "period ends (2019-11-15) before it starts (2019-12-01)"),
    ("turkey_future_date.csv", 4, "period_end", "2099-03-17", "date 2099-03-17 is in the future"),
]


@pytest.mark.parametrize(("name", "n_good", "column", "value", "reason"), SET_ASIDE, ids=[r[0] for r in SET_ASIDE])
def test_a_bad_row_is_set_aside_with_reason_and_suggestion_and_the_rest_loads(store, name, n_good, column, value,
                                                                              reason):
    ops.init(store)
    result = load_file(store, BAD / name)
    assert (result.status, result.exit_code, result.rows_new) == ("partial", 2, n_good)
    assert len(values(store)) == n_good
    rejects = open_rejects(store)
    assert len(rejects) == result.rows_set_aside >= 1
    first = rejects[0]
    assert (first.path, first.row_number, first.column, first.value) == (str(BAD / name), 4, column, value)
    assert reason in first.reason
    assert first.suggestion and first.suggestion.strip()


@pytest.mark.parametrize("name", ["unhcr_unknown_iso3.csv", "syria_governorate_unknown_code.csv"])
def test_an_unknown_place_suggests_the_alias_command(engine, name):
    ops.init(engine)
    load_file(engine, BAD / name)
    assert all("python -m etl alias add" in r.suggestion for r in open_rejects(engine))


def test_an_ambiguous_place_names_its_candidates(engine):
    ops.init(engine)
    load_file(engine, BAD / "syria_governorate_ambiguous_place.csv")
    (reject,) = open_rejects(engine)
    assert "SY07" in reject.suggestion and "SY0700" in reject.suggestion


@pytest.mark.parametrize(("n_set_aside", "n_rows", "rejected"), [
    (10, 10, False), (11, 200, False), (11, 100, True), (12, 26, True)])
def test_too_many_set_aside_needs_more_than_ten_rows_and_more_than_a_tenth(n_set_aside, n_rows, rejected):
    assert too_many_set_aside(n_set_aside, n_rows) is rejected


# --- recovery: alias add, then rejects retry --------------------------------------------------------------

def test_an_alias_for_an_unknown_code_then_retry_loads_the_set_aside_row(store):
    ops.init(store)
    load_file(store, BAD / "syria_governorate_unknown_code.csv")
    assert ops.retry_rejects(store) == {"retried": 1, "loaded": 0, "still_open": 1}
    ops.add_alias(store, "SY-QQ", "SY02")  # the damaged line is Aleppo's (SY02)
    assert ops.retry_rejects(store) == {"retried": 1, "loaded": 1, "still_open": 0}
    assert open_rejects(store) == []
    with store.connect() as conn:
        assert conn.scalar(select(RejectedRow.status)) == "resolved"
    assert ("SY02", "SYR", "IDP", 1143009, None) in values(store)
    assert ops.retry_rejects(store) == {"retried": 0, "loaded": 0, "still_open": 0}


def test_an_alias_for_an_unknown_iso3_code_then_retry_loads_the_set_aside_rows(engine):
    ops.init(engine)
    load_file(engine, BAD / "unhcr_unknown_iso3.csv")
    ops.add_alias(engine, "QQQ", "IRQ", kind="iso3")  # the kind the set-aside row's suggestion names
    assert ops.retry_rejects(engine) == {"retried": 2, "loaded": 2, "still_open": 0}


# --- rows that crash the transform instead of being set aside ---------------------------------------------

def test_a_day_first_date_in_the_reference_layout_is_set_aside(engine):
    ops.init(engine)
    result = load_file(engine, BAD / "turkey_date_not_iso.csv")
    assert (result.status, result.rows_new) == ("partial", 4)


def test_a_source_that_matches_no_series_is_reported_not_raised(engine):
    ops.init(engine)
    result = load_file(engine, BAD / "turkey_unknown_source.csv")
    assert result.status in ("rejected", "partial")
    assert "row 3" in (result.message or "") or open_rejects(engine)[0].row_number == 3


# --- atomicity ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [
    OperationalError("INSERT INTO observation", {}, Exception("server closed the connection unexpectedly")),
    RuntimeError("a bug in the loader")], ids=["database error", "other error"])
def test_a_failure_after_the_first_chunk_leaves_nothing_of_the_file(loaded, monkeypatch, error):
    before, runs_before = store_content(loaded), runs(loaded)
    real_insert, observation_inserts = loader._insert_observations, []

    def insert_failing_on_second_chunk(conn, rows):
        observation_inserts.append(len(rows))
        if len(observation_inserts) == 2:
            raise error
        return real_insert(conn, rows)

    monkeypatch.setattr(loader, "CHUNK_ROWS", 2)
    monkeypatch.setattr(loader, "_insert_observations", insert_failing_on_second_chunk)
    path = BAD / "nw_syria_end_before_start.csv"  # 4 new figures (2 chunks), a new series, 1 row set aside
    # Either way the run fails with its reason in the log (no traceback) and the transaction is rolled back.
    result = load_file(loaded, path)
    assert (result.status, result.exit_code) == ("failed", 1)
    assert str(error.orig if isinstance(error, OperationalError) else error) in result.message
    assert runs(loaded)[:-1] == runs_before and runs(loaded)[-1][1:3] == ("failed", str(path))
    assert len(observation_inserts) == 2
    assert store_content(loaded) == before

    monkeypatch.undo()
    assert load_file(loaded, path).rows_new == 4  # nothing half-loaded was left behind


def test_a_rejected_file_between_two_loads_does_not_disturb_the_next(loaded):
    load_file(loaded, BAD / "unhcr_truncated_mid_row.csv")
    result = load_file(loaded, BAD / "turkey_future_date.csv")
    assert (result.status, result.rows_new, result.rows_unchanged) == ("partial", 0, 4)
