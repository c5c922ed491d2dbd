"""GET /healthz for load balancers and monitors: the database answers, the store has its schema at the code's
Alembic head, and the data version. 200 with JSON when healthy, 503 with the reason (no traceback, no path)."""
from __future__ import annotations

import logging
import os

from alembic.runtime.migration import MigrationContext
from flask import Flask, Response, jsonify
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from dashboard import cache, config
from dashboard.queries import core
from etl import db
from etl.models import Observation

log = logging.getLogger(__name__)


def code_head() -> str:
    """The newest Alembic revision the code ships (etl/migrations/versions)."""
    return db.head_revision()


def check() -> tuple[int, dict]:
    """(HTTP status, body) of the health check."""
    head = code_head()
    try:
        engine = core.store_engine()
    except Exception as exc:  # noqa: BLE001 - a malformed DATABASE_URL is a reason, not a traceback
        return 503, {"status": "error", "reason": f"DATABASE_URL cannot be used ({type(exc).__name__})"}
    if engine is None:
        return 503, {"status": "error", "database": "sqlite",
                     "reason": "the SQLite store has not been built: run python -m etl init"}
    body: dict = {"database": engine.dialect.name, "alembic_head": head}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if not inspect(conn).has_table(Observation.__tablename__):
                return 503, {**body, "status": "error",
                             "reason": "the store has no observation table: run python -m etl init"}
            revision = MigrationContext.configure(conn).get_current_revision()
            body["alembic_revision"] = revision
            if revision != head:
                return 503, {**body, "status": "error",
                             "reason": f"the store is at Alembic revision {revision}, the code at {head}: "
                                       "run python -m etl init to upgrade it"}
            body["data_version"] = cache.data_version(conn)
    except SQLAlchemyError as exc:
        log.warning("health check: database error %s", type(exc).__name__)
        return 503, {**body, "status": "error", "reason": f"the database did not answer ({type(exc).__name__})"}
    body["cache"] = cache.backend_name()
    return 200, {"status": "ok", **body}


def register(server: Flask) -> None:
    """Add /healthz, and with DASHBOARD_EXPOSE_WORKER=1 an X-Worker-Pid header on every response."""

    @server.route("/healthz")
    def healthz() -> Response:
        status, body = check()
        response = jsonify(body)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    if config.EXPOSE_WORKER:
        @server.after_request
        def _worker_pid(response: Response) -> Response:
            response.headers["X-Worker-Pid"] = str(os.getpid())
            return response
