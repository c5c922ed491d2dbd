"""UNHCR Refugee Data Finder solutions table: returns, resettlement and naturalisation during each year."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from etl.records import Snapshot, Transformed, snapshot
from etl.sources import _unhcr
from etl.sources._table import read_csv_strict

FORMAT = "unhcr_solutions"
TRANSFORM_VERSION = "1"
# Returns: location = country returned to (UNHCR's coo), origin = country left (coa).
# Resettlement: location = country of arrival (coa). Naturalisation: in the country of asylum (coa).
COLUMNS = {
    "returned_refugees": ("RET", "flow", "return"),
    "resettlement": ("RST", "flow", "asylum"),
    "naturalisation": ("NAT", "flow", "asylum"),
    "returned_idps": ("RDP", "flow", "return"),
}
REQUIRED = _unhcr.KEY_COLUMNS + ["returned_refugees", "resettlement", "naturalisation"]


def detect(path: Path) -> str | None:
    return _unhcr.detect_columns(path, REQUIRED)


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, REQUIRED)
    records = _unhcr.unpivot(df, COLUMNS, snap, "solutions", _unhcr.RPSD)
    return Transformed(records, {_unhcr.RPSD.slug: _unhcr.RPSD})


def transform_chunks(snap: Snapshot) -> Iterator[Transformed]:
    """transform() chunk by chunk as the file is read, for the loader to stream a big file (the same records)."""
    return _unhcr.unpivot_chunks(snap, REQUIRED, COLUMNS, "solutions")
