"""IDMC's Global Internal Displacement Database as IDMC publishes it: the classic download CSV, the GIDD API's JSON
pages and their CSV export on HDX (raw and rounded values side by side). Same series as UNHCR's redistribution."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.records import FileRejected, Snapshot, Transformed, new_records, snapshot
from etl.sources import _unhcr
from etl.sources._json import cell, head, read_json
from etl.sources._table import read_csv_strict, read_header
from etl.sources.idmc_via_unhcr import IDMC_GIDD

FORMAT = "idmc_gidd"
TRANSFORM_VERSION = "1"
CLASSIC = {  # column -> (measure, cause)
    "Conflict Stock Displacement": ("stock", "conflict"),
    "Conflict New Displacements": ("flow", "conflict"),
    "Disaster New Displacements": ("flow", "disaster"),
}
EXPORT = ["iso3", "country_name", "year", "new_displacement", "new_displacement_rounded", "total_displacement",
          "total_displacement_rounded"]
EXPORT_MEASURES = {"total_displacement": "stock", "new_displacement": "flow"}
API_URL = "https://helix-tools-api.idmcdb.org/external-api/gidd/conflicts/"


def detect(path: Path) -> str | None:
    text = head(path)
    if text.startswith("{"):
        ok = '"results"' in text and '"iso3"' in text and '"total_displacement' in text
        return None if ok else "a JSON file without the GIDD API's results / iso3 / total_displacement fields"
    header = read_header(path) or []
    if header[:3] == ["ISO3", "Name", "Year"] and any(c in header for c in CLASSIC):
        return None
    if header[:len(EXPORT)] == EXPORT:  # HDX's export, perhaps with columns added after IDMC's
        return None
    return "neither IDMC's download columns (ISO3, Name, Year, Conflict Stock Displacement...) nor its API export"


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    if head(snap.path).startswith("{"):
        cells, release, doc = _api_cells(snap)
    elif (read_header(snap.path) or [])[:len(EXPORT)] == EXPORT:
        cells, release, doc = _export_cells(snap)
    else:
        cells, release, doc = _classic_cells(snap)
    # Empty cells are no data, not zero: IDMC leaves a year empty where it has no estimate.
    empty = cells["value_raw"].fillna("").str.strip() == ""
    skipped = [f"{int(empty.sum())} empty cells: no IDMC estimate (not loaded)"] if empty.any() else []
    cells = cells[~empty]
    year = cells["year"].str.strip()
    is_stock = cells["measure"] == "stock"
    records = new_records(pd.DataFrame({
        "series": IDMC_GIDD.slug, "population_group": "IDP", "measure": cells["measure"], "cause": cells["cause"],
        # IDMC's stocks are people displaced on 31 December; new displacements are flows over the calendar year
        # (displacements, not people: one person displaced twice counts twice; IDMC methodology).
        "period_start": (year + "-12-31").where(is_stock, year + "-01-01"), "period_end": year + "-12-31",
        "origin_ref": cells["iso3"], "origin_scheme": "iso3", "location_ref": cells["iso3"],
        "location_scheme": "iso3", "location_published": cells["name"].replace("", None),
        "value_raw": cells["value_raw"], "qualifier": cells["qualifier"], "is_rounded": cells["is_rounded"],
        "note": cells["note"], "doc_title": doc["title"], "doc_url": doc["url"],
        "doc_publisher": doc.get("publisher"), "channel": doc["channel"], "release": release[0],
        "released_on": release[1], "published_on": release[1],
        "source_ref": snap.path.name + " " + cells["row_ref"] + ", " + cells["column"],
        "row_number": cells["row_number"], "column": cells["column"],
    }))
    return Transformed(records, {IDMC_GIDD.slug: IDMC_GIDD}, skipped=skipped)


def _classic_cells(snap: Snapshot) -> tuple[pd.DataFrame, tuple, dict]:
    df = read_csv_strict(snap.path, ["ISO3", "Name", "Year"])
    df = df[~df["ISO3"].str.startswith("#")]  # HDX's copies carry an HXL hashtag row
    parts = []
    for column, (measure, cause) in CLASSIC.items():
        if column in df.columns:
            # The download gives IDMC's rounded headline figures only: 'about', from IDMC's rounding.
            parts.append(pd.DataFrame({
                "iso3": df["ISO3"], "name": df["Name"], "year": df["Year"], "measure": measure, "cause": cause,
                "value_raw": df[column], "qualifier": "about", "is_rounded": True, "note": None, "column": column,
                "row_number": df["row_number"], "row_ref": "line " + df["row_number"].astype(str)}))
    doc = {"title": "IDMC Global Internal Displacement Database: displacement data download",
           "url": "https://www.internal-displacement.org/database/displacement-data",
           "channel": "IDMC website download"}
    return pd.concat(parts, ignore_index=True), _unhcr.release_of(snap), doc


def _export_cells(snap: Snapshot) -> tuple[pd.DataFrame, tuple, dict]:
    df = read_csv_strict(snap.path, EXPORT)
    df = df[~df["iso3"].str.startswith("#")]
    df = df.assign(row_ref="line " + df["row_number"].astype(str))
    doc = {"title": "HDX: IDMC Internally displaced persons - IDPs (GIDD API conflict data)",
           "url": "https://data.humdata.org/dataset/idmc-internally-displaced-persons-idps",
           "channel": "HDX CSV export of the IDMC GIDD API", "publisher": "OCHA HDX"}
    return _raw_and_rounded(df), _unhcr.release_of(snap), doc


def _api_cells(snap: Snapshot) -> tuple[pd.DataFrame, tuple, dict]:
    body = read_json(snap.path)
    if not isinstance(body, dict) or not isinstance(body.get("results"), list) or not body["results"]:
        raise FileRejected(snap.path, "not a GIDD API page: no 'results' rows")
    rows = [{**{k: cell(v) for k, v in it.items()}, "row_number": i, "row_ref": f"results[{i - 1}]"}
            for i, it in enumerate(body["results"], start=1)]
    df = pd.DataFrame(rows).reindex(columns=EXPORT + ["row_number", "row_ref"])
    if df["iso3"].isna().any() or df["year"].isna().any():
        raise FileRejected(snap.path, "a results row has no iso3 or year")
    updated = body.get("last_updated")
    release = (f"IDMC GIDD API, last updated {updated}", updated) if updated else _unhcr.release_of(snap)
    doc = {"title": "IDMC GIDD API: gidd/conflicts (JSON)", "url": API_URL, "channel": "IDMC GIDD API (JSON)"}
    return _raw_and_rounded(df), release, doc


def _raw_and_rounded(df: pd.DataFrame) -> pd.DataFrame:
    """One observation per figure: IDMC's rounded value ('about'), with the raw estimate kept in its note; where
    IDMC gives no rounded value (its raw 0s), the raw value itself, exact."""
    parts = []
    for column, measure in EXPORT_MEASURES.items():
        raw = df[column].fillna("").str.strip()
        rounded = df[f"{column}_rounded"].fillna("").str.strip()
        has_rounded = rounded != ""
        parts.append(pd.DataFrame({
            "iso3": df["iso3"], "name": df["country_name"].fillna(""), "year": df["year"], "measure": measure,
            "cause": "conflict",  # the GIDD conflicts endpoint and HDX's IDPs resource: conflict and violence
            "value_raw": rounded.where(has_rounded, raw), "qualifier": has_rounded.map({True: "about", False: "exact"}),
            "is_rounded": has_rounded,
            "note": ("raw estimate " + raw).where(has_rounded & (raw != ""), None),
            "column": column + "_rounded",
            "row_number": df["row_number"], "row_ref": df["row_ref"]}))
        parts[-1].loc[~has_rounded.to_numpy(), "column"] = column
    return pd.concat(parts, ignore_index=True)
