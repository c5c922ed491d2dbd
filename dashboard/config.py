"""Dashboard settings, read once from the environment when the app starts."""
from __future__ import annotations

import os

from etl import config as etl_config

DATABASE_URL = etl_config.database_url()
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8050"))
DEBUG = os.environ.get("DASH_DEBUG") == "1"

# Scale-out settings (see .env.example and docs/deploy.md).
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None  # set: one cache shared by every worker and machine
# SimpleCache: one cache per worker process; NullCache: no caching. CACHE_REDIS_URL set means RedisCache.
CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "SimpleCache")
CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "3600"))  # seconds; old data versions expire
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "displacement:")
EXPOSE_WORKER = os.environ.get("DASHBOARD_EXPOSE_WORKER") == "1"  # X-Worker-Pid header on every response
