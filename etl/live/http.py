"""One small HTTP client for the publishers: timeouts, retries with backoff and jitter, Retry-After, conditional
requests, and checks that a body is the data asked for (not an HTML page, not cut short)."""
from __future__ import annotations

import csv
import email.utils
import gzip
import io
import json
import random
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import urllib3

from etl.live.config import HttpSettings
from etl.sources._table import looks_like_html

RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRY_AFTER_STATUSES = {429, 503}


class FetchError(Exception):
    """A request that gave no usable data: the message names the URL, the HTTP status and the reason."""

    def __init__(self, url: str, reason: str, status: int | None = None, attempts: int | None = None):
        self.url, self.reason, self.status, self.attempts = url, reason, status, attempts
        tried = f" (after {attempts} attempts)" if attempts and attempts > 1 else ""
        super().__init__(f"{url}: {f'HTTP {status}' if status else 'no response'}: {reason}{tried}")


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes | None  # None for 304 Not Modified
    attempts: int = 1
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Client:
    """requests.Session with the project's timeout and retry policy. `sleep` and `now` are seams for tests."""

    settings: HttpSettings = field(default_factory=HttpSettings)
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    requests_sent: int = 0

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, *, params: dict | None = None, headers: dict | None = None,
            etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET with retries. With `etag` / `last_modified` the request is conditional: 304 means unchanged."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        s = self.settings
        started = time.monotonic()
        shown = _shown_url(url, params)
        last: FetchError | None = None
        for attempt in range(1, s.max_attempts + 1):
            wait = None
            try:
                self.requests_sent += 1
                r = self.session.get(url, params=params, headers=headers, stream=True,
                                     timeout=(s.connect_timeout_s, s.read_timeout_s))
                shown = redact(r.url)
                try:
                    body = _read_whole(r, shown)
                finally:
                    r.close()
                if r.status_code in RETRY_STATUSES:
                    last = FetchError(shown, f"{r.status_code} {r.reason or ''}".strip() + _excerpt(body),
                                      r.status_code, attempt)
                    if r.status_code in RETRY_AFTER_STATUSES and (ra := r.headers.get("Retry-After")):
                        wait = parse_retry_after(ra, self.now())
                        if wait is not None and wait > s.retry_after_cap_s:
                            raise FetchError(shown, f"{r.status_code} {r.reason}: Retry-After asks to wait "
                                             f"{wait:.0f} s, more than the cap of {s.retry_after_cap_s:.0f} s "
                                             "(LIVE_RETRY_AFTER_CAP_S): try again later", r.status_code, attempt)
                elif r.status_code == 304:
                    return Response(shown, 304, dict(r.headers), None, attempt, time.monotonic() - started)
                elif r.status_code >= 400:  # 4xx other than 429: asking again will not help
                    raise FetchError(shown, f"{r.status_code} {r.reason}" + _excerpt(body), r.status_code, attempt)
                else:
                    return Response(shown, r.status_code, dict(r.headers), body, attempt, time.monotonic() - started)
            except _Truncated as exc:
                last = FetchError(shown, str(exc), exc.status, attempt)
            except requests.Timeout as exc:
                last = FetchError(shown, f"timed out (connect {s.connect_timeout_s:g} s, read {s.read_timeout_s:g} s: "
                                  f"{type(exc).__name__})", None, attempt)
            except requests.ConnectionError as exc:
                last = FetchError(shown, f"connection failed ({_first_line(exc)})", None, attempt)
            except requests.RequestException as exc:
                last = FetchError(shown, f"request failed ({type(exc).__name__}: {_first_line(exc)})", None, attempt)
            if attempt < s.max_attempts:
                self.sleep(wait if wait is not None else backoff(attempt, s.backoff_base_s, s.backoff_cap_s))
        assert last is not None
        raise last


def backoff(attempt: int, base_s: float, cap_s: float) -> float:
    """Exponential backoff with equal jitter: between half and all of min(cap, base * 2^(attempt-1))."""
    delay = min(cap_s, base_s * 2 ** (attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def parse_retry_after(value: str, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class _Truncated(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _read_whole(r: requests.Response, url: str) -> bytes:
    """The raw body as sent (gzip transfer-encoding undone); shorter than its Content-Length is truncated."""
    try:
        body = r.raw.read(decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.Timeout(str(exc)) from None
    except Exception as exc:  # urllib3 IncompleteRead / ProtocolError: the connection closed mid-body
        raise _Truncated(f"truncated body: the connection closed before the end ({_first_line(exc)})",
                         r.status_code) from None
    expected = r.headers.get("Content-Length")
    if expected and expected.isdigit() and not r.headers.get("Content-Encoding"):
        if len(body) != int(expected):
            raise _Truncated(f"truncated body: {len(body)} of the {expected} bytes announced by Content-Length",
                             r.status_code)
    return body


def check_body(resp: Response, kind: str) -> object:
    """Raise FetchError when a 200 body is not the `kind` of data expected: json (parsed and returned), csv or any.

    An HTML page (a login, error or bot-challenge page), JSON that does not parse, a CSV cut mid-row or a truncated
    gzip stream is an error naming the URL, the status and the reason: never an empty load."""
    body = resp.body or b""
    url, status = resp.url, resp.status
    if not body.strip():
        raise FetchError(url, "empty body where data was expected", status)
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (EOFError, OSError, zlib.error) as exc:
            raise FetchError(url, f"gzip stream is truncated or corrupt ({exc})", status) from None
    ctype = resp.headers.get("Content-Type", "").lower()
    head = body[:2048].decode("utf-8", errors="replace")
    if "text/html" in ctype or looks_like_html(head):
        title = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
        seen = f" titled {title.group(1).strip()[:80]!r}" if title else ""
        raise FetchError(url, f"an HTML page{seen} where {kind.upper()} data was expected (a bot-challenge, login "
                         "or error page?)", status)
    text = body.decode("utf-8-sig", errors="replace")
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FetchError(url, f"the JSON does not parse ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
                             "a truncated or broken response", status) from None
    if kind == "csv":
        _check_csv(url, status, text)
    return None


def _check_csv(url: str, status: int, text: str) -> None:
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
        n = len(header)
        for row in reader:
            if row and len(row) != n:
                raise FetchError(url, f"CSV cut mid-row: line {reader.line_num} has {len(row)} of the header's {n} "
                                 "fields (a truncated download?)", status)
    except csv.Error as exc:
        raise FetchError(url, f"CSV does not parse at line {reader.line_num} ({exc}): a truncated download?",
                         status) from None


def _excerpt(body: bytes | None) -> str:
    text = (body or b"")[:200].decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())[:120]
    return f" ({text})" if text else ""


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


SECRET_PARAMS = ("client_id", "key", "api_key", "token", "subscription-key")


def redact(url: str) -> str:
    """The URL with secret query values (IDMC's client_id...) replaced by ***, for messages and the archive."""
    return re.sub(r"(?i)([?&](?:" + "|".join(map(re.escape, SECRET_PARAMS)) + r")=)[^&#]*", r"\1***", url)


def _shown_url(url: str, params: dict | None) -> str:
    return redact(requests.Request("GET", url, params=params).prepare().url or url)
