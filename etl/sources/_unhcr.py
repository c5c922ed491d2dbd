"""What UNHCR's tidy Refugee Data Finder tables share: series, release, columns, and wide-to-long unpivoting."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from etl.records import SeriesInfo, Snapshot, Transformed, new_records
from etl.sources._table import iter_csv_strict, read_header

UNHCR_LICENCE = "CC BY 4.0"
UNHCR_CITATION = "UNHCR Refugee Data Finder, https://www.unhcr.org/refugee-statistics/ (CC BY 4.0)"
RPSD = SeriesInfo(
    slug="unhcr_rpsd",
    title="UNHCR Refugee Population Statistics Database (end-year stocks, flows and solutions)",
    publisher="UNHCR",
    originator="UNHCR, from government and UNHCR registration data",
    source_kind="registration",
    licence=UNHCR_LICENCE,
    citation=UNHCR_CITATION,
    url="https://www.unhcr.org/refugee-statistics/",
)
KEY_COLUMNS = ["year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso"]
# The R package `refugees` is UNHCR's official redistribution of the database.
DEFAULT_CHANNEL = "R package refugees (UNHCR's official redistribution), converted to CSV"
DOCUMENT_URL = "https://github.com/PopulationStatistics/refugees"


def detect_columns(path, required: list[str], forbidden: list[str] = ()) -> str | None:
    """None when the header has every required column (and none of the forbidden ones), else why not."""
    header = read_header(path)
    if header is None:
        return "not a readable UTF-8 table"
    missing = [c for c in required if c not in header]
    if missing:
        return f"no column {missing[0]!r}"
    extra = [c for c in forbidden if c in header]
    if extra:
        return f"has column {extra[0]!r}"
    return None


def release_of(snap: Snapshot) -> tuple[str, str | None]:
    """(release label, release date) from the file's manifest line, else named after the file and its hash."""
    return (snap.meta.get("release") or f"{snap.path.name} sha256:{snap.sha256[:12]}",
            snap.meta.get("released_on"))


def unpivot(df: pd.DataFrame, columns: dict[str, tuple[str, str, str]], snap: Snapshot, dataset: str,
            series: SeriesInfo) -> pd.DataFrame:
    """One record per published cell of the wide table's group columns.

    `columns` maps a column to (population group, measure, direction): direction "asylum" puts the
    country of asylum as location (refugees, asylum-seekers...), "return" puts the country of origin as
    location and the country left as origin (returns: UNHCR reports them by country of origin).
    In UNHCR's wide tables an empty cell is no figure and a 0 is filler for a group the row does not
    report (structural zero): neither is loaded. https://www.unhcr.org/refugee-statistics/methodology/
    """
    present = [c for c in columns if c in df.columns]
    long = df.melt(id_vars=KEY_COLUMNS + ["row_number"], value_vars=present, var_name="column",
                   value_name="value_raw")
    cell = long["value_raw"].str.strip()
    long = long[(cell != "") & (cell != "0")].copy()
    release, released_on = release_of(snap)
    year = long["year"].str.strip()
    group = long["column"].map(lambda c: columns[c][0])
    measure = long["column"].map(lambda c: columns[c][1])
    is_return = long["column"].map(lambda c: columns[c][2] == "return")
    is_stock = measure == "stock"
    out = pd.DataFrame({
        "series": series.slug,
        "population_group": group,
        "measure": measure,
        "origin_ref": long["coa_iso"].where(is_return, long["coo_iso"]),
        "origin_scheme": "iso3",
        "location_ref": long["coo_iso"].where(is_return, long["coa_iso"]),
        "location_scheme": "iso3",
        "period_start": (year + "-12-31").where(is_stock, year + "-01-01"),
        "period_end": year + "-12-31",
        "value_raw": long["value_raw"],
        "doc_title": f"UNHCR Refugee Data Finder: {dataset} ({release})",
        "doc_url": DOCUMENT_URL,
        "channel": snap.meta.get("channel", DEFAULT_CHANNEL),
        "release": release,
        "released_on": released_on,
        "published_on": released_on,
        "source_ref": snap.path.name + " line " + long["row_number"].astype(str) + ", column " + long["column"],
        "row_number": long["row_number"],
        "column": long["column"],
    })
    # Host communities have no origin: the group is defined by where they live.
    out.loc[out["population_group"] == "HST", "origin_ref"] = None
    # UNHCR rounds counts below 5 for protection; they stay exact-as-published but flagged as rounded.
    out["is_rounded"] = pd.to_numeric(out["value_raw"], errors="coerce").lt(5)
    return new_records(out)


def unpivot_chunks(snap: Snapshot, required: list[str], columns: dict[str, tuple[str, str, str]], dataset: str,
                   series: SeriesInfo = RPSD) -> Iterator[Transformed]:
    """The wide table unpivoted chunk by chunk as it is read (each line's figures depend on that line only)."""
    for df in iter_csv_strict(snap.path, required):
        yield Transformed(unpivot(df, columns, snap, dataset, series), {series.slug: series})
