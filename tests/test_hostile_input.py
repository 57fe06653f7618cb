"""Hostile input gets a clear answer, never a crash, and is shown only as text
(docs/rules.md §4, docs/api.md)."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey, Task, User
from app.services import accounts, records, tasks
from tests.web_helpers import login_as

NASTY_NAMES = [
    ("<script>alert(1)</script>", 'O\'Brien "Quote"'),
    ("<img src=x onerror=alert(1)>", "&amp; Co"),
    ("Ünïcødé 🎉🦄", "👩‍💼"),
    ("محمد", "عبد الله"),  # right-to-left
    ("\u202eevil", "\u200fname"),  # bidi override and right-to-left mark
]


@pytest.fixture
def signed_in(client, admin):
    return login_as(client, admin)


#: POST routes without a CSRF token, and why that is safe.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST with no session; the signed token
    # in the URL is the authority, and without one the answer is 404 (tested below).
    "web.unsubscribe",
}


def post_routes(app):
    """Every browser-app route that changes something, with sample URL values."""
    sample = {
        "task_id": uuid.uuid4(),
        "key_id": uuid.uuid4(),
        "record_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CSRF_EXEMPT:
            continue
        if rule.endpoint.startswith("web.") and "POST" in rule.methods:
            values = {name: sample[name] for name in rule.arguments}
            yield rule.endpoint, rule.rule, values


def test_every_browser_post_refuses_a_missing_csrf_token(app, admin, contact):
    """No form and no htmx POST of the browser app works without the CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post(
            "/login",
            data={"email": admin.email, "password": "correct horse battery", "csrf_token": token},
        ).status_code
        == 303
    )
    with app.app_context():
        task = tasks.create_task(
            accounts.Actor.for_user(admin), {"title": "keep", "contact_id": str(contact.id)}
        ).task
        key, _ = accounts.create_api_key(
            accounts.Actor.operator(admin.workspace), "keep", [accounts.READ]
        )
    real = {"task_id": task.id, "key_id": key.id, "user_id": admin.id}
    routes = list(post_routes(app))
    assert len(routes) >= 9, "the browser app's POST routes were found"
    for endpoint, rule, values in routes:
        url = rule
        for name, value in values.items():
            url = url.replace(f"<uuid:{name}>", str(real.get(name, value)))
        response = client.post(url, data={"title": "changed"}, headers={"HX-Request": "true"})
        assert response.status_code == 400, f"{endpoint} accepted a POST without CSRF token"
    with app.app_context():
        stored = db.session.get(Task, task.id)
        assert (stored.title, stored.status, stored.deleted_at) == ("keep", "open", None)
        assert db.session.get(ApiKey, key.id).revoked_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 1
        user = db.session.get(User, admin.id)
        assert user.active and user.session_generation == 0, "no logout, no sign-out"
    # The exempt unsubscribe route changes nothing without a token this server signed.
    forged = client.post("/notifications/unsubscribe/not-a-signed-token")
    assert forged.status_code == 404
    with app.app_context():
        assert db.session.get(User, admin.id).notify_reminders is True


@pytest.mark.parametrize(("first", "last"), NASTY_NAMES)
def test_names_are_shown_as_text_everywhere(app, signed_in, workspace, admin, first, last):
    with app.app_context():
        company = records.add_company(workspace.id, f"{last} Ltd", "x.test")
        person = records.add_contact(workspace.id, first, last, "p@x.test", company)
        db.session.commit()
        tasks.create_task(
            accounts.Actor.for_user(admin),
            {
                "title": f"Call {first}",
                "description": f"{first} said {last}",
                "contact_id": str(person.id),
            },
        )
    pages = [
        signed_in.get("/tasks"),
        signed_in.get(f"/contacts/{person.id}"),
        signed_in.get(f"/companies/{company.id}"),
        signed_in.get(f"/tasks/new?contact_id={person.id}"),
        signed_in.get("/search/contacts", query_string={"q": first[:4]}),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "onerror=alert" not in html or "&lt;img" in html


def test_ten_thousand_character_description_round_trips(app, signed_in, admin, contact):
    description = ("Lorem ipsum <b>dolor</b> " * 500)[:10_000]
    with app.app_context():
        task = tasks.create_task(
            accounts.Actor.for_user(admin),
            {"title": "Long", "description": description, "contact_id": str(contact.id)},
        ).task
    page = signed_in.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    assert "<b>dolor</b>" not in page and "&lt;b&gt;dolor&lt;/b&gt;" in page
    assert signed_in.get("/tasks").status_code == 200


@pytest.mark.parametrize("length", [10_000, 100_000])
def test_huge_query_strings_get_an_answer_not_a_crash(signed_in, client, auth, length):
    q = "a" * length
    assert signed_in.get("/search/contacts", query_string={"q": q}).status_code in (200, 400, 414)
    assert signed_in.get("/tasks", query_string={"q": q}).status_code in (200, 400, 414)
    response = client.get("/v1/tasks", query_string={"q": q}, headers=auth)
    assert response.status_code in (200, 400, 414)
    assert response.is_json


def test_oversized_form_post_is_refused_with_a_page(signed_in):
    response = signed_in.post("/tasks", data={"title": "t", "description": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "text/html" in response.content_type
