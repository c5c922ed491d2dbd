"""UNHCR Refugee Data Finder end-year population table (tidy CSV, one row per year × origin × asylum)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from etl.records import Snapshot, Transformed, snapshot
from etl.sources import _unhcr
from etl.sources._table import read_csv_strict

FORMAT = "unhcr_population"
TRANSFORM_VERSION = "1"
# Stocks on 31 December, except returns, which UNHCR counts as flows during the year.
COLUMNS = {
    "refugees": ("REF", "stock", "asylum"),
    "asylum_seekers": ("ASY", "stock", "asylum"),
    "returned_refugees": ("RET", "flow", "return"),
    "idps": ("IDP", "stock", "asylum"),
    "returned_idps": ("RDP", "flow", "return"),
    "stateless": ("STA", "stock", "asylum"),
    "ooc": ("OOC", "stock", "asylum"),
    "oip": ("OIP", "stock", "asylum"),
    "hst": ("HST", "stock", "asylum"),
}
REQUIRED = _unhcr.KEY_COLUMNS + ["refugees", "asylum_seekers", "idps"]


def detect(path: Path) -> str | None:
    return _unhcr.detect_columns(path, REQUIRED + ["stateless"])


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, REQUIRED)
    records = _unhcr.unpivot(df, COLUMNS, snap, "population", _unhcr.RPSD)
    return Transformed(records, {_unhcr.RPSD.slug: _unhcr.RPSD})


def transform_chunks(snap: Snapshot) -> Iterator[Transformed]:
    """transform() chunk by chunk as the file is read, for the loader to stream a big file (the same records)."""
    return _unhcr.unpivot_chunks(snap, REQUIRED, COLUMNS, "population")
