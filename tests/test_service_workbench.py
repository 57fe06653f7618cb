"""The workbench's service rules: snooze, assign, priority, start, reopen restoring the
status before, the trash (restore within 30 days, purge after), bulk actions in one
all-or-nothing transaction with one Undo, the due headings of "My tasks", and the
workspace's task version an open list polls."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task, User, Workspace
from app.services import accounts, bulk, records, snooze, task_versions
from app.services import tasks as task_service
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.tasks import TaskFilters

# A Wednesday, 12:00 UTC = 13:00 in Berlin (the workspace's zone).
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def make(actor, contact):
    def make(title="Task", now=NOW, **fields):
        payload = {"title": title, "contact_id": str(contact.id), **fields}
        return task_service.create_task(actor, payload, now=now).task

    return make


def fresh(task: Task) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task.id)


# --- reopen, start, assign, priority -------------------------------------------------------


@pytest.mark.parametrize("before", ["open", "in_progress"])
def test_reopening_restores_the_status_before_completion(actor, make, before):
    task = make(status=before)
    task_service.complete_task(actor, task.id, now=NOW)
    assert fresh(task).status_before_completion == before
    reopened = task_service.reopen_task(actor, task.id, now=NOW)
    assert (reopened.status, reopened.completed_at) == (before, None)
    assert fresh(task).status_before_completion is None


def test_a_task_created_completed_reopens_as_open(actor, make):
    task = make(status="completed")
    assert task_service.reopen_task(actor, task.id, now=NOW).status == "open"


def test_start_assign_and_priority(actor, make, member, workspace):
    task = make()
    assert task_service.start_task(actor, task.id, now=NOW).status == "in_progress"
    assert task_service.assign_task(actor, task.id, member.id, now=NOW).assignee_id == member.id
    assert task_service.assign_task(actor, task.id, None, now=NOW).assignee_id is None
    assert task_service.set_priority(actor, task.id, "high", now=NOW).priority == "high"
    assert task_service.set_priority(actor, task.id, None, now=NOW).priority is None
    with pytest.raises(ValidationError) as error:
        task_service.set_priority(actor, task.id, "urgent", now=NOW)
    assert "priority" in error.value.fields


def test_assigning_to_another_workspaces_user_is_refused(actor, make, other_workspace):
    stranger = accounts.create_user(other_workspace, "x@globex.test", "X", "member", "pw-123456")
    task = make()
    with pytest.raises(ValidationError) as error:
        task_service.assign_task(actor, task.id, stranger.id, now=NOW)
    assert "assignee_id" in error.value.fields
    assert fresh(task).assignee_id is None


def test_a_viewer_cannot_act(viewer, make):
    task = make()
    viewer_actor = accounts.Actor.for_user(viewer)
    for act in (
        lambda: task_service.start_task(viewer_actor, task.id),
        lambda: snooze.snooze_task(viewer_actor, task.id, "tomorrow"),
        lambda: bulk.bulk_complete(viewer_actor, [task.id]),
    ):
        with pytest.raises(PermissionDenied):
            act()


# --- snooze ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("tomorrow", date(2026, 3, 5)),
        ("next_monday", date(2026, 3, 9)),
        ("next_week", date(2026, 3, 11)),
    ],
)
def test_snoozing_a_date_only_task_keeps_it_date_only(actor, make, choice, expected):
    task = make(due_date="2026-03-01")
    snoozed = snooze.snooze_task(actor, task.id, choice, now=NOW)
    assert (snoozed.due_date, snoozed.due_at) == (expected, None)


def test_next_monday_on_a_monday_is_a_week_ahead():
    assert snooze.target_day("next_monday", date(2026, 3, 9)) == date(2026, 3, 16)


def test_snoozing_to_a_picked_date(actor, make):
    task = make(due_date="2026-03-01")
    snoozed = snooze.snooze_task(actor, task.id, "date", date(2026, 4, 1), now=NOW)
    assert snoozed.due_date == date(2026, 4, 1)
    with pytest.raises(ValidationError):
        snooze.parse_choice("date", "2026-02-30")
    with pytest.raises(ValidationError):
        snooze.parse_choice("someday", None)


def test_a_timed_task_keeps_its_wall_clock_time_across_a_dst_change(actor, make):
    # Berlin moves to summer time on 29 March 2026: 09:00 stays 09:00 (07:00 UTC, not 08:00).
    task = make(due_date="2026-03-27T09:00")
    assert task.due_at == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    friday = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    snoozed = snooze.snooze_task(actor, task.id, "next_monday", now=friday)
    assert snoozed.due_date == date(2026, 3, 30)
    assert snoozed.due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_later_today_is_for_timed_tasks_until_the_evening(actor, make):
    timed = make(due_date="2026-03-04T10:00")
    undated_time = make(due_date="2026-03-04")
    assert "later_today" in snooze.available_choices(timed, NOW, snooze_zone(actor))
    assert "later_today" not in snooze.available_choices(undated_time, NOW, snooze_zone(actor))
    snoozed = snooze.snooze_task(actor, timed.id, "later_today", now=NOW)
    # 13:00 in Berlin + 3 h = 16:00 Berlin = 15:00 UTC.
    assert snoozed.due_at == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        snooze.snooze_task(actor, undated_time.id, "later_today", now=NOW)
    evening = datetime(2026, 3, 4, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    assert snooze.later_today(evening, snooze_zone(actor)) is None


def snooze_zone(actor):
    return task_service.actor_zone(actor)


def test_tomorrow_is_tomorrow_in_the_users_zone_far_from_utc(actor, make, member):
    # 12:00 UTC on 4 March is already 01:00 on 5 March in Kiritimati (UTC+14).
    member.timezone = "Pacific/Kiritimati"
    db.session.commit()
    task = make(due_date="2026-03-01")
    assert snooze.snooze_task(actor, task.id, "tomorrow", now=NOW).due_date == date(2026, 3, 6)
    member.timezone = "Not/AZone"
    db.session.commit()
    assert str(task_service.actor_zone(actor)) == "Europe/Berlin"


# --- trash ----------------------------------------------------------------------------------


def test_restore_within_30_days_and_not_after(actor, make):
    kept, expired, live = make("kept"), make("expired"), make("live")
    task_service.delete_task(actor, kept.id, now=NOW - timedelta(days=29, hours=23))
    task_service.delete_task(actor, expired.id, now=NOW - timedelta(days=30))
    assert task_service.restore_task(actor, kept.id, now=NOW).deleted_at is None
    for task in (expired, live):
        with pytest.raises(NotFound):
            task_service.restore_task(actor, task.id, now=NOW)


def test_the_trash_lists_what_is_restorable(actor, make):
    gone, old = make("gone"), make("old")
    make("live")
    task_service.delete_task(actor, gone.id, now=NOW - timedelta(days=1))
    task_service.delete_task(actor, old.id, now=NOW - timedelta(days=31))
    page = task_service.list_tasks(actor, TaskFilters(in_trash=True), now=NOW)
    assert [t.title for t in page.items] == ["gone"]


def test_purge_trash_removes_only_what_expired(actor, make):
    old, recent = make("old"), make("recent")
    task_service.delete_task(actor, old.id, now=NOW - timedelta(days=30, seconds=1))
    task_service.delete_task(actor, recent.id, now=NOW - timedelta(days=2))
    assert task_service.purge_trash(now=NOW) == 1
    assert db.session.scalars(sa.select(Task.title)).all() == ["recent"]


def test_restore_of_another_workspaces_task_is_not_found(actor, make, other_workspace):
    task = make()
    task_service.delete_task(actor, task.id, now=NOW)
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "k", [accounts.READ, accounts.WRITE]
    )
    with pytest.raises(NotFound):
        task_service.restore_task(accounts.Actor.for_api_key(key), task.id, now=NOW)


# --- bulk -----------------------------------------------------------------------------------


def test_bulk_complete_and_one_undo(actor, make):
    a, b = make("a", status="in_progress"), make("b")
    result = bulk.bulk_complete(actor, [a.id, b.id], now=NOW)
    assert [t.status for t in result.tasks] == ["completed", "completed"]
    bulk.undo_batch(actor, result.undo_token, now=NOW)
    assert (fresh(a).status, fresh(b).status) == ("in_progress", "open")
    assert fresh(a).completed_at is None


def test_bulk_snooze_assign_delete_and_undo(actor, make, member):
    a, b = make("a", due_date="2026-03-01"), make("b")
    snoozed = bulk.bulk_snooze(actor, [a.id, b.id], "tomorrow", now=NOW)
    assert {t.due_date for t in snoozed.tasks} == {date(2026, 3, 5)}
    assigned = bulk.bulk_assign(actor, [a.id, b.id], member.id, now=NOW)
    assert {t.assignee_id for t in assigned.tasks} == {member.id}
    deleted = bulk.bulk_delete(actor, [a.id, b.id], now=NOW)
    assert all(t.deleted_at for t in deleted.tasks)
    bulk.undo_batch(actor, deleted.undo_token, now=NOW)
    assert fresh(a).deleted_at is None
    bulk.undo_batch(actor, snoozed.undo_token, now=NOW)
    assert (fresh(a).due_date, fresh(b).due_date) == (date(2026, 3, 1), None)


def test_bulk_is_all_or_nothing(actor, make, other_workspace, contact):
    a = make("a")
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "k", [accounts.READ, accounts.WRITE]
    )
    foreign_company = records.add_company(other_workspace.id, "Globex Ltd", None)
    db.session.commit()
    foreign = task_service.create_task(
        accounts.Actor.for_api_key(key), {"title": "theirs", "company_id": str(foreign_company.id)}
    ).task
    for ids in ([a.id, foreign.id], [a.id, uuid.uuid4()]):
        with pytest.raises(NotFound):
            bulk.bulk_complete(actor, ids, now=NOW)
        assert fresh(a).status == "open"
    # A rule broken by one task (a date-only task cannot be snoozed "later today").
    timed = make("timed", due_date="2026-03-04T10:00")
    with pytest.raises(ValidationError):
        bulk.bulk_snooze(actor, [timed.id, a.id], "later_today", now=NOW)
    assert fresh(timed).due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        bulk.bulk_complete(actor, [], now=NOW)


def test_undo_tokens_are_checked(actor, make, other_workspace):
    a = make("a")
    result = bulk.bulk_complete(actor, [a.id], now=NOW)
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "k", [accounts.READ, accounts.WRITE]
    )
    for who, token in (
        (accounts.Actor.for_api_key(key), result.undo_token),
        (actor, result.undo_token[:-3] + "abc"),
        (actor, "garbage"),
    ):
        with pytest.raises(ValidationError):
            bulk.undo_batch(who, token, now=NOW)
    assert fresh(a).status == "completed"


# --- My tasks: the due headings ---------------------------------------------------------------


def test_due_groups_count_and_place_each_task(actor, make, member):
    mine = {"assignee_id": str(member.id)}
    expected = {
        "overdue": [
            make("late", due_date="2026-03-03", **mine),
            make("late timed", due_date="2026-03-04T08:00", **mine),
        ],
        "today": [
            make("today", due_date="2026-03-04", **mine),
            make("today timed", due_date="2026-03-04T18:00", **mine),
        ],
        "tomorrow": [make("tomorrow", due_date="2026-03-05", **mine)],
        "week": [make("sunday", due_date="2026-03-08", **mine)],
        "later": [make("monday", due_date="2026-03-09", **mine)],
        "none": [make("undated", **mine)],
    }
    make("not mine", due_date="2026-03-03")
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=member.id)
    counts = task_service.count_due_groups(actor, filters, now=NOW)
    assert counts == {name: len(tasks) for name, tasks in expected.items()}
    tz = task_service.actor_zone(actor)
    for name, tasks in expected.items():
        assert {task_service.due_group(t, NOW, tz) for t in tasks} == {name}


def test_due_group_counts_of_some_headings_only(actor, make, member):
    """A page counts only the headings it shows: the others are not counted at all."""
    mine = {"assignee_id": str(member.id)}
    make("late", due_date="2026-03-02", **mine)
    make("today", due_date="2026-03-04", **mine)
    make("undated", **mine)
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=member.id)
    every = task_service.count_due_groups(actor, filters, now=NOW)
    some = task_service.count_due_groups(actor, filters, now=NOW, groups={"none", "overdue"})
    assert some == {"overdue": every["overdue"], "none": every["none"]} == {"overdue": 1, "none": 1}
    assert task_service.count_due_groups(actor, filters, now=NOW, groups=()) == {}


def test_due_group_counts_follow_the_clock_within_a_day(actor, make, member, monkeypatch):
    """The headings' statement is built once a day for given filters; the moment work
    becomes overdue is its parameter, so a timed task moves from today to overdue."""
    mine = {"assignee_id": str(member.id)}
    make("at two", due_date="2026-03-04T14:00", **mine)
    make("undated", **mine)
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=member.id)
    built = []
    build = task_service.due_group_counts_statement
    monkeypatch.setattr(
        task_service,
        "due_group_counts_statement",
        lambda *args, **kwargs: built.append(args) or build(*args, **kwargs),
    )
    noon = task_service.count_due_groups(actor, filters, now=NOW)
    later = task_service.count_due_groups(actor, filters, now=NOW + timedelta(hours=3))
    assert (noon["today"], noon["overdue"], noon["none"]) == (1, 0, 1)
    assert (later["today"], later["overdue"], later["none"]) == (0, 1, 1)
    assert len(built) == 1
    next_day = task_service.count_due_groups(actor, filters, now=NOW + timedelta(days=1))
    assert (next_day["today"], next_day["overdue"]) == (0, 1)
    assert len(built) == 2


@pytest.mark.parametrize("q", [None, "call", "al"], ids=["no search", "few matches", "walk"])
def test_due_group_counts_after_a_page_count_the_rest(actor, make, q):
    """Counted after a page (its `next_cursor`), each heading holds what the page does not
    show: with what the page shows, every task of the heading."""
    for n in range(3):
        make(f"Call late {n}", due_date=f"2026-03-0{n + 1}")
    for n in range(3):
        make(f"Call today {n}", due_date="2026-03-04")
    for n in range(3):
        make(f"Call undated {n}")
    make("Lunch", due_date="2026-03-04")
    filters = TaskFilters(q=q)
    page = task_service.list_tasks(actor, filters, limit=5, now=NOW)
    whole = task_service.count_due_groups(actor, filters, now=NOW)
    rest = task_service.count_due_groups(actor, filters, now=NOW, after=page.next_cursor)
    tz = task_service.actor_zone(actor)
    shown = [task_service.due_group(task, NOW, tz) for task in page.items]
    assert shown == ["overdue"] * 3 + ["today"] * 2
    assert {name: rest[name] + shown.count(name) for name in whole} == whole
    assert (whole["today"], rest["today"]) == ((3, 1) if q else (4, 2))


def test_due_group_counts_of_the_overdue_filter(actor, make, member):
    """The filter and the overdue heading test the same bound (one parameter)."""
    make("late timed", due_date="2026-03-04T08:00")
    make("at two", due_date="2026-03-04T14:00")
    filters = TaskFilters(statuses=("open", "in_progress"), due="overdue")
    counts = task_service.count_due_groups(actor, filters, now=NOW)
    assert (counts["overdue"], counts["today"]) == (1, 0)
    later = task_service.count_due_groups(actor, filters, now=NOW + timedelta(hours=3))
    assert (later["overdue"], later["today"]) == (2, 0)


def test_overdue_pages_and_badge_follow_the_clock_within_a_day(actor, make, member):
    """The page's and the badge's statements are kept for the day too (see `_kept`)."""
    make("late", due_date="2026-03-03", assignee_id=str(member.id))
    make("at two", due_date="2026-03-04T14:00", assignee_id=str(member.id))
    make("tomorrow", due_date="2026-03-05", assignee_id=str(member.id))
    overdue = TaskFilters(statuses=("open", "in_progress"), due="overdue")

    def titles(now):
        return [t.title for t in task_service.list_tasks(actor, overdue, now=now).items]

    assert titles(NOW) == ["late"]
    assert titles(NOW + timedelta(hours=3)) == ["late", "at two"]
    assert titles(NOW + timedelta(days=1, hours=3)) == ["late", "at two"]
    badge = [
        task_service.count_due_by_today(actor, member.id, now=NOW + timedelta(days=days))
        for days in (0, 1)
    ]
    assert badge == [2, 3]


def test_unassigned_filter(actor, make, member):
    make("nobody's")
    make("mine", assignee_id=str(member.id))
    page = task_service.list_tasks(actor, TaskFilters(unassigned=True), now=NOW)
    assert [t.title for t in page.items] == ["nobody's"]


# --- the task version ---------------------------------------------------------------------------


def test_every_task_change_moves_the_workspace_version(actor, make, workspace, other_workspace):
    def versions():
        return (
            task_versions.current_version(workspace.id),
            task_versions.current_version(other_workspace.id),
        )

    start, other = versions()
    task = make()
    assert versions() == (start + 1, other)
    created = versions()[0]
    task_service.complete_task(actor, task.id, now=NOW)
    completed = versions()[0]
    assert completed > created  # once per flush that touched a task: at least once
    task_service.delete_task(actor, task.id, now=NOW)
    assert versions()[0] > completed and versions()[1] == other
    bulk.bulk_snooze(actor, [make("b").id, make("c").id], "tomorrow", now=NOW)
    after_batch = versions()[0]
    assert after_batch > completed + 3  # the delete, two creates, then the batch
    # Reading changes nothing.
    task_service.list_tasks(actor, TaskFilters(), now=NOW)
    db.session.commit()
    assert versions()[0] == after_batch
    # A change to something else (a user) does not move it either.
    db.session.get(User, actor.user_id).name = "Mia M."
    db.session.commit()
    assert versions()[0] == after_batch
    assert db.session.get(Workspace, workspace.id) is not None
