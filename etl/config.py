"""Settings read once from the environment: where the store is and where the shipped data lives."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
RAW_DIR = Path(os.environ.get("RAW_DIR") or DATA_DIR / "raw")  # the shipped files refresh --offline reads
GAZETTEER_DIR = DATA_DIR / "gazetteer"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'displacement.db'}"


def database_url() -> str:
    """The store named by DATABASE_URL, or the embedded SQLite file under data/."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


SCHEDULE_FILE = Path(os.environ.get("SCHEDULE_FILE") or DATA_DIR / "schedule.toml")
# reports read from the review page are kept here as received (named by their SHA-256), as the CLI's files are kept
# wherever the operator put them: the load run and every candidate name the file and its digest
UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR") or DATA_DIR / "uploads")
UPLOAD_MAX_BYTES = 20 << 20  # a report read from the review page is at most 20 MB


def alert_webhook_url() -> str | None:
    """Where a failed refresh posts its alert (ALERT_WEBHOOK_URL); None: no alert is posted."""
    return os.environ.get("ALERT_WEBHOOK_URL") or None


def alert_timeout_seconds() -> float:
    """How long one alert POST may take before it is given up (ALERT_TIMEOUT_SECONDS, default 10)."""
    return float(os.environ.get("ALERT_TIMEOUT_SECONDS") or 10)


def bulk_load_bytes() -> int:
    """A streamed file at least this big (ETL_BULK_LOAD_MB, default 64) is loaded into SQLite with the observation
    table's secondary indexes dropped and rebuilt in the same transaction: one sort per index instead of random
    inserts into indexes far bigger than the page cache."""
    return int(float(os.environ.get("ETL_BULK_LOAD_MB") or 64) * (1 << 20))
