"""Recurring tasks: the RRULE subset, the next occurrence across DST, exactly-once successors."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import dates, tasks
from app.services.recurrence import RecurrenceError, next_due, parse

BERLIN = dates.zone("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("rrule:freq=weekly;byday=we,mo", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=2", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15"),
        ("FREQ=YEARLY;COUNT=3", "FREQ=YEARLY;COUNT=3"),
        ("FREQ=WEEKLY;UNTIL=20261231T000000Z", "FREQ=WEEKLY;UNTIL=20261231"),
    ],
)
def test_rules_are_read_and_stored_canonically(text, canonical):
    assert str(parse(text)) == canonical


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "is empty"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=HOURLY", "FREQ must be DAILY"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
        ("FREQ=DAILY;BYDAY=MO", "BYDAY is only supported with FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes weekdays"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be a whole number from 1 to 31"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 999"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20260101", "not both"),
        ("FREQ=DAILY;UNTIL=2026-01-01", "UNTIL must be a date"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ", "is not NAME=VALUE"),
    ],
)
def test_bad_rules_say_what_is_wrong(text, words):
    with pytest.raises(RecurrenceError, match=words):
        parse(text)


def test_next_occurrence_keeps_the_wall_clock_time_across_dst():
    # Weekly on Monday 09:00 Berlin: 23 Mar (CET, 08:00 UTC) → 30 Mar (CEST, 07:00 UTC).
    due = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    following = next_due(parse("FREQ=WEEKLY;BYDAY=MO"), date(2026, 3, 23), due, BERLIN)
    assert following.instant == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert following.day == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("FREQ=DAILY;INTERVAL=3", date(2026, 2, 27), date(2026, 3, 2)),
        ("FREQ=WEEKLY;BYDAY=MO,TH", date(2026, 3, 2), date(2026, 3, 5)),
        ("FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 3, 31), date(2026, 5, 31)),  # April skipped
        ("FREQ=YEARLY", date(2028, 2, 29), date(2032, 2, 29)),
        ("FREQ=DAILY;UNTIL=20260302", date(2026, 3, 2), None),
        ("FREQ=DAILY;COUNT=1", date(2026, 3, 2), None),
    ],
)
def test_next_date_only_occurrence(text, day, expected):
    following = next_due(parse(text), day, None, BERLIN)
    assert (following.day if following else None) == expected


def _recurring(actor, contact, **fields):
    payload = {
        "title": "Weekly report",
        "contact_id": str(contact.id),
        "assignee_id": str(actor.user_id),
        "due_date": "2026-03-23T09:00:00",
        "reminder": "1h_before",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
        **fields,
    }
    return tasks.create_task(actor, payload).task


def test_completing_creates_the_next_occurrence_once_with_links_assignee_and_reminder(
    actor, contact
):
    first = _recurring(actor, contact)
    tasks.complete_task(actor, first.id)
    tasks.reopen_task(actor, first.id)
    tasks.complete_task(actor, first.id)  # completing again makes no second successor
    successors = db.session.scalars(
        sa.select(Task).where(Task.previous_occurrence_id == first.id)
    ).all()
    assert len(successors) == 1
    nxt = successors[0]
    assert nxt.status == "open" and nxt.title == "Weekly report"
    assert nxt.contact_id == contact.id and nxt.assignee_id == actor.user_id
    assert nxt.due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert nxt.remind_rule == "1h_before"
    assert nxt.remind_at == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert nxt.recurrence == "FREQ=WEEKLY;BYDAY=MO;COUNT=2"
    tasks.complete_task(actor, nxt.id)
    last = db.session.scalar(sa.select(Task).where(Task.previous_occurrence_id == nxt.id))
    assert last.recurrence == "FREQ=WEEKLY;BYDAY=MO;COUNT=1"
    tasks.complete_task(actor, last.id)
    assert db.session.scalar(sa.select(Task).where(Task.previous_occurrence_id == last.id)) is None


def test_two_workers_completing_at_once_make_one_successor(app, actor, contact):
    first = _recurring(actor, contact, recurrence="FREQ=DAILY")
    barrier = threading.Barrier(2)
    errors = []

    def complete():
        with app.app_context():
            try:
                barrier.wait()
                tasks.complete_task(actor, first.id)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.session.expire_all()
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Task).where(Task.previous_occurrence_id == first.id)
    )
    assert count == 1


def test_api_recurrence_is_validated_and_read_back(client, auth, contact):
    bad = client.post(
        "/v1/tasks",
        json={
            "title": "x",
            "contact_id": str(contact.id),
            "due_date": "2026-03-02",
            "recurrence": "FREQ=HOURLY",
        },
        headers=auth,
    )
    assert bad.status_code == 400
    assert "FREQ must be DAILY" in bad.json["error"]["fields"]["recurrence"]
    undated = client.post(
        "/v1/tasks",
        json={"title": "x", "contact_id": str(contact.id), "recurrence": "FREQ=DAILY"},
        headers=auth,
    )
    assert "due date" in undated.json["error"]["fields"]["recurrence"]
    good = client.post(
        "/v1/tasks",
        json={
            "title": "x",
            "contact_id": str(contact.id),
            "due_date": "2026-03-02",
            "recurrence": "freq=weekly;byday=mo",
        },
        headers=auth,
    )
    assert good.status_code == 201
    assert good.json["data"]["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    task_id = good.json["data"]["id"]
    cleared = client.patch(f"/v1/tasks/{task_id}", json={"recurrence": None}, headers=auth)
    assert cleared.json["data"]["recurrence"] is None
