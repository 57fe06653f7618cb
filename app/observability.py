"""One structured log line per request, and the health check.

Log lines are JSON so they can be searched by field; they carry the request id that
error bodies show, and never a header, a body or a query string (where secrets and
personal data travel).
"""

from __future__ import annotations

import json
import logging
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, g, request

from app.extensions import db

log = logging.getLogger("crm_tasks.request")
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the app can reach its database, 503 when it cannot (for load balancers)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


def configure_logging(app: Flask) -> None:
    """Send the app's log records to stderr, unless something (tests, gunicorn) already did."""
    logger = logging.getLogger("crm_tasks")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def register_request_log(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        actor = g.get("actor")
        record = {
            "event": "request",
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "workspace_id": str(actor.workspace_id) if actor else None,
            "api_key_id": str(actor.api_key_id) if actor and actor.api_key_id else None,
            "user_id": str(actor.user_id) if actor and actor.user_id else None,
        }
        log.info(json.dumps(record))
        return response
