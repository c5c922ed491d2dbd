"""Figures quoted from reports, one row each with its quote and URL: NW Syria sitreps, IDP movements, Turkish provinces.

The layout (date, geography, geography_code, population_type, value, source, source_url_or_path, note) is
the one of the project's curated reference tables; each population_type's meaning is decided below.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pycountry

from etl.records import FileRejected, SeriesInfo, Snapshot, Transformed, new_records, snapshot
from etl.sources._table import read_csv_strict, read_header
from etl.sources._unhcr import RPSD
from etl.sources.idmc_via_unhcr import IDMC_GIDD
from etl.sources.unhcr_demographics import SERIES as UNHCR_DEMOGRAPHICS

FORMAT = "reference_figures"
TRANSFORM_VERSION = "1"
COLUMNS = ["date", "geography", "geography_code", "population_type", "value", "source", "source_url_or_path",
           "note"]
OFFENSIVE_START = "2019-12-01"  # OCHA counts the Idlib offensive's displacement from 1 December 2019


@dataclass(frozen=True)
class Meaning:
    """What one population_type measures: group, measure, how its period is built, and any breakdown."""

    group: str
    measure: str
    period: str  # "date" (stock), "since:YYYY-MM-DD", "month", "year"
    breakdown: str = "total"
    skip: str | None = None  # a documented reason not to load (not a displacement figure)


MEANINGS = {
    "idps_new_may_to_aug_2019": Meaning("IDP", "flow", "since:2019-05-01"),
    "idps_stock_before_escalation": Meaning("IDP", "stock", "date"),
    "idps_new_cumulative_since_2019-12-01": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}"),
    "idps_new_during_month": Meaning("IDP", "flow", "month"),
    "idps_new_children": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}", "children"),
    "idps_new_women": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}", "women"),
    "idps_new_in_unfinished_buildings": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}",
                                                "shelter: unfinished or damaged buildings"),
    "idps_new_under_trees_open_spaces": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}",
                                                "shelter: under trees or in open spaces"),
    "idps_new_in_individual_tents": Meaning("IDP", "flow", f"since:{OFFENSIVE_START}", "shelter: individual tents"),
    "idps_moved_back_since_2019-12-01": Meaning("RDP", "flow", f"since:{OFFENSIVE_START}"),
    "idps_returned_to_area_of_origin": Meaning("RDP", "flow", f"since:{OFFENSIVE_START}",
                                               "returned to area of origin"),
    # Movements count moves, not people: one person who moves twice counts twice.
    "idp_movements_during_month": Meaning("IDP", "movement", "month"),
    # Türkiye's "temporary protection" Syrians are refugees in UNHCR's terms (glossary).
    "syrians_temporary_protection": Meaning("REF", "stock", "date"),
    "syrians_temporary_protection_in_camps": Meaning("REF", "stock", "date", "in camps"),
    "syrians_voluntary_returns_cumulative": Meaning(
        "RET", "flow", "date", skip="cumulative voluntary returns with no stated start date: period unknown"),
    "idps_conflict_stock_idmc": Meaning("IDP", "stock", "date"),
    "idps_unhcr": Meaning("IDP", "stock", "date"),
    "idps": Meaning("IDP", "stock", "date"),
    "returned_idps_during_year": Meaning("RDP", "flow", "year"),
    "returned_refugees_during_year": Meaning("RET", "flow", "year"),
    "refugees_registered": Meaning("REF", "stock", "date"),
    "refugees_in_camps": Meaning("REF", "stock", "date", "in camps"),
    "population_total_estimate": Meaning("HST", "stock", "date",
                                         skip="total population of an area, not a displacement figure"),
    "population_before_escalation": Meaning("HST", "stock", "date",
                                            skip="total population of an area, not a displacement figure"),
}

OCHA_SYRIA = SeriesInfo(
    "ocha_syria_nw_sitreps", "OCHA Syria: Recent Developments in Northwest Syria (situation reports and flash "
    "updates)", "OCHA", "OCHA Syria and humanitarian partners in north-west Syria", "report", "ReliefWeb terms "
    "(OCHA content, reuse with attribution)", "UN OCHA, Recent Developments in Northwest Syria, situation "
    "reports and flash updates, via ReliefWeb", "https://reliefweb.int/country/syr")
IDP_TASK_FORCE = SeriesInfo(
    "wos_idp_task_force_movements", "Whole of Syria IDP Task Force: monthly IDP movements", "OCHA",
    "Whole of Syria IDP Task Force (CCCM Cluster / ISIMM)", "assessment", "ReliefWeb terms (OCHA content, "
    "reuse with attribution)", "OCHA / Whole of Syria IDP Task Force, IDP movements maps, via ReliefWeb",
    "https://reliefweb.int/country/syr")
REACH = SeriesInfo(
    "reach_nw_syria", "REACH Northwest Syria situation overviews", "REACH Initiative", "REACH Initiative",
    "assessment", "REACH terms (reuse with attribution)", "REACH Initiative, Northwest Syria Situation "
    "Overview, via ReliefWeb", "https://www.reach-initiative.org/")
UNICEF = SeriesInfo(
    "unicef_wos_nw_syria_sitreps", "UNICEF Whole of Syria: Northwest Syria situation reports", "UNICEF",
    "UNICEF Whole of Syria Hub", "report", "ReliefWeb terms (reuse with attribution)",
    "UNICEF, Whole of Syria Northwest Syria Situation Report, via ReliefWeb", "https://www.unicef.org/")
DGMM = SeriesInfo(
    "dgmm_temporary_protection", "Türkiye: Syrians under temporary protection by province", "DGMM (Türkiye)",
    "Presidency of Migration Management (DGMM / Göç İdaresi), Türkiye", "registration",
    "Official statistics, quoted by the press (reuse with attribution)",
    "Presidency of Migration Management (DGMM), Türkiye, temporary protection statistics, as quoted by the "
    "publisher named on each figure", "https://en.goc.gov.tr/temporary-protection27", is_secondary=True)
UNHCR_3RP = SeriesInfo(
    "unhcr_syria_regional_response", "UNHCR Syria Regional Refugee Response: registered Syrian refugees",
    "UNHCR", "UNHCR and host governments (3RP)", "registration", "UNHCR data portal terms (reuse with "
    "attribution)", "UNHCR Syria Regional Refugee Response portal, as quoted by the publisher named on each "
    "figure", "https://data.unhcr.org/en/situations/syria", is_secondary=True)
RP_3RP = SeriesInfo(
    "3rp_regional_strategic_overview", "3RP Regional Refugee and Resilience Plan: Regional Strategic Overview",
    "3RP (UNHCR and UNDP)", "3RP partners, from UNHCR and host-government registration", "report",
    "3RP terms (reuse with attribution)", "3RP Regional Refugee and Resilience Plan, Regional Strategic "
    "Overview, https://www.3rpsyriacrisis.org/", "https://www.3rpsyriacrisis.org/")

# Which series a row's "source" text belongs to, and who published the document (first match wins).
SOURCE_RULES: list[tuple[str, SeriesInfo, str | None]] = [
    (r"IDP Task Force", IDP_TASK_FORCE, "OCHA"),
    (r"as reproduced by (?P<pub>[\w.-]+)", OCHA_SYRIA, None),
    (r"^OCHA", OCHA_SYRIA, "OCHA"),
    (r"^REACH", REACH, "REACH Initiative"),
    (r"^UNICEF", UNICEF, "UNICEF"),
    (r"^IDMC data as redistributed", IDMC_GIDD, "UNHCR"),
    (r"UNHCR Refugee Data Finder .*dataset demographics", UNHCR_DEMOGRAPHICS, "UNHCR"),
    (r"^UNHCR Refugee Data Finder", RPSD, "UNHCR"),
    (r"^3RP", RP_3RP, "3RP (UNHCR and UNDP)"),
    (r"DGMM|Interior Ministry|governor", DGMM, None),
    (r"citing UNHCR", UNHCR_3RP, None),
]
PRIMARY_PUBLISHERS = {"OCHA", "REACH Initiative", "UNICEF", "UNHCR", "3RP (UNHCR and UNDP)"}
# The publisher's hedge words, mapped to the glossary's qualifiers (longest first).
QUALIFIER_WORDS = [("more than", "more than"), ("at least", "at least"), ("up to", "up to"),
                   ("an estimated", "about"), ("estimated", "about"), ("some", "about"), ("around", "about"),
                   ("about", "about"), ("nearly", "almost"), ("almost", "almost"), ("over", "more than")]
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}


def detect(path: Path) -> str | None:
    header = read_header(path)
    if header is None:
        return "not a readable UTF-8 table"
    missing = [c for c in COLUMNS if c not in header]
    return f"no column {missing[0]!r}" if missing else None


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, COLUMNS)
    rows, skipped, series = [], [], {}
    for rec in df.to_dict("records"):
        meaning = MEANINGS.get(rec["population_type"].strip())
        if meaning is None:
            raise FileRejected(snap.path, f"unknown population_type {rec['population_type']!r}; known: "
                               f"{', '.join(sorted(MEANINGS))}", row=rec["row_number"], column="population_type")
        if meaning.skip:
            skipped.append(f"line {rec['row_number']} ({rec['population_type']}): not loaded, {meaning.skip}")
            continue
        try:
            info, doc_publisher = _series_for(rec["source"])
        except ValueError as exc:
            rows.append(_problem(rec, "source", str(exc), "add a rule for this publisher to SOURCE_RULES"))
            continue
        series[info.slug] = info
        try:
            rows.append(_record(rec, meaning, info, doc_publisher, snap))
        except ValueError as exc:  # a date or code this layout cannot read: the row is set aside, not the file
            rows.append(_problem(rec, "date" if "date" in str(exc) else "geography_code", str(exc),
                                 "write dates as YYYY-MM-DD and flows as ORIGIN->DESTINATION codes"))
    return Transformed(new_records(rows), series, skipped=skipped)


def _problem(rec: dict, column: str, reason: str, suggestion: str) -> dict:
    """A row this module cannot read: kept (with its series left to OCHA's, for the record) and set aside."""
    return {"series": OCHA_SYRIA.slug, "value_raw": rec["value"], "row_number": rec["row_number"],
            "column": column, "problem": f"{column}|{reason}|{suggestion}"}


def _series_for(source: str) -> tuple[SeriesInfo, str]:
    for pattern, info, publisher in SOURCE_RULES:
        m = re.search(pattern, source)
        if m:
            return info, publisher or m.groupdict().get("pub") or _press_publisher(source)
    raise ValueError(f"no series rule matches source {source!r}")


def _press_publisher(source: str) -> str:
    """'People's Daily (French ed.), 22 Jan 2020, citing ...' -> "People's Daily (French ed.)"."""
    name = re.split(r",| citing | / data:|, data:", source)[0].strip()
    return re.sub(r"\s*\((?:[A-Z][a-z]+ )?\d{4}\)$", "", name)  # "... (June 2021)" is a date, not a name


def _record(rec: dict, meaning: Meaning, info: SeriesInfo, doc_publisher: str, snap: Snapshot) -> dict:
    date = rec["date"].strip()
    start = _period_start(meaning.period, date)
    qualifier, low, high = _qualifier(rec["note"], rec["value"])
    if info is IDMC_GIDD:  # IDMC's figures are rounded estimates, whichever channel quotes them
        qualifier, low, high = "about", None, None
    origin, location = _places(rec, meaning, info)
    breakdown = meaning.breakdown
    if "(destination)" in rec["geography"]:
        breakdown = "destination: " + rec["geography"].replace("(destination)", "").strip()
    secondary = info.is_secondary or doc_publisher not in PRIMARY_PUBLISHERS or "secondary" in rec["note"].lower()
    return {
        "series": info.slug, "population_group": meaning.group, "measure": meaning.measure,
        "origin_ref": origin, "location_ref": location, "location_published": rec["geography"],
        "period_start": start, "period_end": date, "breakdown": breakdown,
        "value_raw": rec["value"], "qualifier": qualifier, "value_low": low, "value_high": high,
        "cause": "conflict" if rec["population_type"] == "idps_conflict_stock_idmc" else "all",
        "doc_title": rec["source"].strip(), "doc_url": rec["source_url_or_path"].strip(),
        "doc_publisher": doc_publisher, "published_on": _published_on(rec["source"]),
        "release": rec["source"].strip() if info not in (RPSD, IDMC_GIDD, UNHCR_DEMOGRAPHICS) else None,
        "channel": f"quoted in {snap.path.name}",
        "source_ref": _source_ref(rec, snap),
        "note": f"as published: {rec['geography']}",
        "is_secondary": secondary, "is_rounded": qualifier != "exact" or "rounded" in rec["note"],
        "is_suspected_typo": "CAUTION" in rec["note"] and "identical" in rec["note"],
        "row_number": rec["row_number"], "column": "value",
    } | _release_for(info, rec)


def _source_ref(rec: dict, snap: Snapshot) -> str:
    """The quoted wording when the note quotes the report, else the row reference and the curator's note."""
    note = rec["note"].strip()
    where = f"{snap.path.name} line {rec['row_number']}"
    return note if '"' in note else f"{where}: {note}" if note else where


def _release_for(info: SeriesInfo, rec: dict) -> dict:
    """Figures copied from UNHCR's R package release keep that release, so they match the files' own."""
    m = re.search(r"R package refugees (\d{4}\.\d+\.\d+)", rec["source"])
    if m and info in (RPSD, IDMC_GIDD, UNHCR_DEMOGRAPHICS):
        return {"release": f"refugees {m.group(1)}", "released_on": None}
    return {"released_on": _published_on(rec["source"])}


def _period_start(rule: str, date: str) -> str:
    try:
        d = dt.date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"date {date!r} is not a date (YYYY-MM-DD)") from None
    if rule == "date":
        return date
    if rule == "month":
        return d.replace(day=1).isoformat()
    if rule == "year":
        return d.replace(month=1, day=1).isoformat()
    return rule.split(":", 1)[1]


