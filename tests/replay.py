"""A real HTTP server on 127.0.0.1 that replays scripted publisher responses (tests/fixtures/replay/) and records
every request it receives. Run as a script it measures a paginated UNHCR fetch against itself."""
from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from etl.live.config import HttpSettings, LiveSettings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "replay"


@dataclass
class Reply:
    """One scripted response. `delay_s` waits before the status line; `truncate_to` announces the full
    Content-Length but sends only that many bytes, then closes the connection."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    truncate_to: int | None = None


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        return path == self.path and all(query.get(k, [None])[0] == str(v) for k, v in self.query.items())

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]  # the last reply repeats
        self.served += 1
        return reply


class ReplayServer:
    """ThreadingHTTPServer on 127.0.0.1, port 0, in a daemon thread."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="replay", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def route(self, path: str, *replies: Reply, query: dict | None = None) -> None:
        """Serve `replies` in order to requests for `path` (whose query contains `query`); the last one repeats.
        Routes with a query are tried first; a later route for the same path and query replaces the earlier."""
        query = {k: str(v) for k, v in (query or {}).items()}
        self.routes = [r for r in self.routes if not (r.path == path and r.query == query)]
        self.routes.append(_Route(path, query, list(replies)))
        self.routes.sort(key=lambda r: -len(r.query))

    def fixture(self, relative: str) -> bytes:
        """A fixture file's bytes with `{base}` replaced by this server's address."""
        return (FIXTURES / relative).read_bytes().replace(b"{base}", self.base_url.encode())

    def ok(self, relative: str, content_type: str = "application/json", **headers: str) -> Reply:
        return Reply(200, self.fixture(relative), {"Content-Type": content_type, **headers})

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def _record(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            route = next((r for r in self.routes if r.matches(seen.path, seen.query)), None)
            return route.next_reply() if route else Reply(404, b"no route in the replay script", {})


def _handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            reply = server._record(Seen("GET", parts.path, parse_qs(parts.query), dict(self.headers)))
            if reply.delay_s:
                time.sleep(reply.delay_s)
            headers = dict(reply.headers)
            etag, modified = headers.get("ETag"), headers.get("Last-Modified")
            if reply.status == 200 and ((etag and self.headers.get("If-None-Match") == etag) or
                                        (modified and self.headers.get("If-Modified-Since") == modified)):
                reply = Reply(304, b"", {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")})
                headers = reply.headers
            try:
                self.send_response(reply.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.truncate_to is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body[: reply.truncate_to] if reply.truncate_to is not None else reply.body)
                self.wfile.flush()
                if reply.truncate_to is not None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True  # the client gave up (a timeout test): nothing to answer

        def log_message(self, *args) -> None:
            pass

    return Handler


# --- the publishers as scripted for the live-fetcher tests ---------------------------------------------
UNHCR = "/population/v1/population/"
HDX_META = "/api/3/action/package_show"
HDX_FILE = ("/dataset/32d0365c-d513-4721-8d66-1b19b12c4b08/resource/80911e9b-7527-469a-a545-4074860e1288/download/"
            "hdx_hapi_idps_global.csv")
IDMC = "/external-api/gidd/conflicts/"
DTM = "/v3/displacement/admin0"
FAST = HttpSettings(connect_timeout_s=1.0, read_timeout_s=0.5, max_attempts=3, backoff_base_s=0.01,
                    backoff_cap_s=0.05, retry_after_cap_s=5.0)


def live_settings(replay: ReplayServer, archive: Path, **changes) -> LiveSettings:
    """Every publisher at the replay server; tiny retry waits; the fixtures' page sizes and years."""
    base = replay.base_url
    values = dict(http=FAST, archive_dir=archive, unhcr_url=base + UNHCR, unhcr_year_from=2023,
                  unhcr_year_to=2025, unhcr_page_limit=3, hdx_url=base + "/api/3/action/",
                  idmc_url=base + IDMC, idmc_client_id="replay-client-id", idmc_page_limit=5,
                  dtm_url=base + "/v3/displacement/", dtm_api_key="replay-subscription-key", dtm_countries=("TCD",),
                  dtm_admin_levels=("0",))
    values.update(changes)
    return LiveSettings(**values)


def script_normal(replay: ReplayServer, etag: bool = False) -> None:
    """Every publisher answering normally. With `etag`, the data responses carry ETag and Last-Modified."""
    tags = (lambda name: {"ETag": f'"{name}-v1"', "Last-Modified": "Mon, 20 Jan 2025 10:11:12 GMT"}) if etag else (
        lambda name: {})
    for page in (1, 2, 3):
        replay.route(UNHCR, replay.ok(f"unhcr/population_page{page}.json", **tags(f"p{page}")), query={"page": page})
    replay.route(HDX_META, replay.ok("hdx/package_show_hdx_hapi_idps.json"), query={"id": "hdx-hapi-idps"})
    replay.route(HDX_FILE, replay.ok("hdx/hdx_hapi_idps_global.csv", "text/csv", **tags("hdx")))
    for offset in (0, 5):
        replay.route(IDMC, replay.ok(f"idmc/conflicts_offset{offset}.json", **tags(f"idmc{offset}")),
                     query={"offset": offset})
    replay.route(DTM, replay.ok("iom_dtm/admin0_tcd.json", **tags("dtm")), query={"Admin0Pcode": "TCD"})


def html(replay: ReplayServer, status: int = 200) -> Reply:
    return Reply(status, replay.fixture("common/bot_challenge.html"), {"Content-Type": "text/html; charset=UTF-8"})


# --- measurement: a paginated UNHCR fetch of N pages against the replay server ----------------------------------

def synthetic_unhcr_pages(n_pages: int, rows_per_page: int) -> list[bytes]:
    """SYNTHETIC pages for timing only: the sample's real rows repeated with shifted years, in the API's envelope."""
    sample = json.loads((FIXTURES / "unhcr" / "population_page1.json").read_text())["items"]
    pages = []
    for p in range(n_pages):
        items = [{**sample[i % len(sample)], "year": 1951 + (p * rows_per_page + i) // 6000}
                 for i in range(rows_per_page)]
        pages.append(json.dumps({"page": p + 1, "short-url": "", "maxPages": n_pages, "total": [],
                                 "items": items}).encode())
    return pages


def measure(n_pages: int, rows_per_page: int) -> dict:
    import tempfile

    from etl.live import unhcr
    from etl.live.archive import RunArchive
    from etl.live.fetch import FetchContext
    from etl.live.http import Client

    server = ReplayServer().start()
    try:
        path = "/population/v1/population/"
        pages = synthetic_unhcr_pages(n_pages, rows_per_page)
        for i, body in enumerate(pages, start=1):
            server.route(path, Reply(200, body, {"Content-Type": "application/json"}), query={"page": i})
        with tempfile.TemporaryDirectory() as tmp:
            import datetime as dt
            settings = LiveSettings(http=HttpSettings(max_attempts=2, backoff_base_s=0.01),
                                    archive_dir=Path(tmp), unhcr_url=server.base_url + path,
                                    unhcr_page_limit=rows_per_page)
            client = Client(settings.http)
            archive = RunArchive(Path(tmp), "unhcr", dt.datetime.now(dt.UTC))
            started = time.perf_counter()
            fetched = unhcr.fetch(FetchContext(settings, client, archive, {}))
            seconds = time.perf_counter() - started
            client.close()
            http_s = sum(json.loads(m.read_text())["seconds"] for m in archive.folder.glob("*.meta.json"))
            size = sum(len(b) for b in pages)
            return {"pages": n_pages, "rows_per_page": rows_per_page, "requests": len(server.requests_to(path)),
                    "bytes": size, "seconds": round(seconds, 3),
                    "http_seconds": round(http_s, 3), "files": [p.name for p, _ in fetched.files]}
    finally:
        server.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="time a paginated UNHCR fetch against the replay server")
    ap.add_argument("--pages", type=int, default=14)
    ap.add_argument("--rows-per-page", type=int, default=10_000)
    a = ap.parse_args()
    print(json.dumps(measure(a.pages, a.rows_per_page)))
