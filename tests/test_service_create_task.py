"""docs/rules.md §2: every rule of creating a task, through the one service both doors use."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, records
from app.services.errors import PermissionDenied, ValidationError
from app.services.tasks import ORPHAN_MESSAGE, PARENT_FIELD, create_task
from tests.conftest import FIXED_NOW


def task_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task))


def fields_error(actor, payload) -> dict:
    before = task_count()
    with pytest.raises(ValidationError) as caught:
        create_task(actor, payload, now=FIXED_NOW)
    assert task_count() == before, "a rejected task must not be written"
    return caught.value.fields


@pytest.fixture
def link(contact):
    return {"contact_id": str(contact.id)}


def test_minimal_task_gets_defaults(actor, link, member):
    task = create_task(actor, {"title": "Call back", **link}, now=FIXED_NOW).task
    assert task.status == "open"
    assert task.priority is None and task.due_date is None and task.completed_at is None
    assert task.created_date == FIXED_NOW
    assert task.created_by_user_id == member.id


def test_title_is_trimmed(actor, link):
    assert create_task(actor, {"title": "  Call back  ", **link}).task.title == "Call back"


@pytest.mark.parametrize("title", [None, "", "   ", "\t\n"])
def test_title_missing_or_blank_is_required(actor, link, title):
    payload = {**link} if title is None else {"title": title, **link}
    assert fields_error(actor, payload) == {"title": "is required"}


def test_title_length_boundary(actor, link):
    assert create_task(actor, {"title": "x" * 255, **link}).task.title == "x" * 255
    assert "title" in fields_error(actor, {"title": "x" * 256, **link})


def test_description_length_boundary(actor, link):
    create_task(actor, {"title": "t", "description": "d" * 10_000, **link})
    assert "description" in fields_error(actor, {"title": "t", "description": "d" * 10_001, **link})


@pytest.mark.parametrize("status", ["open", "in_progress", "completed"])
def test_status_values(actor, link, status):
    task = create_task(actor, {"title": "t", "status": status, **link}, now=FIXED_NOW).task
    assert task.status == status
    assert task.completed_at == (FIXED_NOW if status == "completed" else None)


@pytest.mark.parametrize("status", ["done", "OPEN", "closed", ""])
def test_status_other_values_rejected(actor, link, status):
    if status == "":  # blank means "not given": the default applies
        assert create_task(actor, {"title": "t", "status": status, **link}).task.status == "open"
        return
    assert "status" in fields_error(actor, {"title": "t", "status": status, **link})


@pytest.mark.parametrize("priority", ["low", "medium", "high"])
def test_priority_values(actor, link, priority):
    assert (
        create_task(actor, {"title": "t", "priority": priority, **link}).task.priority == priority
    )


@pytest.mark.parametrize("priority", ["urgent", "HIGH", 3])
def test_priority_other_values_rejected(actor, link, priority):
    assert "priority" in fields_error(actor, {"title": "t", "priority": priority, **link})


def test_task_type_free_text_up_to_50(actor, link):
    assert create_task(actor, {"title": "t", "task_type": "y" * 50, **link}).task.task_type
    assert "task_type" in fields_error(actor, {"title": "t", "task_type": "y" * 51, **link})


def test_due_date_only_is_kept_as_calendar_date(actor, link):
    task = create_task(actor, {"title": "t", "due_date": "2026-03-10", **link}).task
    assert (task.due_date, task.due_at) == (date(2026, 3, 10), None)


def test_due_date_time_without_offset_is_workspace_time(actor, link):
    # The workspace fixture is in Europe/Berlin (UTC+1 in March).
    task = create_task(actor, {"title": "t", "due_date": "2026-03-10T09:00", **link}).task
    assert task.due_at == datetime(2026, 3, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize("due", ["2026-02-30", "next week", "2026-03-10T99:00", 20260310])
def test_due_date_invalid(actor, link, due):
    assert "due_date" in fields_error(actor, {"title": "t", "due_date": due, **link})


def test_assignee_must_be_active_user_of_workspace(actor, link, member, other_workspace, ctx):
    task = create_task(actor, {"title": "t", "assignee_id": str(member.id), **link}).task
    assert task.assignee_id == member.id
    outsider = accounts.create_user(other_workspace, "o@globex.test", "Otto", "member", "password1")
    assert "assignee_id" in fields_error(
        actor, {"title": "t", "assignee_id": str(outsider.id), **link}
    )
    member.active = False
    db.session.commit()
    assert "assignee_id" in fields_error(
        actor, {"title": "t", "assignee_id": str(member.id), **link}
    )


@pytest.mark.parametrize("field", ["contact_id", "company_id", "deal_id", "event_id"])
def test_each_parent_link_alone_is_enough(actor, workspace, field):
    company = records.add_company(workspace.id, "Initech")
    made = {
        "contact_id": lambda: records.add_contact(
            workspace.id, "Peter", "Gibbons", company=company
        ),
        "company_id": lambda: company,
        "deal_id": lambda: records.add_deal(workspace.id, "Printers", "lead", company=company),
        "event_id": lambda: records.add_event(workspace.id, "Expo", FIXED_NOW),
    }[field]()
    db.session.commit()
    task = create_task(actor, {"title": "t", field: str(made.id)}).task
    assert getattr(task, field) == made.id


def test_orphan_task_rejected_with_seed_message(actor):
    with pytest.raises(ValidationError) as caught:
        create_task(actor, {"title": "Lonely"})
    assert caught.value.message == ORPHAN_MESSAGE
    assert caught.value.fields == {PARENT_FIELD: ORPHAN_MESSAGE}
    assert task_count() == 0


@pytest.mark.parametrize("field", ["contact_id", "company_id", "deal_id", "event_id"])
def test_malformed_link_id(actor, field):
    assert fields_error(actor, {"title": "t", field: "not-a-uuid"})[field] == "is not a valid UUID"


@pytest.mark.parametrize("field", ["contact_id", "company_id", "deal_id", "event_id"])
def test_foreign_and_missing_ids_read_the_same(actor, other_workspace, field):
    foreign = {
        "contact_id": lambda: records.add_contact(other_workspace.id, "Eve", "Spy"),
        "company_id": lambda: records.add_company(other_workspace.id, "Globex Corp"),
        "deal_id": lambda: records.add_deal(other_workspace.id, "Secret deal"),
        "event_id": lambda: records.add_event(other_workspace.id, "Secret meeting", FIXED_NOW),
    }[field]()
    db.session.commit()
    missing = "00000000-0000-4000-8000-000000000000"
    foreign_error = fields_error(actor, {"title": "t", field: str(foreign.id)})
    missing_error = fields_error(actor, {"title": "t", field: missing})
    assert foreign_error == missing_error
    assert "your workspace" in foreign_error[field]


def test_contact_id_and_contact_name_together_rejected(actor, contact):
    problems = fields_error(
        actor, {"title": "t", "contact_id": str(contact.id), "contact_name": "Hans Müller"}
    )
    assert "contact_name" in problems


def test_company_id_and_company_name_together_rejected(actor, contact):
    problems = fields_error(
        actor, {"title": "t", "company_id": str(contact.company_id), "company_name": "Müller"}
    )
    assert "company_name" in problems


def test_contact_name_resolves(actor, contact):
    task = create_task(actor, {"title": "t", "contact_name": "hans MULLER"}).task
    assert task.contact_id == contact.id


def test_company_name_alone_is_a_parent(actor, contact):
    task = create_task(actor, {"title": "t", "company_name": "muller gmbh"}).task
    assert task.company_id == contact.company_id and task.contact_id is None


def test_company_name_narrows_contact_name(actor, workspace):
    acme = records.add_company(workspace.id, "Acme")
    initech = records.add_company(workspace.id, "Initech")
    records.add_contact(workspace.id, "Anna", "Schmidt", "anna@acme.test", acme)
    wanted = records.add_contact(workspace.id, "Anna", "Schmidt", "anna@initech.test", initech)
    db.session.commit()
    task = create_task(
        actor, {"title": "t", "contact_name": "Anna Schmidt", "company_name": "Initech"}
    ).task
    assert (task.contact_id, task.company_id) == (wanted.id, initech.id)


def test_contact_outside_named_company_still_found(actor, workspace, contact):
    records.add_company(workspace.id, "Initech")
    db.session.commit()
    task = create_task(
        actor, {"title": "t", "contact_name": "Hans Müller", "company_name": "Initech"}
    ).task
    assert task.contact_id == contact.id


@pytest.mark.parametrize(
    ("given", "stored", "adjusted"),
    [
        ("2026-02-01T08:00:00Z", datetime(2026, 2, 1, 8, tzinfo=UTC), False),
        ("2021-03-01T12:00:00Z", datetime(2021, 3, 1, 12, tzinfo=UTC), False),  # lower bound
        ("2021-03-01T11:59:59Z", FIXED_NOW, True),  # a second past it
        ("2026-03-02T12:00:00Z", datetime(2026, 3, 2, 12, tzinfo=UTC), False),  # upper bound
        ("2026-03-02T12:00:01Z", FIXED_NOW, True),
        ("2015-01-01T00:00:00Z", FIXED_NOW, True),
        (None, FIXED_NOW, False),
    ],
)
def test_created_date_window(actor, link, given, stored, adjusted):
    created = create_task(actor, {"title": "t", "created_date": given, **link}, now=FIXED_NOW)
    assert created.task.created_date == stored
    assert created.created_date_adjusted is adjusted


def test_created_date_not_a_timestamp(actor, link):
    assert "created_date" in fields_error(
        actor, {"title": "t", "created_date": "yesterday", **link}
    )


def test_created_date_instant_is_kept_with_its_offset(actor, link):
    created = create_task(
        actor, {"title": "t", "created_date": "2026-02-01T09:00:00+01:00", **link}, now=FIXED_NOW
    )
    assert created.task.created_date == datetime(2026, 2, 1, 8, tzinfo=UTC)


def test_unknown_fields_are_named(actor, link):
    with pytest.raises(ValidationError) as caught:
        create_task(actor, {"titel": "typo", "prio": "high", **link})
    assert set(caught.value.fields) == {"titel", "prio"}
    assert "titel" in caught.value.message
    assert task_count() == 0


@pytest.mark.parametrize("field", ["title", "description", "contact_id", "task_type", "due_date"])
def test_wrong_types_rejected(actor, link, field):
    payload = {"title": "t", **link, field: ["not", "a", "string"]}
    assert fields_error(actor, payload)[field] == "must be a string"


def test_several_problems_reported_at_once(actor):
    problems = fields_error(actor, {"title": "", "priority": "urgent", "due_date": "2026-02-30"})
    assert set(problems) == {"title", "priority", "due_date", PARENT_FIELD}
    assert problems[PARENT_FIELD] == ORPHAN_MESSAGE


def test_orphan_alone_keeps_the_seed_message_even_with_other_fields_fine(actor):
    with pytest.raises(ValidationError) as caught:
        create_task(actor, {"title": "Lonely", "priority": "high"})
    assert caught.value.message == ORPHAN_MESSAGE


def test_viewer_cannot_create(viewer, link):
    with pytest.raises(PermissionDenied):
        create_task(accounts.Actor.for_user(viewer), {"title": "t", **link})
    assert task_count() == 0


def test_read_only_key_cannot_create(workspace, link):
    key, _secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "reader", [accounts.READ]
    )
    with pytest.raises(PermissionDenied):
        create_task(accounts.Actor.for_api_key(key), {"title": "t", **link})


def test_api_key_is_recorded_as_creator(workspace, link):
    key, _secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "writer", [accounts.WRITE]
    )
    task = create_task(accounts.Actor.for_api_key(key), {"title": "t", **link}).task
    assert task.created_by_api_key_id == key.id and task.created_by_user_id is None


def test_created_date_never_null(actor, link):
    created = create_task(actor, {"title": "t", "created_date": None, **link})
    assert created.task.created_date is not None


def test_permission_checked_before_validation(viewer):
    with pytest.raises(PermissionDenied):
        create_task(accounts.Actor.for_user(viewer), {"titel": "typo"})


def test_timestamps_are_aware_utc_after_reload(actor, link):
    task_id = create_task(actor, {"title": "t", **link}, now=FIXED_NOW).task.id
    db.session.expire_all()
    reloaded = db.session.get(Task, task_id)
    assert reloaded.created_date == FIXED_NOW and reloaded.created_date.tzinfo is not None
    assert reloaded.updated_at - FIXED_NOW < timedelta(seconds=1)
