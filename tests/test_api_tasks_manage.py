"""docs/api.md: GET, PATCH and DELETE /v1/tasks/{id}, and the 404-for-foreign rule."""

import re
import uuid

import pytest

from app.extensions import db
from app.models import Task
from app.services import accounts, records
from app.services.tasks import ORPHAN_MESSAGE, PARENT_FIELD, create_task, restore_task
from tests.api_helpers import assert_envelope

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def task(client, auth, contact):
    """A task created through the API, as its JSON."""
    body = {"title": "Call Hans", "contact_id": str(contact.id), "priority": "low"}
    response = client.post("/v1/tasks", json=body, headers=auth)
    assert response.status_code == 201
    return response.get_json()["data"]


def url(task_id) -> str:
    return f"/v1/tasks/{task_id}"


# --- GET /v1/tasks/{id} ------------------------------------------------------------------


def test_read_a_task(client, auth, task):
    response = client.get(url(task["id"]), headers=auth)
    assert response.status_code == 200
    assert response.get_json() == {"data": task}


def test_read_needs_read_scope(client, workspace, task):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "writer", [accounts.WRITE]
    )
    assert_envelope(
        client.get(url(task["id"]), headers=bearer(secret)), 403, "insufficient_permissions"
    )


def test_read_needs_a_key(client, task):
    assert_envelope(client.get(url(task["id"])), 401, "unauthorized")


# --- the same 404 for foreign, unknown, deleted and malformed ids -------------------------


@pytest.fixture
def foreign_task_id(app, other_workspace):
    company = records.add_company(other_workspace.id, "Globex Corp")
    db.session.commit()
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "other", [accounts.READ, accounts.WRITE]
    )
    task = create_task(
        accounts.Actor.for_api_key(key), {"title": "theirs", "company_id": str(company.id)}
    ).task
    return str(task.id)


@pytest.fixture
def deleted_task_id(client, auth, task):
    assert client.delete(url(task["id"]), headers=auth).status_code == 204
    return task["id"]


TASK_IDS = {
    "foreign": lambda request: request.getfixturevalue("foreign_task_id"),
    "unknown": lambda request: str(uuid.uuid4()),
    "deleted": lambda request: request.getfixturevalue("deleted_task_id"),
    "malformed": lambda request: "not-a-uuid",
    "almost a uuid": lambda request: "12345678-1234-1234-1234-12345678901g",
}
CALLS = {
    "get": lambda client, path, auth: client.get(path, headers=auth),
    "patch": lambda client, path, auth: client.patch(path, json={"title": "x"}, headers=auth),
    "patch invalid": lambda client, path, auth: client.patch(path, json=[], headers=auth),
    "delete": lambda client, path, auth: client.delete(path, headers=auth),
}


@pytest.mark.parametrize("which", TASK_IDS)
@pytest.mark.parametrize("call", CALLS)
def test_not_yours_reads_exactly_like_not_there(client, auth, request, which, call):
    response = CALLS[call](client, url(TASK_IDS[which](request)), auth)
    error = assert_envelope(response, 404, "not_found")
    error.pop("request_id", None)
    assert error == {"code": "not_found", "message": "Task not found"}


def test_foreign_task_is_untouched(client, auth, app, foreign_task_id):
    client.patch(url(foreign_task_id), json={"title": "mine now"}, headers=auth)
    client.delete(url(foreign_task_id), headers=auth)
    with app.app_context():
        task = db.session.get(Task, uuid.UUID(foreign_task_id))
        assert task.title == "theirs" and task.deleted_at is None


# --- PATCH /v1/tasks/{id} ----------------------------------------------------------------


def test_patch_changes_given_fields_only(client, auth, task):
    response = client.patch(url(task["id"]), json={"priority": "high"}, headers=auth)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["priority"] == "high"
    assert {k: v for k, v in data.items() if k not in ("priority", "updated_at")} == {
        k: v for k, v in task.items() if k not in ("priority", "updated_at")
    }
    assert client.get(url(task["id"]), headers=auth).get_json()["data"] == data


def test_patch_null_clears(client, auth, task):
    data = client.patch(url(task["id"]), json={"priority": None}, headers=auth).get_json()["data"]
    assert data["priority"] is None


def test_patch_completed_sets_and_leaving_clears_completed_at(client, auth, task):
    done = client.patch(url(task["id"]), json={"status": "completed"}, headers=auth)
    assert ISO_UTC.match(done.get_json()["data"]["completed_at"])
    reopened = client.patch(url(task["id"]), json={"status": "open"}, headers=auth)
    assert reopened.get_json()["data"]["completed_at"] is None


