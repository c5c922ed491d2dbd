"""Read a publisher's JSON API response strictly: undecodable, truncated or HTML responses are rejected whole."""
from __future__ import annotations

import json
from pathlib import Path

from etl.records import FileRejected
from etl.sources._table import decode, looks_like_html, read_bytes, read_head


def read_json(path: Path) -> object:
    """The parsed response; an HTML page or broken JSON is a rejected file with its line."""
    text = decode(path, read_bytes(path))
    if not text.strip():
        raise FileRejected(path, "file is empty")
    if looks_like_html(text):
        raise FileRejected(path, "an HTML page instead of a JSON response (a login, error or bot-challenge "
                           "page?)", row=1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected(path, f"not valid JSON ({exc.msg}): truncated response?", row=exc.lineno) from None


def head(path: Path, n_bytes: int = 8192) -> str:
    """The first characters of a file (gunzipped), for detection; empty when unreadable."""
    try:
        return read_head(Path(path), n_bytes).decode("utf-8-sig", errors="replace").lstrip()
    except (FileRejected, OSError):
        return ""


def cell(value: object) -> str | None:
    """A JSON value as published text: null stays None (missing, never 0), numbers keep their digits."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
