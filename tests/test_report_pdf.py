"""Report text from PDF: the same candidates as the same sentences in a text file, and a PDF that cannot be read whole
is rejected whole with the store unchanged (the failure policy of every format).

The PDF fixture is SYNTHETIC: `tests/fixtures/reports/make_pdf.py` lays out the quoted sentences of
`idlib_sentences.txt` as a PDF (a heading, a narrow wrapped column, list items, a running foot with page numbers and a
sentence cut by the page break). No publisher's PDF is carried.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select

from etl import store as ops
from etl.__main__ import main
from etl.extract import pdf
from etl.models import Candidate, LoadRun
from etl.records import FileRejected, snapshot
from etl.sources import report_text

REPORTS = Path(__file__).resolve().parent / "fixtures" / "reports"
PDF = REPORTS / "idlib_sentences.pdf"
TEXT = REPORTS / "idlib_sentences.txt"


def _make_pdf():
    spec = importlib.util.spec_from_file_location("make_pdf", REPORTS / "make_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gazetteer():
    from etl.extract import train
    return train.gazetteer()


def test_the_committed_fixture_is_what_its_script_writes(tmp_path):
    assert _make_pdf().build(tmp_path / "again.pdf") == PDF.read_bytes()


def test_the_text_is_the_prose_without_layout():
    """Wrapped lines are joined, the heading and list items are paragraphs of their own (the list marks dropped), the
    running foot and page numbers are gone, and the sentence cut by the page break is whole again."""
    read = pdf.read(PDF, PDF.read_bytes())
    paragraphs = read.text.split("\n\n")
    body = TEXT.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert paragraphs == ["North-west Syria: the offensive on Idlib"] + [p.strip() for p in body.split("\n\n")]
    assert "Synthetic test fixture of the displacement dashboard" not in read.text
    assert (read.pages, read.created) == (2, dt.date(2026, 11, 29))
    assert read.title.startswith("SYNTHETIC test fixture")


def _candidates(path, gazetteer, **kw):
    report = report_text.transform(snapshot(path), gazetteer, **kw)
    return report, [(c["value"], c["qualifier"], c["kind"], c["location_code"], c["origin_code"], c["period_start"],
                     c["period_end"], c["sentence"], c["number_text"]) for c in report.candidates]


def test_a_pdf_gives_the_candidates_of_the_same_sentences_as_text(gazetteer):
    _, as_text = _candidates(TEXT, gazetteer)
    report, as_pdf = _candidates(PDF, gazetteer, place="XSY-NW", report_date=dt.date(2020, 2, 15))
    assert as_pdf == as_text
    assert {c[0] for c in as_pdf} == {800_000, 200_000, 3_600_000}  # never the soldiers, troops or posts
    text = pdf.read(PDF, PDF.read_bytes()).text
    for c in report.candidates:  # offsets are in the PDF's plain text
        assert text[c["char_start"]:c["char_end"]] == c["sentence"]


def test_without_a_date_the_pdf_is_dated_by_its_document_information(gazetteer):
    report, _ = _candidates(PDF, gazetteer, place="XSY-NW")
    assert report.document["report_date"] == report.document["published_on"] == dt.date(2026, 11, 29)
    assert report.document["doc_title"].startswith("SYNTHETIC test fixture")


def test_a_pdf_is_recognised_and_loaded_as_report_text(engine, capsys, tmp_path, monkeypatch):
    ops.init(engine)
    result = ops.load(engine, PDF, place="XSY-NW", report_date=dt.date(2020, 2, 15))  # no format given
    assert result.status == "success", result.message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Candidate)) == 3
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    assert main(["load", str(PDF), "--date", "2020-02-15", "--place", "XSY-NW", "--publisher", "the project",
                 "--title", "A synthetic layout", "--source-kind", "news"]) == 0
    assert "3 candidate figures" in capsys.readouterr().out
    from etl import db as etl_db
    cli = etl_db.make_engine(f"sqlite:///{db}")
    with cli.connect() as conn:
        docs = set(conn.execute(select(Candidate.doc_title, Candidate.doc_publisher, Candidate.source_kind,
                                       Candidate.doc_url)))
    cli.dispose()
    assert docs == {("A synthetic layout", "the project", "news", "file:idlib_sentences.pdf")}


def _bad_pdfs(tmp_path) -> dict[str, tuple[Path, str]]:
    make = _make_pdf()
    good = PDF.read_bytes()
    out = {}
    cut = tmp_path / "truncated.pdf"
    cut.write_bytes(good[: len(good) // 2])
    out["truncated"] = (cut, "truncated PDF")
    out["encrypted"] = (tmp_path / "encrypted.pdf", "encrypted PDF")
    make.build(out["encrypted"][0], user_password="secret")
    out["scanned"] = (tmp_path / "scanned.pdf", "no text in the PDF")
    make.build(out["scanned"][0], text=False)
    garbled = tmp_path / "garbled.pdf"
    garbled.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    out["garbled"] = (garbled, "not a readable PDF")
    return out


@pytest.mark.parametrize("case", ["truncated", "encrypted", "scanned", "garbled"])
def test_a_pdf_that_cannot_be_read_whole_is_rejected_whole(engine, tmp_path, gazetteer, case):
    ops.init(engine)
    assert ops.load(engine, PDF, place="XSY-NW").status == "success"
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(Candidate))
    path, reason = _bad_pdfs(tmp_path)[case]
    with pytest.raises(FileRejected, match=reason):
        report_text.transform(snapshot(path), gazetteer)
    result = ops.load(engine, path, place="XSY-NW")
    assert result.status == "rejected" and reason in result.message and path.name in result.message
    assert result.exit_code != 0
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Candidate)) == before
        (run,) = conn.execute(select(LoadRun.status, LoadRun.message).where(LoadRun.path == str(path))).all()
    assert run.status == "rejected" and reason in run.message


def test_a_page_number_or_running_line_is_dropped_only_at_a_page_edge():
    line = pdf._Line
    pages = [[line("Flash update No. 3", 800, "F", 10), line("In Ariha, some", 700, "F", 10),
              line("12", 690, "F", 10), line("families fled.", 680, "F", 10), line("More left.", 670, "F", 10),
              line("2", 40, "F", 10)],
             [line("Flash update No. 4", 800, "F", 10), line("More than 900 returned.", 700, "F", 10),
              line("Page 3 of 3", 40, "F", 10)]]
    kept = [[ln.text for ln in page] for page in pdf._without_running_lines(pages)]
    # the running head repeats (digits aside) and the page numbers sit at a page's edge: both go; a number alone on
    # a line of the body stays
    assert kept == [["In Ariha, some", "12", "families fled.", "More left."], ["More than 900 returned."]]


def test_lines_are_joined_into_paragraphs_by_their_layout():
    def line(text, y, fonts=("Body",), size=10.0):
        return pdf._Line(text, y, fonts[0], size, set(fonts))

    lines = [line("Situation overview", 800, ("Bold",)),  # a heading: no font in common with the body
             line("Some 5,000 people fled from", 780),
             line("Ariha, where glob-like shelling", 768, ("Code", "Body")),  # a word in another font: no break
             line("continued; many went to north-", 756),
             line("west Idlib.", 744),
             line("- More than 900 returned.", 732),  # a list item
             line("New paragraph after a gap.", 700),
             line("Footnote in small type.", 690, size=7.0),  # another size
             line("Families moved towards the", 680),
             line("border with Turkey.", 800),  # the top of the next column: the sentence runs on
             line("Schools reopened.", 788)]
    assert pdf._dehyphenate(pdf.unwrap(lines)).split("\n\n") == [
        "Situation overview",
        "Some 5,000 people fled from Ariha, where glob-like shelling continued; many went to north-west Idlib.",
        "More than 900 returned.", "New paragraph after a gap.", "Footnote in small type.",
        "Families moved towards the border with Turkey. Schools reopened."]


def test_what_the_review_found_in_the_layout():
    """Cases a review of the PDF reader found (twenty-fourth session), each lost a figure before."""
    def line(text, y, size=10.0):
        return pdf._Line(text, y, "Body", size, {"Body"})

    # a word cut by a hyphen at a line's end is whole again; "north-west" keeps its hyphen
    cut = [line("Some 948,000 people have been dis-", 700), line("placed in north-", 688), line("west Syria.", 676)]
    assert pdf._dehyphenate(pdf.unwrap(cut)) == "Some 948,000 people have been displaced in north-west Syria."
    # a dash that opens a line inside a sentence is no list item
    dash = [line("Some 2,000 people", 700), line("— mostly women and children — fled to Afrin.", 688)]
    assert pdf._dehyphenate(pdf.unwrap(dash)) == "Some 2,000 people — mostly women and children — fled to Afrin."
    # a sentence runs on into the next column even when it goes on with a capital or a digit
    column = [line("Since 1 December, an estimated", 100), line("948,000 people have been displaced.", 700)]
    assert pdf.unwrap(column) == "Since 1 December, an estimated 948,000 people have been displaced."
    # a sentence of the body is not a running head because the next page opens alike
    pages = [[line("Idlib: 1,200 people were displaced yesterday.", 800), line("More text here.", 788)],
             [line("Idlib: 3,400 people were displaced today.", 800), line("Other text here.", 788)]]
    assert [len(page) for page in pdf._without_running_lines(pages)] == [2, 2]


def test_a_pdf_of_too_many_pages_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    with pytest.raises(FileRejected, match="PDF of 2 pages; report text is read from at most 1"):
        pdf.read(PDF, PDF.read_bytes())


def test_a_small_archive_that_unpacks_into_gigabytes_is_refused(tmp_path, gazetteer, monkeypatch):
    import gzip

    monkeypatch.setattr(report_text, "MAX_REPORT_BYTES", 1 << 20)
    bomb = tmp_path / "report.txt"
    bomb.write_bytes(gzip.compress(b"0" * (3 << 20), 9))  # 3 KB that unpack to 3 MB
    with pytest.raises(FileRejected, match="more than 1 MB of report text"):
        report_text.transform(snapshot(bomb), gazetteer)


def test_a_pdf_is_known_by_its_versioned_header_not_by_the_word():
    assert pdf.is_pdf(PDF.read_bytes()[:1024])
    assert pdf.is_pdf(b"\x00junk before it\n%PDF-1.4\n%\xe2\xe3")  # junk before the header: allowed
    assert not pdf.is_pdf(b"%PDF- is the header a PDF starts with; this report is plain text.\n")
    assert not pdf.is_pdf(b"x" * 1024 + b"%PDF-1.7")  # beyond the first 1,024 bytes
