"""The shared cache of page queries (Flask-Caching), keyed by the query, its arguments and the store's data version.

With CACHE_REDIS_URL every worker on every machine reads and writes one Redis, so they agree; otherwise each
worker keeps its own SimpleCache (or none: CACHE_TYPE=NullCache). A load, refresh or review changes the data
version, so every cached result is left behind at once, without a restart (old keys expire after
CACHE_DEFAULT_TIMEOUT seconds). The data version is read at most once per HTTP request."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, g, has_request_context
from flask_caching import Cache
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard import config
from etl import store

log = logging.getLogger(__name__)
cache = Cache()


def settings() -> dict[str, Any]:
    """Flask-Caching settings from the environment (read by dashboard.config)."""
    out: dict[str, Any] = {"CACHE_TYPE": config.CACHE_TYPE, "CACHE_DEFAULT_TIMEOUT": config.CACHE_DEFAULT_TIMEOUT,
                           "CACHE_KEY_PREFIX": config.CACHE_KEY_PREFIX, "CACHE_NO_NULL_WARNING": True}
    if config.CACHE_TYPE == "RedisCache":
        if not config.CACHE_REDIS_URL:
            raise ValueError("CACHE_TYPE=RedisCache needs CACHE_REDIS_URL (redis://host:6379/0)")
        out["CACHE_REDIS_URL"] = config.CACHE_REDIS_URL
    return out


def init_app(server: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Bind the cache to the app's Flask server (again, with `overrides`, to switch backend in a test)."""
    cache.init_app(server, config={**settings(), **(overrides or {})})


def backend_name() -> str:
    """'RedisCache', 'SimpleCache', 'NullCache', or 'none' before init_app."""
    if cache.app is None:
        return "none"
    return type(cache.cache).__name__


def data_version(conn: Connection) -> str:
    """The store's data version (etl.store.data_version): changes whenever the figures may have changed."""
    return store.data_version(conn)


def store_key(engine: Engine) -> str | None:
    """The store's part of a key (its URL without password, hashed), or None for a private in-memory store."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]


def store_version(engine: Engine) -> str | None:
    """The data version of `engine`'s store, read once per HTTP request (each call outside a request);
    None when it cannot be read (no schema yet): then nothing is cached."""
    store = store_key(engine)
    if store is None:
        return None
    memo = None
    if has_request_context():
        memo = g.setdefault("_data_versions", {})
        if store in memo:
            return memo[store]
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":  # no BEGIN and no ROLLBACK around two reads: fewer round trips
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            version = data_version(conn)
    except SQLAlchemyError:
        version = None
    if memo is not None:
        memo[store] = version
    return version


def _canon(value: Any) -> Any:
    """A JSON-able form of an argument that is the same in every process and on every machine."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return {"date": value.isoformat()}
    if isinstance(value, Engine):
        return {"store": store_key(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # compare=False fields (e.g. Filters.ignored: the words about a tampered URL) do not change a result
        return {"dataclass": f"{type(value).__module__}.{type(value).__qualname__}",
                "fields": {f.name: _canon(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}}
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(json.dumps(_canon(v), sort_keys=True) for v in value)}
    if isinstance(value, dict):
        return {"dict": sorted((str(k), _canon(v)) for k, v in value.items())}
    raise TypeError(f"a cached query cannot be keyed on a {type(value).__name__}")


def query_key(fn: Callable, version: str, args: tuple, kwargs: dict) -> str:
    """'q:<data version>:<module.function>:<hash of the arguments>' (the backend adds CACHE_KEY_PREFIX)."""
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()  # f(e, x) and f(e, x, share=False) are one key
    canon = json.dumps({k: _canon(v) for k, v in bound.arguments.items()}, sort_keys=True, ensure_ascii=True)
    digest = hashlib.sha256(canon.encode()).hexdigest()[:32]
    return f"q:{version}:{fn.__module__}.{fn.__qualname__}:{digest}"


def cached_query(fn: Callable) -> Callable:
    """Cache `fn(engine, ...)` per store, data version and arguments. The result is pickled, so every caller
    gets its own copy; a cache that cannot be reached (Redis down) is logged and the query runs uncached."""
    @functools.wraps(fn)
    def wrapper(engine: Engine, *args, **kwargs):
        if cache.app is None or not isinstance(engine, Engine) or not config.FAST_PATH:
            return fn(engine, *args, **kwargs)  # no app, a private store, or the baseline (DASHBOARD_FAST_PATH=0)
        version = store_version(engine)
        if version is None:
            return fn(engine, *args, **kwargs)
        key = query_key(fn, version, (engine, *args), kwargs)
        try:
            hit = cache.get(key)
        except Exception as exc:  # noqa: BLE001 - a cache outage must not take the page down
            log.warning("cache get failed (%s): query runs uncached", type(exc).__name__)
            return fn(engine, *args, **kwargs)
        if isinstance(hit, tuple) and len(hit) == 1:  # stored as (result,), so a None result is a hit too
            return hit[0]
        result = fn(engine, *args, **kwargs)
        try:
            cache.set(key, (result,))
        except Exception as exc:  # noqa: BLE001
            log.warning("cache set failed (%s)", type(exc).__name__)
        return result

    wrapper.uncached = fn  # the plain query, for tests that compare both
    return wrapper
