"""IDMC's conflict IDP stocks as UNHCR redistributes them: the same IDMC series, reached through UNHCR."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.records import SeriesInfo, Snapshot, Transformed, new_records, snapshot
from etl.sources import _unhcr
from etl.sources._table import read_csv_strict

FORMAT = "idmc_via_unhcr"
TRANSFORM_VERSION = "1"
# UNHCR's redistribution of IDMC figures is IDMC's series, not a second figure: same slug as IDMC's own.
IDMC_GIDD = SeriesInfo(
    slug="idmc_gidd",
    title="IDMC Global Internal Displacement Database (GIDD)",
    publisher="IDMC",
    originator="Internal Displacement Monitoring Centre (IDMC)",
    source_kind="estimate",
    licence="CC BY-NC-SA 3.0 IGO",
    citation="Internal Displacement Monitoring Centre (IDMC), Global Internal Displacement Database, "
             "https://www.internal-displacement.org/database/ (CC BY-NC-SA 3.0 IGO: non-commercial, share-alike)",
    url="https://www.internal-displacement.org/database/",
)
REQUIRED = _unhcr.KEY_COLUMNS + ["total"]


def detect(path: Path) -> str | None:
    return _unhcr.detect_columns(path, REQUIRED, forbidden=["refugees", "pop_type", "returned_refugees"])


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, REQUIRED)
    release, released_on = _unhcr.release_of(snap)
    year = df["year"].str.strip()
    out = pd.DataFrame({
        "series": IDMC_GIDD.slug,
        "population_group": "IDP",
        "measure": "stock",  # IDMC's stocks are end-of-year
        "cause": "conflict",  # UNHCR redistributes IDMC's conflict and violence stock only
        "origin_ref": df["coo_iso"], "origin_scheme": "iso3",
        "location_ref": df["coa_iso"], "location_scheme": "iso3",
        "period_start": year + "-12-31", "period_end": year + "-12-31",
        "value_raw": df["total"],
        # IDMC publishes rounded estimates and UNHCR republishes them as they are: 'about', rounded, as in
        # IDMC's own files (etl/sources/idmc_gidd.py), so the same figure from either channel is one figure.
        "qualifier": "about", "is_rounded": True,
        "doc_title": f"IDMC conflict IDP stocks as redistributed by UNHCR's Refugee Data Finder ({release})",
        "doc_url": _unhcr.DOCUMENT_URL,
        "doc_publisher": "UNHCR",
        "channel": snap.meta.get("channel", _unhcr.DEFAULT_CHANNEL),
        "release": release, "released_on": released_on, "published_on": released_on,
        "source_ref": snap.path.name + " line " + df["row_number"].astype(str),
        "note": "IDMC estimate redistributed by UNHCR",
        "row_number": df["row_number"], "column": "total",
    })
    return Transformed(new_records(out), {IDMC_GIDD.slug: IDMC_GIDD})
