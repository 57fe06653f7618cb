"""Date parsing and the created_date window (docs/rules.md §2), pure functions, no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.services import dates

BERLIN = dates.zone("Europe/Berlin")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "day", "instant"),
    [
        ("2026-03-10", date(2026, 3, 10), None),
        ("2026-12-31", date(2026, 12, 31), None),
        ("2026-03-10T09:00:00Z", date(2026, 3, 10), datetime(2026, 3, 10, 9, tzinfo=UTC)),
        ("2026-03-10T09:00:00+02:00", date(2026, 3, 10), datetime(2026, 3, 10, 7, tzinfo=UTC)),
        # No offset: wall-clock time in the workspace's zone (Berlin is UTC+1 in March).
        ("2026-03-10T09:00", date(2026, 3, 10), datetime(2026, 3, 10, 8, tzinfo=UTC)),
        ("2026-03-10 23:30:00", date(2026, 3, 10), datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),
        # An instant late in UTC is the next calendar day in Berlin.
        ("2026-03-10T23:30:00Z", date(2026, 3, 11), datetime(2026, 3, 10, 23, 30, tzinfo=UTC)),
    ],
)
def test_due_date_parses(value, day, instant):
    assert dates.parse_due_date(value, BERLIN) == dates.DueDate(day, instant)


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "2026-13-01", "10/03/2026", "tomorrow", "2026-03-10T25:00", "2026-3-1", ""],
)
def test_due_date_rejects(value):
    with pytest.raises(ValueError):
        dates.parse_due_date(value, BERLIN)


def test_date_only_is_never_shifted_by_zone():
    for zone_name in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
        assert dates.parse_due_date("2026-03-10", dates.zone(zone_name)).day == date(2026, 3, 10)


WINDOW = dates.CREATED_DATE_WINDOW
EARLIEST = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)  # five calendar years before NOW
LATEST = NOW + timedelta(hours=24)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (EARLIEST, True),
        (EARLIEST - TICK, False),
        (LATEST, True),
        (LATEST + TICK, False),
        (NOW, True),
        (NOW - timedelta(days=365), True),
        (datetime(1999, 1, 1, tzinfo=UTC), False),
        (NOW + timedelta(days=30), False),
    ],
)
def test_created_date_window_bounds_are_inclusive(given, kept):
    value, adjusted = WINDOW.resolve(given, NOW)
    assert (value == given) is kept
    assert adjusted is not kept
    if not kept:
        assert value == NOW


def test_created_date_absent_is_now_and_not_adjusted():
    assert WINDOW.resolve(None, NOW) == (NOW, False)


def test_five_years_before_a_leap_day_is_the_28th():
    leap = datetime(2028, 2, 29, 10, tzinfo=UTC)
    assert WINDOW.bounds(leap)[0] == datetime(2023, 2, 28, 10, tzinfo=UTC)


def test_timestamps_leave_as_utc_z():
    moment = datetime(2026, 3, 10, 10, tzinfo=BERLIN)
    assert dates.isoformat_utc(moment) == "2026-03-10T09:00:00Z"
