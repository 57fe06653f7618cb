"""Against real gunicorn workers: a session ended by logout is refused by every worker at its
very next request (nothing caches who is signed in)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from app import create_app
from app.extensions import db
from app.services import accounts
from tests.live import LiveServer, prepare_database
from tests.live_databases import fresh_database

# Live gunicorn servers with several workers.
pytestmark = pytest.mark.slow

PASSWORD = "live-session-passphrase"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "page has a CSRF token"
    return match.group(1)


def get(server: LiveServer, path: str, cookie: str) -> tuple[int, str]:
    conn = server.connection()
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def post(server: LiveServer, path: str, cookie: str, form: dict) -> tuple[int, str]:
    """POST a form; returns the status and the session cookie the answer sets (or the old)."""
    conn = server.connection()
    try:
        body = urllib.parse.urlencode(form)
        conn.request("POST", path, body=body, headers={**FORM, "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        set_cookie = response.getheader("Set-Cookie")
        return response.status, set_cookie.split(";")[0] if set_cookie else cookie
    finally:
        conn.close()


def sign_in(server: LiveServer, email: str) -> str:
    conn = server.connection()
    conn.request("GET", "/login")
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = csrf_token(page.read().decode())
    conn.close()
    status, cookie = post(
        server, "/login", cookie, {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert status == 303
    return cookie


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_logout_ends_the_session_on_every_worker_at_once(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        prepare_database(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            workspace = accounts.find_workspace("Live Workspace")
            accounts.create_user(workspace, "live@test.example", "Live", "member", PASSWORD)
            db.session.remove()
            db.engine.dispose()
        server = LiveServer(url, workers=3).start(tmp_path / "gunicorn.log")
        try:
            laptop = sign_in(server, "live@test.example")
            phone = sign_in(server, "live@test.example")
            copied = laptop
            before = [get(server, "/tasks", copied)[0] for _ in range(9)]
            status, page = get(server, "/tasks", laptop)
            assert post(server, "/logout", laptop, {"csrf_token": csrf_token(page)})[0] == 303
            after = [
                get(server, "/tasks", cookie)[0] for _ in range(9) for cookie in (copied, phone)
            ]
        finally:
            server.stop()
    assert before == [200] * 9
    assert after == [302] * 18
