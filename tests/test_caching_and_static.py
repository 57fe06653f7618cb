"""No cache keeps an authenticated answer; static files are compressed and cached for good
under content-hashed names; HSTS and the Server header (docs/security.md)."""

from __future__ import annotations

import gzip
import http.client
import re
import threading
from pathlib import Path

import brotli
import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.services import accounts, calendar, notifications, records, tasks
from app.static_assets import HASHED_NAME, manifest_is_current
from tests.live import LiveServer, prepare_database
from tests.live_databases import fresh_database
from tests.web_helpers import HTMX, login_as, text

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"


@pytest.fixture
def admin_client(client, admin):
    return login_as(client, admin)


def every_get_path(app, ids: dict[str, str]) -> list[str]:
    """A concrete URL for every GET route of the app but static files."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {
            name: ids[f"{rule.endpoint}:{name}"] if f"{rule.endpoint}:{name}" in ids else ids[name]
            for name in rule.arguments
        }
        paths.append(rule.build(values)[1])
    return paths


def test_every_page_fragment_and_api_answer_is_no_store(app, admin_client, admin, auth, contact):
    actor = tasks_actor(admin)
    task = tasks.create_task(actor, {"title": "Cached?", "contact_id": str(contact.id)}).task
    deal = records.add_deal(admin.workspace_id, "Deal", "won")
    event = records.add_event(admin.workspace_id, "Fair", task.created_date)
    db.session.commit()
    key, _secret = accounts.create_api_key(
        accounts.Actor.operator(admin.workspace), "cache test", [accounts.READ]
    )
    ids = {
        "user_id": str(admin.id),
        "key_id": str(key.id),
        "task_id": str(task.id),
        "record_id": str(contact.id),
        "web.company_page:record_id": str(contact.company_id),
        "web.deal_page:record_id": str(deal.id),
        "web.event_page:record_id": str(event.id),
        "segment": "contacts",
        "web.calendar_feed:token": calendar.feed_token(admin),
        "web.unsubscribe:token": notifications.unsubscribe_token(admin.id, "digest"),
    }
    paths = every_get_path(app, ids)
    assert "/account" in paths and "/tasks" in paths and "/v1/tasks" in paths
    for path in paths:
        for headers in ({}, HTMX, auth):
            response = admin_client.get(path, headers=headers)
            assert response.status_code < 500, path
            assert response.headers["Cache-Control"] == "no-store", (path, headers)
    # Answers to writes, errors and the login page too.
    answers = [
        admin_client.post(f"/tasks/{task.id}/complete", headers=HTMX),
        admin_client.post(
            "/v1/tasks", json={"title": "x", "contact_id": str(contact.id)}, headers=auth
        ),
        admin_client.post("/v1/tasks", json={"titel": "typo"}, headers=auth),
        admin_client.get("/v1/tasks"),  # 401
        admin_client.get("/nowhere"),
        app.test_client().get("/login"),
    ]
    assert [r.headers["Cache-Control"] for r in answers] == ["no-store"] * len(answers)


def tasks_actor(user):
    from app.services.accounts import Actor

    return Actor.for_user(user)


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_content_hashed_static_files(admin_client):
    assets = linked_assets(text(admin_client.get("/tasks")))
    assert len(assets) == 6, assets  # favicon, app.css, htmx, combobox, app and workbench scripts
    assert all(HASHED_NAME.search(url) for url in assets), assets


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("identity", None, lambda body: body),
    ],
)
def test_static_files_are_compressed_and_cached_for_good(admin_client, accept, encoding, decode):
    for url in linked_assets(text(admin_client.get("/tasks"))):
        response = admin_client.get(url, headers={"Accept-Encoding": accept})
        assert response.status_code == 200, url
        assert response.headers.get("Content-Encoding") == encoding, url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        source = STATIC / HASHED_NAME.sub(
            lambda m: "." + m.group(0).split(".", 1)[1], url.removeprefix("/static/")
        )
        assert decode(response.data) == source.read_bytes(), url
        response.close()  # WhiteNoise streams from an open file


def test_plain_static_names_are_revalidated_not_kept(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=0, public"
    response.close()
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    again.close()


def test_a_stale_manifest_is_ignored(tmp_path):
    (tmp_path / "app.css").write_text("a {}")
    assert not manifest_is_current(tmp_path), "no manifest"
    (tmp_path / "cache_manifest.json").write_text("{}")
    assert manifest_is_current(tmp_path)
    import os
    import time

    later = time.time() + 5
    os.utime(tmp_path / "app.css", (later, later))
    assert not manifest_is_current(tmp_path)


@pytest.mark.parametrize(
    ("env", "scheme", "expected"),
    [
        ("production", "https", "max-age=31536000; includeSubDomains"),
        ("production", "http", None),
        ("development", "https", None),
    ],
)
def test_hsts_in_production_over_https(database_url, env, scheme, expected):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "ENV": env})
    response = app.test_client().get("/login", base_url=f"{scheme}://crm.example")
    with app.app_context():
        db.engine.dispose()
    assert response.headers.get("Strict-Transport-Security") == expected


def server_header(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        response.read()
        return response.getheader("Server")
    finally:
        conn.close()


def test_the_development_server_names_no_versions(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        header = server_header(server.socket.getsockname()[1])
    finally:
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.engine.dispose()
    assert header == "crm-tasks"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_production_server_names_no_versions(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        prepare_database(url)
        server = LiveServer(url, workers=1).start(tmp_path / "gunicorn.log")
        try:
            header = server_header(server.port)
            status, _data, headers = server.request("GET", "/v1/tasks")
        finally:
            server.stop()
    assert header and not re.search(r"\d", header), header
    assert status == 401 and headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("proxies", "expected"), [("1", True), ("0", False)])
def test_hsts_behind_a_trusted_tls_proxy(database_url, proxies, expected):
    """Behind a TLS-terminating proxy, PROXY_FIX_X_FOR also trusts its X-Forwarded-Proto."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "x",
            "ENV": "production",
            "PROXY_FIX_X_FOR": proxies,
        }
    )
    response = app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    with app.app_context():
        db.engine.dispose()
    assert ("Strict-Transport-Security" in response.headers) is expected
