"""The text of a PDF report, read with pypdf (pure Python; nothing in the file is run), as plain text whose line
breaks are those of the prose: lines wrapped by the layout are joined, headings and list items end a paragraph.

A PDF that cannot be read whole is rejected whole (`FileRejected`), as every other format is: a truncated file (no
end-of-file marker: a cut download), one pypdf cannot parse, one that needs a password, one a page of which cannot
be read, and one with no text layer (a scan: run it through OCR first).
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.records import FileRejected

MAX_PAGES = 500  # a situation report is tens of pages; more is refused, not read for minutes
READ_SECONDS = 60.0  # and a PDF whose text takes longer than this to read is refused (gunicorn's timeout is 120 s)
SOFT_HYPHEN = "\u00ad"  # marks a hyphen at a line's end while the pages are joined (see `_dehyphenate`)
# a hyphen at a line's end after these stays: "north-west", "sub-district", "cross-border", "non-food"
_KEEP_HYPHEN_AFTER = {"north", "south", "east", "west", "sub", "cross", "non", "self", "well", "long", "short", "co",
                      "re", "pre", "post", "anti", "semi", "half", "inter", "multi", "so", "ex", "mid", "near", "far",
                      "full", "part", "low", "high", "old", "new", "one", "two", "three", "four", "five", "six", "year",
                      "month", "week", "day", "un", "government", "community", "camp", "host", "food", "door"}
_END_PUNCT = tuple(".!?:;\"”’)")
_BULLET = re.compile(r"^(?:[•▪●◦‣∙·*]|\d{1,2}[.)])\s+")
_DASH_BULLET = re.compile(r"^[-–—]\s+")  # a list item only after a line that ended ("— mostly women —" runs on)
_MARK = re.compile(r"^(?:[•▪●◦‣∙·*]|[-–—])\s+")  # a list item's mark, not part of its sentence
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)


@dataclass(frozen=True)
class PdfText:
    text: str
    title: str | None  # the document information's /Title, if set
    created: dt.date | None  # its /CreationDate, if set and a date
    pages: int


_HEADER = re.compile(rb"%PDF-[12]\.\d")


def is_pdf(head: bytes) -> bool:
    """A PDF starts with its header "%PDF-1.7" (some writers put a few bytes of junk before it; the format allows
    1,024). The version is part of the test, so a text report that mentions "%PDF-" near its start stays text."""
    return _HEADER.search(head[:1024]) is not None


def read(path: Path | str, raw: bytes) -> PdfText:
    from pypdf import PdfReader  # imported here: only reports that are PDFs need it
    from pypdf.errors import DependencyError, PdfReadError, PdfStreamError

    path = Path(path)
    if b"%%EOF" not in raw[-2048:]:
        raise FileRejected(path, "truncated PDF: no end-of-file marker (%%EOF) at its end; download it again")
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # defects it works round (odd font encodings) are common
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected(path, "encrypted PDF: it needs a password to open; save an unprotected copy")
        if len(reader.pages) > MAX_PAGES:
            raise FileRejected(path, f"PDF of {len(reader.pages):,} pages; report text is read from at most "
                                     f"{MAX_PAGES} (split it, or load the pages that matter)")
        pages = []
        started = time.monotonic()
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() - started > READ_SECONDS:
                raise FileRejected(path, f"PDF too slow to read: over {READ_SECONDS:.0f} s at page {number}")
            try:
                pages.append(_lines(page))
            except Exception as exc:  # pypdf raises many kinds on a damaged page: all mean it cannot be read
                raise FileRejected(path, f"page {number} of the PDF cannot be read "
                                         f"({type(exc).__name__}: {exc})") from None
        info = reader.metadata
        title = (info.title or "").strip() or None if info else None
        created = _date(info) if info else None
    except FileRejected:
        raise
    except DependencyError as exc:
        raise FileRejected(path, f"encrypted PDF that this installation cannot open ({exc})") from None
    except (PdfReadError, PdfStreamError) as exc:
        raise FileRejected(path, f"not a readable PDF ({exc})") from None
    except Exception as exc:  # a damaged file can break pypdf in other ways: the same verdict, with what broke
        raise FileRejected(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not any(pages):
        raise FileRejected(path, f"no text in the PDF's {len(pages)} page(s): a scanned document? "
                                 "Run it through OCR (for example ocrmypdf) and load the result")
    return PdfText(_dehyphenate(_join_pages([unwrap(lines) for lines in _without_running_lines(pages)])), title,
                   created, len(pages))


def _date(info) -> dt.date | None:
    try:
        when = info.creation_date
    except (ValueError, TypeError):
        return None
    return when.date() if when else None


@dataclass
class _Line:
    text: str
    y: float  # the baseline's height on the page (PDF units, up the page)
    font: str  # the one most of its text is in
    size: float  # likewise
    fonts: set[str] = field(default_factory=set)  # of all its pieces
    pieces: list[tuple[str, str, float]] = field(default_factory=list, repr=False)


def _lines(page) -> list[_Line]:
    """The page's lines in the order its content draws them, each with its height and font, from the text pypdf
    hands its visitor (the position is the text matrix taken through the current transformation matrix)."""
    lines: list[_Line] = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str((font or {}).get("/BaseFont", ""))
        size = float(size or 0) * (abs(tm[2] * cm[1] + tm[3] * cm[3]) or 1)  # "1 Tf" scaled by Tm is common
        for k, part in enumerate(text.split("\n")):
            if not part.strip():
                continue
            if lines and k == 0 and abs(lines[-1].y - y) < 0.5 * max(size, 1):
                lines[-1].text += part  # the same line, drawn in pieces
                lines[-1].pieces.append((part, name, size))
            else:
                lines.append(_Line(part, y, name, size, pieces=[(part, name, size)]))

    page.extract_text(visitor_text=visit)
    for line in lines:
        line.text = re.sub(r"\s+", " ", line.text).strip()
        line.fonts = {f for _, f, _ in line.pieces}
        _, line.font, line.size = max(line.pieces, key=lambda p: len(p[0].strip()))
    return [ln for ln in lines if ln.text]


def unwrap(lines: list[_Line]) -> str:
    """One page's text with the layout's line breaks taken out. A line runs on into the next unless the gap between
    them is wider than the page's usual line spacing (a new paragraph), the type changes (a heading: another size, or
    no font in common; a word in bold or code inside a line is no heading), the next line
    is a list item (a dash only after a line that ended), or the next line is higher up the page (a new column) and
    the last ended a sentence. A hyphen at a line's end is marked for `_dehyphenate`."""
    gaps = [a.y - b.y for a, b in itertools.pairwise(lines) if a.y > b.y and a.size == b.size]
    usual = statistics.median(gaps) if gaps else 0.0
    out = ""
    for i, line in enumerate(lines):
        if i:
            prev = lines[i - 1]
            gap = prev.y - line.y
            ends = prev.text.endswith(_END_PUNCT)
            if (_BULLET.match(line.text) or (_DASH_BULLET.match(line.text) and (ends or prev.text.endswith(":")))
                    or abs(prev.size - line.size) > 0.5 or not prev.fonts & line.fonts
                    or (usual and gap > 1.3 * usual) or (gap <= 0 and ends)):
                out += "\n\n"
            elif prev.text.endswith("-") and line.text[:1].isalpha():
                out += SOFT_HYPHEN  # "dis-" + "placed", "north-" + "west": settled once the whole text is read
            else:
                out += " "
        out += _MARK.sub("", line.text) if out.endswith("\n\n") or not out else line.text
    return out.strip()


