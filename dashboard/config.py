"""Dashboard settings, read once from the environment when the app starts."""
from __future__ import annotations

import os

from etl import config as etl_config

DATABASE_URL = etl_config.database_url()
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8050"))
DEBUG = os.environ.get("DASH_DEBUG") == "1"
SCHEDULE_FILE = etl_config.SCHEDULE_FILE  # expected cadence of each source, for the Data status page
