"""Dashboard settings, read once from the environment when the app starts."""
from __future__ import annotations

import os

from etl import config as etl_config

DATABASE_URL = etl_config.database_url()
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8050"))
DEBUG = os.environ.get("DASH_DEBUG") == "1"

# Who may write (review candidates; ledger overrides later): see dashboard/auth.py and the README.
DASHBOARD_HOST = os.environ.get("DASHBOARD_HOST") or HOST  # the address app.py serves on (gunicorn: its --bind)
DASHBOARD_USERS = os.environ.get("DASHBOARD_USERS", "")  # "name:hash,..." (python -m dashboard.auth hash NAME)
DASHBOARD_TRUSTED_USER_HEADER = os.environ.get("DASHBOARD_TRUSTED_USER_HEADER", "")  # e.g. X-Forwarded-User
DASHBOARD_TRUSTED_PROXIES = os.environ.get("DASHBOARD_TRUSTED_PROXIES", "127.0.0.1,::1")  # who may send that header

SCHEDULE_FILE = etl_config.SCHEDULE_FILE  # expected cadence of each source, for the Data status page

# Scale-out settings (see .env.example and docs/deploy.md).
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None  # set: one cache shared by every worker and machine
# SimpleCache: one cache per worker process; NullCache: no caching. CACHE_REDIS_URL set means RedisCache.
# DASHBOARD_FAST_PATH=0 is the benchmarks' baseline (issue 7): no query cache and no summary tables, the plain
# queries on the observation table; every number must be the same either way (tests/test_fast_path.py).
FAST_PATH = os.environ.get("DASHBOARD_FAST_PATH", "1") != "0"
CACHE_TYPE = ("NullCache" if not FAST_PATH else
              os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "SimpleCache"))
CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "3600"))  # seconds; old data versions expire
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "displacement:")
EXPOSE_WORKER = os.environ.get("DASHBOARD_EXPOSE_WORKER") == "1"  # X-Worker-Pid header on every response
