"""Export observations with their provenance as CSV (optionally with an HXL hashtag row), streamed from a cursor."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from etl.models import Document, Observation, Place, Release, Series

EXPORT_COLUMNS = {  # column -> HXL hashtag
    "reference_period_start": "#date+start",
    "reference_period_end": "#date+end",
    "origin_code": "#country+origin+code",
    "origin_name": "#country+origin+name",
    "origin_admin_level": "#meta+origin+admin_level",
    "location_code": "#loc+code",
    "location_name": "#loc+name",
    "location_admin_level": "#meta+admin_level",
    "population_group": "#population+group",
    "measure": "#indicator+measure",
    "sex": "#meta+sex",
    "age_group": "#meta+age",
    "cause": "#cause",
    "breakdown": "#meta+breakdown",
    "unit": "#meta+unit",
    "value": "#population+num",
    "value_low": "#population+num+min",
    "value_high": "#population+num+max",
    "qualifier": "#meta+qualifier",
    "missing_reason": "#meta+missing_reason",
    "note": "#description+note",
    "originator": "#org+originator",
    "publisher": "#org+publisher",
    "source_title": "#meta+source",
    "source_url": "#meta+url",
    "licence": "#meta+licence",
    "published_on": "#date+published",
    "retrieved_at": "#date+retrieved",
    "vintage": "#meta+vintage",
}
NON_COMMERCIAL_LICENCES = ("CC BY-NC",)  # licences (or terms containing "non-commercial") that restrict reuse
# Spreadsheets run cells that start with these as formulas; a leading apostrophe keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilter:
    origin_codes: tuple[str, ...] = ()
    location_codes: tuple[str, ...] = ()
    population_groups: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()  # series slugs or publisher names
    as_of: dt.date | None = None  # the release date to look back at; None = latest
    touching_codes: tuple[str, ...] = ()  # origin OR location among these (movements into or out of an area)


def safe_cell(value: object) -> object:
    """Neutralise text that a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Columns the dashboard also needs (hover, tables, source notes); not written to the CSV export.
EXTRA_COLUMNS = ("series_slug", "series_title", "source_kind", "source_ref", "citation", "is_secondary",
                 "is_rounded", "is_suspected_typo", "is_preliminary", "location_kind", "location_parent_code",
                 "vintage_number", "observation_id")


# Ends with the figure's id: a total order, so an export (and any view that reads its first N rows) is the same
# on every run and on every query plan.
EXPORT_ORDER = (Observation.location_code, Observation.origin_code, Observation.population_group, Observation.measure,
                Observation.period_end, Observation.sex, Observation.age_group, Observation.breakdown, Series.slug,
                Observation.id)


def export_query(flt: ExportFilter, *, extras: bool = False) -> Select:
    """The figures matching `flt` with their provenance, in EXPORT_COLUMNS order (then EXTRA_COLUMNS)."""
    origin = aliased(Place)
    location = aliased(Place)
    obs = Observation
    q = (select(
        obs.period_start.label("reference_period_start"), obs.period_end.label("reference_period_end"),
        obs.origin_code, origin.name.label("origin_name"), origin.admin_level.label("origin_admin_level"),
        obs.location_code, location.name.label("location_name"),
        location.admin_level.label("location_admin_level"), obs.population_group, obs.measure, obs.sex,
        obs.age_group, obs.cause, obs.breakdown, obs.unit, obs.value, obs.value_low, obs.value_high,
        obs.qualifier, obs.missing_reason, obs.note,
        Series.originator.label("originator"), Document.publisher.label("publisher"),
        Document.title.label("source_title"), Document.url.label("source_url"), Series.licence.label("licence"),
        Document.published_on.label("published_on"), Document.retrieved_on.label("retrieved_at"),
        Release.label.label("vintage"),
        *((Series.slug.label("series_slug"), Series.title.label("series_title"), Series.source_kind,
           obs.source_ref, Series.citation, obs.is_secondary, obs.is_rounded, obs.is_suspected_typo,
           obs.is_preliminary, location.kind.label("location_kind"),
           location.parent_code.label("location_parent_code"), obs.vintage.label("vintage_number"),
           obs.id.label("observation_id"))
          if extras else ()))
        .join(Series, Series.id == obs.series_id)
        .join(Document, Document.id == obs.document_id)
        .join(Release, Release.id == obs.release_id)
        .join(location, location.code == obs.location_code)
        .outerjoin(origin, origin.code == obs.origin_code))
    conditions = _identity_conditions(flt)
    q = q.where(*conditions)
    if flt.as_of is None:
        q = q.where(obs.is_latest.is_(True))
    else:
        q = q.where(obs.id.in_(_as_of_ids(flt.as_of, conditions)))
    return q.order_by(*EXPORT_ORDER)


