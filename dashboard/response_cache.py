"""Whole responses of the read-only chart callbacks, cached by data version (the fast path's second layer).

A callback's response is a pure function of its request body (the filter values the browser sends), the store's
data version and, for the freshness view, today's date. So the bytes of a 200 response are kept in the shared
cache (Redis when configured: every worker sees them) under those three, and the same request is answered
without running the queries, the pandas work, or building and encoding the figures again. A load, refresh or
review changes the data version, which leaves every cached response behind at once.

Only the callbacks named in READ_ONLY take part: never the review and override callbacks (they write, and
what they show depends on who asks), nor the ledger views that show write controls. DASHBOARD_FAST_PATH=0 (the
benchmarks' baseline) switches this off with the query cache."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import dash
from flask import Response, g, has_request_context, request

from dashboard import cache, config

log = logging.getLogger(__name__)
READ_ONLY = frozenset({"update_overview", "update_trends", "_update", "update_border", "update_people",
                       "update_catalogue", "update_quantities", "update_compare", "update_status",
                       "update_freshness"})
ENDPOINT = "_dash-update-component"


def read_only_outputs(app: dash.Dash) -> frozenset[str]:
    """The output strings (as the browser sends them in `output`) of the read-only callbacks."""
    return frozenset(key for key, cb in app.callback_map.items()
                     if (fn := cb.get("callback")) is not None and fn.__name__ in READ_ONLY)


def response_key(version: str, body: bytes, today: dt.date) -> str:
    digest = hashlib.sha256(body).hexdigest()[:40]
    return f"r:{version}:{today.isoformat()}:{digest}"


class _FailureMark(logging.Handler):
    """Marks the request when anything logs an error during it: a callback that caught an error answers 200
    with a sentence in the page, and that answer must not outlive the fault."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR and has_request_context():
            g.response_cache_skip = True


def register(app: dash.Dash) -> None:
    """Answer repeated read-only callback requests from the cache; keep the bytes of fresh 200 answers."""
    server = app.server
    root = logging.getLogger()
    if not any(isinstance(h, _FailureMark) for h in root.handlers):
        if not root.handlers and logging.lastResort is not None:
            root.addHandler(logging.lastResort)  # what Python prints when no handler is set, kept as it was
        root.addHandler(_FailureMark(level=logging.ERROR))
    outputs: dict[str, frozenset[str]] = {}

    def _outputs() -> frozenset[str]:
        if "set" not in outputs:  # the callback map is complete once the first request is served
            outputs["set"] = read_only_outputs(app)
        return outputs["set"]

    @server.before_request
    def _cached_response() -> Response | None:
        if not config.FAST_PATH or request.method != "POST" or not request.path.endswith(ENDPOINT) \
                or cache.cache.app is None or cache.backend_name() == "NullCache":
            return None
        body = request.get_data(cache=True)
        try:
            output = json.loads(body).get("output")
        except (ValueError, AttributeError):
            return None  # Dash answers a malformed body itself
        if not isinstance(output, str) or output not in _outputs():
            return None
        from dashboard.queries import core

        engine = core.store_engine()
        version = cache.store_version(engine) if engine is not None else None
        if version is None:
            return None
        key = response_key(version, body, dt.date.today())
        try:
            hit = cache.cache.get(key)
        except Exception as exc:  # noqa: BLE001 - a cache outage must not take the page down
            log.warning("response cache get failed (%s)", type(exc).__name__)
            return None
        if isinstance(hit, bytes):
            return Response(hit, status=200, mimetype="application/json")
        g._response_cache_key = key
        return None

    @server.after_request
    def _keep_response(response: Response) -> Response:
        key = g.pop("_response_cache_key", None)
        if key and response.status_code == 200 and not response.direct_passthrough \
                and not g.get("response_cache_skip"):
            try:
                cache.cache.set(key, response.get_data())
            except Exception as exc:  # noqa: BLE001
                log.warning("response cache set failed (%s)", type(exc).__name__)
        return response
