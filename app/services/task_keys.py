"""The stored keys that task lists read: the list order and the searchable title.

Both are derived from other columns of a task and written with them (by a mapper event
in models.py for every ORM write, by `tasks.insert_many_tasks` for bulk rows), so a list
reads an index range in order instead of sorting every matching row (docs/tasks.md).

The list order is: soonest due first; a task with a time before a date-only task of the
same day; no due date last; then oldest first, the id breaking ties. `due_sort` packs the
first three into one non-null integer, `DAY` per calendar day:

    due_date.toordinal() * DAY + (seconds from that day's midnight UTC to due_at + OFFSET)

and `DATE_ONLY` in the low digits for a date-only task; a task without a due date gets
`NO_DUE`, after every day. (created_date, id) follow it in every list index.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.services.text import fold_text

#: One calendar day in `due_sort`.
DAY = 1_000_000
#: Added to a due time's seconds from midnight UTC: a local day runs from 14 hours before
#: (UTC+14) to 36 hours after (UTC-12 with a DST shift) that midnight, so the sum stays
#: between 0 and DATE_ONLY.
OFFSET = 200_000
#: The low digits of a date-only task: after every timed task of its day.
DATE_ONLY = DAY - 1
#: A task without a due date: after every day there is.
NO_DUE = (date.max.toordinal() + 1) * DAY
_SECOND = timedelta(seconds=1)


def due_sort_key(due_date: date | None, due_at: datetime | None) -> int:
    """The `due_sort` of a task due on `due_date` (at the instant `due_at`, if timed)."""
    if due_date is None:
        return NO_DUE
    base = due_date.toordinal() * DAY
    if due_at is None:
        return base + DATE_ONLY
    seconds = (due_at - datetime.combine(due_date, time(), UTC)) // _SECOND
    return base + min(max(seconds + OFFSET, 0), DATE_ONLY - 1)


def day_range(first: date, last: date) -> tuple[int, int]:
    """The `due_sort` values of tasks due on any day from `first` to `last` (inclusive)."""
    return first.toordinal() * DAY, last.toordinal() * DAY + DATE_ONLY


def overdue_bound(today: date, now: datetime) -> int:
    """Tasks whose `due_sort` is below this are overdue at `now`, `today` being its local day.

    Every earlier day is over; of today, only tasks with a time before now are due.
    """
    return due_sort_key(today, now)


def fold_title(title: str) -> str:
    """The title as title search compares it: case and accents folded (text.fold_text)."""
    return fold_text(title)
