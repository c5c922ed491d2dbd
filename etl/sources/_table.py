"""Read a delimited text file strictly: undecodable, truncated, HTML or column-less files are rejected whole."""
from __future__ import annotations

import codecs
import csv
import gzip
import itertools
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from etl.records import FileRejected

csv.field_size_limit(10_000_000)
# A spreadsheet cell holds at most 32,767 characters: a longer cell is a pasted document or an unbalanced quote
# that swallowed the lines after it, never a figure's note.
MAX_CELL_CHARS = 32_767
BLOCK_BYTES = 1 << 20
CHUNK_LINES = 5_000  # data lines per chunk of a streamed table
_DATA_LIKE = re.compile(r"[\d\s.,:/+-]*\d[\d\s.,:/+T-]*")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip; a truncated archive is a rejected file."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise FileRejected(path, f"gzip archive is truncated or corrupt ({exc})") from None
    return raw


def read_head(path: Path, n_bytes: int) -> bytes:
    """The first `n_bytes` of the file (gunzipped when it is gzip), without reading the rest."""
    with Path(path).open("rb") as fh:
        magic = fh.read(2)
        fh.seek(0)
        if magic != b"\x1f\x8b":
            return fh.read(n_bytes)
        try:
            with gzip.GzipFile(fileobj=fh) as gz:
                return gz.read(n_bytes)
        except (EOFError, OSError, zlib.error) as exc:
            raise FileRejected(path, f"gzip archive is truncated or corrupt ({exc})") from None


def iter_bytes(path: Path, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """The file's bytes in blocks (gunzipped when it is gzip); a truncated archive is a rejected file."""
    with Path(path).open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        src = gzip.GzipFile(fileobj=fh) if gz else fh
        try:
            while block := src.read(block_bytes):
                yield block
        except (EOFError, OSError, zlib.error) as exc:
            raise FileRejected(path, f"gzip archive is truncated or corrupt ({exc})") from None


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without byte-order mark) or UTF-16 with a BOM; anything else is rejected with its line."""
    return "".join(iter_text(path, [raw]))


def iter_text(path: Path, blocks: Iterable[bytes] | None = None) -> Iterator[str]:
    """The file decoded block by block, by decode()'s rules: UTF-8 (with or without byte-order mark) or UTF-16
    with a BOM; anything else is rejected with its line, wherever in the file it is."""
    blocks = iter(iter_bytes(path) if blocks is None else blocks)
    first = next(blocks, b"")
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        decoder = codecs.getincrementaldecoder("utf-16")()
    elif _looks_like_utf16(first):
        raise FileRejected(path, "UTF-16 without a byte-order mark (every other byte is NUL): save the file as "
                           "UTF-8, or as UTF-16 with a byte-order mark")
    else:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
    utf16 = first[:2] in (b"\xff\xfe", b"\xfe\xff")
    newlines = 0  # in the bytes decoded so far (a partial character held by the decoder is never a newline)
    checked = 0  # characters checked for NUL at the start of the text
    for raw, final in _with_last(itertools.chain([first], blocks)):
        try:
            text = decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            if utf16:
                raise FileRejected(path, f"not valid UTF-16: {exc.reason}") from None
            line = newlines + exc.object[: exc.start].count(b"\n") + 1
            raise FileRejected(path, f"not UTF-8: byte 0x{exc.object[exc.start]:02x} cannot be decoded "
                               "(save the file as UTF-8)", row=line) from None
        newlines += raw.count(b"\n")
        if checked < 4096 and not utf16:
            if "\x00" in text[: 4096 - checked]:
                raise FileRejected(path, "binary content (NUL bytes): not a text table")
            checked += len(text)
        if text:
            yield text


def _with_last(items: Iterable) -> Iterator[tuple[object, bool]]:
    """(item, is_last) for each item; one empty final item when there are none."""
    it = iter(items)
    prev = next(it, b"")
    for item in it:
        yield prev, False
        prev = item
    yield prev, True


def iter_lines(blocks: Iterable[str]) -> Iterator[str]:
    """Lines split on "\\n" only, line ends kept (as io.StringIO splits them, so csv sees quoted line breaks)."""
    rest = ""
    for block in blocks:
        parts = (rest + block).split("\n")
        rest = parts.pop()
        for part in parts:
            yield part + "\n"
    if rest:
        yield rest


def check_text(path: Path) -> Iterator[str]:
    """The decoded text blocks of a file that is not empty and not an HTML page (rejected otherwise)."""
    blocks = iter_text(path)
    head = ""
    for block in blocks:
        head += block
        if len(head.lstrip()) >= 512:
            break
    if not head.strip():
        raise FileRejected(path, "file is empty")
    if looks_like_html(head):
        raise FileRejected(path, "an HTML page instead of data (a login, error or bot-challenge page?)", row=1)
    return itertools.chain([head], blocks)


def _looks_like_utf16(raw: bytes) -> bool:
    """Text in UTF-16 without a BOM: mostly-ASCII text has NUL as every other byte."""
    head = raw[:4096]
    if len(head) < 8 or b"\x00" not in head:
        return False
    evens, odds = head[0::2], head[1::2]
    return max(evens.count(0) / len(evens), odds.count(0) / len(odds)) > 0.6


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<?xml")) or "<body" in head


def read_header(path: Path, n_bytes: int = 65536) -> list[str] | None:
    """The first line's column names, or None when the file is not a readable table (used for detection)."""
    try:
        raw = read_head(path, n_bytes)
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = raw.decode("utf-16", errors="replace")
        else:  # only whole lines: a character cut at the byte limit must not make a valid file unreadable
            text = raw[: raw.rfind(b"\n") + 1 or len(raw)].decode("utf-8-sig", errors="strict")
    except (FileRejected, UnicodeDecodeError, OSError):
        return None
    if looks_like_html(text):
        return None
    first = text.splitlines()[0] if text else ""
    return [c.strip() for c in next(csv.reader([first]), [])]


