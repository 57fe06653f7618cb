"""docs/api.md: `Idempotency-Key` on POST /v1/tasks — retries, conflicts, expiry, and
concurrent requests with one key (threads against the app, each in its own app context)."""

import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import IdempotencyRecord, Task
from app.services import accounts, dates, idempotency
from app.services import tasks as task_service
from tests.api_helpers import assert_envelope


def count(app, model=Task) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def body(contact):
    return {"title": "Follow up", "contact_id": str(contact.id), "due_date": "2026-03-10"}


def post(client, body, auth, key, **headers):
    return client.post("/v1/tasks", json=body, headers={**auth, idempotency.HEADER: key, **headers})


def test_retry_returns_the_first_answer_and_creates_nothing(client, auth, body, app):
    first = post(client, body, auth, "key-1")
    retry = post(client, body, auth, "key-1")
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(app) == 1


def test_meta_is_replayed_too(client, auth, body):
    body = {**body, "created_date": "1999-01-01T00:00:00Z"}
    first = post(client, body, auth, "key-meta")
    assert first.get_json()["meta"] == {"created_date_adjusted": True}
    assert post(client, body, auth, "key-meta").get_json() == first.get_json()


def test_same_json_in_another_key_order_or_spacing_is_the_same_body(client, auth, body, app):
    first = post(client, body, auth, "key-order")
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    retry = client.post(
        "/v1/tasks",
        data=reordered,
        headers={**auth, "Content-Type": "application/json", idempotency.HEADER: "key-order"},
    )
    assert retry.status_code == 201 and retry.get_json() == first.get_json()
    assert count(app) == 1


def test_same_key_with_another_body_is_a_conflict(client, auth, body, app):
    post(client, body, auth, "key-2")
    response = post(client, {**body, "title": "Something else"}, auth, "key-2")
    error = assert_envelope(response, 409, "idempotency_conflict")
    assert idempotency.HEADER in error["message"]
    assert count(app) == 1


def test_different_keys_create_different_tasks(client, auth, body, app):
    a = post(client, body, auth, "key-a").get_json()["data"]["id"]
    b = post(client, body, auth, "key-b").get_json()["data"]["id"]
    assert a != b and count(app) == 2


def test_no_key_means_no_memory(client, auth, body, app):
    client.post("/v1/tasks", json=body, headers=auth)
    client.post("/v1/tasks", json=body, headers=auth)
    assert count(app) == 2 and count(app, IdempotencyRecord) == 0


def test_keys_are_per_api_key(client, auth, body, workspace, app):
    _key, other_secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "another integration", [accounts.READ, accounts.WRITE]
    )
    mine = post(client, body, auth, "shared-key")
    theirs = post(client, body, {"Authorization": f"Bearer {other_secret}"}, "shared-key")
    assert theirs.status_code == 201
    assert theirs.get_json()["data"]["id"] != mine.get_json()["data"]["id"]
    assert count(app) == 2


def test_failed_requests_are_not_remembered(client, auth, body, app):
    """A 400 wrote nothing, so the same key with the corrected body creates the task."""
    broken = post(client, {**body, "status": "done"}, auth, "key-fix")
    assert_envelope(broken, 400, "validation_error")
    fixed = post(client, body, auth, "key-fix")
    assert fixed.status_code == 201
    assert count(app) == 1 and count(app, IdempotencyRecord) == 1


def test_forbidden_request_is_not_remembered(client, body, workspace, app):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "reader", [accounts.READ]
    )
    response = post(client, body, {"Authorization": f"Bearer {secret}"}, "key-ro")
    assert_envelope(response, 403, "insufficient_permissions")
    assert count(app, IdempotencyRecord) == 0


def age_records(app, by: timedelta) -> None:
    with app.app_context():
        for record in db.session.scalars(sa.select(IdempotencyRecord)):
            record.created_at -= by
        db.session.commit()


def test_replayed_within_24_hours(client, auth, body, app):
    first = post(client, body, auth, "key-day")
    age_records(app, timedelta(hours=23, minutes=59))
    assert post(client, body, auth, "key-day").get_json() == first.get_json()
    assert count(app) == 1


