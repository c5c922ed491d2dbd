"""Exports without a browser: the streaming full-data CSV, its sources sidecar, each chart's CSV zip, the PNG."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest
from conftest import SAMPLES, load_samples, sample_files
from sqlalchemy.orm import Session

from etl import db
from etl.export import EXPORT_COLUMNS, FORMULA_PREFIXES, ExportFilter
from etl.models import Document, LoadRun, Place, Release, Series

ROOT = Path(__file__).resolve().parent.parent
NUMBER_COLUMNS = {"value", "value_low", "value_high", "origin_admin_level", "location_admin_level", "vintage_number"}
DATE_COLUMNS = {"reference_period_start", "reference_period_end", "published_on", "retrieved_at"}
SYRIANS_IN_TURKEY = "?from=2019-01-01&to=2020-12-31&origin=SYR&location=TUR&group=REF"
IDMC_LICENCE = "CC BY-NC-SA 3.0 IGO"
MEMORY_BUDGET = 25_000_000  # bytes of Python allocations while streaming; the CSV itself is ~40 MB
SYNTHETIC_ROWS = 200_000


@pytest.fixture
def client(served_app, use_store):
    """An HTTP client of the app reading the real samples (a test may switch store with use_store)."""
    return served_app.server.test_client()


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def assert_every_cell_is_safe(header: list[str], rows: list[dict]) -> None:
    """Read every cell: numbers are plain integers, dates ISO, no text a spreadsheet would run as a formula."""
    for i, row in enumerate(rows, start=2):
        for col in header:
            cell = row[col]
            where = f"line {i}, column {col}: {cell!r}"
            if cell == "":
                continue
            if col in NUMBER_COLUMNS:
                assert re.fullmatch(r"\d+", cell), f"not a plain number at {where}"
            elif col in DATE_COLUMNS:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell), f"not an ISO date at {where}"
            else:
                assert not cell.startswith(FORMULA_PREFIXES), f"formula-looking text at {where}"


# --- the streaming full-data export ---------------------------------------------------------------------

def test_export_csv_streams_the_rows_matching_the_filters(client):
    resp = client.get(f"/export.csv{SYRIANS_IN_TURKEY}", buffered=False)

    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.is_streamed
    assert re.match(r'attachment; filename="displacement_\d{8}\.csv"', resp.headers["Content-Disposition"])
    header, rows = read_csv(b"".join(resp.response).decode("utf-8"))

    assert header == list(EXPORT_COLUMNS)
    assert rows, "the filter matches real figures"
    assert {(r["origin_code"], r["location_code"], r["population_group"]) for r in rows} == {("SYR", "TUR", "REF")}
    assert all("2019-01-01" <= r["reference_period_end"] <= "2020-12-31" for r in rows)
    by_publisher = {(r["publisher"], r["reference_period_end"], r["breakdown"]): r["value"] for r in rows}
    assert by_publisher[("UNHCR", "2019-12-31", "total")] == "3576370"  # a number, not "'3576370" nor 3,576,370
    assert by_publisher[("People's Daily (French ed.)", "2020-01-21", "total")] == "3649750"
    unhcr = next(r for r in rows if r["publisher"] == "UNHCR" and r["measure"] == "stock")
    assert (unhcr["licence"], unhcr["retrieved_at"], unhcr["value_low"]) == ("CC BY 4.0", "2026-11-25", "")
    assert_every_cell_is_safe(header, rows)


def test_export_csv_of_an_empty_result_is_the_header_alone(client):
    resp = client.get("/export.csv?from=1950-01-01&to=1950-12-31")

    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == ",".join(EXPORT_COLUMNS) + "\n"


def test_export_csv_neutralises_formula_text_and_keeps_numbers(client, use_store, tmp_path):
    """A real sample whose source cells were edited to look like spreadsheet formulas."""
    src = SAMPLES / "turkey_temporary_protection_sample.csv"
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"))))
    formulas = {1: '=HYPERLINK("http://example.invalid","x") citing DGMM', 2: "+90 212 citing DGMM",
                3: "-2+3 news citing DGMM", 10: "@SUM(A1:A9) citing DGMM"}
    for line, text in formulas.items():
        rows[line][rows[0].index("source")] = text
    copy = tmp_path / src.name
    with copy.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    (tmp_path / "MANIFEST.csv").write_bytes((SAMPLES / "MANIFEST.csv").read_bytes())
    url = f"sqlite:///{tmp_path / 'formulas.db'}"
    eng = db.make_engine(url)
    load_samples(eng, [copy])
    eng.dispose()
    use_store(url)

    body = client.get("/export.csv?from=2017-01-01&to=2021-12-31").get_data(as_text=True)
    print(body[:500])
    header, out = read_csv(body)

    titles = {r["source_title"] for r in out}
    assert {"'" + text for text in formulas.values()} <= titles
    publishers = {r["publisher"] for r in out}  # the loader takes the name before "citing" or a comma
    assert {"'+90 212", "'-2+3 news", "'@SUM(A1:A9)", "'=HYPERLINK(\"http://example.invalid\""} <= publishers
    turkey_2017 = next(r for r in out if r["location_code"] == "TUR" and r["reference_period_end"] == "2017-09-28")
    assert (turkey_2017["value"], turkey_2017["source_title"][:2]) == ("3208131", "'=")
    assert_every_cell_is_safe(header, out)


def test_sources_sidecar_cites_each_source_with_licence_date_filters_and_version(client):
    from dashboard.queries import core

    resp = client.get(f"/export.sources.txt{SYRIANS_IN_TURKEY}")
    text = resp.get_data(as_text=True)

    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert "attachment" in resp.headers["Content-Disposition"]
    version = core.data_version(core.store_engine())
    assert f"Data version: {version}\n" in text and not version.startswith("0.")
    assert "Filters: ?from=2019-01-01&to=2020-12-31&location=TUR&group=REF\n" in text
    source_lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(source_lines) == 2  # one per series: UNHCR, and DGMM figures as quoted by the press
    for line in source_lines:
        assert re.search(r"Cite as: .+\. Licence: .+\. Retrieved: \d{4}-\d{2}-\d{2}\.$", line), line
    assert any("Refugee" in line and "Licence: CC BY 4.0." in line and "Retrieved: 2026-11-25." in line
               for line in source_lines)
    assert "Official statistics, quoted by the press" in text  # the DGMM figures quoted by the press
    assert "IDMC" not in text and IDMC_LICENCE not in text


def test_sources_sidecar_warns_when_idmc_data_is_included(client):
    text = client.get("/export.sources.txt?from=2019-01-01&to=2019-12-31&origin=SYR&location=SYR&group=IDP") \
        .get_data(as_text=True)
    csv_text = client.get("/export.csv?from=2019-01-01&to=2019-12-31&origin=SYR&location=SYR&group=IDP") \
        .get_data(as_text=True)

    assert "6495000" in csv_text  # IDMC's conflict IDPs in Syria, end 2019
    assert f"Licence: {IDMC_LICENCE}." in text
    assert "\nWARNING: This export contains data for non-commercial use only: IDMC data are licensed CC BY-NC-SA " \
           "3.0 IGO" in text


def test_exports_say_so_when_the_store_is_empty(client, use_store, _empty_store):
    use_store(_empty_store)

    for path in ("/export.csv", "/export.sources.txt"):
        resp = client.get(path)
        assert resp.status_code == 503
        assert "has not been built" in resp.get_data(as_text=True)


# --- a chart's CSV zip ------------------------------------------------------------------------------------

def chart_records(engine, flt: ExportFilter) -> list[dict]:
    """Rows as a page puts them in the chart's dcc.Store: records, through Dash's JSON encoding."""
    from dashboard.queries import core

    df = core.figures(engine, flt)
    return json.loads(pio.json.to_json_plotly(df.to_dict("records")))


def test_chart_csv_zip_holds_exactly_the_rows_and_a_citation_sidecar(served_app):
    from dashboard import exports
    from dashboard.queries import core

    engine = core.store_engine()
    records = chart_records(engine, ExportFilter(origin_codes=("SYR",), location_codes=("TUR",),
                                                 population_groups=("REF",)))
    records.append({**records[0], "note": "=cmd|' /C calc'!A0", "source_title": "+danger", "value": 7})

    data = exports.chart_csv_zip(records, "refugees-hosted", "?origin=SYR&location=TUR", 3)

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["refugees-hosted.csv", "refugees-hosted_sources.txt"]
        header, rows = read_csv(zf.read("refugees-hosted.csv").decode("utf-8"))
        sidecar = zf.read("refugees-hosted_sources.txt").decode("utf-8")
    assert header == list(records[0])
    assert len(rows) == len(records)
    for got, want in zip(rows, records, strict=True):  # every cell read back
        for col in header:
            value = want[col]
            expected = "" if value is None else str(int(value)) if isinstance(value, float) and value.is_integer() \
                else str(value)
            if expected.startswith(FORMULA_PREFIXES):
                expected = "'" + expected
            assert got[col] == expected, (col, got[col], value)
    assert rows[-1]["note"] == "'=cmd|' /C calc'!A0" and rows[-1]["source_title"] == "'+danger"
    assert "3576370" in {r["value"] for r in rows}
    assert "Filters: ?origin=SYR&location=TUR" in sidecar and "Data version: 3" in sidecar
    assert "Licence: CC BY 4.0." in sidecar and "Cite as: " in sidecar
    assert "WARNING" not in sidecar


def test_chart_csv_zip_with_a_row_without_source_still_has_its_sidecar():
    """A chart may hold a 'no data' row (an area without a figure): no licence, no citation."""
    from dashboard import exports

    rows = [{"area": "Kilis", "value": 115760, "publisher": "People's Daily (French ed.)", "series_title": "DGMM",
             "citation": "DGMM via the press", "licence": "Official statistics", "retrieved_at": "2026-11-25"},
            {"area": "Hatay", "value": None, "publisher": None, "series_title": None, "citation": None,
             "licence": None, "retrieved_at": None}]

    files = {n: z for n, z in _unzip(exports.chart_csv_zip(rows, "bars", "", 1)).items()}

    assert files["bars.csv"].splitlines()[2] == "Hatay,,,,,,"
    assert "Licence: Official statistics." in files["bars_sources.txt"]
    assert "None" not in files["bars_sources.txt"] and "nan" not in files["bars_sources.txt"]


def _unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}


def test_chart_csv_zip_of_an_empty_chart_still_has_its_sidecar():
    from dashboard import exports

    with zipfile.ZipFile(io.BytesIO(exports.chart_csv_zip([], "empty", "", 0))) as zf:
        assert zf.read("empty.csv").decode() == "\n"
        assert "Figures: 0" in zf.read("empty_sources.txt").decode()


# --- PNG -------------------------------------------------------------------------------------------------

PNG_SCRIPT = """
import json, sys
import plotly.graph_objects as go
from dashboard import png
geo = json.load(open("assets/geo/syr_admin1_ocha_simplified.geojson"))
codes = [f["properties"]["ADM1_PCODE"] for f in geo["features"]]
figures = {
    "bars": go.Figure(go.Bar(x=["Idleb", "Aleppo"], y=[1, 2]), layout={"title": {"text": "Bars"}}),
    "geo": go.Figure(go.Choropleth(locations=["SYR", "TUR"], z=[1, 2]),
                     layout={"geo": {"lataxis": {"range": [30, 40]}, "lonaxis": {"range": [33, 45]}}}),
    "map": go.Figure(go.Choroplethmap(geojson=geo, locations=codes, z=list(range(len(codes))),
                                      featureidkey="properties.ADM1_PCODE"),
                     layout={"map": {"style": "white-bg", "center": {"lat": 35, "lon": 38}, "zoom": 5}}),
}
out = {}
for name, fig in figures.items():
    data = png.render(fig.to_dict())  # as the Download PNG callback passes it: the graph's figure dict
    out[name] = {"magic": data[:8].hex(), "size": len(data)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def png_run():
    """Render a bar chart, a geo map and a MapLibre map with dashboard/png.py in a child process whose
    Chromium is told to use a local recording proxy: any request it tries to send anywhere is recorded."""
    seen: list[str] = []
    proxy = socket.socket()
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(50)

    def record():
        while True:
            try:
                conn, _ = proxy.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    seen.append(conn.recv(4096).split(b"\r\n")[0].decode(errors="replace"))
                except OSError:
                    pass

    threading.Thread(target=record, daemon=True).start()
    address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    env = {**os.environ, "http_proxy": address, "https_proxy": address, "all_proxy": address,
           "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", PNG_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    seconds = time.monotonic() - started
    time.sleep(0.2)
    proxy.close()
    assert done.returncode == 0, done.stderr[-3000:]
    return {"images": json.loads(done.stdout.strip().splitlines()[-1]), "requests": seen, "seconds": seconds}


@pytest.mark.parametrize("name", ["bars", "geo", "map"])
def test_png_download_is_a_png(png_run, name):
    image = png_run["images"][name]

    assert image["magic"] == b"\x89PNG\r\n\x1a\n".hex()
    assert image["size"] > 10_000  # a drawn figure, not an empty canvas


def test_png_render_sends_no_request_off_the_machine(png_run):
    print(f"3 PNGs in {png_run['seconds']:.1f} s")
    assert png_run["requests"] == [], "kaleido's Chromium tried to reach the network: " + "; ".join(
        png_run["requests"][:6])


def test_png_uses_the_shipped_map_geometry():
    from dashboard import png

    assert pio.defaults.topojson == png.TOPOJSON_DIR.as_uri() + "/"
    assert (png.TOPOJSON_DIR / "world_110m.json").is_file() and (png.TOPOJSON_DIR / "world_50m.json").is_file()


# --- memory: streaming many rows ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> str:
    """A SQLite store of 200,000 SYNTHETIC figures (series titled so), to measure the streaming export."""
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.db"
    url = f"sqlite:///{path}"
    eng = db.make_engine(url)
    db.upgrade(eng)
    with Session(eng) as s:
        s.add_all([Place(code=c, name=n, kind="country", admin_level=0, country_iso3=c, source="synthetic")
                   for c, n in (("SYR", "Syria"), ("TUR", "Türkiye"))])
        series = Series(slug="synthetic", title="SYNTHETIC figures for the memory test (not real data)",
                        publisher="synthetic", originator="synthetic", source_kind="registration",
                        licence="synthetic, not data", citation="synthetic rows generated by tests/test_exports.py")
        s.add(series)
        s.flush()
        parts = [Release(series_id=series.id, label="synthetic"),
                 Document(series_id=series.id, title="SYNTHETIC", url="file:///dev/null", publisher="synthetic",
                          retrieved_on=dt.date(2026, 1, 1)),
                 LoadRun(source="synthetic", path="-", status="success", started_at=dt.datetime.now(dt.UTC))]
        s.add_all(parts)
        s.flush()
        ids = [series.id] + [p.id for p in parts]
        s.commit()
    with eng.begin() as conn:  # generated by SQLite itself: 200,000 rows in about a second
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO observation (identity_key, series_id, population_group, measure, origin_code, location_code,"
            " period_start, period_end, sex, age_group, cause, breakdown, unit, vintage, is_latest, release_id, value,"
            " qualifier, document_id, run_id, note, is_secondary, is_suspected_typo, is_rounded, is_preliminary) "
            "SELECT 'syn' || i, ?, 'REF', 'stock', 'SYR', 'TUR', date('2000-01-01', '+' || (i % 9000) || ' days'),"
            " date('2000-01-01', '+' || (i % 9000) || ' days'), 'all', 'all', 'all', 'total', 'people', 1, 1, ?, i,"
            " 'exact', ?, ?, 'synthetic row ' || i, 0, 0, 0, 0 FROM n",
            (SYNTHETIC_ROWS - 1, *ids))
    eng.dispose()
    return url


def test_streaming_export_of_200k_rows_stays_within_a_memory_budget(client, use_store, synthetic_store):
    use_store(synthetic_store)
    tracemalloc.start()
    try:
        started = time.monotonic()
        resp = client.get("/export.csv?from=1900-01-01&to=2100-12-31", buffered=False)
        first_chunk_after, size, lines = None, 0, 0
        for chunk in resp.response:
            first_chunk_after = first_chunk_after or time.monotonic() - started
            size += len(chunk)
            lines += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"{lines - 1} rows, {size / 1e6:.1f} MB streamed in {time.monotonic() - started:.1f} s "
          f"(first chunk after {first_chunk_after:.2f} s); peak Python allocations {peak / 1e6:.1f} MB")

    assert resp.status_code == 200
    assert lines == SYNTHETIC_ROWS + 1
    assert size > MEMORY_BUDGET  # holding the whole response would not fit in the budget
    assert peak < MEMORY_BUDGET


def test_sample_files_listed_in_the_manifest_exist():
    assert [p.name for p in sample_files()] and all(p.is_file() for p in sample_files())
    assert pd.read_csv(SAMPLES / "MANIFEST.csv")["file"].is_unique


def test_touching_codes_select_movements_into_or_out_of_the_areas(served_app):
    """ExportFilter.touching_codes (the Border page's movements) = origin in the codes OR location in them: the
    union of the two one-sided filters, nothing else, on the real sample movements."""
    from dashboard.queries import core

    engine = core.store_engine()
    moves = core.figures(engine, ExportFilter(measures=("movement",)))
    places = sorted(set(moves["location_code"]) | set(moves["origin_code"].dropna()))
    touched = {c: ((moves["location_code"] == c) | (moves["origin_code"] == c)).sum() for c in places}
    codes = (min(places, key=lambda c: (touched[c], c)),)  # the area fewest movements touch
    assert len(moves) > touched[codes[0]] > 0
    touching = core.figures(engine, ExportFilter(measures=("movement",), touching_codes=codes))
    into = core.figures(engine, ExportFilter(measures=("movement",), location_codes=codes))
    out_of = core.figures(engine, ExportFilter(measures=("movement",), origin_codes=codes))
    want = set(into["observation_id"]) | set(out_of["observation_id"])
    assert set(touching["observation_id"]) == want
    assert len(touching) == len(want) < len(moves)  # no row twice, and the filter does leave rows out
    assert (touching["location_code"].isin(codes) | touching["origin_code"].isin(codes)).all()
