"""The real files shipped in data/ load completely, with provenance, and a second refresh changes nothing.

This is the embedded default store a new user gets from `bash scripts/run.sh`: it is built here on SQLite
(and once on PostgreSQL), and the row counts stated in data/README.md are checked against it.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from etl import store as ops
from etl.db import make_engine
from etl.export import ExportFilter, write_csv
from etl.models import Document, Event, Observation, Release, Series

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shipped') / 'store.db'}")
    ops.init(engine)
    results = ops.refresh(engine)
    yield engine, results
    engine.dispose()


def readme_counts() -> dict[str, tuple[int, int]]:
    """The table 'rows per source' in data/README.md: source -> (figures read, new figures)."""
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| ([\d,]+) \| ([\d,]+) \|", text, flags=re.M)
    return {name: (int(read.replace(",", "")), int(new.replace(",", ""))) for name, read, new in rows}


def export(engine, **filters) -> pd.DataFrame:
    out = io.StringIO()
    with engine.connect() as conn:
        write_csv(conn, ExportFilter(**filters), out)
    return pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)


def test_every_shipped_file_loads_without_a_row_set_aside(shipped):
    _, results = shipped
    assert [(Path(r.path).name, r.status) for r in results if r.status != "success"] == []
    assert sum(r.rows_set_aside for r in results) == 0


def test_row_counts_are_those_stated_in_data_readme(shipped):
    _, results = shipped
    stated = readme_counts()
    assert stated, "data/README.md has no 'rows per source' table"
    assert {r.source: (r.rows_read, r.rows_new) for r in results} == stated


def test_syrian_refugees_in_turkiye_end_2019(shipped):
    engine, _ = shipped
    rows = export(engine, origin_codes=("SYR",), location_codes=("TUR",), population_groups=("REF",),
                  measures=("stock",), date_from=pd.Timestamp("2019-12-31").date(),
                  date_to=pd.Timestamp("2019-12-31").date())
    assert len(rows) == 1
    assert rows.loc[0, ["value", "publisher", "qualifier", "licence"]].tolist() == [
        "3576370", "UNHCR", "exact", "CC BY 4.0"]


def test_north_west_syria_12_february_2020_is_more_than_800000_since_1_december(shipped):
    engine, _ = shipped
    rows = export(engine, location_codes=("XSY-NW",), population_groups=("IDP",), measures=("flow",),
                  date_from=pd.Timestamp("2020-02-12").date(), date_to=pd.Timestamp("2020-02-12").date())
    assert rows[["reference_period_start", "value", "value_low", "qualifier", "breakdown", "publisher"]
                ].values.tolist() == [["2019-12-01", "800000", "800000", "more than", "total", "OCHA"]]
    assert rows.loc[0, "source_url"].endswith("recent-developments-northwest-syria-situation-report-no-8-13-february")
    with engine.connect() as conn:
        quote = conn.scalar(select(Observation.source_ref).where(Observation.value == 800000,
                                                                 Observation.location_code == "XSY-NW"))
    assert "more than 800,000" in quote


def test_children_are_a_breakdown_of_the_948000_not_a_second_total(shipped):
    engine, _ = shipped
    rows = export(engine, location_codes=("XSY-NW",), population_groups=("IDP",),
                  date_from=pd.Timestamp("2020-02-23").date(), date_to=pd.Timestamp("2020-02-23").date())
    by_breakdown = dict(zip(rows["breakdown"], rows["value"], strict=True))
    assert by_breakdown["children"] == "569000"
    assert by_breakdown["total"] == "948000"
    assert list(rows["breakdown"]).count("total") == 1


def test_every_figure_carries_its_provenance(shipped):
    engine, _ = shipped
    with engine.connect() as conn:
        orphans = conn.scalar(
            select(func.count()).select_from(Observation)
            .join(Document, Document.id == Observation.document_id)
            .join(Release, Release.id == Observation.release_id)
            .join(Series, Series.id == Observation.series_id)
            .where((Document.url == "") | (Document.title == "") | (Series.licence == "")
                   | (Series.publisher == "") | (Release.label == "")))
        total = conn.scalar(select(func.count()).select_from(Observation))
        events = conn.execute(select(Event.quote, Event.source_url)).all()
    assert total > 500_000 and orphans == 0
    assert len(events) >= 5 and all(q and url.startswith("https://") for q, url in events)


def test_a_second_refresh_changes_nothing(shipped):
    engine, _ = shipped
    before = _fingerprint(engine)
    skipped = ops.refresh(engine)
    assert all(r.skipped for r in skipped)
    forced = ops.refresh(engine, force=True)
    assert sum(r.rows_new for r in forced) == 0 and sum(r.rows_changed for r in forced) == 0
    assert sum(r.rows_unchanged for r in forced) == sum(r.rows_read for r in forced)
    assert _fingerprint(engine) == before


def test_the_shipped_data_loads_the_same_on_postgresql(pg_engine):
    ops.init(pg_engine)
    results = ops.refresh(pg_engine)
    assert {r.source: (r.rows_read, r.rows_new) for r in results} == readme_counts()
    rows = export(pg_engine, origin_codes=("SYR",), location_codes=("TUR",), population_groups=("REF",),
                  measures=("stock",), date_from=pd.Timestamp("2019-12-31").date(),
                  date_to=pd.Timestamp("2019-12-31").date())
    assert rows["value"].tolist() == ["3576370"]


def _fingerprint(engine) -> tuple:
    """Every figure's identity, vintage and value: equal fingerprints mean an unchanged store."""
    with engine.connect() as conn:
        rows = conn.execute(select(Observation.identity_key, Observation.vintage, Observation.value,
                                   Observation.is_latest).order_by(Observation.identity_key,
                                                                   Observation.vintage)).all()
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return len(rows), hash(buf.getvalue())
