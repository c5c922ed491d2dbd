"""The common record schema every source's transform() returns, and the types the sources share."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# A transform returns one row per published figure with these columns (missing ones get defaults).
# Places are references as published (a code or a name) plus hints; the validator resolves them.
RECORD_COLUMNS: dict[str, object] = {
    "series": None,  # slug of a SeriesInfo declared by the source module
    "population_group": None,
    "measure": None,
    "origin_ref": None,  # None: no origin applies (e.g. host community)
    "origin_scheme": None,  # iso3 / unhcr / pcode / iso3166_2 / name / None (any)
    "origin_level": None,
    "origin_within": None,
    "origin_published": None,  # the publisher's own name for the place, when the ref is a code
    "location_ref": None,
    "location_published": None,
    "location_scheme": None,
    "location_level": None,
    "location_within": None,
    "location_fallback": None,  # a provider place to use where the gazetteer has no areas at that level
    "period_start": None,  # ISO date text or date
    "period_end": None,
    "sex": "all",
    "age_group": "all",
    "cause": "all",
    "breakdown": "total",
    "unit": "people",
    "value_raw": None,  # the cell as published: "3,576,370", "-", "*", "" ...
    "value_low": None,
    "value_high": None,
    "qualifier": "exact",
    "doc_title": None,
    "doc_url": None,
    "doc_publisher": None,  # who published this document (defaults to the series' publisher)
    "channel": None,  # how the document reached us (website download, API, R package, HDX...)
    "published_on": None,
    "release": None,
    "released_on": None,
    "source_ref": None,  # row reference or quoted sentence
    "note": None,
    "is_secondary": False,
    "is_suspected_typo": False,
    "is_rounded": False,
    "is_preliminary": False,
    "problem": None,  # a transform's row-level problem "column|reason|suggestion": the row is set aside
    "retrieved_on": None,  # set by the loader from the snapshot
    "row_number": None,  # 1-based line in the file (header = 1)
    "column": None,  # the file's column the value came from
}


@dataclass(frozen=True)
class SeriesInfo:
    """A publisher's dataset as declared by a source module (provenance as data)."""

    slug: str
    title: str
    publisher: str
    originator: str
    source_kind: str
    licence: str
    citation: str
    url: str | None = None
    is_secondary: bool = False


@dataclass(frozen=True)
class Snapshot:
    """A raw file kept exactly as received, with its hash and retrieval date."""

    path: Path
    sha256: str
    size_bytes: int
    retrieved_on: dt.date
    meta: dict = field(default_factory=dict)  # the file's line in MANIFEST.csv beside it, if any


@dataclass
class Transformed:
    """What a transform gives the loader: records, the series they belong to, and rows skipped on purpose."""

    records: pd.DataFrame
    series: dict[str, SeriesInfo]
    skipped: list[str] = field(default_factory=list)  # deliberate, documented exclusions (not errors)
    places: list[dict] = field(default_factory=list)  # places the file defines (code, name, kind, parent...)


class FileRejected(Exception):
    """The file cannot be read as its format: rejected whole, the store unchanged."""

    def __init__(self, path: Path | str, reason: str, row: int | None = None, column: str | None = None):
        self.path, self.reason, self.row, self.column = str(path), reason, row, column
        where = ", ".join(p for p in (f"row {row}" if row else "", f"column {column!r}" if column else "") if p)
        super().__init__(f"{self.path}: {where + ': ' if where else ''}{reason}")


def snapshot(path: Path | str, retrieved_on: dt.date | None = None) -> Snapshot:
    """Hash a file as received; the retrieval date defaults to the file's modification date."""
    path = Path(path)
    if not path.is_file():
        raise FileRejected(path, "file not found")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    meta = manifest_entry(path)
    if retrieved_on is None:
        retrieved_on = (dt.date.fromisoformat(meta["retrieved_on"]) if meta.get("retrieved_on")
                        else dt.date.fromtimestamp(path.stat().st_mtime))
    return Snapshot(path, digest.hexdigest(), path.stat().st_size, retrieved_on, meta)


def manifest_entry(path: Path) -> dict:
    """Provenance of a shipped file (release, retrieval date, where it came from) from MANIFEST.csv beside it."""
    manifest = path.parent / "MANIFEST.csv"
    if not manifest.is_file():
        return {}
    with manifest.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["file"] == path.name:
                return {k: v for k, v in row.items() if v}
    return {}


def new_records(rows: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """Give a frame every record column, in order, with defaults where a source leaves one out."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    for col, default in RECORD_COLUMNS.items():
        if col not in df.columns:
            df[col] = default
    return df[list(RECORD_COLUMNS)]


def as_dicts(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts; column by column through .tolist(), which is many times faster than to_dict on str
    columns in pandas 3, and gives None (not NaN) for missing values."""
    cols = list(df.columns)
    values = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]
