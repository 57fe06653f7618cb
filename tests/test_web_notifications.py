"""The browser side of notifications: the reminder field, the settings page, the bell, the
calendar feed (parsed back with icalendar), the digest and assignment notices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Notification, OutboxMessage, Task, User
from app.services import accounts, calendar, notifications, tasks
from tests.conftest import PASSWORD
from tests.web_helpers import login_as, text


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


def only_task() -> Task:
    return db.session.scalar(sa.select(Task))


def test_form_reminder_rule_and_custom_time(member_client, contact):
    response = member_client.post(
        "/tasks",
        data={
            "title": "a",
            "contact_id": str(contact.id),
            "due_date": "2026-03-10",
            "reminder": "1d_before",
        },
    )
    assert response.status_code == 303, text(response)
    task = only_task()
    assert task.remind_rule == "1d_before"
    assert task.remind_at == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # 08:00 Berlin
    edit = text(member_client.get(f"/tasks/{task.id}/edit"))
    assert '<option selected value="1d_before">' in edit or 'value="1d_before" selected' in edit

    response = member_client.post(
        f"/tasks/{task.id}/edit",
        data={
            "title": "a",
            "contact_id": str(contact.id),
            "due_date": "2026-03-10",
            "reminder": "custom",
            "remind_at": "2026-03-08T17:30",
        },
    )
    assert response.status_code == 303, text(response)
    db.session.expire_all()
    task = only_task()
    assert task.remind_rule is None and task.remind_at == datetime(2026, 3, 8, 16, 30, tzinfo=UTC)


def test_custom_reminder_without_a_time_is_an_error_and_keeps_input(member_client, contact):
    response = member_client.post(
        "/tasks", data={"title": "keep me", "contact_id": str(contact.id), "reminder": "custom"}
    )
    html = text(response)
    assert response.status_code == 400
    assert (
        "Give the reminder&#39;s date and time" in html
        or "Give the reminder's date and time" in html
    )
    assert 'value="keep me"' in html
    assert only_task() is None


def test_a_relative_reminder_without_due_date_is_shown_at_the_reminder(member_client, contact):
    html = text(
        member_client.post(
            "/tasks", data={"title": "x", "contact_id": str(contact.id), "reminder": "at_due"}
        )
    )
    assert "Reminder must come with a due date" in html


def test_the_users_default_is_offered_first_on_new_tasks(member_client, member, contact):
    member.default_reminder = "15m_before"
    db.session.commit()
    html = text(member_client.get("/tasks/new"))
    assert "My default (15 minutes before)" in html
    member_client.post(
        "/tasks",
        data={
            "title": "a",
            "contact_id": str(contact.id),
            "due_date": "2026-03-10",
            "due_time": "10:00",
            "reminder": "default",
        },
    )
    assert only_task().remind_at == datetime(2026, 3, 10, 8, 45, tzinfo=UTC)


def test_settings_page_saves_zone_choices_and_default(member_client, member):
    page = text(member_client.get("/settings/notifications"))
    assert "Workspace default (Europe/Berlin)" in page and "/calendar/" in page
    response = member_client.post(
        "/settings/notifications",
        data={
            "timezone": "Pacific/Auckland",
            "default_reminder": "morning",
            "notify_reminders": "y",
            "notify_assignments": "y",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, member.id)
    assert (user.timezone, user.default_reminder) == ("Pacific/Auckland", "morning")
    assert (user.notify_reminders, user.notify_digest, user.notify_assignments) == (
        True,
        False,
        True,
    )
    bad = member_client.post("/settings/notifications", data={"timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "unknown time zone" in text(bad)
    db.session.expire_all()
    assert db.session.get(User, member.id).timezone == "Pacific/Auckland"


def test_assignment_by_someone_else_sends_one_email_and_rings_the_bell(
    client, admin, member, contact
):
    actor = accounts.Actor.for_user(admin)
    task = tasks.create_task(
        actor,
        {"title": "Prepare brief", "contact_id": str(contact.id), "assignee_id": str(member.id)},
    ).task
    # Assigning to yourself, or saving without a change of assignee, tells nobody.
    tasks.update_task(actor, task.id, {"title": "Prepare the brief"})
    tasks.create_task(
        accounts.Actor.for_user(member),
        {"title": "Mine", "contact_id": str(contact.id), "assignee_id": str(member.id)},
    )
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [(m.kind, m.to_address) for m in messages] == [("assignment", member.email)]
    assert "Ada Admin assigned you" in messages[0].subject
    login_as(client, member)
    page = text(client.get("/tasks"))
    assert 'class="bell__count">1<' in page
    listing = text(client.get("/notifications"))
    assert "Ada Admin assigned you" in listing and "Prepare the brief" in listing
    client.post("/notifications/read")
    assert "bell__count" not in text(client.get("/tasks"))


def test_assignment_through_the_api_names_the_key(client, auth, member, contact):
    response = client.post(
        "/v1/tasks",
        json={"title": "From Zapier", "contact_id": str(contact.id), "assignee_id": str(member.id)},
        headers=auth,
    )
    assert response.status_code == 201
    note = db.session.scalar(sa.select(Notification))
    assert note.user_id == member.id and note.actor_name == "API key “integration”"


def test_calendar_feed_parses_back_with_stable_uids_alarm_and_link(client, app, member, contact):
    actor = accounts.Actor.for_user(member)
    dated = tasks.create_task(
        actor,
        {
            "title": "Hearing",
            "contact_id": str(contact.id),
            "assignee_id": str(member.id),
            "due_date": "2026-03-10",
        },
    ).task
    timed = tasks.create_task(
        actor,
        {
            "title": "Call Müller",
            "contact_id": str(contact.id),
            "assignee_id": str(member.id),
            "due_date": "2026-03-11T09:30:00+01:00",
            "reminder": "15m_before",
        },
    ).task
    tasks.create_task(
        actor, {"title": "Undated", "contact_id": str(contact.id), "assignee_id": str(member.id)}
    )
    done = tasks.create_task(
        actor,
        {
            "title": "Done",
            "contact_id": str(contact.id),
            "assignee_id": str(member.id),
            "due_date": "2026-03-10",
            "status": "completed",
        },
    ).task
    with app.test_request_context():
        path = "/" + calendar.feed_url(member).split("/", 3)[3]
    response = client.get(path)  # no login
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"{dated.id}@crm-tasks", f"{timed.id}@crm-tasks"}
    all_day = events[f"{dated.id}@crm-tasks"]
    assert all_day.decoded("dtstart") == date(2026, 3, 10)  # never shifted by a zone
    at = events[f"{timed.id}@crm-tasks"]
    assert at.decoded("dtstart") == datetime(2026, 3, 11, 8, 30, tzinfo=UTC)
    (alarm,) = at.walk("VALARM")
    assert alarm.decoded("trigger") == datetime(2026, 3, 11, 8, 15, tzinfo=UTC)
    assert str(at["url"]).endswith(f"/tasks/{timed.id}/edit")
    assert str(at["summary"]) == "Call Müller"
    assert done.id not in {e for e in events}
    # Same feed again: the same UIDs.
    again = icalendar.Calendar.from_ical(client.get(path).data)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == set(events)


def test_reset_link_revokes_the_old_feed_url(member_client, app, member):
    with app.test_request_context():
        old = "/" + calendar.feed_url(member).split("/", 3)[3]
    assert member_client.get(old).status_code == 200
    member_client.post("/settings/notifications/calendar/reset")
    assert member_client.get(old).status_code == 404
    db.session.expire_all()
    with app.test_request_context():
        new = "/" + calendar.feed_url(db.session.get(User, member.id)).split("/", 3)[3]
    assert new != old and member_client.get(new).status_code == 200
    assert member_client.get("/calendar/nonsense.ics").status_code == 404


def test_calendar_url_command_prints_the_feed_url(runner, app, member):
    result = runner.invoke(args=["calendar-url", "--user", member.email])
    assert result.exit_code == 0, result.output
    printed = result.output.strip().splitlines()[-1]
    assert printed == calendar.feed_url(member)  # APP_BASE_URL unset: 127.0.0.1:5000
    assert printed.startswith("http://127.0.0.1:5000/calendar/")
    assert runner.invoke(args=["calendar-url", "--user", "nobody@x.test"]).exit_code == 1


BERLIN_0800 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Mon 2 Mar, 08:00 in Berlin


def test_morning_digest_at_0800_in_the_users_zone_once_grouped(workspace, member, contact):
    actor = accounts.Actor.for_user(member)
    for title, due in (
        ("Overdue one", "2026-02-27"),
        ("Today one", "2026-03-02"),
        ("Tomorrow one", "2026-03-03"),
        ("Later", "2026-03-09"),
    ):
        tasks.create_task(
            actor,
            {
                "title": title,
                "contact_id": str(contact.id),
                "assignee_id": str(member.id),
                "due_date": due,
            },
        )
    assert notifications.queue_digests(BERLIN_0800 - timedelta(minutes=1)) == 0
    assert notifications.queue_digests(BERLIN_0800) == 1
    assert notifications.queue_digests(BERLIN_0800 + timedelta(hours=3)) == 0  # once a day
    (digest,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "digest")
    ).all()
    body = digest.body_text
    assert body.index("Overdue (1)") < body.index("Due today (1)") < body.index("Due tomorrow (1)")
    assert "Later" not in body and "/tasks/" in body
    assert notifications.queue_digests(BERLIN_0800 + timedelta(days=1)) == 1  # next morning


def test_no_digest_when_nothing_is_due_and_none_when_opted_out(workspace, member, contact):
    actor = accounts.Actor.for_user(member)
    tasks.create_task(
        actor,
        {
            "title": "Tomorrow only",
            "contact_id": str(contact.id),
            "assignee_id": str(member.id),
            "due_date": "2026-03-03",
        },
    )
    assert notifications.queue_digests(BERLIN_0800) == 0
    other = accounts.create_user(workspace, "o@acme.test", "O", "member", PASSWORD)
    other.notify_digest = False
    db.session.commit()
    tasks.create_task(
        actor,
        {
            "title": "Today",
            "contact_id": str(contact.id),
            "assignee_id": str(other.id),
            "due_date": "2026-03-02",
        },
    )
    # The member's day is decided already; the other user opted out.
    assert notifications.queue_digests(BERLIN_0800 + timedelta(minutes=5)) == 0
    other.notify_digest = True
    db.session.commit()
    assert notifications.queue_digests(BERLIN_0800 + timedelta(minutes=10)) == 1


def test_digest_follows_a_far_zone_and_dst(workspace, member, contact):
    member.timezone = "America/New_York"
    db.session.commit()
    actor = accounts.Actor.for_user(member)
    tasks.create_task(
        actor,
        {
            "title": "T",
            "contact_id": str(contact.id),
            "assignee_id": str(member.id),
            "due_date": "2026-03-09",
        },
    )
    # New York springs forward on Sun 8 Mar 2026: 08:00 on Mon 9 Mar is 12:00 UTC (EDT).
    assert notifications.queue_digests(datetime(2026, 3, 9, 11, 59, tzinfo=UTC)) == 0
    assert notifications.queue_digests(datetime(2026, 3, 9, 12, 0, tzinfo=UTC)) == 1


def test_form_repeat_fields_make_an_rrule_and_the_list_marks_it(member_client, contact):
    response = member_client.post(
        "/tasks",
        data={
            "title": "Weekly report",
            "contact_id": str(contact.id),
            "due_date": "2026-03-02",
            "repeat": "WEEKLY",
            "repeat_interval": "2",
            "repeat_days": ["MO", "TH"],
            "repeat_end": "count",
            "repeat_count": "5",
        },
    )
    assert response.status_code == 303, text(response)
    task = only_task()
    assert task.recurrence == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5"
    listing = text(member_client.get("/tasks?view=everyone"))
    assert "Repeats" in listing and "Every 2 weeks on Mon, Thu, 5 more times" in listing
    edit = text(member_client.get(f"/tasks/{task.id}/edit"))
    assert 'id="repeat-day-TH" value="TH" checked' in edit
    bad = member_client.post(
        f"/tasks/{task.id}/edit",
        data={
            "title": "Weekly report",
            "contact_id": str(contact.id),
            "due_date": "2026-03-02",
            "repeat": "MONTHLY",
            "repeat_month_day": "40",
        },
    )
    assert bad.status_code == 400 and "BYMONTHDAY must be a whole number from 1 to 31" in text(bad)
    db.session.expire_all()
    assert only_task().recurrence == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5"
    cleared = member_client.post(
        f"/tasks/{task.id}/edit",
        data={
            "title": "Weekly report",
            "contact_id": str(contact.id),
            "due_date": "2026-03-02",
            "repeat": "",
        },
    )
    assert cleared.status_code == 303
    db.session.expire_all()
    assert only_task().recurrence is None