def export_conditions(flt: ExportFilter) -> list:
    """The conditions export_query puts on current figures (as_of must be None): for aggregate queries that
    select the same figures."""
    if flt.as_of is not None:
        raise ValueError("export_conditions selects current figures only; as_of needs export_query")
    return [*_identity_conditions(flt), Observation.is_latest.is_(True)]


def _identity_conditions(flt: ExportFilter) -> list:
    """The filter's conditions; all are on identity fields, so every vintage of a figure meets them alike."""
    obs = Observation
    conditions = []
    if flt.origin_codes:
        conditions.append(obs.origin_code.in_(flt.origin_codes))
    if flt.location_codes:
        conditions.append(obs.location_code.in_(flt.location_codes))
    if flt.touching_codes:
        conditions.append(or_(obs.origin_code.in_(flt.touching_codes), obs.location_code.in_(flt.touching_codes)))
    if flt.population_groups:
        conditions.append(obs.population_group.in_(flt.population_groups))
    if flt.measures:
        conditions.append(obs.measure.in_(flt.measures))
    if flt.date_from:
        conditions.append(obs.period_end >= flt.date_from)
    if flt.date_to:
        conditions.append(obs.period_end <= flt.date_to)
    if flt.sources:
        conditions.append(obs.series_id.in_(select(Series.id).where(
            or_(Series.slug.in_(flt.sources), Series.publisher.in_(flt.sources)))))
    return conditions


def _as_of_ids(as_of: dt.date, conditions: list):
    """Per identity, the vintage from the latest release published on or before `as_of` (ranking only the
    figures the filter selects, not the whole store)."""
    ranked = (select(Observation.id, func.row_number().over(
        partition_by=Observation.identity_key,
        order_by=(func.coalesce(Release.released_on, dt.date(1900, 1, 1)).desc(), Observation.vintage.desc()),
    ).label("rank"))
        .join(Release, Release.id == Observation.release_id)
        .where(or_(Release.released_on.is_(None), Release.released_on <= as_of), *conditions)
        .subquery())
    return select(ranked.c.id).where(ranked.c.rank == 1)


def resolve_as_of(conn: Connection, text: str) -> dt.date:
    """A release label or a date -> the date to look back at."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        found = conn.scalar(select(Release.released_on).where(and_(Release.label == text,
                                                                    Release.released_on.is_not(None))))
        if found is None:
            raise ValueError(f"no release labelled {text!r} with a release date") from None
        return found


def iter_rows(conn: Connection, flt: ExportFilter, batch: int = 5000, extras: bool = False) -> Iterator[tuple]:
    """Rows from a server-side cursor, `batch` at a time: memory stays flat however many rows match."""
    result = conn.execution_options(yield_per=batch).execute(export_query(flt, extras=extras))
    for row in result:
        yield tuple(row)


def write_csv(conn: Connection, flt: ExportFilter, out: IO[str], *, hxl: bool = False) -> dict:
    """Write the export; return the row count and the licences seen (for the citation sidecar)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    if hxl:
        writer.writerow(EXPORT_COLUMNS.values())
    n, licences, series = 0, set(), set()
    width = len(EXPORT_COLUMNS)
    lic_i, slug_i = list(EXPORT_COLUMNS).index("licence"), width
    for row in iter_rows(conn, flt, extras=True):
        _write_row(writer, out, [_format(v) for v in row[:width]])
        licences.add(row[lic_i])
        series.add(row[slug_i])
        n += 1
    return {"rows": n, "licences": sorted(licences), "series": sorted(series)}


def _write_row(writer, out: IO[str], cells: list) -> None:
    """One row; a cell holding a carriage return is quoted too (csv quotes only the line terminator's characters,
    so with "\n" lines a bare CR would be written unquoted and split the row in a spreadsheet)."""
    if not any(isinstance(c, str) and "\r" in c for c in cells):
        writer.writerow(cells)
        return
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    out.write(buf.getvalue()[:-2] + "\n")


def _format(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def is_non_commercial(licence: object) -> bool:
    text = licence if isinstance(licence, str) else ""  # a missing licence (None, NaN) restricts nothing known
    return text.startswith(NON_COMMERCIAL_LICENCES) or "non-commercial" in text.lower()


def has_non_commercial(licences: list[str]) -> bool:
    return any(is_non_commercial(lic) for lic in licences)
