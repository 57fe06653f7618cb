"""The API's two additions for the workbench: `assignee_id=none` and restoring a task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Task
from app.services import accounts, dates
from app.services.tasks import create_task, delete_task
from tests.api_helpers import assert_envelope


@pytest.fixture
def writer(app, workspace):
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(workspace), "setup", [accounts.READ, accounts.WRITE]
    )
    return accounts.Actor.for_api_key(key)


@pytest.fixture
def make(writer, contact):
    def make(title="Task", **fields):
        fields.setdefault("contact_id", str(contact.id))
        return create_task(writer, {"title": title, **fields}).task

    return make


def test_assignee_none_lists_unassigned_tasks(client, auth, make, member):
    make("nobody's")
    make("mine", assignee_id=str(member.id))
    response = client.get("/v1/tasks?assignee_id=none", headers=auth)
    assert response.status_code == 200
    assert [t["title"] for t in response.get_json()["data"]] == ["nobody's"]
    response = client.get(f"/v1/tasks?assignee_id={member.id}", headers=auth)
    assert [t["title"] for t in response.get_json()["data"]] == ["mine"]
    response = client.get("/v1/tasks?assignee_id=nobody", headers=auth)
    assert_envelope(response, 400, "validation_error")
    assert "assignee_id" in response.get_json()["error"]["fields"]


def test_restore_brings_a_deleted_task_back(client, auth, make, writer):
    task = make("oops")
    delete_task(writer, task.id)
    assert client.get(f"/v1/tasks/{task.id}", headers=auth).status_code == 404
    response = client.post(f"/v1/tasks/{task.id}/restore", headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["data"]["title"] == "oops"
    assert client.get(f"/v1/tasks/{task.id}", headers=auth).status_code == 200
    # Restoring a live task: it was never (or is no longer) deleted.
    assert_envelope(client.post(f"/v1/tasks/{task.id}/restore", headers=auth), 404, "not_found")


def test_restore_after_30_days_or_of_a_foreign_task_is_not_found(
    client, auth, make, writer, other_workspace
):
    old = make("old")
    delete_task(writer, old.id, now=dates.now() - timedelta(days=30, minutes=1))
    assert_envelope(client.post(f"/v1/tasks/{old.id}/restore", headers=auth), 404, "not_found")
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "k", [accounts.READ, accounts.WRITE]
    )
    fresh = make("fresh")
    delete_task(writer, fresh.id)
    other = {"Authorization": f"Bearer {secret}"}
    assert_envelope(client.post(f"/v1/tasks/{fresh.id}/restore", headers=other), 404, "not_found")
    assert_envelope(client.post("/v1/tasks/nope/restore", headers=auth), 404, "not_found")
    assert db.session.get(Task, fresh.id).deleted_at is not None


def test_restore_needs_write(client, make, writer, workspace):
    task = make()
    delete_task(writer, task.id)
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "ro", [accounts.READ]
    )
    response = client.post(
        f"/v1/tasks/{task.id}/restore", headers={"Authorization": f"Bearer {secret}"}
    )
    assert_envelope(response, 403, "insufficient_permissions")


def test_openapi_documents_restore_and_assignee_none(client):
    document = client.get("/v1/openapi.json").get_json()
    restore = document["paths"]["/v1/tasks/{task_id}/restore"]["post"]
    assert set(restore["responses"]) >= {"200", "404"}
    params = {p["name"]: p for p in document["paths"]["/v1/tasks"]["get"]["parameters"]}
    assert "none" in params["assignee_id"]["description"]
