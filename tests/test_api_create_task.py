"""docs/rules.md §4: POST /v1/tasks and the error envelope on every /v1/ path."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, records
from app.services.tasks import ORPHAN_MESSAGE
from tests.api_helpers import assert_envelope

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
SEED_FIELDS = {
    "id", "title", "description", "status", "priority", "task_type", "due_date",
    "assigned_to_user_id", "contact_id", "company_id", "deal_id", "event_id",
    "created_date", "completed_at",
}  # fmt: skip


def post(client, body, headers, **kwargs):
    return client.post("/v1/tasks", json=body, headers=headers, **kwargs)


def stored_tasks(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Task))


def test_seed_example_creates_a_task(client, auth, contact):
    response = post(
        client,
        {
            "title": "Follow up with Hans Müller",
            "due_date": "2026-03-10",
            "priority": "high",
            "contact_id": str(contact.id),
        },
        auth,
    )
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert set(data) >= SEED_FIELDS
    assert response.headers["Location"] == f"/v1/tasks/{data['id']}"
    assert data["due_date"] == "2026-03-10"
    assert data["status"] == "open" and data["priority"] == "high"
    assert data["contact_id"] == str(contact.id)
    assert ISO_UTC.match(data["created_date"])
    assert data["completed_at"] is None
    assert "meta" not in response.get_json()


def test_location_serves_the_same_task(client, auth, contact):
    created = post(client, {"title": "t", "contact_id": str(contact.id)}, auth)
    fetched = client.get(created.headers["Location"], headers=auth)
    assert fetched.status_code == 200
    assert fetched.get_json()["data"] == created.get_json()["data"]


def test_date_time_due_comes_back_in_utc(client, auth, contact):
    response = post(
        client,
        {"title": "t", "contact_id": str(contact.id), "due_date": "2026-03-10T09:00:00+02:00"},
        auth,
    )
    assert response.get_json()["data"]["due_date"] == "2026-03-10T07:00:00Z"


def test_completed_status_sets_completed_at(client, auth, contact):
    data = post(client, {"title": "t", "contact_id": str(contact.id), "status": "completed"}, auth)
    assert ISO_UTC.match(data.get_json()["data"]["completed_at"])


def test_assignee_is_returned_as_assigned_to_user_id(client, auth, contact, member):
    body = {"title": "t", "contact_id": str(contact.id), "assignee_id": str(member.id)}
    assert post(client, body, auth).get_json()["data"]["assigned_to_user_id"] == str(member.id)


@pytest.mark.parametrize(
    ("created_date", "adjusted"),
    [
        (lambda now: (now - timedelta(days=10)).isoformat(), False),
        (lambda now: (now - timedelta(days=365 * 6)).isoformat(), True),
        (lambda now: (now + timedelta(days=2)).isoformat(), True),
    ],
)
def test_meta_says_when_created_date_was_replaced(client, auth, contact, created_date, adjusted):
    now = datetime.now(UTC)
    body = {"title": "t", "contact_id": str(contact.id), "created_date": created_date(now)}
    response = post(client, body, auth)
    assert response.status_code == 201
    assert response.get_json()["meta"] == {"created_date_adjusted": adjusted}


def test_orphan_rejected_with_seed_body(client, auth, app):
    error = assert_envelope(post(client, {"title": "Lonely"}, auth), 400, "validation_error")
    assert error["message"] == ORPHAN_MESSAGE
    assert stored_tasks(app) == 0


def test_missing_title_names_the_field(client, auth, contact):
    error = assert_envelope(
        post(client, {"contact_id": str(contact.id)}, auth), 400, "validation_error"
    )
    assert error["fields"] == {"title": "is required"}


def test_unknown_field_is_named(client, auth, contact):
    body = {"titel": "typo", "contact_id": str(contact.id)}
    error = assert_envelope(post(client, body, auth), 400, "validation_error")
    assert "titel" in error["fields"] and "titel" in error["message"]


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "42", "null", "{not json", ""])
def test_body_must_be_a_json_object(client, auth, raw):
    response = client.post(
        "/v1/tasks", data=raw, headers={**auth, "Content-Type": "application/json"}
    )
    assert_envelope(response, 400, "validation_error")


def test_ambiguous_reference_lists_candidates(client, auth, workspace, app):
    with app.app_context():
        acme = records.add_company(workspace.id, "Acme")
        records.add_contact(workspace.id, "Anna", "Schmidt", "anna@acme.test", acme)
        records.add_contact(workspace.id, "Anna", "Schmidt", "anna@other.test")
        db.session.commit()
    response = post(client, {"title": "t", "contact_name": "Anna Schmidt"}, auth)
    error = assert_envelope(response, 400, "ambiguous_reference")
    assert error["field"] == "contact_name"
    assert len(error["candidates"]) == 2
    for candidate in error["candidates"]:
        assert set(candidate) == {"id", "name", "score", "email", "company"}
    assert stored_tasks(app) == 0


def test_unmatched_name_is_a_validation_error_on_that_field(client, auth, contact):
    response = post(client, {"title": "t", "contact_name": "Nobody Atall"}, auth)
    error = assert_envelope(response, 400, "validation_error")
    assert "contact_name" in error["fields"]


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer wbk_nope", "Token wbk_x"],
)
def test_401_without_a_valid_key(client, header, contact):
    headers = {} if header is None else {"Authorization": header}
    response = post(client, {"title": "t", "contact_id": str(contact.id)}, headers)
    assert_envelope(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_401_for_revoked_key(client, workspace, contact, app):
    with app.app_context():
        key, secret = accounts.create_api_key(
            accounts.Actor.operator(workspace), "old", [accounts.WRITE]
        )
        accounts.revoke_api_key(accounts.Actor.operator(workspace), key.id)
    response = post(client, {"title": "t"}, {"Authorization": f"Bearer {secret}"})
    assert_envelope(response, 401, "unauthorized")


def test_403_without_write_scope(client, workspace, contact, app):
    with app.app_context():
        _key, secret = accounts.create_api_key(
            accounts.Actor.operator(workspace), "ro", [accounts.READ]
        )
    response = post(
        client, {"title": "t", "contact_id": str(contact.id)}, {"Authorization": f"Bearer {secret}"}
    )
    error = assert_envelope(response, 403, "insufficient_permissions")
    assert "activities:write" in error["message"]
    assert stored_tasks(app) == 0


def test_404_unknown_task_and_unknown_path(client, auth):
    assert_envelope(
        client.get(f"/v1/tasks/{'0' * 8}-0000-4000-8000-{'0' * 12}", headers=auth), 404, "not_found"
    )
    assert_envelope(client.get("/v1/nowhere", headers=auth), 404, "not_found")
    assert_envelope(client.get("/v1/nowhere"), 404, "not_found")


def test_404_for_another_workspaces_task(client, auth, other_workspace, app):
    with app.app_context():
        key, _ = accounts.create_api_key(
            accounts.Actor.operator(other_workspace), "theirs", [accounts.WRITE, accounts.READ]
        )
        their_contact = records.add_contact(other_workspace.id, "Eve", "Spy")
        db.session.commit()
        from app.services.tasks import create_task

        task_id = create_task(
            accounts.Actor.for_api_key(key),
            {"title": "secret", "contact_id": str(their_contact.id)},
        ).task.id
    assert_envelope(client.get(f"/v1/tasks/{task_id}", headers=auth), 404, "not_found")


def test_405_is_json(client, auth):
    response = client.put("/v1/tasks", headers=auth)
    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_413_body_over_one_mebibyte(client, auth, app):
    body = json.dumps({"title": "t", "description": "x" * (1024 * 1024)})
    response = client.post(
        "/v1/tasks", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert_envelope(response, 413, "payload_too_large")
    assert stored_tasks(app) == 0


def test_500_is_json_with_request_id(client, auth, contact, monkeypatch, caplog):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("app.services.tasks.create_task", explode)
    response = post(client, {"title": "t", "contact_id": str(contact.id)}, auth)
    error = assert_envelope(response, 500, "internal_error")
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "boom" not in response.get_data(as_text=True), "no internals leak"
    assert error["request_id"] in caplog.text


def test_503_when_database_unreachable(client, auth, contact, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("app.services.tasks.create_task", unreachable)
    response = post(client, {"title": "t", "contact_id": str(contact.id)}, auth)
    assert_envelope(response, 503, "service_unavailable")
    assert response.headers["Retry-After"]


def test_given_request_id_is_echoed(client, auth):
    response = client.get("/v1/nowhere", headers={**auth, "X-Request-ID": "req-12345678"})
    assert response.get_json()["error"]["request_id"] == "req-12345678"


def test_last_used_is_recorded(client, auth, contact, app, workspace):
    post(client, {"title": "t", "contact_id": str(contact.id)}, auth)
    with app.app_context():
        key = db.session.scalar(sa.select(accounts.ApiKey))
        assert key.last_used_at is not None


def test_same_rules_as_the_service_for_name_resolution(client, auth, contact):
    response = post(
        client, {"title": "t", "contact_name": "muller hans", "company_name": "Müller GmbH"}, auth
    )
    data = response.get_json()["data"]
    assert (data["contact_id"], data["company_id"]) == (str(contact.id), str(contact.company_id))
