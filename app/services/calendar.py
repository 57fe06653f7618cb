"""A user's open tasks as a private RFC 5545 calendar feed (`/calendar/<token>.ics`).

The token is the user's id and an HMAC of it with the feed's version: nothing secret is
stored, and "Reset link" raises the version, which revokes every URL given out before.
Changing SECRET_KEY revokes all feed URLs too.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

import icalendar
import sqlalchemy as sa
from flask_babel import gettext

from app.config import settings
from app.extensions import db
from app.i18n import for_recipient, speaking
from app.models import Task, User, Workspace
from app.services import dates
from app.services.notifications import absolute_url

#: How long a timed task blocks in a calendar (it is a deadline, not a meeting).
TIMED_TASK_LENGTH = timedelta(minutes=30)
_SIGNATURE_LENGTH = 32
#: Where a feed's UIDs live; stable, so calendars update events instead of duplicating.
UID_DOMAIN = "crm-tasks"


def _signature(user_id: uuid.UUID, version: int) -> str:
    key = settings().secret_key.encode()
    message = f"calendar-feed:{user_id}:{version}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_LENGTH]


def feed_token(user: User) -> str:
    return user.id.hex + _signature(user.id, user.calendar_feed_version)


def user_for_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None (unknown, reset or malformed)."""
    if len(token) != 32 + _SIGNATURE_LENGTH:
        return None
    try:
        user_id = uuid.UUID(hex=token[:32])
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(token[32:], _signature(user.id, user.calendar_feed_version)):
        return None
    return user


def feed_url(user: User) -> str:
    return absolute_url("web.calendar_feed", token=feed_token(user))


def reset_feed(user: User) -> str:
    """Revoke the user's feed URL and return the new one."""
    user.calendar_feed_version += 1
    db.session.commit()
    return feed_url(user)


def feed_tasks(user: User) -> list[Task]:
    return list(
        db.session.scalars(
            sa.select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.deleted_at.is_(None),
                Task.status != "completed",
                Task.due_date.is_not(None),
            )
            .order_by(Task.due_date, Task.due_at, Task.id)
        )
    )


def feed_ics(user: User, now: datetime | None = None) -> bytes:
    """The feed: one VEVENT per open task with a due date, its reminder as a VALARM."""
    now = now or dates.now()
    workspace = db.session.get(Workspace, user.workspace_id)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//crm-tasks//Tasks feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    with speaking(for_recipient(user, workspace)):
        name = gettext("Tasks")
    cal.add("x-wr-calname", f"{name} · {workspace.name}" if workspace else name)
    cal.add("x-published-ttl", "PT1H")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for task in feed_tasks(user):
        cal.add_component(_event(task, now))
    return cal.to_ical()


def _event(task: Task, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{task.id}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("last-modified", task.updated_at)
    event.add("summary", task.title)
    url = absolute_url("web.task_edit", task_id=task.id)
    event.add("url", url)
    event.add("description", "\n\n".join(p for p in (task.description, url) if p))
    if task.due_at is not None:
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + TIMED_TASK_LENGTH)
    elif task.due_date is not None:  # feed_tasks lists only tasks with a due date
        # All-day: the calendar date as stored, never shifted by a zone.
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    if task.status == "in_progress":
        event.add("status", "CONFIRMED")
    if task.remind_at is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", task.title)
        alarm.add("trigger", task.remind_at, parameters={"VALUE": "DATE-TIME"})
        event.add_component(alarm)
    return event