def test_patch_due_date_round_trips(client, auth, task):
    day = client.patch(url(task["id"]), json={"due_date": "2026-03-10"}, headers=auth)
    assert day.get_json()["data"]["due_date"] == "2026-03-10"
    timed = client.patch(
        url(task["id"]), json={"due_date": "2026-03-10T09:00:00+02:00"}, headers=auth
    )
    assert timed.get_json()["data"]["due_date"] == "2026-03-10T07:00:00Z"


def test_patch_may_not_remove_the_last_parent_link(client, auth, task):
    response = client.patch(url(task["id"]), json={"contact_id": None}, headers=auth)
    error = assert_envelope(response, 400, "validation_error")
    assert error["message"] == ORPHAN_MESSAGE
    assert error["fields"] == {PARENT_FIELD: ORPHAN_MESSAGE}


def test_patch_resolves_a_company_name(client, auth, task, workspace):
    company = records.add_company(workspace.id, "Müller GmbH & Co")
    db.session.commit()
    response = client.patch(
        url(task["id"]), json={"company_name": "muller gmbh & co"}, headers=auth
    )
    assert response.get_json()["data"]["company_id"] == str(company.id)


def test_patch_ambiguous_name_lists_candidates(client, auth, task, workspace):
    records.add_contact(workspace.id, "Anna", "Schmidt", "anna@one.test")
    records.add_contact(workspace.id, "Anna", "Schmidt", "anna@two.test")
    db.session.commit()
    response = client.patch(url(task["id"]), json={"contact_name": "Anna Schmidt"}, headers=auth)
    error = assert_envelope(response, 400, "ambiguous_reference")
    assert error["field"] == "contact_name" and len(error["candidates"]) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"created_date": "2026-01-01T00:00:00Z"}, "created_date"),
        ({"titel": "typo"}, "titel"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"due_date": "9999-12-31T23:00:00-05:00"}, "due_date"),
        ({"contact_id": "nope"}, "contact_id"),
        ({"title": 42}, "title"),
        ({"title": "nul\u0000byte"}, "title"),
    ],
)
def test_patch_invalid_field_is_named(client, auth, task, body, field):
    error = assert_envelope(
        client.patch(url(task["id"]), json=body, headers=auth), 400, "validation_error"
    )
    assert field in error["fields"]


@pytest.mark.parametrize("raw", ["[1]", '"text"', "null", "{not json", "", "[" * 100_000])
def test_patch_body_must_be_a_json_object(client, auth, task, raw):
    response = client.patch(
        url(task["id"]), data=raw, headers={**auth, "Content-Type": "application/json"}
    )
    assert_envelope(response, 400, "validation_error")


def test_patch_needs_write_scope(client, workspace, task):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "reader", [accounts.READ]
    )
    response = client.patch(url(task["id"]), json={"title": "no"}, headers=bearer(secret))
    assert_envelope(response, 403, "insufficient_permissions")


def test_patch_with_a_write_only_key(client, workspace, task):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "writer", [accounts.WRITE]
    )
    response = client.patch(url(task["id"]), json={"title": "ok"}, headers=bearer(secret))
    assert response.status_code == 200


def test_patch_over_a_mebibyte_is_refused(client, auth, task):
    body = {"description": "x" * (1024 * 1024)}
    assert_envelope(
        client.patch(url(task["id"]), json=body, headers=auth), 413, "payload_too_large"
    )


# --- DELETE /v1/tasks/{id} ---------------------------------------------------------------


def test_delete_answers_204_and_the_task_is_gone(client, auth, task):
    response = client.delete(url(task["id"]), headers=auth)
    assert response.status_code == 204 and response.get_data() == b""
    assert_envelope(client.get(url(task["id"]), headers=auth), 404, "not_found")
    assert client.get("/v1/tasks", headers=auth).get_json()["data"] == []
    assert_envelope(client.delete(url(task["id"]), headers=auth), 404, "not_found")


def test_delete_is_soft_and_the_browser_undo_restores(client, auth, task, member):
    client.delete(url(task["id"]), headers=auth)
    restore_task(accounts.Actor.for_user(member), uuid.UUID(task["id"]))
    response = client.get(url(task["id"]), headers=auth)
    assert response.status_code == 200
    assert response.get_json()["data"]["title"] == "Call Hans"


def test_delete_needs_write_scope(client, workspace, task, auth):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "reader", [accounts.READ]
    )
    assert_envelope(
        client.delete(url(task["id"]), headers=bearer(secret)), 403, "insufficient_permissions"
    )
    assert client.get(url(task["id"]), headers=auth).status_code == 200


def test_unsupported_method_is_405_in_the_envelope(client, auth, task):
    response = client.put(url(task["id"]), json={}, headers=auth)
    assert_envelope(response, 405, "method_not_allowed")
    assert "PATCH" in response.headers["Allow"]
