"""When a task's reminder goes out: the relative choices, and their instant in a time zone.

A reminder is either a fixed instant (`remind_at` given as such, `remind_rule` None) or a
rule relative to the due date, which moves with it. A date-only task is due, for
reminders, at `DATE_ONLY_DUE_TIME` (08:00) of its day in the assignee's time zone (the
workspace's when nobody is assigned), so "1 hour before" a date-only task is 07:00 there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.i18n import lazy_gettext as _l

#: The wall-clock time a date-only task counts as due, and "morning of the due day".
DATE_ONLY_DUE_TIME = time(8, 0)


@dataclass(frozen=True)
class ReminderRule:
    """One choice of the form: its API name, label, and how far before the due moment."""

    name: str
    #: A lazy translation: said in the language of the page or email that shows it.
    label: Any
    #: Exact time before the due moment; for `calendar_days` whole days of wall-clock time.
    before: timedelta = timedelta(0)
    calendar_days: int = 0
    #: "Morning of the due day": DATE_ONLY_DUE_TIME on the due day, whatever its time.
    morning: bool = False


#: The relative reminders, in the order the form offers them (the API takes the names).
REMINDER_RULES: dict[str, ReminderRule] = {
    rule.name: rule
    for rule in (
        ReminderRule("at_due", _l("At due time")),
        ReminderRule("15m_before", _l("15 minutes before"), before=timedelta(minutes=15)),
        ReminderRule("1h_before", _l("1 hour before"), before=timedelta(hours=1)),
        ReminderRule("1d_before", _l("1 day before"), calendar_days=1),
        ReminderRule("morning", _l("Morning of the due day (08:00)"), morning=True),
    )
}


def due_moment(due_day: date, due_at: datetime | None, tz: ZoneInfo) -> datetime:
    """The instant a task is due, for reminders: its time, or 08:00 of its day in `tz`."""
    if due_at is not None:
        return due_at
    return datetime.combine(due_day, DATE_ONLY_DUE_TIME, tz).astimezone(UTC)


def remind_at_for(rule_name: str, due_day: date, due_at: datetime | None, tz: ZoneInfo) -> datetime:
    """The instant of reminder `rule_name` for a task due on `due_day` (at `due_at`).

    "1 day before" keeps the wall-clock time across a daylight-saving change (09:00 the
    day before, not 08:00 or 10:00); minutes and hours before are exact durations.
    """
    rule = REMINDER_RULES[rule_name]
    if rule.morning:
        return datetime.combine(due_day, DATE_ONLY_DUE_TIME, tz).astimezone(UTC)
    moment = due_moment(due_day, due_at, tz)
    if rule.calendar_days:
        local = moment.astimezone(tz)
        # Aware arithmetic in one zone is wall-clock arithmetic; astimezone then applies
        # the offset valid on the earlier day.
        earlier = (local.replace(tzinfo=None) - timedelta(days=rule.calendar_days)).replace(
            tzinfo=tz
        )
        return earlier.astimezone(UTC)
    return moment - rule.before