def read_csv_strict(path: Path, required: list[str], *, skip_lines: int = 0) -> pd.DataFrame:
    """All cells as text (nothing becomes NaN or 0 by itself), with `row_number` = the file's line number."""
    chunks = list(iter_csv_strict(path, required, skip_lines=skip_lines))
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


def iter_csv_strict(path: Path, required: list[str], *, skip_lines: int = 0,
                    chunk_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """read_csv_strict in chunks of `chunk_lines` data lines, read as they are needed: memory does not grow with
    the file. A defect anywhere (undecodable byte, short row, unbalanced quote) raises FileRejected when its chunk
    is read, so a caller that writes chunk by chunk must do it in one transaction and roll back."""
    chunk_lines = chunk_lines or CHUNK_LINES
    lines = iter_lines(check_text(path))
    for _ in range(skip_lines):
        next(lines, None)
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileRejected(path, "file has no header row") from None
    except csv.Error as exc:
        raise FileRejected(path, f"malformed CSV ({exc}): truncated file or unbalanced quotes",
                           row=reader.line_num + skip_lines) from None
    no_header = (" (the first line looks like data: is the header row missing?)"
                 if any(_DATA_LIKE.fullmatch(h) for h in header) else "")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise FileRejected(path, f"duplicated column name(s): {', '.join(dup)}{no_header}", row=skip_lines + 1)
    missing = [c for c in required if c not in header]
    if missing:
        hint = no_header
        if len(header) == 1 and any(d in header[0] for d in ";\t|"):
            hint = " (the file seems to use another delimiter than a comma)"
        raise FileRejected(path, f"missing column(s) {', '.join(missing)}{hint}; found: {', '.join(header)[:300]}",
                           row=skip_lines + 1, column=missing[0])
    rows, numbers = [], []
    any_rows = False
    try:
        for row in reader:
            line = reader.line_num + skip_lines
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise FileRejected(path, f"row has {len(row)} fields but the header has {len(header)} "
                                   "(truncated file or stray delimiter?)", row=line)
            if any(len(c) > MAX_CELL_CHARS for c in row):
                i = next(i for i, c in enumerate(row) if len(c) > MAX_CELL_CHARS)
                raise FileRejected(path, f"a cell of {len(row[i]):,} characters, longer than a spreadsheet cell "
                                   f"holds ({MAX_CELL_CHARS:,}): a pasted document or an unbalanced quote?",
                                   row=line, column=header[i])
            rows.append(row)
            numbers.append(line)
            if len(rows) >= chunk_lines:
                yield _frame(rows, header, numbers)
                rows, numbers, any_rows = [], [], True
    except csv.Error as exc:
        raise FileRejected(path, f"malformed CSV ({exc}): truncated file or unbalanced quotes",
                           row=reader.line_num + skip_lines) from None
    if rows or not any_rows:
        if not rows:
            raise FileRejected(path, "file has a header but no data rows")
        yield _frame(rows, header, numbers)


def _frame(rows: list[list[str]], header: list[str], numbers: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=header, dtype="str")
    df["row_number"] = numbers
    return df
