"""IOM DTM IDP figures per round of an operation: API JSON (v2 GetAdmin{0,1,2}Datav2, v3 displacement/admin{0,1,2})
and the HDX CSV export. Every round is a dated stock; "current" is a query rule (latest_round)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, func, not_, select

from etl.models import Observation, Series
from etl.records import FileRejected, SeriesInfo, Snapshot, Transformed, new_records, snapshot
from etl.sources._json import cell, head, read_json
from etl.sources._table import read_csv_strict, read_header

FORMAT = "iom_dtm"
TRANSFORM_VERSION = "1"
DTM_TERMS = ("IOM DTM terms (HDX hdx-other): non-commercial use only, no redistribution or derivative works; "
             "credit IOM DTM")
CITATION = "Source: International Organization for Migration (IOM), Displacement Tracking Matrix (DTM)"
HDX_COLUMNS = ["operation", "admin0Pcode", "adminLevel", "numPresentIdpInd", "reportingDate", "roundNumber",
               "assessmentType"]
NOT_A_CODE = {"", "not available", "none", "null"}
ALTERNATIVE = "SA alternative"


def detect(path: Path) -> str | None:
    text = head(path)
    if text.startswith("{"):
        if '"numPresentIdpInd"' in text and '"result"' in text and '"operation"' in text:
            return None
        return "a JSON file without DTM's result / numPresentIdpInd / operation fields"
    header = read_header(path) or []
    missing = [c for c in HDX_COLUMNS if c not in header]
    return f"no column {missing[0]!r} (DTM HDX export) and not a DTM API response" if missing else None


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    rows = _api_rows(snap) if head(snap.path).startswith("{") else _hdx_rows(snap)
    return to_transformed(rows, snap)


def to_transformed(rows: pd.DataFrame, snap: Snapshot) -> Transformed:
    """Records from DTM rows normalised to: operation iso3 country level code name a1code a1name value date round
    assessment reason males females origin_code origin_name row_number column channel doc_title doc_url."""
    rows = rows.assign(date=rows["date"].str[:10], reason=rows["reason"].fillna(""))
    # A row without a country or an operation belongs to no series: set aside, the other rows load.
    problem = rows["problem"] if "problem" in rows else pd.Series(None, index=rows.index, dtype=object)
    for key, label in (("iso3", "admin0Pcode|no country code|give the row's ISO3 country code"),
                       ("operation", "operation|no operation name|give the DTM operation the row belongs to")):
        empty = rows[key].fillna("").astype(str).str.strip() == ""
        problem = problem.where(problem.notna() | ~empty, label)
        rows[key] = rows[key].fillna("").astype(str)
    rows["problem"] = problem
    is_code = ~rows["origin_code"].fillna("").str.strip().str.lower().isin(NOT_A_CODE)
    rows["origin_ref"] = rows["origin_code"].where(is_code, rows["iso3"])
    rows["series"] = "iom_dtm_" + rows["iso3"].str.lower() + "_" + rows["operation"].map(_slug)
    area = ["series", "code", "date"]
    # The same area total under two assessment types is kept once: the baseline (BA) is the area's figure and a
    # site assessment (SA) of the same area and date is listed as an alternative, never added.
    has_ba = rows.groupby(area)["assessment"].transform(lambda a: (a == "BA").any())
    rows["is_alt"] = has_ba & (rows["assessment"] != "BA")
    # A national figure published as several rows (one per origin or reason) is stored as published: each row is a
    # part labelled by its reason (its origin is its origin_code), and the parts are summed on read.
    is_part = rows.groupby(area + ["is_alt"])["value"].transform("size") > 1
    rows["breakdown"] = [_breakdown(alt, part, reason) for alt, part, reason in
                         zip(rows["is_alt"], is_part, rows["reason"], strict=True)]
    out = []
    for sex, col in (("all", "value"), ("male", "males"), ("female", "females")):
        part = rows if sex == "all" else rows[rows[col].notna()]  # a null sex count is no figure, not a zero
        out.append(part.assign(sex=sex, value_raw=part[col], column_name=part["column"] if sex == "all" else col))
    df = pd.concat(out, ignore_index=True)
    records = new_records(pd.DataFrame({
        "series": df["series"], "population_group": "IDP", "measure": "stock",
        "origin_ref": df["origin_ref"], "origin_published": df["origin_name"],
        "location_ref": df["code"], "location_published": df["name"],
        "location_scheme": df["level"].map(lambda lv: "iso3" if lv == 0 else None),
        "period_start": df["date"], "period_end": df["date"], "sex": df["sex"], "breakdown": df["breakdown"],
        "value_raw": df["value_raw"], "doc_title": df["doc_title"], "doc_url": df["doc_url"],
        "doc_publisher": df.get("doc_publisher"), "channel": df["channel"],
        "release": "round " + df["round"].astype(str),
        "source_ref": snap.path.name + " " + df["row_ref"],
        "note": "round " + df["round"].astype(str) + ", assessment " + df["assessment"]
                + df["reason"].map(lambda r: f", displacement reason {r}" if r else ""),
        "row_number": df["row_number"], "column": df["column_name"],
        "problem": df["problem"],
    }))
    series = {s: _series_info(s, op, iso3) for s, op, iso3 in rows.loc[rows["problem"].isna(), [
              "series", "operation", "iso3"]].drop_duplicates().itertuples(index=False)}
    return Transformed(records, series, places=_places(rows, snap))


def latest_round(conn: Connection, location_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """'Current' DTM figures, a query rule: per operation and area, the latest round's area total (parts of one
    round summed, SA alternatives and sex breakdowns left out, missing counts not counted as zero)."""
    q = (select(Series.slug.label("series"), Series.title, Observation.location_code, Observation.period_end,
                func.sum(Observation.value).label("people"), func.count().label("rows"))
         .join(Series, Series.id == Observation.series_id)
         .where(Series.slug.like("iom_dtm_%"), Observation.is_latest.is_(True), Observation.sex == "all",
                not_(Observation.breakdown.like(f"{ALTERNATIVE}%")), Observation.value.is_not(None))
         .group_by(Series.slug, Series.title, Observation.location_code, Observation.period_end))
    if location_codes:
        q = q.where(Observation.location_code.in_(location_codes))
    df = pd.DataFrame(conn.execute(q).all(), columns=["series", "title", "location_code", "period_end", "people",
                                                     "rows"])
    latest = df.groupby(["series", "location_code"])["period_end"].transform("max")
    return df[df["period_end"] == latest].sort_values(["series", "location_code"]).reset_index(drop=True)


def _api_rows(snap: Snapshot) -> pd.DataFrame:
    body = read_json(snap.path)
    if not isinstance(body, dict) or not isinstance(body.get("result"), list):
        raise FileRejected(snap.path, "not a DTM API response: no 'result' list")
    if body.get("isSuccess") is False:
        raise FileRejected(snap.path, f"the DTM API answered isSuccess=false: {body.get('errorMessages')}")
    items = body["result"]
    if not items:
        raise FileRejected(snap.path, "the DTM API response has no rows")
    if (bad := next((i for i, it in enumerate(items) if not isinstance(it, dict)), None)) is not None:
        raise FileRejected(snap.path, f"result[{bad}] is not an object but {type(items[bad]).__name__} "
                           f"{str(items[bad])[:60]!r}: not a DTM API response", row=bad + 1)
    v3 = "displacementReason" in items[0] or "idpOriginAdmin1Pcode" in items[0]
    level = 2 if "admin2Pcode" in items[0] else 1 if "admin1Pcode" in items[0] else 0
    url = (f"https://dtmapi.iom.int/v3/displacement/admin{level}" if v3 else
           f"https://dtmapi.iom.int/api/IdpAdmin{level}Data/GetAdmin{level}Datav2")
    rows = [_row(it, level, i, snap.path) for i, it in enumerate(items, start=1)]
    return pd.DataFrame(rows).assign(
        channel=f"DTM API {'v3' if v3 else 'v2'}", doc_url=url,
        doc_title=f"IOM DTM API {'v3 displacement/admin' if v3 else 'v2 GetAdmin'}{level}"
                  f"{'' if v3 else 'Datav2'} response ({snap.path.name})")


def _row(it: dict, level: int, i: int, path: Path) -> dict:
    for key, value in it.items():
        if isinstance(value, (list, dict)):
            raise FileRejected(path, f"result[{i - 1}].{key} is a JSON {type(value).__name__} where the DTM API "
                               "gives a text or a number", row=i, column=key)
    for key in ("operation", "admin0Pcode", "reportingDate", "roundNumber", "assessmentType"):
        if it.get(key) in (None, ""):
            raise FileRejected(path, f"result[{i - 1}] has no {key}", row=i, column=key)
    code, name = ((it["admin0Pcode"], it["admin0Name"]) if level == 0 else
                  (it[f"admin{level}Pcode"], it[f"admin{level}Name"]))
    return {"operation": it["operation"].strip(), "iso3": it["admin0Pcode"], "country": it.get("admin0Name"),
            "level": level, "code": code, "name": name, "a1code": it.get("admin1Pcode"),
            "a1name": it.get("admin1Name"), "value": cell(it.get("numPresentIdpInd")), "date": it["reportingDate"],
            "round": cell(it["roundNumber"]), "assessment": it["assessmentType"],
            "reason": it.get("displacementReason"), "males": cell(it.get("numberMales")),
            "females": cell(it.get("numberFemales")), "origin_code": it.get("idpOriginAdmin1Pcode"),
            "origin_name": it.get("idpOriginAdmin1Name"), "row_number": i, "column": "numPresentIdpInd",
            "row_ref": f"result[{i - 1}]"}


def _hdx_rows(snap: Snapshot) -> pd.DataFrame:
    df = read_csv_strict(snap.path, HDX_COLUMNS)
    df = df[~df["operation"].str.startswith("#")]  # the HXL hashtag row
    number = pd.to_numeric(df["adminLevel"], errors="coerce")
    bad = ~number.isin([0, 1, 2])  # the row's place is unknown: set aside, the other rows load
    level = number.where(~bad, 0).astype(int)
    code = df["admin0Pcode"].where(level == 0, df["admin1Pcode"].where(level == 1, df["admin2Pcode"]))
    name = df["admin0Name"].where(level == 0, df["admin1Name"].where(level == 1, df["admin2Name"]))
    return pd.DataFrame({
        "operation": df["operation"].str.strip(), "iso3": df["admin0Pcode"], "country": df["admin0Name"],
        "level": level, "code": code, "name": name, "a1code": df["admin1Pcode"], "a1name": df["admin1Name"],
        "value": df["numPresentIdpInd"].replace("", None), "date": df["reportingDate"], "round": df["roundNumber"],
        "assessment": df["assessmentType"], "reason": None, "males": None, "females": None, "origin_code": None,
        "origin_name": None, "row_number": df["row_number"], "column": "numPresentIdpInd",
        "row_ref": "line " + df["row_number"].astype(str), "channel": "HDX CSV export of the DTM API",
        "doc_url": "https://data.humdata.org/dataset/global-iom-dtm-from-api",
        "doc_title": f"HDX: Global IOM DTM data from the DTM API ({snap.path.name})",
        "problem": ("adminLevel|adminLevel " + df["adminLevel"].map(repr) + " is not 0, 1 or 2|give the admin "
                    "level of the row's place: 0 (country), 1 or 2").where(bad, None)})


def _breakdown(alt: bool, part: bool, reason: str) -> str:
    label = "; ".join(p for p in (ALTERNATIVE if alt else "", f"reason: {reason}" if part and reason else "") if p)
    if len(label) > 60:
        raise ValueError(f"breakdown label longer than the store's 60 characters: {label!r}")
    return label or "total"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


def _series_info(slug: str, operation: str, iso3: str) -> SeriesInfo:
    return SeriesInfo(slug, f"IOM DTM: {iso3} - {operation} (IDPs by round)", "IOM DTM",
                      "International Organization for Migration (IOM), Displacement Tracking Matrix (DTM)",
                      "assessment", DTM_TERMS, CITATION, "https://dtm.iom.int/data-and-analysis/dtm-api")


def _places(rows: pd.DataFrame, snap: Snapshot) -> list[dict]:
    """Admin areas as DTM codes them (Iraq 'IRQ-G01', Haiti 'HT01'): each with its parent and this file as source."""
    found: dict[str, dict] = {}

    def add(code, name, level, parent, iso3, op):
        if code and str(code).strip().lower() not in NOT_A_CODE and code not in found:
            named = isinstance(name, str) and name.strip()  # a missing name is NaN or None: the code names it
            found[code] = {"code": code, "name": name if named else code, "kind": f"admin{level}", "admin_level": level,
                           "parent_code": parent, "country_iso3": iso3, "source": f"IOM DTM ({snap.path.name})",
                           "boundary_version": f"IOM DTM p-codes of operation {op!r}"[:100]}

    for r in rows.itertuples(index=False):
        add(r.a1code, r.a1name, 1, r.iso3, r.iso3, r.operation)
        if r.level == 2:
            add(r.code, r.name, 2, r.a1code, r.iso3, r.operation)
        add(r.origin_code, r.origin_name, 1, r.iso3, r.iso3, r.operation)
    return list(found.values())
