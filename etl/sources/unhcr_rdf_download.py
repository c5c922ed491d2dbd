"""UNHCR Refugee Data Finder population download as users get it from the website: header lines, then columns
such as "Refugees under UNHCR's mandate" with UNHCR's names ("Turkey", "Iran (Islamic Rep. of)") and ISO3 codes."""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from etl.records import FileRejected, Snapshot, Transformed, snapshot
from etl.sources import _unhcr
from etl.sources._table import iter_text, read_csv_strict

FORMAT = "unhcr_rdf_download"
TRANSFORM_VERSION = "1"
COLUMNS = {  # website column -> the population table's column (etl.sources.unhcr_population)
    "Refugees under UNHCR's mandate": "refugees", "Asylum-seekers": "asylum_seekers",
    "Returned refugees": "returned_refugees", "IDPs of concern to UNHCR": "idps",
    "Returned IDPss": "returned_idps",  # sic: UNHCR's own spelling in the download
    "Returned IDPs": "returned_idps", "Stateless persons": "stateless", "Others of concern": "ooc",
    "Other people in need of international protection": "oip", "Host Community": "hst",
}
KEYS = {"Year": "year", "Country of origin": "coo_name", "Country of origin (ISO)": "coo_iso",
        "Country of asylum": "coa_name", "Country of asylum (ISO)": "coa_iso"}
MAX_PREAMBLE = 40


def detect(path: Path) -> str | None:
    try:
        lines = _preamble(path)
    except FileRejected:
        return "not a readable UTF-8 table"
    if not lines or "United Nations High Commissioner for Refugees" not in lines[0]:
        return "no 'Extracted: United Nations High Commissioner for Refugees' first line (website download)"
    return None if any(line.startswith("Year,") for line in lines) else "no 'Year,...' header after the preamble"


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    lines = _preamble(snap.path)
    skip = next(i for i, line in enumerate(lines) if line.startswith("Year,"))
    meta = {row[0].strip().rstrip(":"): row[1].strip() for row in csv.reader(lines[:skip]) if len(row) > 1}
    df = read_csv_strict(snap.path, list(KEYS), skip_lines=skip)
    values = [c for c in df.columns if c in COLUMNS]
    if not values:
        raise FileRejected(snap.path, f"no population column; expected one of {', '.join(COLUMNS)}", row=skip + 1)
    df = df.rename(columns={**KEYS, **{c: COLUMNS[c] for c in values}})
    # "-" in both origin columns is UNHCR's "all countries of origin" (a summed dimension): no single origin.
    for side in ("coo", "coa"):
        df[f"{side}_iso"] = df[f"{side}_iso"].replace("-", "")
        df[side] = df[f"{side}_iso"]
    updated = _date(meta.get("Last updated"))
    release = (f"UNHCR Refugee Data Finder, last updated {meta['Last updated']}", updated.isoformat()) \
        if updated else _unhcr.release_of(snap)
    snap_meta = {**snap.meta, "release": release[0], "released_on": release[1],
                 "channel": snap.meta.get("channel", "Refugee Data Finder website download")}
    recs = _unhcr.unpivot(df, {c: _POP[c] for c in df.columns if c in _POP},
                          Snapshot(snap.path, snap.sha256, snap.size_bytes, snap.retrieved_on, snap_meta),
                          "population figures download", _unhcr.RPSD)
    names = dict(zip(df["coa_iso"], df["coa_name"].str.strip(), strict=True))
    names.update(zip(df["coo_iso"], df["coo_name"].str.strip(), strict=True))
    names.pop("", None)
    recs["location_published"] = recs["location_ref"].map(names)
    recs["origin_published"] = recs["origin_ref"].map(names)
    # No ISO3 ("Unknown " has none): the published name, resolved by the gazetteer.
    no_code = recs["location_ref"].fillna("") == ""
    asylum_names = df.set_index("row_number")["coa_name"].str.strip()
    recs.loc[no_code, "location_ref"] = recs.loc[no_code, "row_number"].map(asylum_names)
    recs.loc[no_code, "location_published"] = recs.loc[no_code, "location_ref"]
    recs.loc[no_code, "location_scheme"] = None
    recs.loc[recs["origin_ref"].fillna("") == "", "note"] = "UNHCR total over all countries of origin"
    recs["doc_url"] = meta.get("Data quick link") or "https://www.unhcr.org/refugee-statistics/download/"
    if updated and updated.month >= 7:
        # A release published in the second half of year Y gives mid-year figures for Y (30 June), not end-year.
        mid = recs["period_end"] == f"{updated.year}-12-31"
        recs.loc[mid, "period_end"] = f"{updated.year}-06-30"
        recs.loc[mid & (recs["measure"] == "stock"), "period_start"] = f"{updated.year}-06-30"
        recs.loc[mid, "note"] = "mid-year figure (the release is UNHCR's mid-year update)"
    return Transformed(recs, {_unhcr.RPSD.slug: _unhcr.RPSD})


_POP = {"refugees": ("REF", "stock", "asylum"), "asylum_seekers": ("ASY", "stock", "asylum"),
        "returned_refugees": ("RET", "flow", "return"), "idps": ("IDP", "stock", "asylum"),
        "returned_idps": ("RDP", "flow", "return"), "stateless": ("STA", "stock", "asylum"),
        "ooc": ("OOC", "stock", "asylum"), "oip": ("OIP", "stock", "asylum"), "hst": ("HST", "stock", "asylum")}


def _preamble(path: Path) -> list[str]:
    text = ""
    for block in iter_text(path):  # the first 65,536 characters, without reading the rest
        text += block
        if len(text) >= 65536:
            break
    return text[:65536].splitlines()[:MAX_PREAMBLE]


def _date(text: str | None) -> dt.date | None:
    """'10 November 2021' -> 2021-11-10."""
    m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", (text or "").strip())
    return dt.datetime.strptime(" ".join(m.groups()), "%d %B %Y").date() if m else None
