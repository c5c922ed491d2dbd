"""Raw responses archived by date as received, with a meta JSON each, and the per-source state that makes the next
request conditional (ETag / Last-Modified) or lets an identical body be skipped (sha256)."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from etl.live.http import Response

KEPT_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Date", "Retry-After",
                "Cache-Control")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class RunArchive:
    """One source's archive folder for one run: <archive>/<source>/<YYYY-MM-DD>/<HHMMSS>Z/."""

    root: Path
    source: str
    started: dt.datetime

    @property
    def folder(self) -> Path:
        return self.root / self.source / f"{self.started:%Y-%m-%d}" / f"{self.started:%H%M%S}Z"

    @property
    def state_path(self) -> Path:
        return self.root / self.source / "state.json"

    def save_response(self, name: str, resp: Response) -> Path:
        """Write the body exactly as received and `<name>.meta.json` (url, status, headers, sha256, retrieved_at)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        body = resp.body or b""
        _write_atomic(path, body)
        meta = {"url": resp.url, "status": resp.status, "sha256": sha256(body), "size_bytes": len(body),
                "retrieved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "attempts": resp.attempts,
                "seconds": round(resp.seconds, 3),
                "headers": {k: v for k in KEPT_HEADERS if (v := _header(resp.headers, k)) is not None}}
        _write_atomic(path.with_name(name + ".meta.json"), json.dumps(meta, indent=2).encode())
        return path

    def save_file(self, name: str, data: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        _write_atomic(path, data)
        return path

    def write_manifest(self, rows: list[dict]) -> None:
        """MANIFEST.csv beside the load files: the loader reads retrieval date, channel and licence from it."""
        cols = ["file", "format", "retrieved_on", "release", "released_on", "channel", "obtained_from", "licence"]
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in cols})
        _write_atomic(self.folder / "MANIFEST.csv", out.getvalue().encode())

    def load_state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def save_state(self, state: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.state_path, json.dumps(state, indent=2, sort_keys=True).encode())


def state_entry(resp: Response, path: Path) -> dict:
    """What the next run needs to ask conditionally or to recognise the same body."""
    return {"sha256": sha256(resp.body or b""), "etag": _header(resp.headers, "ETag"),
            "last_modified": _header(resp.headers, "Last-Modified"), "path": str(path)}


def _header(headers: dict, name: str) -> str | None:
    lower = {k.lower(): v for k, v in headers.items()}
    return lower.get(name.lower())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