def _qualifier(note: str, value: str) -> tuple[str, int | None, int | None]:
    """The hedge in the quoted wording before the number: 'more than 800,000' -> (more than, 800000, None)."""
    quoted = re.findall(r'"([^"]+)"', note)
    text = " ".join(quoted).lower()
    number = int(value) if value.strip().isdigit() else None
    found = [(m.start(), qualifier) for word, qualifier in QUALIFIER_WORDS
             if (m := re.search(rf"\b{word}\s+[\d.,]+(\s*(million|thousand))?", text))]
    if not found:
        return "exact", None, None
    qualifier = min(found)[1]  # the hedge of the first quoted figure ("some 900,000" / "almost 900,000")
    if qualifier in ("more than", "at least"):
        return qualifier, number, None
    if qualifier in ("almost", "up to"):
        return qualifier, None, number
    return qualifier, None, None


def _places(rec: dict, meaning: Meaning, info: SeriesInfo) -> tuple[str | None, str]:
    code = rec["geography_code"].strip()
    if meaning.measure == "movement":  # "SY-ID->SY-HL": origin governorate -> destination governorate
        parts = code.split("->")
        if len(parts) != 2:
            raise ValueError(f"movement geography_code {code!r} is not ORIGIN->DESTINATION")
        return _code(parts[0]), _code(parts[1])
    location = ";".join(_code(c) for c in code.split(";"))
    if meaning.group == "RET":  # returns to Syria summed over every country of asylum: no single origin
        return None, location
    if "(destination)" in rec["geography"]:  # where part of the north-west Syria total went: a breakdown
        location = "SY-ID;SY-HL"
    # Figures about Syrians (refugees abroad, IDPs in Syria) have Syria as origin; host figures have none.
    return "SYR", location


def _code(code: str) -> str:
    """ISO 3166-1 alpha-2 country codes become alpha-3; other codes are resolved by the gazetteer."""
    code = code.strip()
    if re.fullmatch(r"[A-Z]{2}", code):
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            return country.alpha_3
    return code


def _published_on(source: str) -> str | None:
    """The last date written in the source's title: 'Sitrep No. 8 (as of 13 Feb 2020)' -> 2020-02-13."""
    found = None
    for day, month, year in re.findall(r"(\d{1,2})\s+([A-Z][a-z]{2})[a-z]*\.?\s+(\d{4})", source):
        if month.lower() in _MONTHS:
            found = dt.date(int(year), _MONTHS[month.lower()], int(day)).isoformat()
    iso = re.findall(r"\d{4}-\d{2}-\d{2}", source)
    return iso[-1] if iso else found
