"""docs/rules.md §5: a page per linked record, and the admins' API keys page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey
from app.services import accounts, records
from app.services import tasks as task_service
from app.services.errors import LimitReached
from app.services.rate_limits import Limit
from tests.web_helpers import login_as, text


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


@pytest.fixture
def linked(workspace, contact):
    """A deal and an event beside the conftest contact and its company."""
    deal = records.add_deal(
        workspace.id, "Renewal 2026", "proposal", None, contact.company, contact
    )
    event = records.add_event(
        workspace.id, "Trade fair", datetime(2026, 3, 10, 8, 0, tzinfo=UTC), "Hall 4"
    )
    db.session.commit()
    return {"contact": contact, "company": contact.company, "deal": deal, "event": event}


SEGMENTS = {"contact": "contacts", "company": "companies", "deal": "deals", "event": "events"}


@pytest.mark.parametrize("kind", ["contact", "company", "deal", "event"])
def test_record_page_shows_the_record_its_tasks_and_a_new_task_link(
    member_client, actor, linked, kind
):
    record = linked[kind]
    task_service.create_task(actor, {"title": f"About the {kind}", f"{kind}_id": str(record.id)})
    task_service.create_task(
        actor, {"title": "Done already", f"{kind}_id": str(record.id), "status": "completed"}
    )
    response = member_client.get(f"/{SEGMENTS[kind]}/{record.id}")
    assert response.status_code == 200
    html = text(response)
    assert f"<h1>{record.display_name}</h1>" in html
    assert f"About the {kind}" in html and "Done already" in html
    assert f'href="/tasks/new?{kind}_id={record.id}"' in html
    assert f'href="/tasks?{kind}_id={record.id}"' in html


def test_record_pages_show_context(member_client, linked):
    html = text(member_client.get(f"/contacts/{linked['contact'].id}"))
    assert "hans@mueller.example" in html and f'href="/companies/{linked["company"].id}"' in html
    html = text(member_client.get(f"/events/{linked['event'].id}"))
    assert "10 Mar 2026, 09:00" in html and "Hall 4" in html  # in Europe/Berlin
    html = text(member_client.get(f"/deals/{linked['deal'].id}"))
    assert "proposal" in html


def test_new_task_from_a_record_page_prefills_it(member_client, linked):
    html = text(member_client.get(f"/tasks/new?event_id={linked['event'].id}"))
    assert f'name="event_id" id="event_id" value="{linked["event"].id}"' in html
    assert 'aria-label="Remove Trade fair"' in html


@pytest.mark.parametrize("segment", ["contacts", "companies", "deals", "events"])
def test_unknown_record_is_404(member_client, segment):
    assert member_client.get(f"/{segment}/{uuid.uuid4()}").status_code == 404


def test_another_workspaces_record_is_404(member_client, other_workspace):
    foreign = records.add_contact(other_workspace.id, "Otto", "Other", None, None)
    db.session.commit()
    response = member_client.get(f"/contacts/{foreign.id}")
    assert response.status_code == 404
    assert "Otto" not in text(response)


def test_viewer_sees_record_pages_without_new_task(client, viewer, linked):
    login_as(client, viewer)
    html = text(client.get(f"/contacts/{linked['contact'].id}"))
    assert "Hans Müller" in html and "/tasks/new" not in html


# --- API keys -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin):
    return login_as(client, admin)


def test_admin_creates_a_key_and_sees_the_secret_once(admin_client, workspace):
    response = admin_client.post(
        "/settings/api-keys", data={"name": "Website", "scopes": ["activities:write"]}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    secret = re.search(r'id="new-key-secret"[^>]*value="(wbk_[^"]+)"', html).group(1)
    # Listed, never with its secret again, and not used yet.
    html = text(admin_client.get("/settings/api-keys"))
    assert "Website" in html and secret not in html and "Never" in html
    assert accounts.authenticate_api_key(secret).scope_set == {"activities:write"}


def test_key_list_shows_last_use_and_revoke(admin_client, workspace):
    key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "CRM sync", ["activities:read"]
    )
    accounts.authenticate_api_key(secret)  # records the use
    html = text(admin_client.get("/settings/api-keys"))
    row = html.split(f'id="api-key-{key.id}"')[1].split("</tr>")[0]
    assert "Never" not in row and "Active" in row
    response = admin_client.post(f"/settings/api-keys/{key.id}/revoke")
    assert response.status_code == 303
    html = text(admin_client.get("/settings/api-keys"))
    assert "Revoked the key “CRM sync”" in html
    row = html.split(f'id="api-key-{key.id}"')[1].split("</tr>")[0]
    assert "Revoked" in row and "/revoke" not in row
    assert accounts.authenticate_api_key(secret) is None


def test_create_key_errors_are_shown(admin_client):
    response = admin_client.post("/settings/api-keys", data={"name": "", "scopes": []})
    assert response.status_code == 400
    html = text(response)
    assert 'id="name-error"' in html
    response = admin_client.post("/settings/api-keys", data={"name": "x"})
    assert 'id="scopes-error"' in text(response)


def test_other_workspaces_keys_are_neither_listed_nor_revocable(admin_client, other_workspace):
    key, _secret = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "Globex key", ["activities:read"]
    )
    assert "Globex key" not in text(admin_client.get("/settings/api-keys"))
    assert admin_client.post(f"/settings/api-keys/{key.id}/revoke").status_code == 404
    db.session.refresh(key)
    assert key.revoked_at is None


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_api_keys_page_is_for_admins_only(client, workspace, role, request):
    user = request.getfixturevalue(role)
    login_as(client, user)
    assert client.get("/settings/api-keys").status_code == 403
    response = client.post("/settings/api-keys", data={"name": "x", "scopes": ["activities:read"]})
    assert response.status_code == 403
    assert "API keys" not in text(client.get("/tasks"))
    assert accounts.list_api_keys(accounts.admin_actor(accounts.create_user(
        workspace, "boss@acme.test", "Boss", "admin", "password123"
    ))) == []  # fmt: skip


def test_admin_sees_the_api_keys_link(admin_client):
    assert 'href="/settings/api-keys"' in text(admin_client.get("/tasks"))


# --- API key limits, paging, confirmation ---------------------------------------------


def test_the_key_cap_refuses_a_new_key_clearly_and_keeps_the_form(app, admin_client, workspace):
    app.config["API_KEY_LIMIT"] = 3
    for number in range(3):
        accounts.create_api_key(
            accounts.Actor.operator(workspace), f"key {number}", ["activities:read"]
        )
    response = admin_client.post(
        "/settings/api-keys", data={"name": "One too many", "scopes": ["activities:write"]}
    )
    assert response.status_code == 409
    html = text(response)
    assert "already has 3 active API keys" in html and 'role="alert"' in html
    assert 'value="One too many"' in html, "what was typed stays in the form"
    assert "new-key-secret" not in html
    assert accounts.count_active_keys(workspace.id) == 3
    # Revoking one makes room.
    key = db.session.scalars(sa.select(ApiKey).where(ApiKey.name == "key 0")).one()
    admin_client.post(f"/settings/api-keys/{key.id}/revoke")
    response = admin_client.post(
        "/settings/api-keys", data={"name": "One too many", "scopes": ["activities:write"]}
    )
    assert response.status_code == 200 and "new-key-secret" in text(response)


def test_the_key_cap_counts_per_workspace(app, workspace, other_workspace):
    app.config["API_KEY_LIMIT"] = 1
    accounts.create_api_key(accounts.Actor.operator(workspace), "ours", ["activities:read"])
    accounts.create_api_key(accounts.Actor.operator(other_workspace), "theirs", ["activities:read"])
    with pytest.raises(LimitReached, match="already has 1 active API keys"):
        accounts.create_api_key(accounts.Actor.operator(workspace), "second", ["activities:read"])


def test_creating_keys_is_rate_limited(app, admin_client, workspace):
    app.config["API_KEY_CREATE_LIMIT"] = Limit(2, 3600)
    statuses = [
        admin_client.post(
            "/settings/api-keys", data={"name": f"k{n}", "scopes": ["activities:read"]}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    response = admin_client.post(
        "/settings/api-keys", data={"name": "later", "scopes": ["activities:read"]}
    )
    assert "Too many new API keys" in text(response) and 'value="later"' in text(response)
    assert int(response.headers["Retry-After"]) > 0
    assert accounts.count_active_keys(workspace.id) == 2


def test_the_keys_page_is_paged(admin_client, workspace):
    for number in range(accounts.KEYS_PER_PAGE + 3):
        accounts.create_api_key(
            accounts.Actor.operator(workspace), f"paged key {number:02d}", ["activities:read"]
        )
    first = text(admin_client.get("/settings/api-keys"))
    second = text(admin_client.get("/settings/api-keys?page=2"))
    rows = lambda html: re.findall(r'id="api-key-[0-9a-f-]+"', html)  # noqa: E731
    assert len(rows(first)) == accounts.KEYS_PER_PAGE and len(rows(second)) == 3
    assert not set(rows(first)) & set(rows(second))
    assert "Page 1 of 2" in first and 'href="/settings/api-keys?page=2"' in first
    assert "28 of at most 50 active keys" in first
    # Out of range or nonsense pages show a real page, never an error.
    assert "Page 2 of 2" in text(admin_client.get("/settings/api-keys?page=99"))
    assert "Page 1 of 2" in text(admin_client.get("/settings/api-keys?page=abc"))


def test_revoking_asks_first(admin_client, workspace):
    key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "Zapier", ["activities:read"]
    )
    listing = text(admin_client.get("/settings/api-keys"))
    assert f'href="/settings/api-keys/{key.id}/revoke"' in listing
    confirm = admin_client.get(f"/settings/api-keys/{key.id}/revoke")
    assert confirm.status_code == 200
    html = text(confirm)
    assert "Revoke the key “Zapier”?" in html and "never been used" in html
    assert accounts.authenticate_api_key(secret) is not None, "asking revokes nothing"
    assert admin_client.post(f"/settings/api-keys/{key.id}/revoke").status_code == 303
    assert accounts.authenticate_api_key(secret) is None


def test_the_new_key_has_a_copy_button(admin_client):
    html = text(
        admin_client.post("/settings/api-keys", data={"name": "W", "scopes": ["activities:read"]})
    )
    assert re.search(
        r'<button type="button" class="button" data-copy="new-key-secret"[^>]* hidden>', html
    )
    assert re.search(r'<script src="/static/js/copy-[0-9a-f]{32}\.js" defer>', html)


def test_the_cli_says_when_the_cap_is_reached(app, runner, workspace):
    app.config["API_KEY_LIMIT"] = 1
    args = ["create-api-key", "--workspace", workspace.name, "--name", "n", "--scopes",
            "activities:read"]  # fmt: skip
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "error: This workspace already has 1 active API keys" in result.output
    assert "Revoke a key" in result.output
