"""Exports: the streaming 'full data' HTTP download with its citation sidecar, and each chart's own CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pandas as pd
from flask import Flask, Response, request, stream_with_context

from dashboard import filters as filters_mod
from dashboard.queries import core
from etl.export import EXPORT_COLUMNS, is_non_commercial, iter_rows, safe_cell

NON_COMMERCIAL_WARNING = ("This export contains data for non-commercial use only: IDMC data are licensed CC "
                          "BY-NC-SA 3.0 IGO (share alike, attribute IDMC); IOM DTM data may not be redistributed "
                          "commercially. Check each source's licence above.")


def register(server: Flask) -> None:
    """Add the plain HTTP export routes (not callbacks: a million rows start arriving at once)."""
    server.add_url_rule("/export.csv", "export_csv", export_csv)
    server.add_url_rule("/export.sources.txt", "export_sources", export_sources)


def _filters_from_request():
    engine = core.store_engine()
    if not core.has_data(engine):
        return None, None
    info = core.known(engine)
    args = {k: request.args.getlist(k) for k in request.args}
    flt = filters_mod.from_query(args, known_places=set(info["places"]), known_sources=set(info["series"]))
    return engine, flt


def export_csv() -> Response:
    engine, flt = _filters_from_request()
    if engine is None:
        return Response("The data store has not been built yet.\n", status=503, mimetype="text/plain")

    def rows():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        with engine.connect() as conn:
            for i, row in enumerate(iter_rows(conn, core.to_export_filter(flt)), start=1):
                writer.writerow(["" if v is None else safe_cell(_text(v)) for v in row])
                if i % 2000 == 0:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
        yield buf.getvalue()

    name = f"displacement_{dt.date.today():%Y%m%d}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def export_sources() -> Response:
    engine, flt = _filters_from_request()
    if engine is None:
        return Response("The data store has not been built yet.\n", status=503, mimetype="text/plain")
    df = core.figures(engine, core.to_export_filter(flt))
    return Response(sidecar_text(df, flt.to_query(), core.data_version(engine)), mimetype="text/plain",
                    headers={"Content-Disposition": 'attachment; filename="sources_and_licences.txt"'})


def sidecar_text(df: pd.DataFrame, query: str, version: str) -> str:
    """Per source: cite-as text, licence, retrieval date; the filters; the data version; an IDMC warning."""
    lines = [f"Displacement dashboard export, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
             f"Filters: {query or '(none)'}", f"Data version: {version}", f"Figures: {len(df)}", "",
             "Sources (cite as):"]
    cited = df[df["licence"].notna()] if len(df) else df  # a "no data" row has no source to cite
    if len(cited):
        per_source = cited.groupby(["series_title", "citation", "licence"], dropna=False)["retrieved_at"].max()
        for (title, citation, licence), retrieved in per_source.items():
            lines.append(f"- {title}. Cite as: {citation}. Licence: {licence}. Retrieved: {_text(retrieved)}.")
    if len(cited) and cited["licence"].astype(str).map(is_non_commercial).any():
        lines += ["", "WARNING: " + NON_COMMERCIAL_WARNING]
    return "\n".join(lines) + "\n"


def safe_name(name: object) -> str:
    """A chart name fit for a file name and a zip member (letters, digits, '-' and '_'; never a path)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(name))[:80] or "chart"


def chart_csv_zip(rows: list[dict], name: str, query: str, version: str) -> bytes:
    """A chart's download: the CSV of exactly the points it shows, and the citation sidecar, in one zip.
    Anything but a list of row objects (a tampered request) gives an empty CSV."""
    rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    df = pd.DataFrame(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(df.columns)
    for row in df.itertuples(index=False):
        writer.writerow(["" if _missing(v) else safe_cell(_text(v)) for v in row])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}.csv", buf.getvalue())
        sources = df if {"series_title", "citation", "licence", "retrieved_at"} <= set(df.columns) else \
            pd.DataFrame(columns=["series_title", "citation", "licence", "retrieved_at"])
        zf.writestr(f"{name}_sources.txt", sidecar_text(sources, query, version))
    return out.getvalue()


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT


def _text(v):
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v