def _without_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """The pages without their running heads and feet: page numbers ("3", "Page 3 of 5") and lines repeated at the
    top or bottom of more than one page (digits aside: "Situation report No. 5 | 12 February 2020"), which would
    otherwise land in the middle of a sentence cut by the page break."""
    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    edges = [{key(ln) for ln in page[:2] + page[-2:]} for page in pages]
    repeated = {k for k in set().union(*edges) if sum(k in e for e in edges) > 1} if len(pages) > 1 else set()
    sizes = [ln.size for page in pages for ln in page]
    body = statistics.median(sizes) if sizes else 0.0

    def running(ln: _Line) -> bool:
        # a sentence in the body's type is no running line, even if the next page opens alike ("Idlib: 1,200 people
        # were displaced." and "Idlib: 3,400 ...")
        return key(ln) in repeated and (not ln.text.endswith((".", "!", "?")) or ln.size < body - 0.5)

    out = []
    for page in pages:
        edge = page[:2] + page[-2:]
        out.append([ln for ln in page if not (ln in edge and (running(ln) or _PAGE_NUMBER.match(ln.text)))])
    return out


def _dehyphenate(text: str) -> str:
    """Words cut by a hyphen at a line's end: "dis-" + "placed" is "displaced" when the text writes "displaced"
    elsewhere, or when the first part is no prefix that keeps its hyphen ("north-west", "sub-district"), the word
    goes on in lower case and the text never writes it hyphenated; else the hyphen stays."""
    words = set(re.findall(r"[a-z]+", text.lower()))

    def join(m: re.Match) -> str:
        head, tail = m.group(1), m.group(2)
        whole = (head[:-1] + tail).lower()
        if whole in words or (head[:-1].lower() not in _KEEP_HYPHEN_AFTER and tail[:1].islower()
                              and f"{head[:-1]}-{tail}".lower() not in text.lower()):
            return head[:-1] + tail
        return head + tail

    return re.sub(rf"(\w+-){SOFT_HYPHEN}(\w+)", join, text).replace(SOFT_HYPHEN, "")


def _join_pages(pages: list[str]) -> str:
    """Pages one after another; a sentence cut by a page break runs on (the page ended without ending it)."""
    out = ""
    for page in pages:
        if not page:
            continue
        if out:
            out += " " if not out.endswith(_END_PUNCT) else "\n\n"
        out += page
    return out
