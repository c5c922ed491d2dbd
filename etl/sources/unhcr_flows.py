"""UNHCR Refugee Data Finder flows table: new arrivals and asylum applications during each year."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from etl.records import Snapshot, Transformed, snapshot
from etl.sources import _unhcr
from etl.sources._table import read_csv_strict

FORMAT = "unhcr_flows"
TRANSFORM_VERSION = "1"
# Flows over the calendar year, by country of origin and country of asylum.
COLUMNS = {
    "refugees": ("REF", "flow", "asylum"),
    "asylum_seekers": ("ASY", "flow", "asylum"),
    "refugee_like": ("ROC", "flow", "asylum"),
    "oip": ("OIP", "flow", "asylum"),
}
REQUIRED = _unhcr.KEY_COLUMNS + ["refugees", "asylum_seekers", "refugee_like"]


def detect(path: Path) -> str | None:
    return _unhcr.detect_columns(path, REQUIRED, forbidden=["stateless", "idps"])


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, REQUIRED)
    records = _unhcr.unpivot(df, COLUMNS, snap, "flows", _unhcr.RPSD)
    return Transformed(records, {_unhcr.RPSD.slug: _unhcr.RPSD})


def transform_chunks(snap: Snapshot) -> Iterator[Transformed]:
    """transform() chunk by chunk as the file is read, for the loader to stream a big file (the same records)."""
    return _unhcr.unpivot_chunks(snap, REQUIRED, COLUMNS, "flows")
