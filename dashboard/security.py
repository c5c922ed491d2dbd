"""Security headers (a Content-Security-Policy with no off-site origin) on every response, and error pages and
callback errors that tell the client nothing about the server (no traceback, no path, no SQL)."""
from __future__ import annotations

import logging

import dash
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError, dash.exceptions.DashException)
ERROR_ID = "server-error"  # an alert in app.py's layout
GENERIC_ERROR = "Something went wrong on the server. The error has been logged; please try again or report it."

# 'unsafe-eval' is not granted: the browser tests (tests/test_browser.py, tests/test_accessibility.py, which
# fail on any CSP violation) pass without it on every page, including plotly.js's maps, Sankey and charts.
# Inline styles are allowed: Dash's components and plotly.js set style attributes and inject <style> elements.
# blob: workers: plotly.js's map traces (maplibre) start their web workers from blob: URLs.
STATIC_DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
}


def content_security_policy(app: dash.Dash) -> str:
    """The CSP header value: scripts from this server plus the hashes of Dash's inline scripts (its renderer
    start and the app's clientside callbacks), which `app.csp_hashes()` computes from what Dash serves."""
    directives = {"script-src": " ".join(["'self'", *dict.fromkeys(app.csp_hashes())]), **STATIC_DIRECTIVES}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def register(app: dash.Dash) -> None:
    """Headers on every response of app.server; plain error pages; generic callback errors."""
    server: Flask = app.server

    @server.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(app)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _error_response(exc.code or 500, exc.name)

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Callback bodies never raise to here (pages guard them; app.py's go through callback_error), so an
        # error on the callback route comes from Dash reading a request that is not what its renderer sends.
        if request.path.endswith("/_dash-update-component") and isinstance(exc, MALFORMED):
            log.warning("refused a malformed callback request (%s)", type(exc).__name__)
            return _error_response(400, "Bad Request")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, "Internal error")

    # Dash 4 passes app._on_error (the Dash(on_error=...) argument) to every callback that raises.
    app._on_error = callback_error  # noqa: SLF001


def callback_error(exc: Exception) -> None:
    """A callback raised: the traceback goes to the server log; the page shows one generic sentence in the
    layout's ERROR_ID alert and its outputs stay as they were (no traceback, path or SQL reaches the client)."""
    log.error("callback %s failed: %s", dash.ctx.triggered_id, type(exc).__name__, exc_info=exc)
    dash.set_props(ERROR_ID, {"children": GENERIC_ERROR})


def _error_response(status: int, title: str):
    """A short answer with no detail: JSON for API-like requests, a tiny HTML page otherwise."""
    if request.path.startswith("/_dash") or request.accept_mimetypes.best == "application/json":
        return jsonify({"status": status, "error": title}), status
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status} {title}</title></head>'
            f"<body><h1>{status} {title}</h1><p>{GENERIC_ERROR if status >= 500 else 'Nothing here.'}</p>"
            '<p><a href="/">Back to the dashboard</a></p></body></html>')
    return Response(body, status=status, mimetype="text/html")
