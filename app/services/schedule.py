"""When things are due, seen from the workspace's time zone (badges in the task list)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from app.models import Task
from app.services import dates
from app.services.tasks import is_overdue

DueState = Literal["overdue", "today", "upcoming", "none", "done"]


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The calendar day it is now in `tz` (the day that decides "overdue" and "today")."""
    return (now or dates.now()).astimezone(tz).date()


def due_state(task: Task, now: datetime, tz: ZoneInfo) -> DueState:
    """Whether a task is done, overdue, due today, upcoming or undated, seen from `tz`.

    "Overdue" is the task service's rule (`is_overdue`, the same one its `due=overdue`
    filter applies): a timed task once its moment has passed, a date-only one once its day
    is over in the workspace's zone. "Today" is the rest of today's tasks there.
    """
    if task.status == "completed":
        return "done"
    if task.due_date is None:
        return "none"
    if is_overdue(task, now, tz):
        return "overdue"
    if task.due_date == today_in(tz, now):
        return "today"
    return "upcoming"


def local_time(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An instant as wall-clock time in `tz`."""
    return None if moment is None else moment.astimezone(tz)
