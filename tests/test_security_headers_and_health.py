"""Security headers on every response, the health check, and the request log (README,
production)."""

import json
import logging

import pytest

from app.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/healthz", "/v1/tasks", "/v1/nowhere", "/nowhere"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_503_when_database_fails(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.extensions import db

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_request_log_is_structured_and_carries_request_id(client, auth, caplog):
    with caplog.at_level(logging.INFO, logger="crm_tasks.request"):
        response = client.get("/v1/tasks/not-a-uuid?secret=hunter2", headers=auth)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "crm_tasks.request"]
    assert lines[-1]["request_id"] == response.headers["X-Request-ID"]
    assert lines[-1]["status"] == 404 and lines[-1]["path"] == "/v1/tasks/not-a-uuid"
    assert "hunter2" not in caplog.text, "query strings are never logged"
    assert auth["Authorization"].split()[1] not in caplog.text, "nor the API key"
