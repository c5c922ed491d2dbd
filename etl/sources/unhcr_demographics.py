"""UNHCR demographic and location data: end-year figures by sub-national location, sex and age band."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.records import SeriesInfo, Snapshot, Transformed, new_records, snapshot
from etl.sources import _unhcr
from etl.sources._table import read_csv_strict

FORMAT = "unhcr_demographics"
TRANSFORM_VERSION = "1"
SERIES = SeriesInfo(
    slug="unhcr_demographics",
    title="UNHCR Refugee Data Finder: demographic and location data (end-year)",
    publisher="UNHCR",
    originator="UNHCR, from government and UNHCR registration data",
    source_kind="registration",
    licence=_unhcr.UNHCR_LICENCE,
    citation=_unhcr.UNHCR_CITATION,
    url="https://www.unhcr.org/refugee-statistics/",
)
AGE_BANDS = {"0_4": "0-4", "5_11": "5-11", "12_17": "12-17", "18_59": "18-59", "60": "60+", "other": "unknown"}
SEXES = {"f": "female", "m": "male"}
# UNHCR's codes for accommodation and settlement type (Refugee Data Finder methodology).
ACCOMMODATION = {"I": "individual accommodation", "P": "planned/managed camp", "C": "collective centre",
                 "S": "self-settled camp", "R": "reception/transit centre", "U": "accommodation unknown"}
SETTLEMENT = {"U": "urban", "R": "rural", "V": "settlement type various/unknown"}
REQUIRED = _unhcr.KEY_COLUMNS + ["pop_type", "location", "loc_type", "acc_type", "f_total", "m_total", "total"]
_ADMIN_TAG = re.compile(r"^(?P<name>.*?)\s*\[Admin (?P<level>\d)(?::[^\]]*)?\]\s*$")


def detect(path: Path) -> str | None:
    return _unhcr.detect_columns(path, REQUIRED)


def extract(path: Path, retrieved_on=None) -> Snapshot:
    return snapshot(path, retrieved_on)


def transform(snap: Snapshot) -> Transformed:
    df = read_csv_strict(snap.path, REQUIRED + [f"{s}_{a}" for s in SEXES for a in AGE_BANDS])
    places = _provider_places(df, snap)
    # One row per location is the location's whole figure; several (by accommodation or settlement type)
    # are parts, labelled as a breakdown and never added into a total by the store.
    group_key = ["year", "coo", "coa", "pop_type", "location"]
    parts = df.groupby(group_key)["row_number"].transform("size") > 1
    df["breakdown"] = "total"
    df.loc[parts, "breakdown"] = (df["acc_type"].map(ACCOMMODATION).fillna(df["acc_type"]) + " / "
                                  + df["loc_type"].map(SETTLEMENT).fillna(df["loc_type"]))[parts]
    records = [_cells(df, "total", "all", "all")]
    f_plus_m = pd.to_numeric(df["f_total"], errors="coerce") + pd.to_numeric(df["m_total"], errors="coerce")
    # Rows with totals but no sex split carry 0 in every sex/age cell: those zeros are not figures.
    has_split = f_plus_m.fillna(1) > 0
    for s, sex in SEXES.items():
        sex_total = pd.to_numeric(df[f"{s}_total"], errors="coerce")
        records.append(_cells(df[has_split], f"{s}_total", sex, "all"))
        # Age bands are loaded where that sex has people, zeros included: there they are real zeros.
        for band, label in AGE_BANDS.items():
            records.append(_cells(df[has_split & (sex_total.fillna(1) > 0)], f"{s}_{band}", sex, label))
    out = pd.concat(records, ignore_index=True)
    release, released_on = _unhcr.release_of(snap)
    # Returns (RET, RDP) are counted during the year, as in UNHCR's population table; the rest are stocks.
    year = out["year"].str.strip()
    is_return = out["population_group"].isin(["RET", "RDP"])
    out = out.assign(
        series=SERIES.slug, measure=is_return.map({True: "flow", False: "stock"}), origin_scheme="iso3",
        period_start=(year + "-01-01").where(is_return, year + "-12-31"), period_end=year + "-12-31",
        doc_title=f"UNHCR Refugee Data Finder: demographics ({release})", doc_url=_unhcr.DOCUMENT_URL,
        channel=snap.meta.get("channel", _unhcr.DEFAULT_CHANNEL), release=release, released_on=released_on,
        published_on=released_on,
        source_ref=snap.path.name + " line " + out["row_number"].astype(str) + ", column " + out["column"],
        is_rounded=pd.to_numeric(out["value_raw"], errors="coerce").between(1, 4),
    )
    out.loc[out["population_group"] == "HST", "origin_ref"] = None
    return Transformed(new_records(out), {SERIES.slug: SERIES}, places=places)


def _cells(df: pd.DataFrame, column: str, sex: str, age: str) -> pd.DataFrame:
    loc = df["location"].map(_location_parts)
    returns = df["pop_type"].isin(["RET", "RDP"])  # by country of return: location = coo
    country = df["coo_iso"].where(returns, df["coa_iso"])
    # Returned refugees are published with coo = coa = the country returned to: the country they left is
    # not given here, so they have no origin (returned IDPs' origin is their own country).
    origin = df["coa_iso"].where(returns, df["coo_iso"]).mask(df["pop_type"] == "RET", None)
    return pd.DataFrame({
        "year": df["year"], "row_number": df["row_number"], "column": column, "value_raw": df[column],
        "population_group": df["pop_type"].str.strip(), "sex": sex, "age_group": age,
        "breakdown": df["breakdown"],
        "origin_ref": origin,
        "location_ref": [name if level else None for name, level in loc],
        "location_level": [level for _, level in loc],
        "location_within": country,
        "location_fallback": [_provider_code(c, n) for c, n in zip(country, df["location"], strict=True)],
    }).assign(location_ref=lambda d: d["location_ref"].fillna(d["location_fallback"]))


def _location_parts(text: str) -> tuple[str, int | None]:
    """'Idleb [Admin 1]' -> ('Idleb', 1); camps and 'Admin 3: POC' sites are UNHCR's own locations."""
    m = _ADMIN_TAG.match(text)
    if m and m.group("level") in ("1", "2") and ":" not in text[text.find("["):]:
        return m.group("name"), int(m.group("level"))
    return text, None


def _provider_code(country: str, location: str) -> str:
    """A stable pseudo-code for a UNHCR location with no code of its own: X + ISO3 + '-U-' + slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", location.lower()).strip("-")[:60]
    return f"X{country}-U-{slug}"


def _provider_places(df: pd.DataFrame, snap: Snapshot) -> list[dict]:
    pairs = df[["coo_iso", "coa_iso", "pop_type", "location"]].drop_duplicates()
    returns = pairs["pop_type"].isin(["RET", "RDP"])
    countries = pairs["coo_iso"].where(returns, pairs["coa_iso"])
    seen, places = set(), []
    for country, location in zip(countries, pairs["location"], strict=True):
        code = _provider_code(country, location)
        if code in seen:
            continue
        seen.add(code)
        name, level = _location_parts(location)
        places.append({"code": code, "name": name if level else location, "kind": "provider_location",
                       "admin_level": level, "parent_code": country, "country_iso3": country,
                       "source": f"UNHCR demographics location list ({snap.path.name})"})
    return places
