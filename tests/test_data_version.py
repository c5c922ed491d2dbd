"""The data version (the key of every cached answer) changes with each kind of write the dashboard shows: a load,
an override of each status, a status change, a reviewed candidate; it is stable while nothing changes, and the
dashboard's read of it (dashboard.cache.store_version, outside a transaction on PostgreSQL) agrees with the ETL's."""
from __future__ import annotations

import datetime as dt

from conftest import load_samples
from sqlalchemy import insert, select, update

from dashboard import cache
from etl import store as ops
from etl.models import OVERRIDE_STATUSES, LedgerOverride, Observation


def _version(engine) -> str:
    with engine.connect() as conn:
        return ops.data_version(conn)


def test_every_kind_of_write_changes_the_version_and_nothing_else_does(store):
    ops.init(store)
    seen = [_version(store)]
    assert _version(store) == seen[0]
    load_samples(store)
    seen.append(_version(store))
    with store.connect() as conn:
        key, vintage = conn.execute(select(Observation.identity_key, Observation.vintage).limit(1)).one()
    override = None
    for status in OVERRIDE_STATUSES:  # one more override of each status
        with store.begin() as conn:
            override = conn.execute(insert(LedgerOverride).values(
                chosen_identity_key=key, chosen_vintage=vintage, reason="test: a reason", reviewer="test",
                created_at=dt.datetime.now(dt.UTC), status=status)).inserted_primary_key[0]
        seen.append(_version(store))
    with store.begin() as conn:  # the last one changes status only: counts per status change, ids do not
        conn.execute(update(LedgerOverride).where(LedgerOverride.id == override).values(status=OVERRIDE_STATUSES[0]))
    seen.append(_version(store))
    assert len(set(seen)) == len(seen), seen
    assert _version(store) == seen[-1]
    # the dashboard's read (outside a transaction on PostgreSQL); a private in-memory SQLite store is never cached
    private = store.dialect.name == "sqlite" and store.url.database in (None, "", ":memory:")
    assert cache.store_version(store) == (None if private else seen[-1])
