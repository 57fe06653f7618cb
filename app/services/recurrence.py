"""Recurring tasks: an RFC 5545 RRULE subset, validated, and the next occurrence's due date.

Accepted (case-insensitive, an optional `RRULE:` prefix, parts in any order):

    FREQ=DAILY|WEEKLY|MONTHLY|YEARLY   required
    INTERVAL=n                         1 to 999 (default 1)
    BYDAY=MO,TU,…                      only with FREQ=WEEKLY: "weekly on …"
    BYMONTHDAY=n                       only with FREQ=MONTHLY, 1 to 31: "monthly on day n"
    UNTIL=YYYYMMDD | YYYYMMDDTHHMMSSZ  the last day an occurrence may fall on
    COUNT=n                            occurrences left, this one included (1 to 999)

UNTIL and COUNT exclude each other. Rules are stored in one canonical spelling. The next
due date is computed in the workspace's zone: a task due at 09:00 stays at 09:00 after a
daylight-saving change. As RFC 5545 says, a month without the given day is skipped
(BYMONTHDAY=31 skips April).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule
from flask_babel import gettext, ngettext

from app.i18n import format_day, weekday_names

FREQUENCIES: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    "DAILY": rrule.DAILY,
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "YEARLY": rrule.YEARLY,
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_NUMBER = 999
PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT")


class RecurrenceError(ValueError):
    """What is wrong with a rule, in words that name the part."""


@dataclass(frozen=True)
class Recurrence:
    freq: str
    interval: int = 1
    by_day: tuple[str, ...] = ()
    by_month_day: int | None = None
    until: date | None = None
    count: int | None = None

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.by_day:
            parts.append("BYDAY=" + ",".join(self.by_day))
        if self.by_month_day is not None:
            parts.append(f"BYMONTHDAY={self.by_month_day}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def describe(self) -> str:
        """ "Every 2 weeks on Mon, Wed" — the list's and the form's words for it, in the
        language of the page (docs/i18n.md)."""
        every = {
            "DAILY": ngettext("Every day", "Every %(num)d days", self.interval),
            "WEEKLY": ngettext("Every week", "Every %(num)d weeks", self.interval),
            "MONTHLY": ngettext("Every month", "Every %(num)d months", self.interval),
            "YEARLY": ngettext("Every year", "Every %(num)d years", self.interval),
        }
        text = every[self.freq]
        if self.by_day:
            names = dict(zip(WEEKDAYS, weekday_names(), strict=True))
            days = ", ".join(names[d] for d in self.by_day)
            text = gettext("%(every)s on %(days)s", every=text, days=days)
        if self.by_month_day is not None:
            text = gettext("%(every)s on day %(day)s", every=text, day=self.by_month_day)
        if self.until is not None:
            text = gettext("%(rule)s, until %(day)s", rule=text, day=format_day(self.until))
        if self.count is not None:
            more = ngettext("%(num)d more time", "%(num)d more times", self.count)
            text = gettext("%(rule)s, %(more)s", rule=text, more=more)
        return text


def _number(part: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise RecurrenceError(
            gettext(
                "%(part)s must be a whole number from %(low)d to %(high)d",
                part=part,
                low=low,
                high=high,
            )
        )
    return int(value)


def parse(text: str) -> Recurrence:
    """A rule from its RRULE text; RecurrenceError names the first part that is wrong."""
    values = _parts(text)
    freq = values.get("FREQ")
    if freq is None:
        raise RecurrenceError(gettext("FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)"))
    if freq not in FREQUENCIES:
        raise RecurrenceError(gettext("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"))
    rule = Recurrence(freq)
    if "INTERVAL" in values:
        rule = replace(rule, interval=_number("INTERVAL", values["INTERVAL"], 1, MAX_NUMBER))
    if "BYDAY" in values:
        rule = replace(rule, by_day=_by_day(freq, values["BYDAY"]))
    if "BYMONTHDAY" in values:
        if freq != "MONTHLY":
            raise RecurrenceError(gettext("BYMONTHDAY is only supported with FREQ=MONTHLY"))
        rule = replace(rule, by_month_day=_number("BYMONTHDAY", values["BYMONTHDAY"], 1, 31))
    if "UNTIL" in values and "COUNT" in values:
        raise RecurrenceError(gettext("give UNTIL or COUNT, not both"))
    if "UNTIL" in values:
        rule = replace(rule, until=_until(values["UNTIL"]))
    if "COUNT" in values:
        rule = replace(rule, count=_number("COUNT", values["COUNT"], 1, MAX_NUMBER))
    return rule


def _parts(text: str) -> dict[str, str]:
    """`FREQ=WEEKLY;BYDAY=MO` as {"FREQ": "WEEKLY", "BYDAY": "MO"}, upper-cased, checked."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise RecurrenceError(gettext("is empty; give e.g. FREQ=WEEKLY;BYDAY=MO"))
    values: dict[str, str] = {}
    for piece in body.split(";"):
        name, sep, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name:
            raise RecurrenceError(gettext("%(piece)r is not NAME=VALUE", piece=piece))
        if name not in PARTS:
            raise RecurrenceError(
                gettext(
                    "%(name)s is not supported (supported: %(parts)s)",
                    name=name,
                    parts=", ".join(PARTS),
                )
            )
        if name in values:
            raise RecurrenceError(gettext("%(name)s is given twice", name=name))
        values[name] = value
    return values


def _by_day(freq: str, value: str) -> tuple[str, ...]:
    if freq != "WEEKLY":
        raise RecurrenceError(gettext("BYDAY is only supported with FREQ=WEEKLY"))
    days = [d.strip() for d in value.split(",")]
    if not days or any(d not in WEEKDAYS for d in days):
        raise RecurrenceError(
            gettext(
                "BYDAY takes weekdays %(days)s (got %(value)s)",
                days=",".join(WEEKDAYS),
                value=value,
            )
        )
    return tuple(sorted(set(days), key=WEEKDAYS.index))


def _until(value: str) -> date:
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").date()
        if len(value) == 16 and value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").date()
    except ValueError:
        pass
    raise RecurrenceError(gettext("UNTIL must be a date YYYYMMDD (or YYYYMMDDTHHMMSSZ)"))


@dataclass(frozen=True)
class NextDue:
    day: date
    instant: datetime | None
    rule: Recurrence | None  # what the next occurrence repeats with (COUNT one less)


def next_due(rule: Recurrence, day: date, instant: datetime | None, tz: ZoneInfo) -> NextDue | None:
    """The occurrence after the one due on `day` (at `instant`), or None when the rule ends.

    Timed occurrences keep their wall-clock time in `tz` (the workspace's zone).
    """
    if rule.count is not None and rule.count <= 1:
        return None
    local = (
        instant.astimezone(tz).replace(tzinfo=None) if instant else datetime.combine(day, time())
    )
    kwargs: dict = {"interval": rule.interval, "dtstart": local}
    if rule.by_day:
        kwargs["byweekday"] = [getattr(rrule, d) for d in rule.by_day]
    if rule.by_month_day is not None:
        kwargs["bymonthday"] = rule.by_month_day
    if rule.until is not None:
        kwargs["until"] = datetime.combine(rule.until, time.max)
    following = rrule.rrule(FREQUENCIES[rule.freq], **kwargs).after(local)
    if following is None:
        return None
    remaining = replace(rule, count=rule.count - 1) if rule.count is not None else rule
    if instant is None:
        return NextDue(following.date(), None, remaining)
    moment = following.replace(tzinfo=tz).astimezone(UTC)
    return NextDue(moment.astimezone(tz).date(), moment, remaining)