@pytest.mark.parametrize("age", [timedelta(hours=24), timedelta(days=3)])
def test_expired_key_may_be_used_again(client, auth, body, app, age):
    first = post(client, body, auth, "key-old")
    age_records(app, age)
    again = post(client, {**body, "title": "A new request"}, auth, "key-old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.get_json()["data"]["id"] != first.get_json()["data"]["id"]
    assert count(app) == 2 and count(app, IdempotencyRecord) == 1
    assert post(client, {**body, "title": "A new request"}, auth, "key-old").headers[
        "Idempotent-Replayed"
    ]


def test_replay_of_a_task_deleted_since_is_still_the_stored_answer(client, auth, body):
    first = post(client, body, auth, "key-del")
    client.delete(first.headers["Location"], headers=auth)
    retry = post(client, body, auth, "key-del")
    assert retry.status_code == 201 and retry.get_json() == first.get_json()


@pytest.mark.parametrize(
    "key",
    ["", "   ", "k" * (idempotency.KEY_MAX + 1), "tab\there"],
    ids=["empty", "blank", "too-long", "control-char"],
)
def test_malformed_key_is_a_validation_error(client, auth, body, app, key):
    error = assert_envelope(post(client, body, auth, key), 400, "validation_error")
    assert idempotency.HEADER in error["fields"]
    assert count(app) == 0


def test_key_at_the_length_limit_is_fine(client, auth, body):
    assert post(client, body, auth, "k" * idempotency.KEY_MAX).status_code == 201


def test_non_ascii_key_is_refused(client, auth, body):
    response = client.post(
        "/v1/tasks",
        json=body,
        headers=[*auth.items(), (idempotency.HEADER, "schlüssel".encode().decode("latin-1"))],
    )
    assert_envelope(response, 400, "validation_error")


def test_purge_expired_deletes_only_old_records(client, auth, body, app):
    post(client, body, auth, "old")
    age_records(app, timedelta(hours=25))
    post(client, body, auth, "new")
    with app.app_context():
        assert idempotency.purge_expired() == 1
        assert db.session.scalars(sa.select(IdempotencyRecord.key)).all() == ["new"]


# --- concurrency -------------------------------------------------------------------------


def race(app, monkeypatch, requests: list[tuple[dict, dict]]):
    """Send the requests from threads at once, each past the "is the key stored?" check
    before any of them creates its task, and return the responses in order."""
    barrier = threading.Barrier(len(requests), timeout=20)
    real_create = task_service.create_task

    def create_when_all_are_ready(*args, **kwargs):
        barrier.wait()
        return real_create(*args, **kwargs)

    monkeypatch.setattr(task_service, "create_task", create_when_all_are_ready)
    responses: list = [None] * len(requests)

    def send(i, body, headers):
        responses[i] = app.test_client().post("/v1/tasks", json=body, headers=headers)

    threads = [
        threading.Thread(target=send, args=(i, body, headers))
        for i, (body, headers) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in responses), "a request never finished"
    return responses


@pytest.mark.parametrize("senders", [2, 4])
def test_concurrent_requests_with_one_key_create_one_task(app, auth, body, monkeypatch, senders):
    headers = {**auth, idempotency.HEADER: "raced"}
    responses = race(app, monkeypatch, [(body, headers)] * senders)
    assert [r.status_code for r in responses] == [201] * senders, [
        r.get_data(as_text=True) for r in responses
    ]
    assert len({r.get_json()["data"]["id"] for r in responses}) == 1
    assert len({r.headers["Location"] for r in responses}) == 1
    assert sum("Idempotent-Replayed" in r.headers for r in responses) == senders - 1
    assert count(app) == 1


def test_concurrent_requests_with_one_key_and_different_bodies(app, auth, body, monkeypatch):
    headers = {**auth, idempotency.HEADER: "raced-differently"}
    responses = race(app, monkeypatch, [(body, headers), ({**body, "title": "Other"}, headers)])
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert count(app) == 1


def test_concurrent_requests_with_different_keys_all_create(app, auth, body, monkeypatch):
    requests = [(body, {**auth, idempotency.HEADER: f"k{n}"}) for n in range(3)]
    responses = race(app, monkeypatch, requests)
    assert [r.status_code for r in responses] == [201] * 3
    assert count(app) == 3


def test_service_calls_respond_only_when_nothing_is_stored(app, workspace, body):
    """respond_once, without HTTP: the work runs once; later calls get the stored reply."""
    key, _ = accounts.create_api_key(accounts.Actor.operator(workspace), "svc", [accounts.WRITE])
    actor = accounts.Actor.for_api_key(key)
    calls = []

    def respond():
        calls.append(1)
        task = task_service.create_task(actor, body, commit=False).task
        return idempotency.Reply(201, {"id": str(task.id)}, {"Location": f"/x/{task.id}"})

    fingerprint = idempotency.request_fingerprint("POST", "/v1/tasks", json.dumps(body).encode())
    now = dates.now()
    first = idempotency.respond_once(actor, "svc-key", fingerprint, respond, now=now)
    again = idempotency.respond_once(
        actor, "svc-key", fingerprint, respond, now=now + timedelta(hours=1)
    )
    assert calls == [1]
    assert again == idempotency.Reply(first.status, first.body, first.headers, replayed=True)
