"""Any HDX table whose second row is HXL hashtags (HDX HAPI's CSV output is one): places, dates and counts are
read from the tags (libhxl), not from column names. DTM tables (#operation, #round) follow iom_dtm's rules."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import hxl
import pandas as pd

from etl.models import POPULATION_GROUPS
from etl.records import FileRejected, SeriesInfo, Snapshot, Transformed, new_records, snapshot
from etl.sources import iom_dtm
from etl.sources._json import head
from etl.sources._table import read_csv_strict, read_header

FORMAT = "hxl_table"
TRANSFORM_VERSION = "1"
# Count tags: (HXL pattern, population group, measure). +f / +m / +children are breakdowns of these, not totals.
COUNTS = [("#affected+idps", "IDP", "stock"), ("#affected+refugees", "REF", "stock"),
          ("#affected+returnees+idps", "RDP", "flow"), ("#affected+returnees", "RET", "flow"),
          ("#population", None, "stock")]
SEXES = {"f": "female", "m": "male"}


def detect(path: Path) -> str | None:
    if read_header(path) is None:
        return "not a readable UTF-8 table"
    lines = head(path, 65536).splitlines()
    second = next(csv.reader(lines[1:2]), [])
    tags = [c for c in second if c.strip()]
    if not tags or not all(c.strip().startswith("#") for c in tags):
        return "second row is not HXL hashtags"
    return None


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    raw = read_csv_strict(snap.path, [])
    tags = raw.drop(columns="row_number").iloc[0]
    columns = {h: hxl.model.Column.parse(t.strip(), header=h) for h, t in tags.items()}
    df = raw.iloc[1:]
    find = _finder(columns)
    if find("#operation") and find("#affected+idps") and (find("#round") or find("#assessment")):
        return iom_dtm.to_transformed(_dtm_rows(df, find, snap), snap)
    return _generic(df, columns, find, snap)


def _finder(columns: dict):
    def find(pattern: str, exclude: str = "") -> str | None:
        pat = hxl.model.TagPattern.parse(pattern + (f"-{exclude}" if exclude else ""))
        return next((h for h, c in columns.items() if c is not None and pat.match(c)), None)
    return find


def _dtm_rows(df: pd.DataFrame, find, snap: Snapshot) -> pd.DataFrame:
    """HDX HAPI's IDPs output is DTM's figures again: normalised to iom_dtm's rows, so the same figure adds nothing."""
    def col(pattern, exclude=""):
        h = find(pattern, exclude)
        return df[h].replace("", None) if h else pd.Series(None, index=df.index, dtype=object)

    a1code, a2code, iso3 = col("#adm1+code"), col("#adm2+code"), col("#country+code")
    a1name = col("#adm1+name+provider").fillna(col("#adm1+name", "provider"))
    a2name = col("#adm2+name+provider").fillna(col("#adm2+name", "provider"))
    level = pd.Series(0, index=df.index).mask(a1code.notna(), 1).mask(a2code.notna(), 2)
    return pd.DataFrame({
        "operation": col("#operation").str.strip(), "iso3": iso3, "country": iso3, "level": level,
        "code": a2code.fillna(a1code).fillna(iso3), "name": a2name.fillna(a1name), "a1code": a1code,
        "a1name": a1name, "value": col("#affected+idps"), "date": col("#date+end").fillna(col("#date")),
        "round": col("#round"), "assessment": col("#assessment"), "reason": None, "males": None, "females": None,
        "origin_code": None, "origin_name": None, "row_number": df["row_number"], "column": find("#affected+idps"),
        "row_ref": "line " + df["row_number"].astype(str), "channel": "HDX HAPI CSV (HXL)",
        "doc_publisher": "OCHA HDX (HDX HAPI)", "doc_url": "https://hapi.humdata.org/",
        "doc_title": f"HDX HAPI: internally displaced persons ({snap.path.name})"})


def _generic(df: pd.DataFrame, columns: dict, find, snap: Snapshot) -> Transformed:
    levels = (("#adm2+code", 2), ("#adm1+code", 1), ("#country+code", 0))
    place = next(((h, lv) for p, lv in levels if (h := find(p))), None)
    end = find("#date+end") or find("#date+reported") or find("#date", "start") or find("#date+year")
    if place is None or end is None:
        raise FileRejected(snap.path, "HXL table without a place code (#adm2+code, #adm1+code, #country+code) or a "
                           "date (#date+end, #date+reported, #date)", row=2)
    group_col = next((h for h, c in columns.items() if c is not None and "group" in c.attributes), None)
    start, country = find("#date+start"), find("#country+code")
    rows = []
    for h, c in columns.items():
        match = next(((g, m) for p, g, m in COUNTS if c is not None and hxl.model.TagPattern.parse(p).match(c)), None)
        if match is None:
            continue
        group, measure = match
        sex = next((SEXES[a] for a in c.attributes if a in SEXES), "all")
        part = df.assign(value_raw=df[h], column=h, sex=sex, age_group="children" if "children" in c.attributes
                         else "all", population_group=group or (df[group_col] if group_col else None))
        rows.append(part)
    if not rows:
        raise FileRejected(snap.path, "no count column tagged #affected+idps, #affected+refugees, #affected+returnees "
                           "or #population", row=2)
    out = pd.concat(rows, ignore_index=True)
    bad = ~out["population_group"].isin(POPULATION_GROUPS)
    if bad.any():
        first = out[bad].iloc[0]
        raise FileRejected(snap.path, f"{int(bad.sum())} counts have no known population group (e.g. "
                           f"{first['population_group']!r})", row=int(first["row_number"]))
    date_end = out[end].str[:10].where(~out[end].str.fullmatch(r"\d{4}"), out[end] + "-12-31")
    date_start = out[start].str[:10] if start else date_end
    is_flow = (out["population_group"].isin(["RET", "RDP"])) & (date_start < date_end)
    slug = "hdx_" + re.sub(r"[^a-z0-9]+", "_", snap.path.stem.lower()).strip("_")[:70]
    info = SeriesInfo(slug, f"HDX table {snap.path.name}", "HDX (dataset publisher named on HDX)",
                      "as named on the HDX dataset page", "secondary",
                      "the HDX dataset's licence (not stated in the file)", f"HDX dataset file {snap.path.name}",
                      is_secondary=True)
    records = new_records(pd.DataFrame({
        "series": slug, "population_group": out["population_group"], "measure": is_flow.map({True: "flow",
                                                                                           False: "stock"}),
        # IDPs and returned IDPs are displaced within their own country: it is their origin.
        "origin_ref": out[country].where(out["population_group"].isin(["IDP", "RDP"])) if country else None,
        "origin_scheme": "iso3", "location_ref": out[place[0]], "location_level": place[1],
        "period_start": date_start.where(is_flow, date_end),
        "period_end": date_end, "sex": out["sex"], "age_group": out["age_group"], "value_raw": out["value_raw"],
        "doc_title": f"HDX HXL table {snap.path.name}", "doc_url": "https://data.humdata.org/",
        "channel": "HDX CSV (HXL)", "source_ref": snap.path.name + " line " + out["row_number"].astype(str),
        "row_number": out["row_number"], "column": out["column"]}))
    return Transformed(records, {slug: info})
