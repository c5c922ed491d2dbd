"""What every fetcher shares: conditional requests against the source's state, archiving as received, and the
result a fetcher returns (files for the offline loader, their fingerprint, whether anything changed)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from etl.live.archive import RunArchive, sha256, state_entry
from etl.live.config import LiveSettings
from etl.live.http import Client, FetchError, Response, _shown_url, check_body


class LiveError(Exception):
    """A source that cannot be fetched (a missing key, an unusable answer): it fails, the others go on."""


@dataclass
class Got:
    """One response's body, and whether it differs from the previous run's (how it was found unchanged if not)."""

    body: bytes
    changed: bool
    unchanged_by: str | None = None  # "304" or "same sha256"
    parsed: object = None  # the JSON, when the body was checked as JSON


@dataclass
class Fetched:
    """What a fetcher hands the loader: files in formats etl.formats reads, and the fingerprint of their schema."""

    files: list[tuple[Path, str | None]] = field(default_factory=list)  # (path, format or None = detect)
    fingerprint: dict | None = None
    changed: bool = True
    unchanged_by: str | None = None


@dataclass
class FetchContext:
    settings: LiveSettings
    client: Client
    archive: RunArchive
    state: dict  # the previous successful run's entries, by request URL (secrets redacted)
    new_state: dict = field(default_factory=dict)
    data_unchanged_by: list[str | None] = field(default_factory=list)  # one per data request

    @property
    def retrieved_on(self) -> dt.date:
        return self.archive.started.date()

    def get(self, name: str, url: str, *, params: dict | None = None, headers: dict | None = None,
            kind: str = "json", data: bool = True) -> Got:
        """GET once (with retries), conditionally when the previous run saw an ETag / Last-Modified.

        A changed body is archived as received under `name` and checked (HTML, truncation, parse); a 304 or an
        identical body reuses the previous run's archived copy. `data=False` marks metadata requests (HDX's
        package_show) whose changes alone do not make the source changed."""
        key = _shown_url(url, params)
        prev = self.state.get(key) or {}
        has_copy = bool(prev.get("path")) and Path(prev["path"]).is_file()
        resp: Response = self.client.get(url, params=params, headers=headers,
                                         etag=prev.get("etag") if has_copy else None,
                                         last_modified=prev.get("last_modified") if has_copy else None)
        if resp.not_modified:
            if not has_copy:  # a 304 to an unconditional request: nothing to reuse
                raise FetchError(resp.url, "304 Not Modified, but no earlier copy is archived", 304)
            got = Got(Path(prev["path"]).read_bytes(), False, "304")
            self.new_state[key] = prev
        elif has_copy and prev.get("sha256") == sha256(resp.body or b""):
            got = Got(resp.body or b"", False, "same sha256")
            self.new_state[key] = {**state_entry(resp, Path(prev["path"]))}
        else:
            path = self.archive.save_response(name, resp)
            got = Got(resp.body or b"", True, parsed=check_body(resp, kind))
            self.new_state[key] = state_entry(resp, path)
        if data:
            self.data_unchanged_by.append(got.unchanged_by)
        return got

    def result(self, files: list[tuple[str, str | None, bytes | None]], fingerprint: dict, manifest: dict) -> Fetched:
        """Unchanged when every data request was (304 or same sha256); else the load files written to the archive
        (data None: the response archived under that name is itself the load file)."""
        if self.data_unchanged_by and all(self.data_unchanged_by):
            how = "304" if all(u == "304" for u in self.data_unchanged_by) else "same sha256"
            return Fetched([], fingerprint, changed=False, unchanged_by=how)
        written = [(self.archive.save_file(name, data) if data is not None else self._archived(name), fmt)
                   for name, fmt, data in files]
        self.archive.write_manifest([{"file": p.name, "format": fmt or "",
                                      "retrieved_on": self.retrieved_on.isoformat(), **manifest}
                                     for p, fmt in written])
        return Fetched(written, fingerprint)


    def _archived(self, name: str) -> Path:
        path = self.archive.folder / name
        if not path.is_file():  # the response was unchanged but another one changed: copy the earlier body
            prev = next(e for e in self.new_state.values() if Path(e["path"]).name == name)
            path = self.archive.save_file(name, Path(prev["path"]).read_bytes())
        return path


def dumps(obj: object) -> bytes:
    """JSON as the loader's formats read it (publishers' separators, non-ASCII kept)."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def json_object(got: Got, url: str, required: tuple[str, ...]) -> dict:
    """The parsed body, which must be an object with the `required` keys (else the answer is not the API's)."""
    body = got.parsed if got.parsed is not None else json.loads(got.body)
    if not isinstance(body, dict):
        raise LiveError(f"{url}: the JSON is a {type(body).__name__}, not the API's object")
    missing = [k for k in required if k not in body]
    if missing:
        raise LiveError(f"{url}: the JSON has no {', '.join(repr(m) for m in missing)} (keys: "
                        f"{', '.join(list(body)[:10])}): not the expected API response")
    return body
