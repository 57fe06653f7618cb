"""Snoozing a task: moving its due date to a later moment chosen from a short menu.

The choices are computed in the user's zone (else the workspace's, `tasks.actor_zone`):
"Tomorrow" is tomorrow where the person is. A date-only task stays date-only; a timed task
keeps its wall-clock time on the new day (so 09:00 stays 09:00 across a DST change).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.models import Task
from app.services import dates
from app.services import tasks as task_service
from app.services.accounts import WRITE, Actor
from app.services.errors import ValidationError

#: The snooze menu, in order. `date` takes the day the person picked.
SNOOZE_CHOICES = ("later_today", "tomorrow", "next_monday", "next_week", "date")
#: "Later today" moves a timed task this far ahead, rounded up to the next full hour.
LATER_TODAY_HOURS = 3


def later_today(now: datetime, tz: ZoneInfo) -> datetime | None:
    """The moment "Later today" means now, or None when that would already be tomorrow."""
    local = now.astimezone(tz) + timedelta(hours=LATER_TODAY_HOURS)
    if local.minute or local.second or local.microsecond:
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if local.date() != now.astimezone(tz).date():
        return None
    return local


def target_day(choice: str, today: date, picked: date | None = None) -> date:
    """The calendar day a choice other than "Later today" moves a task to."""
    if choice == "tomorrow":
        return today + timedelta(days=1)
    if choice == "next_monday":  # the coming Monday; on a Monday, the one a week ahead
        return today + timedelta(days=7 - today.weekday())
    if choice == "next_week":
        return today + timedelta(days=7)
    if choice == "date":
        if picked is None:
            raise ValidationError.for_fields({"until": _("Pick a date to snooze to")})
        return picked
    raise ValidationError.for_fields({"until": _one_of(SNOOZE_CHOICES)})


def _one_of(values) -> str:
    return _("must be one of %(values)s", values=", ".join(values))


def available_choices(task: Task, now: datetime, tz: ZoneInfo) -> tuple[str, ...]:
    """The menu for `task`: "Later today" only for a timed task, and only before evening."""
    if task.due_at is not None and later_today(now, tz) is not None:
        return SNOOZE_CHOICES
    return tuple(c for c in SNOOZE_CHOICES if c != "later_today")


def snoozed_due(
    task: Task, choice: str, now: datetime, tz: ZoneInfo, picked: date | None = None
) -> str:
    """The new due date as the task service reads it (an ISO date, or date-time with offset)."""
    if choice == "later_today":
        moment = later_today(now, tz) if task.due_at is not None else None
        if moment is None:
            raise ValidationError.for_fields(
                {"until": _("Later today is only for tasks with a time, until the evening")}
            )
        return moment.isoformat()
    day = target_day(choice, now.astimezone(tz).date(), picked)
    if task.due_at is None:
        return day.isoformat()
    wall: time = task.due_at.astimezone(tz).time().replace(tzinfo=None)
    return datetime.combine(day, wall, tz).isoformat()


def parse_choice(choice: str | None, picked: str | None) -> tuple[str, date | None]:
    """A door's raw values as (choice, picked day); a ValidationError names what is wrong."""
    choice = (choice or "").strip()
    if choice not in SNOOZE_CHOICES:
        raise ValidationError.for_fields({"until": _one_of(SNOOZE_CHOICES)})
    day = None
    if choice == "date":
        try:
            day = dates.parse_date((picked or "").strip())
        except ValueError as exc:
            raise ValidationError.for_fields(
                {"until": _("Pick a real date (%(problem)s)", problem=exc)}
            ) from exc
    return choice, day


def snooze_task(
    actor: Actor,
    task_id: uuid.UUID,
    choice: str,
    picked: date | None = None,
    *,
    now: datetime | None = None,
    commit: bool = True,
) -> Task:
    """Move a task's due date by a snooze choice (see `SNOOZE_CHOICES`)."""
    actor.require(WRITE)
    now = now or dates.now()
    task = task_service.get_live_task(actor, task_id)
    due = snoozed_due(task, choice, now, task_service.actor_zone(actor), picked)
    return task_service.update_task(actor, task_id, {"due_date": due}, now=now, commit=commit)
