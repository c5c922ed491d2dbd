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
