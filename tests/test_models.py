"""Every named constraint of the store refuses one bad row, on SQLite and on PostgreSQL; Alembic matches the models."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from etl.models import Base, Document, Event, LoadRun, Observation, Place, PlaceAlias, RejectedRow, Release, Series

DAY = dt.date(2019, 12, 31)


@pytest.fixture
def seeded(store):
    """A store with one place pair, series, release, document and run (ids 1 on a fresh store)."""
    with store.begin() as conn:
        conn.execute(insert(Place), [
            {"code": "SYR", "name": "Syria", "kind": "country", "admin_level": 0, "source": "test"},
            {"code": "TUR", "name": "Türkiye", "kind": "country", "admin_level": 0, "source": "test"},
        ])
        conn.execute(insert(Series).values(slug="s", title="t", publisher="p", originator="o",
                                           source_kind="registration", licence="CC BY 4.0", citation="c"))
        conn.execute(insert(Release).values(series_id=1, label="r1", released_on=DAY))
        conn.execute(insert(Document).values(series_id=1, title="d", url="u", publisher="p",
                                             retrieved_on=DAY))
        conn.execute(insert(LoadRun).values(source="s", path="p", status="success",
                                            started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    return store


def good_observation(**changes) -> dict:
    row = dict(identity_key="k1", series_id=1, population_group="REF", measure="stock", origin_code="SYR",
               location_code="TUR", period_start=DAY, period_end=DAY, sex="all", age_group="all", cause="all",
               breakdown="total", unit="people", vintage=1, is_latest=True, release_id=1, value=3576370,
               value_low=None, value_high=None, qualifier="exact", missing_reason=None, document_id=1, run_id=1)
    row.update(changes)
    return row


def test_the_good_row_is_accepted(seeded):
    with seeded.begin() as conn:
        conn.execute(insert(Observation).values(**good_observation()))


OBSERVATION_CHECKS = {
    "ck_observation_population_group_known": {"population_group": "XYZ"},
    "ck_observation_measure_known": {"measure": "total"},
    "ck_observation_qualifier_known": {"qualifier": "roughly"},
    "ck_observation_missing_reason_known": {"value": None, "missing_reason": "lost"},
    "ck_observation_unit_known": {"unit": "tents"},
    "ck_observation_sex_known": {"sex": "f"},
    "ck_observation_value_nonnegative": {"value": -1},
    "ck_observation_value_low_nonnegative": {"value_low": -5, "value": 0},
    "ck_observation_value_xor_missing_reason": {"value": None},
    "ck_observation_low_le_value": {"value_low": 4_000_000},
    "ck_observation_value_le_high": {"value_high": 3_000_000},
    "ck_observation_between_has_bounds": {"qualifier": "between", "value_low": 1},
    "ck_observation_period_end_after_start": {"measure": "flow", "period_start": dt.date(2020, 1, 1)},
    "ck_observation_stock_is_instant": {"period_start": dt.date(2019, 1, 1)},
    "ck_observation_vintage_positive": {"vintage": 0},
}


@pytest.mark.parametrize("constraint", sorted(OBSERVATION_CHECKS))
def test_observation_check_constraint_refuses_a_bad_row(seeded, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        with seeded.begin() as conn:
            conn.execute(insert(Observation).values(**good_observation(**OBSERVATION_CHECKS[constraint])))


def test_same_identity_and_vintage_twice_is_refused(seeded):
    with seeded.begin() as conn:
        conn.execute(insert(Observation).values(**good_observation()))
    with pytest.raises(IntegrityError, match="uq_observation_identity_key_vintage|observation.identity_key"):
        with seeded.begin() as conn:
            conn.execute(insert(Observation).values(**good_observation(value=1)))


def test_a_new_vintage_of_the_same_identity_is_accepted(seeded):
    with seeded.begin() as conn:
        conn.execute(insert(Observation).values(**good_observation(is_latest=False)))
        conn.execute(insert(Observation).values(**good_observation(vintage=2, value=3576371)))


def test_observation_needs_a_known_place(seeded):
    with pytest.raises(IntegrityError, match="fk_observation_location_code_place|FOREIGN KEY"):
        with seeded.begin() as conn:
            conn.execute(insert(Observation).values(**good_observation(location_code="QQQ")))


@pytest.mark.parametrize(("table", "row", "constraint"), [
    (Place, {"code": "X1", "name": "n", "kind": "planet", "source": "t"}, "ck_place_kind_known"),
    (Place, {"code": "X1", "name": "n", "kind": "admin1", "admin_level": 7, "source": "t"},
     "ck_place_admin_level_range"),
    (Place, {"code": "SYR2", "name": "n", "kind": "country", "parent_code": "SYR2", "source": "t"},
     "ck_place_not_own_parent"),
    (Series, {"slug": "s2", "title": "t", "publisher": "p", "originator": "o", "source_kind": "rumour",
              "licence": "l", "citation": "c"}, "ck_series_source_kind_known"),
    (LoadRun, {"source": "s", "path": "p", "status": "exploded",
               "started_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "ck_load_run_status_known"),
    (LoadRun, {"source": "s", "path": "p", "status": "success", "rows_new": -1,
               "started_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "ck_load_run_counts_nonnegative"),
    (RejectedRow, {"run_id": 1, "source": "s", "path": "p", "reason": "r", "record_json": "{}",
                   "status": "forgotten"}, "ck_rejected_row_status_known"),
    (Event, {"event_date": DAY, "end_date": dt.date(2019, 1, 1), "place_code": "SYR", "title": "t", "quote": "q",
             "publisher": "p", "source_title": "s", "source_url": "u"}, "ck_event_end_after_start"),
])
def test_other_check_constraints_refuse_a_bad_row(seeded, table, row, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        with seeded.begin() as conn:
            conn.execute(insert(table).values(**row))


@pytest.mark.parametrize(("table", "row", "pattern"), [
    (Release, {"series_id": 1, "label": "r1"}, "uq_release_series_id|release.series_id"),
    (Document, {"series_id": 1, "title": "d", "url": "u", "publisher": "p", "retrieved_on": DAY},
     "uq_document_series_id|document.series_id"),
    (Series, {"slug": "s", "title": "t", "publisher": "p", "originator": "o", "source_kind": "report",
              "licence": "l", "citation": "c"}, "uq_series_slug|series.slug"),
    (PlaceAlias, {"alias": "Syria", "alias_key": "syria", "code": "NOPE", "kind": "name", "source": "t"},
     "fk_place_alias_code_place|FOREIGN KEY"),
])
def test_unique_and_foreign_key_constraints_refuse_a_bad_row(seeded, table, row, pattern):
    with pytest.raises(IntegrityError, match=pattern):
        with seeded.begin() as conn:
            conn.execute(insert(table).values(**row))


def test_alembic_migrations_match_the_models(store):
    """The schema Alembic builds is the schema the models declare (no pending autogenerate diff)."""
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
