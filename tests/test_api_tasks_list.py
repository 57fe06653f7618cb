"""docs/api.md: GET /v1/tasks — filters, order, cursor pagination, parameter errors."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.services import accounts, records
from app.services.tasks import PAGE_LIMIT_MAX, create_task, delete_task
from tests.api_helpers import assert_envelope


@pytest.fixture
def writer(app, workspace):
    """A read/write actor of the workspace, to set up tasks through the service."""
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


def titles(client, auth, query="") -> list[str]:
    response = client.get(f"/v1/tasks{query}", headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [task["title"] for task in response.get_json()["data"]]


def test_list_answers_data_and_next_cursor(client, auth, make):
    task = make("Call Hans", due_date="2026-03-10", priority="high")
    response = client.get("/v1/tasks", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"data", "next_cursor"}
    assert body["next_cursor"] is None
    (data,) = body["data"]
    assert data["id"] == str(task.id)
    assert data["due_date"] == "2026-03-10"
    assert data == client.get(f"/v1/tasks/{task.id}", headers=auth).get_json()["data"]


def test_list_empty_workspace(client, auth):
    assert client.get("/v1/tasks", headers=auth).get_json() == {"data": [], "next_cursor": None}


def test_list_sorted_by_due_date_then_creation(client, auth, make):
    make("undated")
    make("later", due_date="2026-04-01")
    make("sooner", due_date="2026-03-01")
    make("sooner, created after", due_date="2026-03-01")
    assert titles(client, auth) == ["sooner", "sooner, created after", "later", "undated"]


def test_list_hides_deleted_and_foreign_tasks(client, auth, make, writer, other_workspace):
    make("kept")
    delete_task(writer, make("deleted").id)
    company = records.add_company(other_workspace.id, "Globex Corp")
    db.session.commit()
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "other", [accounts.WRITE]
    )
    create_task(
        accounts.Actor.for_api_key(key), {"title": "foreign", "company_id": str(company.id)}
    )
    assert titles(client, auth) == ["kept"]


def test_filter_status_is_repeatable(client, auth, make):
    make("o", status="open")
    make("p", status="in_progress")
    make("c", status="completed")
    assert titles(client, auth, "?status=completed") == ["c"]
    assert sorted(titles(client, auth, "?status=open&status=in_progress")) == ["o", "p"]


def test_filter_priority(client, auth, make):
    make("hi", priority="high")
    make("lo", priority="low")
    assert titles(client, auth, "?priority=high") == ["hi"]


def test_filter_assignee(client, auth, make, member):
    make("mine", assignee_id=str(member.id))
    make("nobody's")
    assert titles(client, auth, f"?assignee_id={member.id}") == ["mine"]


def test_filter_unassigned(client, auth, make, member):
    make("Nobody's")
    make("Member's", assignee_id=str(member.id))
    assert titles(client, auth, "?assignee_id=none") == ["Nobody's"]
    assert titles(client, auth, f"?assignee_id={member.id}") == ["Member's"]
    response = client.get("/v1/tasks?assignee_id=nobody", headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"assignee_id": "is not a valid UUID"}


def test_a_cursor_given_out_before_the_stored_sort_key_still_works(client, auth, make, app):
    from itsdangerous import URLSafeSerializer

    first = make("first", due_date="2026-03-01")
    make("second", due_date="2026-03-02")
    old_style = URLSafeSerializer(app.config["SECRET_KEY"], salt="tasks-cursor").dumps(
        ["2026-03-01", "9999-12-31T00:00:00+00:00", first.created_date.isoformat(), str(first.id)]
    )
    assert titles(client, auth, f"?cursor={old_style}") == ["second"]


@pytest.mark.parametrize("field", ["contact_id", "company_id", "deal_id", "event_id"])
def test_filter_linked_record(client, auth, make, workspace, field):
    def record():
        unique = uuid.uuid4().hex[:8]
        return {
            "contact_id": lambda: records.add_contact(workspace.id, "Ann", unique),
            "company_id": lambda: records.add_company(workspace.id, f"Co {unique}"),
            "deal_id": lambda: records.add_deal(workspace.id, f"Deal {unique}"),
            "event_id": lambda: records.add_event(workspace.id, unique, datetime.now(UTC)),
        }[field]()

    wanted, other = record(), record()
    db.session.commit()
    make("wanted", **{field: str(wanted.id)})
    make("other", **{field: str(other.id)})
    assert titles(client, auth, f"?{field}={wanted.id}") == ["wanted"]


def test_filter_due_range_inclusive(client, auth, make):
    for day in ("2026-03-01", "2026-03-05", "2026-03-10"):
        make(day, due_date=day)
    make("undated")
    assert titles(client, auth, "?due_before=2026-03-05") == ["2026-03-01", "2026-03-05"]
    assert titles(client, auth, "?due_after=2026-03-05") == ["2026-03-05", "2026-03-10"]
    assert titles(client, auth, "?due_after=2026-03-02&due_before=2026-03-09") == ["2026-03-05"]


def test_filter_overdue(client, auth, make):
    today = datetime.now(UTC).date()
    make("long ago", due_date="2000-01-01")
    make("long ago but done", due_date="2000-01-01", status="completed")
    make("an hour ago", due_date=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    make("far ahead", due_date="2999-01-01")
    make("undated")
    make("next week", due_date=(today + timedelta(days=7)).isoformat())
    assert titles(client, auth, "?overdue=true") == ["long ago", "an hour ago"]


def test_filter_q(client, auth, make):
    make("Call Hans about the offer")
    make("Lunch")
    assert titles(client, auth, "?q=OFFER") == ["Call Hans about the offer"]


def test_filters_combine(client, auth, make, member):
    make("match", priority="high", assignee_id=str(member.id))
    make("wrong priority", priority="low", assignee_id=str(member.id))
    make("unassigned", priority="high")
    assert titles(client, auth, f"?priority=high&assignee_id={member.id}&status=open") == ["match"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=done", "status"),
        ("status=", "status"),
        ("status=open&status=nope", "status"),
        ("priority=urgent", "priority"),
        ("priority=high&priority=low", "priority"),
        ("assignee_id=me", "assignee_id"),
        ("contact_id=123", "contact_id"),
        ("company_id=", "company_id"),
        ("deal_id=not-a-uuid", "deal_id"),
        ("event_id=x", "event_id"),
        ("due_before=2026-02-30", "due_before"),
        ("due_after=tomorrow", "due_after"),
        ("due_after=2026-03-10T09:00:00Z", "due_after"),
        ("overdue=false", "overdue"),
        ("overdue=1", "overdue"),
        ("q=a%00b", "q"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("limit=99999999999999", "limit"),
        ("cursor=garbage", "cursor"),
        ("cursor=", "cursor"),
        ("q=", "q"),
        ("overdue=", "overdue"),
        ("due_before=", "due_before"),
        ("titel=typo", "titel"),
        ("page=2", "page"),
    ],
)
def test_bad_parameter_is_a_validation_error_naming_it(client, auth, query, parameter):
    error = assert_envelope(client.get(f"/v1/tasks?{query}", headers=auth), 400, "validation_error")
    assert parameter in error["fields"], error


def test_malformed_and_unknown_parameters_are_reported_together(client, auth):
    response = client.get("/v1/tasks?limit=ten&due_before=soon&colour=red", headers=auth)
    error = assert_envelope(response, 400, "validation_error")
    assert set(error["fields"]) == {"limit", "due_before", "colour"}


def test_values_the_service_refuses_are_reported_together(client, auth):
    response = client.get("/v1/tasks?priority=urgent&status=done&limit=0", headers=auth)
    error = assert_envelope(response, 400, "validation_error")
    assert set(error["fields"]) == {"priority", "status", "limit"}


@pytest.mark.parametrize("limit", [1, PAGE_LIMIT_MAX])
def test_limit_bounds_accepted(client, auth, make, limit):
    make("a")
    make("b")
    body = client.get(f"/v1/tasks?limit={limit}", headers=auth).get_json()
    assert len(body["data"]) == min(limit, 2)


def test_default_limit_is_50(client, auth, make, writer, contact):
    for n in range(51):
        make(f"t{n:02}")
    body = client.get("/v1/tasks", headers=auth).get_json()
    assert len(body["data"]) == 50 and body["next_cursor"]


def tamper(cursor: str) -> str:
    body, _, signature = cursor.rpartition(".")
    return f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def test_tampered_cursor_is_refused(client, auth, make):
    make("a")
    make("b")
    cursor = client.get("/v1/tasks?limit=1", headers=auth).get_json()["next_cursor"]
    response = client.get(f"/v1/tasks?limit=1&cursor={tamper(cursor)}", headers=auth)
    error = assert_envelope(response, 400, "validation_error")
    assert error["fields"] == {"cursor": "is not a cursor this server gave out"}


def test_pages_to_the_end_without_gaps_or_repeats_while_tasks_are_added(
    client, auth, make, contact
):
    days = ["2026-03-01", "2026-03-03", None, "2026-03-02T10:00:00Z", "2026-03-05"]
    original = {str(make(f"original {n}", due_date=days[n % 5]).id) for n in range(17)}
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"/v1/tasks{query}", headers=auth).get_json()
        seen += [task["id"] for task in body["data"]]
        pages += 1
        # Two more tasks through the API between pages: one sorts early, one late.
        for due in ("2026-02-01", "2026-12-01"):
            new = {"title": f"added {pages} {due}", "contact_id": str(contact.id), "due_date": due}
            assert client.post("/v1/tasks", json=new, headers=auth).status_code == 201
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 50
    assert len(seen) == len(set(seen)), "a task was listed twice"
    assert original <= set(seen), "a task that existed all along was skipped"


def test_list_needs_read_scope(client, workspace):
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "write only", [accounts.WRITE]
    )
    response = client.get(
        "/v1/tasks?priority=urgent", headers={"Authorization": f"Bearer {secret}"}
    )
    assert_envelope(response, 403, "insufficient_permissions")


def test_list_needs_a_key(client):
    response = client.get("/v1/tasks")
    assert_envelope(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
