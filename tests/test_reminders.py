"""Reminders: the relative choices in a zone far from UTC and across daylight-saving changes,
on create and PATCH through the API, moving with the due date, and the per-user default."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage
from app.services import accounts, dates, notifications, tasks
from app.services.reminders import REMINDER_RULES, remind_at_for
from tests.conftest import PASSWORD

BERLIN = dates.zone("Europe/Berlin")
AUCKLAND = dates.zone("Pacific/Auckland")  # UTC+13 in March, far from UTC
NEW_YORK = dates.zone("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "due_day", "due_at", "tz", "expected"),
    [
        # Date-only: due at 08:00 of the day in the zone.
        ("at_due", date(2026, 3, 10), None, BERLIN, utc(2026, 3, 10, 7, 0)),
        ("morning", date(2026, 3, 10), None, AUCKLAND, utc(2026, 3, 9, 19, 0)),
        ("15m_before", date(2026, 3, 10), None, AUCKLAND, utc(2026, 3, 9, 18, 45)),
        ("1h_before", date(2026, 3, 10), None, NEW_YORK, utc(2026, 3, 10, 11, 0)),
        # Timed: exact durations before the instant.
        ("15m_before", date(2026, 3, 10), utc(2026, 3, 10, 9, 0), BERLIN, utc(2026, 3, 10, 8, 45)),
        ("at_due", date(2026, 3, 10), utc(2026, 3, 10, 9, 0), AUCKLAND, utc(2026, 3, 10, 9, 0)),
        # Morning of a timed task's day: 08:00 local, whatever the due time.
        ("morning", date(2026, 3, 10), utc(2026, 3, 10, 15, 0), BERLIN, utc(2026, 3, 10, 7, 0)),
    ],
)
def test_remind_at_for_each_rule(rule, due_day, due_at, tz, expected):
    assert remind_at_for(rule, due_day, due_at, tz) == expected


def test_one_day_before_keeps_the_wall_clock_time_across_dst():
    # Berlin springs forward on Sun 29 Mar 2026: Mon 30 Mar 09:00 CEST is 07:00 UTC;
    # "1 day before" is Sun 29 Mar 09:00 CEST = 07:00 UTC, and Sat 28 Mar would be CET.
    due = datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    assert remind_at_for("1d_before", date(2026, 3, 30), due, BERLIN) == utc(2026, 3, 29, 7, 0)
    due = datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN).astimezone(UTC)  # the change day itself
    assert remind_at_for("1d_before", date(2026, 3, 29), due, BERLIN) == utc(2026, 3, 28, 8, 0)
    # New York falls back on Sun 1 Nov 2026.
    assert remind_at_for("at_due", date(2026, 11, 1), None, NEW_YORK) == utc(2026, 11, 1, 13, 0)
    assert remind_at_for("at_due", date(2026, 10, 31), None, NEW_YORK) == utc(2026, 10, 31, 12, 0)
    # 1 hour before a time right after the spring-forward gap is one real hour.
    due = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN).astimezone(UTC)
    assert remind_at_for("1h_before", date(2026, 3, 29), due, BERLIN) == utc(2026, 3, 29, 0, 30)


def _create(client, auth, contact, **fields):
    return client.post(
        "/v1/tasks", json={"title": "Call", "contact_id": str(contact.id), **fields}, headers=auth
    )


def test_api_reminder_is_computed_read_listed_and_moves_with_the_due_date(client, auth, contact):
    response = _create(client, auth, contact, due_date="2026-03-10", reminder="1d_before")
    assert response.status_code == 201, response.json
    body = response.json["data"]
    # Unassigned: the workspace's zone (Berlin): 08:00 on 9 March.
    assert body["remind_at"] == "2026-03-09T07:00:00Z" and body["reminder"] == "1d_before"
    task_id = body["id"]
    assert client.get(f"/v1/tasks/{task_id}", headers=auth).json["data"]["remind_at"] == (
        "2026-03-09T07:00:00Z"
    )
    listed = client.get("/v1/tasks", headers=auth).json["data"]
    assert [t["remind_at"] for t in listed] == ["2026-03-09T07:00:00Z"]

    moved = client.patch(
        f"/v1/tasks/{task_id}", json={"due_date": "2026-07-01T15:00:00+02:00"}, headers=auth
    )
    assert moved.json["data"]["remind_at"] == "2026-06-30T13:00:00Z"  # summer time: UTC+2

    fixed = client.patch(
        f"/v1/tasks/{task_id}", json={"remind_at": "2026-06-29T10:00:00"}, headers=auth
    )
    assert fixed.json["data"]["remind_at"] == "2026-06-29T08:00:00Z"  # read in Berlin
    assert fixed.json["data"]["reminder"] is None
    # A fixed reminder stays put when the due date moves.
    again = client.patch(f"/v1/tasks/{task_id}", json={"due_date": "2026-08-01"}, headers=auth)
    assert again.json["data"]["remind_at"] == "2026-06-29T08:00:00Z"
    cleared = client.patch(f"/v1/tasks/{task_id}", json={"remind_at": None}, headers=auth)
    assert cleared.json["data"]["remind_at"] is None


def test_assignee_zone_decides_a_date_only_reminder(client, auth, contact, workspace):
    far = accounts.create_user(workspace, "kiri@acme.test", "Kiri", "member", PASSWORD)
    far.timezone = "Pacific/Auckland"
    db.session.commit()
    response = _create(
        client, auth, contact, due_date="2026-03-10", reminder="morning", assignee_id=str(far.id)
    )
    assert response.json["data"]["remind_at"] == "2026-03-09T19:00:00Z"
    # Reassigning to someone in the workspace's zone (Berlin) moves it.
    member = accounts.create_user(workspace, "b@acme.test", "B", "member", PASSWORD)
    moved = client.patch(
        f"/v1/tasks/{response.json['data']['id']}",
        json={"assignee_id": str(member.id)},
        headers=auth,
    )
    assert moved.json["data"]["remind_at"] == "2026-03-10T07:00:00Z"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reminder": "2h_before", "due_date": "2026-03-10"}, "reminder", "must be one of"),
        ({"reminder": "at_due"}, "reminder", "must come with a due date"),
        ({"remind_at": "tomorrow"}, "remind_at", "ISO 8601"),
        ({"remind_at": "2026-02-30T10:00:00Z"}, "remind_at", "not a real"),
        ({"remind_at": 5}, "remind_at", "must be a string"),
        (
            {"reminder": "at_due", "remind_at": "2026-03-10T10:00:00Z", "due_date": "2026-03-10"},
            "reminder",
            "not both",
        ),
    ],
)
def test_bad_reminders_are_validation_errors_naming_the_field(
    client, auth, contact, fields, field, words
):
    response = _create(client, auth, contact, **fields)
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert words in error["fields"][field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(tasks.Task)) == 0


def test_a_users_default_reminder_applies_when_the_form_says_nothing(member, contact, workspace):
    member.default_reminder = "1h_before"
    db.session.commit()
    actor = accounts.Actor.for_user(member)
    task = tasks.create_task(
        actor, {"title": "T", "contact_id": str(contact.id), "due_date": "2026-03-10T10:00:00Z"}
    ).task
    assert task.remind_rule == "1h_before" and task.remind_at == utc(2026, 3, 10, 9, 0)
    none = tasks.create_task(
        actor,
        {"title": "T", "contact_id": str(contact.id), "due_date": "2026-03-10", "reminder": None},
    ).task
    assert none.remind_at is None
    undated = tasks.create_task(actor, {"title": "T", "contact_id": str(contact.id)}).task
    assert undated.remind_at is None


def test_reminder_goes_out_at_the_right_hour_in_a_far_zone(workspace, contact):
    """Auckland user, date-only task on 10 March: nothing at 18:59 UTC on the 9th, sent at 19:00."""
    user = accounts.create_user(workspace, "kiri@acme.test", "Kiri", "member", PASSWORD)
    user.timezone = "Pacific/Auckland"
    user.notify_digest = False
    db.session.commit()
    tasks.create_task(
        accounts.Actor.for_user(user),
        {
            "title": "File brief",
            "contact_id": str(contact.id),
            "due_date": "2026-03-10",
            "assignee_id": str(user.id),
            "reminder": "morning",
        },
    )
    assert notifications.queue_due_reminders(utc(2026, 3, 9, 18, 59)) == 0
    assert notifications.queue_due_reminders(utc(2026, 3, 9, 19, 0)) == 1
    assert notifications.queue_due_reminders(utc(2026, 3, 9, 19, 1)) == 0  # once
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.to_address == "kiri@acme.test"
    assert "Tue 10 Mar 2026" in message.body_text


def test_changing_remind_at_after_it_was_sent_arms_it_again(member, contact):
    actor = accounts.Actor.for_user(member)
    member.notify_digest = False
    task = tasks.create_task(
        actor, {"title": "T", "contact_id": str(contact.id), "remind_at": "2026-03-01T09:00:00Z"}
    ).task
    assert notifications.queue_due_reminders(utc(2026, 3, 1, 9, 0)) == 1
    tasks.update_task(actor, task.id, {"remind_at": "2026-03-02T09:00:00Z"})
    assert notifications.queue_due_reminders(utc(2026, 3, 1, 12, 0)) == 0
    assert notifications.queue_due_reminders(utc(2026, 3, 2, 9, 0)) == 1


def test_openapi_describes_remind_at_and_reminder(client):
    document = client.get("/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    for name in ("TaskCreate", "TaskUpdate", "Task"):
        assert {"remind_at", "reminder"} <= set(schemas[name]["properties"])
    assert schemas["Task"]["properties"]["reminder"]["anyOf"][0] == {
        "$ref": "#/components/schemas/TaskReminder"
    }
    assert set(REMINDER_RULES) == set(schemas["TaskReminder"]["enum"])


def test_a_reminder_outside_the_supported_dates_is_a_validation_error(client, auth, contact):
    response = client.post(
        "/v1/tasks",
        json={
            "title": "x",
            "contact_id": str(contact.id),
            "due_date": "0001-01-01",
            "reminder": "1d_before",
        },
        headers=auth,
    )
    assert response.status_code == 400
    assert "supported dates" in response.json["error"]["fields"]["reminder"]
