"""One rule for time zones read from the database (docs/decisions.md, "Time zones").

A missing or unknown stored zone name means UTC (for a user: the workspace's zone first),
logged once per name, never a failed page; a name a person types is still refused. Zones
far from UTC and a daylight-saving change keep dates where people expect them.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task, User, Workspace
from app.services import accounts, dates, records, zones
from app.services import tasks as task_service
from app.services.tasks import TaskFilters
from tests.web_helpers import login_as


def unknown_zone() -> str:
    """A zone name no tz database has, new per test (each name is logged once per process)."""
    return f"Nowhere/{uuid.uuid4().hex[:12]}"


def store_zone(model, row_id, name: str | None) -> None:
    """Write a zone name straight to the database, as a hand edit or an old tzdata would."""
    db.session.execute(sa.update(model).where(model.id == row_id).values(timezone=name))
    db.session.commit()


def warnings_about(caplog, name: str) -> list[dict]:
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "crm_tasks.dates"]
    return [line for line in lines if line.get("zone") == name]


def test_zone_of_takes_the_first_known_name_else_utc(caplog):
    bad = unknown_zone()
    with caplog.at_level(logging.WARNING, logger="crm_tasks.dates"):
        assert dates.zone_of(None, "", "Pacific/Auckland").key == "Pacific/Auckland"
        assert dates.zone_of(bad, "Europe/Berlin").key == "Europe/Berlin"
        assert dates.zone_of(bad) is dates.UTC_ZONE
        assert dates.zone_of() is dates.UTC_ZONE
        assert dates.zone_of("../etc/passwd") is dates.UTC_ZONE
    assert len(warnings_about(caplog, bad)) == 1, "logged once per name, not per lookup"


def test_a_person_still_cannot_choose_an_unknown_zone(ctx):
    with pytest.raises(ValueError):
        dates.zone(unknown_zone())
    with pytest.raises(Exception, match="(?i)zone"):
        accounts.create_workspace("Nowhere Inc", unknown_zone())


def test_a_user_without_a_usable_zone_follows_the_workspace(workspace, member):
    assert member.zone.key == "Europe/Berlin"
    member.timezone = "Pacific/Kiritimati"
    assert member.zone.key == "Pacific/Kiritimati"
    member.timezone = unknown_zone()
    assert member.zone.key == "Europe/Berlin"
    assert zones.user_zone(member.id, workspace.id).key == "Europe/Berlin"
    assert zones.user_zone(None, workspace.id).key == "Europe/Berlin"


def test_an_unknown_zone_in_the_database_means_utc_and_every_page_works(
    client, workspace, member, contact, auth, caplog
):
    bad = unknown_zone()
    store_zone(Workspace, workspace.id, bad)
    store_zone(User, member.id, None)
    records.add_event(workspace.id, "Zone Summit", datetime(2030, 5, 1, 9, 0, tzinfo=UTC))
    db.session.commit()
    login_as(client, member)
    with caplog.at_level(logging.WARNING, logger="crm_tasks.dates"):
        created = client.post(
            "/v1/tasks",
            json={"title": "Call", "contact_id": str(contact.id), "due_date": "2030-03-10T09:00"},
            headers=auth,
        )
        assert created.status_code == 201, created.get_json()
        # Wall-clock time without an offset is read in UTC, the zone an unknown name means.
        assert created.get_json()["data"]["due_date"] == "2030-03-10T09:00:00Z"
        for url in (
            "/tasks",
            "/tasks?view=everyone",
            "/tasks?view=everyone&due=today",
            f"/contacts/{contact.id}",
            "/search/events?q=zone",
            "/settings/notifications",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
        assert "Zone Summit" in client.get("/search/events?q=zone").get_data(as_text=True)
    assert len(warnings_about(caplog, bad)) == 1


def test_list_pages_without_a_due_filter_read_no_zone(workspace, member, actor, contact):
    task_service.create_task(actor, {"title": "Call", "contact_id": str(contact.id)})
    db.session.expunge_all()  # nothing in the identity map: a zone lookup would be a SELECT
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        task_service.list_tasks(actor, TaskFilters(statuses=None))
        plain = list(statements)
        statements.clear()
        task_service.list_tasks(actor, TaskFilters(statuses=None, due="today"))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert not [s for s in plain if "FROM workspace" in s or 'FROM "user"' in s]
    assert [s for s in statements if "FROM workspace" in s or 'FROM "user"' in s]


@pytest.mark.parametrize(
    ("zone", "sent", "instant", "day"),
    [
        # UTC+14: 09:00 on 1 January there is still 31 December in UTC; the day stays local.
        ("Pacific/Kiritimati", "2026-01-01T09:00", datetime(2025, 12, 31, 19, 0), date(2026, 1, 1)),
        # UTC+13 in the southern summer, +12 after daylight saving ends on 5 April 2026.
        ("Pacific/Auckland", "2026-04-04T09:00", datetime(2026, 4, 3, 20, 0), date(2026, 4, 4)),
        ("Pacific/Auckland", "2026-04-06T09:00", datetime(2026, 4, 5, 21, 0), date(2026, 4, 6)),
        # Berlin moves its clocks on 29 March 2026: +1 the day before, +2 that morning.
        ("Europe/Berlin", "2026-03-28T09:00", datetime(2026, 3, 28, 8, 0), date(2026, 3, 28)),
        ("Europe/Berlin", "2026-03-29T09:00", datetime(2026, 3, 29, 7, 0), date(2026, 3, 29)),
    ],
)
def test_far_zones_and_daylight_saving_keep_due_times_and_days(
    workspace, actor, contact, zone, sent, instant, day
):
    store_zone(Workspace, workspace.id, zone)
    task = task_service.create_task(
        actor, {"title": "Call", "contact_id": str(contact.id), "due_date": sent}
    ).task
    stored = db.session.get_one(Task, task.id)
    assert stored.due_at == instant.replace(tzinfo=UTC)
    assert stored.due_date == day
    # "today" in that zone, one minute after local midnight, lists it as due today.
    midnight = datetime.combine(day, datetime.min.time(), dates.zone(zone)).astimezone(UTC)
    page = task_service.list_tasks(
        actor,
        TaskFilters(statuses=None, due="today"),
        now=midnight.replace(minute=1),
    )
    assert [t.id for t in page.items] == [task.id]
