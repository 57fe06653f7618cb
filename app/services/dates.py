"""Dates and times: parsing what clients send, time zones, and the created_date window."""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext, ngettext

log = logging.getLogger("crm_tasks.dates")

#: What a record without a usable zone is seen in.
UTC_ZONE = ZoneInfo("UTC")

_DATE = r"\d{4}-\d{2}-\d{2}"
_DATE_ONLY = re.compile(rf"^{_DATE}$")
_DATE_TIME = re.compile(
    rf"^{_DATE}[T ]\d{{2}}:\d{{2}}(:\d{{2}}([.,]\d{{1,9}})?)?(Z|z|[+-]\d{{2}}(:?\d{{2}})?)?$"
)


def now() -> datetime:
    """The server's clock as an aware UTC datetime. Services take `now=` so tests can pin it."""
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`; raises ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(gettext("unknown time zone %(name)r", name=name)) from exc


def zone_of(*names: str | None) -> ZoneInfo:
    """The zone of a stored record: the first of `names` that names a known zone, else UTC.

    Decided once for every zone name read from the database (docs/decisions.md, "Time
    zones"): a missing name means the next one (a user without a zone of their own follows
    the workspace), and so does an unknown one (removed from this machine's tz database,
    or edited in the database by hand), which is logged once per name; no page fails over
    it. Names a person types are checked with `zone`, which refuses unknown ones.
    """
    for name in names:
        if name:
            found = _stored_zone(name)
            if found is not None:
                return found
    return UTC_ZONE


@functools.lru_cache(maxsize=1024)
def _stored_zone(name: str) -> ZoneInfo | None:
    # Cached, so an unknown name costs one failed lookup and one log line per process.
    try:
        return zone(name)
    except ValueError:
        # Structured like the app's other log lines (app/observability.py).
        log.warning(json.dumps({"event": "unknown_time_zone", "zone": name, "used": "next or UTC"}))
        return None


def is_date_only(value: str) -> bool:
    return bool(_DATE_ONLY.match(value))


def parse_date(value: str) -> date:
    """A `YYYY-MM-DD` calendar date; ValueError when malformed or impossible (2026-02-30)."""
    if not _DATE_ONLY.match(value):
        raise ValueError(gettext("expected YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(gettext("%(value)s is not a real date", value=value)) from exc


def parse_instant(value: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date-time as an aware UTC datetime.

    With an offset (or `Z`) it is that instant; without one it is wall-clock time in `tz`.
    A bare date means the start of that day in `tz`.
    """
    if _DATE_ONLY.match(value):
        return datetime.combine(parse_date(value), datetime.min.time(), tz).astimezone(UTC)
    if not _DATE_TIME.match(value):
        raise ValueError(gettext("expected an ISO 8601 date-time such as 2026-03-10T09:00:00Z"))
    try:
        # Python accepts a comma as decimal sign only from 3.11 on; normalise it anyway.
        parsed = datetime.fromisoformat(value.replace(",", ".").replace("z", "Z"))
    except ValueError as exc:
        raise ValueError(gettext("%(value)s is not a real date-time", value=value)) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class DueDate:
    """A due date as stored: the calendar day, plus the instant when a time was given."""

    day: date
    instant: datetime | None = None


def parse_due_date(value: str, tz: ZoneInfo) -> DueDate:
    """`YYYY-MM-DD` stays that calendar day; a date-time becomes an instant (docs/rules.md §2)."""
    if _DATE_ONLY.match(value):
        return DueDate(parse_date(value))
    instant = parse_instant(value, tz)
    return DueDate(instant.astimezone(tz).date(), instant)


def years_before(moment: datetime, years: int) -> datetime:
    """The same wall-clock moment `years` calendar years earlier (29 Feb → 28 Feb)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class CreatedDateWindow:
    """Which given created_date values are kept as sent (docs/rules.md §2).

    Kept when within the last `years_back` calendar years and at most `ahead` in the
    future, both bounds inclusive; anything else is replaced by the server's now().
    """

    years_back: int = 5
    ahead: timedelta = timedelta(hours=24)

    def bounds(self, at: datetime) -> tuple[datetime, datetime]:
        return years_before(at, self.years_back), at + self.ahead

    def describe(self) -> str:
        """The window in words, for every text that states it (the form's hint, the API's
        description, the notice when a date was replaced): `the last 5 years up to 24 hours
        ahead`, in the language of the page (the API's is always English)."""
        years = ngettext("the last %(num)d year", "the last %(num)d years", self.years_back)
        return gettext("%(years)s up to %(ahead)s ahead", years=years, ahead=_duration(self.ahead))

    def resolve(self, given: datetime | None, at: datetime) -> tuple[datetime, bool]:
        """Return (created_date to store, whether a given value was replaced)."""
        if given is None:
            return at, False
        earliest, latest = self.bounds(at)
        if earliest <= given <= latest:
            return given, False
        return at, True


CREATED_DATE_WINDOW = CreatedDateWindow()


def _duration(span: timedelta) -> str:
    """`24 hours`, `90 minutes`, `45 seconds`: the largest unit that states it exactly."""
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
    if seconds % 60 == 0:
        return ngettext("%(num)d minute", "%(num)d minutes", seconds // 60)
    return ngettext("%(num)d second", "%(num)d seconds", seconds)


def isoformat_utc(moment: datetime | None) -> str | None:
    """`2026-03-10T09:00:00Z`: how every timestamp leaves the API."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")
