"""Against real gunicorn workers: no secret in any log line, and a revoked key is refused at
once by every worker, since nothing caches a key's validity (docs/decisions.md, accounts
and keys)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from app import create_app
from app.extensions import db
from app.models import Workspace
from app.services import accounts
from tests.live import LiveServer, prepare_database
from tests.live_databases import fresh_database

# Live gunicorn servers with several workers.
pytestmark = pytest.mark.slow

PASSWORD = "s3cret-Passw0rd-for-the-log-test"


def log_in(server: LiveServer, email: str, password: str) -> int:
    """Post the real login form (with its CSRF token and cookie); returns the status."""
    conn = server.connection()
    conn.request("GET", "/login")
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode())
    body = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": token.group(1)}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_secret_or_password_in_the_log(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        facts = prepare_database(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            workspace = accounts.find_workspace("Live Workspace")
            accounts.create_user(workspace, "log@test.example", "Log Tester", "member", PASSWORD)
            db.session.remove()
            db.engine.dispose()
        log_path = tmp_path / "gunicorn.log"
        server = LiveServer(url, workers=1).start(log_path)
        key = {"Authorization": f"Bearer {facts['secret']}"}
        try:
            assert log_in(server, "log@test.example", PASSWORD + "-wrong") == 400
            assert log_in(server, "log@test.example", PASSWORD) == 303
            server.request(
                "POST", "/v1/tasks", {"title": "t", "contact_id": facts["contact_id"]}, key
            )
            server.request("POST", "/v1/tasks", {"titel": "bad"}, key)
            server.request("GET", "/v1/tasks?q=" + facts["secret"], key)
            server.request("GET", "/v1/tasks", None, {"Authorization": "Bearer wbk_" + "x" * 40})
        finally:
            server.stop()
        log = log_path.read_text()
    assert '"path": "/v1/tasks"' in log, "the run was logged (so the check below means something)"
    assert facts["secret"] not in log
    assert facts["secret"][12:] not in log, "not even the secret part of the key"
    assert PASSWORD not in log


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_revoked_key_is_refused_by_every_worker_at_once(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        facts = prepare_database(url)
        server = LiveServer(url, workers=3).start(tmp_path / "gunicorn.log")
        headers = {"Authorization": f"Bearer {facts['secret']}"}
        try:
            before = [server.request("GET", "/v1/tasks", None, headers)[0] for _ in range(6)]
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
            with app.app_context():
                key = accounts.authenticate_api_key(facts["secret"])
                accounts.revoke_api_key(
                    accounts.Actor.operator(db.session.get(Workspace, key.workspace_id)), key.id
                )
                db.session.remove()
                db.engine.dispose()
            after = [server.request("GET", "/v1/tasks", None, headers)[0] for _ in range(12)]
        finally:
            server.stop()
    assert before == [200] * 6
    assert after == [401] * 12
