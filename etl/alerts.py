"""A failing source is told: one JSON line on stderr, and a POST to ALERT_WEBHOOK_URL when it is set
(with a timeout; a failing webhook is logged, never fatal)."""
from __future__ import annotations

import datetime as dt
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

from etl import config


def failure_record(source: str, error: str, last_success: dt.datetime | None, refresh_run_id: int,
                   status: str = "failed") -> dict:
    """The fields of a failure, as logged and as posted (`text` for chat webhooks such as Slack's)."""
    last = last_success.astimezone(dt.UTC).isoformat(timespec="seconds") if last_success else None
    host = socket.gethostname()
    return {"event": "refresh_source_failed", "source": source, "status": status, "error": error,
            "last_success": last, "run_id": refresh_run_id, "host": host,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "text": f"Displacement dashboard: source {source} failed on {host} (refresh {refresh_run_id}): {error}. "
                    f"Last success: {last or 'never'}."}


def log(record: dict, stream=None) -> None:
    """One JSON line on stderr: grep-able, and read whole by a log collector."""
    print(json.dumps(record, ensure_ascii=False), file=stream or sys.stderr, flush=True)


def post(record: dict, url: str | None = None, timeout: float | None = None) -> bool:
    """POST `record` as JSON to the webhook; True when it answered 2xx. Never raises, never waits past `timeout`."""
    url = url or config.alert_webhook_url()
    if not url:
        return False
    body = json.dumps(record, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "etl-refresh"})
    try:
        with urllib.request.urlopen(request, timeout=timeout or config.alert_timeout_seconds()) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:  # HTTPError is a URLError; timeouts are OSError
        log({"event": "alert_failed", "url": _safe(url), "error": f"{type(exc).__name__}: {exc}",
             "source": record.get("source"), "run_id": record.get("run_id")})
        return False


def report_failure(source: str, error: str, last_success: dt.datetime | None, refresh_run_id: int) -> dict:
    """Log the failure and alert the webhook (if configured). Returns the record."""
    record = failure_record(source, error, last_success, refresh_run_id)
    log(record)
    post(record)
    return record


def _safe(url: str) -> str:
    """The webhook's address without its path (a chat webhook's path is its secret)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
