"""Creating and changing tasks: every rule of docs/rules.md §2, for both doors.

A door hands over the fields exactly as the client named them (the API's names, which the
browser form uses too) as plain Python values; this module checks every one, resolves
names to records, enforces the parent link and the created_date window, and writes.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import ClauseAdapter

from app import kinds
from app.config import settings
from app.extensions import db
from app.models import (
    TASK_PARENT_LINKS,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TITLE_SEARCH_TABLE,
    NamedRecord,
    Task,
    User,
    Workspace,
    joined_name,
)
from app.services import (
    dates,
    outbox,
    pipelined,
    recurrence,
    reminders,
    task_keys,
    task_versions,
)
from app.services.accounts import READ, WRITE, Actor
from app.services.errors import NotFound, ValidationError
from app.services.references import resolve_name
from app.services.zones import actor_zone, user_zone, workspace_zone
from app.vocabulary import TaskType

TITLE_MAX = 255
DESCRIPTION_MAX = 10_000
TASK_TYPE_MAX = 50
NAME_QUERY_MAX = 200
#: What the form offers for task_type; any other short string is accepted too.
SUGGESTED_TASK_TYPES = TaskType.values()
PARENT_LINKS = TASK_PARENT_LINKS
ORPHAN_MESSAGE = (
    "At least one parent link (contact_id, company_id, deal_id, or event_id) is required"
)
#: The key under which the orphan rule reports in `ValidationError.fields`.
PARENT_FIELD = "parent_link"

CREATE_FIELDS = frozenset(
    {
        "title",
        "description",
        "status",
        "priority",
        "task_type",
        "due_date",
        "assignee_id",
        *kinds.ID_FIELDS,
        *kinds.NAME_FIELDS,
        "created_date",
        "remind_at",
        "reminder",
        "recurrence",
    }
)
#: PATCH takes every field of create except created_date, which is fixed once set.
UPDATE_FIELDS = CREATE_FIELDS - {"created_date"}
#: Link column → the model it points to (app/kinds.py).
LINK_MODELS: dict[str, type[NamedRecord]] = {kind.id_field: kind.model for kind in kinds.KINDS}


@dataclass(frozen=True)
class CreatedTask:
    """A new task, and whether the created_date the caller gave was replaced by now()."""

    task: Task
    created_date_adjusted: bool = False


class _Fields:
    """Reads a payload field by field, collecting every problem before raising once."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload = payload
        self.problems: dict[str, str] = {}

    def given(self, name: str) -> bool:
        return self.payload.get(name) is not None

    def string(self, name: str, *, max_length: int | None = None) -> str | None:
        """A trimmed string, None when absent, null or blank."""
        value = self.payload.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problems[name] = _("must be a string")
            return None
        problem = text_problem(value)
        if problem:
            self.problems[name] = problem
            return None
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.problems[name] = _(
                "must be at most %(max)d characters (got %(length)d)",
                max=max_length,
                length=len(value),
            )
            return None
        return value or None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(name)
        if value is not None and value not in allowed:
            self.problems[name] = _("must be one of %(values)s", values=", ".join(allowed))
            return None
        return value

    def uuid(self, name: str) -> uuid.UUID | None:
        value = self.string(name)
        if value is None:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.problems[name] = _("is not a valid UUID")
            return None

    def parsed(self, name: str, parse) -> Any:
        value = self.string(name)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problems[name] = str(exc)
            return None
        except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past year 9999 in UTC
            self.problems[name] = _("is out of the supported range (years 1 to 9999)")
            return None

    def fail_if_any(self) -> None:
        if self.problems:
            raise ValidationError.for_fields(self.problems)


def text_problem(value: str) -> str | None:
    """What makes `value` unstorable as text on every backend, or None when it is fine.

    PostgreSQL refuses NUL characters in text, and lone surrogates (which JSON's `\\ud800`
    escapes can produce) are not UTF-8 at all; SQLite would store both. Refusing them here
    makes the rule the same on either database instead of a 500 on one of them.
    """
    if "\x00" in value:
        return _("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("is not valid Unicode text")
    return None


def _own(model: type[NamedRecord], record_id: uuid.UUID, workspace_id: uuid.UUID) -> bool:
    """Whether `record_id` is a record of `model` in this workspace (one query, no leak)."""
    return (
        db.session.scalar(
            sa.select(model.id).where(model.id == record_id, model.workspace_id == workspace_id)
        )
        is not None
    )


def create_task(
    actor: Actor,
    payload: Mapping[str, Any],
    *,
    now: datetime | None = None,
    commit: bool = True,
) -> CreatedTask:
    """Create a task from the API's fields, applying every rule of docs/rules.md §2 and §3.

    Raises PermissionDenied, ValidationError or AmbiguousReference; writes nothing then.
    With `commit=False` the task is only flushed (its id and defaults are set) and the
    caller commits, so it can write more in the same transaction (see idempotency.py).
    """
    actor.require(WRITE)
    payload = _checked_payload(payload, CREATE_FIELDS)
    now = now or dates.now()
    tz = workspace_zone(actor.workspace_id)
    fields = _Fields(payload)
    values = _read_values(fields, actor.workspace_id, tz)
    given_created = fields.parsed("created_date", lambda v: dates.parse_instant(v, tz))
    if values.get("title") is None and "title" not in fields.problems:
        fields.problems["title"] = _("is required")
    if fields.problems and not _names_any_parent(payload):
        # Report a missing link together with the other problems, not on the next try.
        fields.problems[PARENT_FIELD] = ORPHAN_MESSAGE
    fields.fail_if_any()
    _resolve_names(payload, values, actor.workspace_id)
    _require_parent(values)
    if "remind_at" not in payload and "reminder" not in payload and actor.user_id:
        # Nothing said about a reminder: the creator's default, when there is a due date.
        creator = db.session.get(User, actor.user_id)
        default = creator.default_reminder if creator else None
        if default in reminders.REMINDER_RULES and values.get("due_date") is not None:
            values["remind_rule"] = default
    _settle_reminder(values, values, payload, actor.workspace_id)
    _require_due_for_recurrence(values)

    created_date, adjusted = dates.CREATED_DATE_WINDOW.resolve(given_created, now)
    values["status"] = status = values.get("status") or "open"
    task = Task(
        workspace_id=actor.workspace_id,
        **{name: value for name, value in values.items() if value is not None},
        created_date=created_date,
        updated_at=now,
        completed_at=now if status == "completed" else None,
        created_by_user_id=actor.user_id,
        created_by_api_key_id=actor.api_key_id,
    )
    db.session.add(task)
    db.session.flush()
    _notify_assignee(actor, task, now)
    if status == "completed":
        _create_next_occurrence(actor, task, now)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return CreatedTask(task, adjusted)


def update_task(
    actor: Actor,
    task_id: uuid.UUID,
    payload: Mapping[str, Any],
    *,
    now: datetime | None = None,
    commit: bool = True,
) -> Task:
    """Change the fields present in `payload` (PATCH): the same rules as on create.

    A present key with value None clears an optional field; the task must keep at least
    one parent link; `created_date` cannot change. Moving into `completed` records
    completed_at and the status it had (which `reopen_task` restores), moving out of it
    clears completed_at. With `commit=False` the caller commits (bulk actions, which
    change many tasks in one transaction).
    """
    actor.require(WRITE)
    # The task first: a foreign or unknown id answers not_found whatever the payload.
    task = _live_task(actor.workspace_id, task_id)
    payload = _checked_payload(payload, UPDATE_FIELDS)
    now = now or dates.now()
    fields = _Fields(payload)
    values = _read_values(fields, actor.workspace_id, workspace_zone(actor.workspace_id))
    if "title" in payload and values.get("title") is None and "title" not in fields.problems:
        fields.problems["title"] = _("is required")
    if "status" in payload and values.get("status") is None and "status" not in fields.problems:
        fields.problems["status"] = _("must be one of %(values)s", values=", ".join(TASK_STATUSES))
    fields.fail_if_any()
    _resolve_names(payload, values, actor.workspace_id)
    _require_parent({name: values.get(name, getattr(task, name)) for name in PARENT_LINKS})
    current = {name: getattr(task, name) for name in (*_REMINDER_INPUTS, "recurrence")}
    _settle_reminder({**current, **values}, values, payload, actor.workspace_id)
    _require_due_for_recurrence({**current, **values})

    if "status" in values and values["status"] != task.status:
        completing = values["status"] == "completed"
        task.completed_at = now if completing else None
        task.status_before_completion = task.status if completing else None
        if completing:
            outbox.cancel_reminders(task.id)
    reassigned = "assignee_id" in values and values["assignee_id"] != task.assignee_id
    for name, value in values.items():
        setattr(task, name, value)
    task.updated_at = now
    if reassigned:
        db.session.flush()
        _notify_assignee(actor, task, now)
    if values.get("status") == "completed" and task.completed_at == now:
        _create_next_occurrence(actor, task, now)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return task


def _require_due_for_recurrence(merged: Mapping[str, Any]) -> None:
    if merged.get("recurrence") and merged.get("due_date") is None:
        raise ValidationError.for_fields(
            {"recurrence": _("must come with a due date (the first occurrence's)")}
        )


def _create_next_occurrence(actor: Actor, task: Task, now: datetime) -> Task | None:
    """The next occurrence of a recurring task just completed, created exactly once.

    Its due date follows the rule in the workspace's zone; it keeps the title, links,
    assignee, and reminder (a relative one as such, a fixed one at the same offset before
    the due moment). `previous_occurrence_id` is unique, so completing twice, or two
    workers completing at once, still makes one: the loser's insert fails in a savepoint.
    """
    if not task.recurrence or task.due_date is None:
        return None
    if db.session.scalar(sa.select(Task.id).where(Task.previous_occurrence_id == task.id)):
        return None
    tz = workspace_zone(task.workspace_id)
    try:
        following = recurrence.next_due(
            recurrence.parse(task.recurrence), task.due_date, task.due_at, tz
        )
    except (OverflowError, ValueError):  # past year 9999: the series ends there
        return None
    if following is None:
        return None
    successor = Task(
        workspace_id=task.workspace_id,
        title=task.title,
        description=task.description,
        status="open",
        priority=task.priority,
        task_type=task.task_type,
        due_date=following.day,
        due_at=following.instant,
        assignee_id=task.assignee_id,
        contact_id=task.contact_id,
        company_id=task.company_id,
        deal_id=task.deal_id,
        event_id=task.event_id,
        created_date=now,
        updated_at=now,
        created_by_user_id=actor.user_id,
        created_by_api_key_id=actor.api_key_id,
        recurrence=str(following.rule),
        previous_occurrence_id=task.id,
        remind_rule=task.remind_rule,
    )
    zone = reminder_zone(task.assignee_id, task.workspace_id)
    try:
        if task.remind_rule:
            successor.remind_at = reminders.remind_at_for(
                task.remind_rule, following.day, following.instant, zone
            )
        elif task.remind_at is not None:
            before = reminders.due_moment(task.due_date, task.due_at, zone) - task.remind_at
            due = reminders.due_moment(following.day, following.instant, zone)
            successor.remind_at = due - before
    except (OverflowError, ValueError):  # a reminder past year 9999: none
        successor.remind_at = None
    try:
        with db.session.begin_nested():
            db.session.add(successor)
    except IntegrityError:
        return None
    return successor


def _notify_assignee(actor: Actor, task: Task, now: datetime) -> None:
    """An email and an in-app notice for whoever someone else just assigned the task to,
    written in the task's own transaction (app/services/notifications.py)."""
    from app.services.notifications import note_assignment

    note_assignment(actor, task, now)


def complete_task(
    actor: Actor, task_id: uuid.UUID, *, now: datetime | None = None, commit: bool = True
) -> Task:
    """Mark a task completed (recording when); completing it again changes nothing."""
    actor.require(WRITE)
    task = _live_task(actor.workspace_id, task_id)
    if task.status == "completed":
        return task
    return update_task(actor, task_id, {"status": "completed"}, now=now, commit=commit)


def reopen_task(actor: Actor, task_id: uuid.UUID, *, now: datetime | None = None) -> Task:
    """Put a completed task back to the status it had before (open when that is unknown)."""
    actor.require(WRITE)
    task = _live_task(actor.workspace_id, task_id)
    if task.status != "completed":
        return task
    before = task.status_before_completion
    status = before if before in TASK_STATUSES and before != "completed" else "open"
    return update_task(actor, task_id, {"status": status}, now=now)


def start_task(actor: Actor, task_id: uuid.UUID, *, now: datetime | None = None) -> Task:
    """Mark an open task in progress (a completed one is reopened as in progress)."""
    return update_task(actor, task_id, {"status": "in_progress"}, now=now)


def assign_task(
    actor: Actor,
    task_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
    commit: bool = True,
) -> Task:
    """Give a task to an active user of the workspace, or to nobody (None)."""
    payload = {"assignee_id": str(assignee_id) if assignee_id else None}
    return update_task(actor, task_id, payload, now=now, commit=commit)


def set_priority(
    actor: Actor, task_id: uuid.UUID, priority: str | None, *, now: datetime | None = None
) -> Task:
    """Set a task's priority (`low`, `medium`, `high`), or clear it (None)."""
    return update_task(actor, task_id, {"priority": priority or None}, now=now)


#: How long a deleted task stays in the trash, restorable, before `purge_trash` removes it.
TRASH_RETENTION = timedelta(days=30)


def delete_task(
    actor: Actor, task_id: uuid.UUID, *, now: datetime | None = None, commit: bool = True
) -> Task:
    """Soft-delete: the task moves to the trash, and `restore_task` brings it back."""
    actor.require(WRITE)
    task = _live_task(actor.workspace_id, task_id)
    outbox.cancel_reminders(task.id)
    task.deleted_at = now or dates.now()
    task.updated_at = task.deleted_at
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return task


def restore_task(actor: Actor, task_id: uuid.UUID, *, now: datetime | None = None) -> Task:
    """Bring a task back from the trash; NotFound unless it was deleted within the retention.

    A live, purged, foreign or unknown id all answer the same NotFound.
    """
    actor.require(WRITE)
    now = now or dates.now()
    task = db.session.scalar(
        sa.select(Task).where(
            Task.id == task_id,
            Task.workspace_id == actor.workspace_id,
            Task.deleted_at.is_not(None),
            Task.deleted_at > now - TRASH_RETENTION,
        )
    )
    if task is None:
        raise NotFound("Task")
    # A record it linked to may have been deleted meanwhile (the link was set to null).
    _require_parent({name: getattr(task, name) for name in PARENT_LINKS})
    task.deleted_at = None
    task.updated_at = now
    db.session.commit()
    return task


def purge_trash(*, now: datetime | None = None) -> int:
    """Delete for good every task deleted longer ago than the retention; returns how many."""
    cutoff = (now or dates.now()) - TRASH_RETENTION
    gone = list(
        db.session.scalars(
            sa.select(Task).where(Task.deleted_at.is_not(None), Task.deleted_at <= cutoff)
        )
    )
    for task in gone:  # through the ORM, so each workspace's task version moves
        db.session.delete(task)
    db.session.commit()
    return len(gone)


def _checked_payload(payload: Any, allowed: frozenset[str]) -> Mapping[str, Any]:
    """The payload as a mapping with only known fields, or a ValidationError naming the rest."""
    if not isinstance(payload, Mapping):  # the API passes whatever JSON it was sent
        raise ValidationError("The request body must be a JSON object")
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ValidationError(
            "Unknown field" + ("s: " if len(unknown) > 1 else ": ") + ", ".join(unknown),
            {name: "is not a field of a task" for name in unknown},
        )
    return payload


def _read_values(fields: _Fields, workspace_id: uuid.UUID, tz) -> dict[str, Any]:
    """Column values for every task field present in the payload, checked (problems collected)."""
    present = fields.payload
    values: dict[str, Any] = {}
    readers = {
        "title": lambda: fields.string("title", max_length=TITLE_MAX),
        "description": lambda: fields.string("description", max_length=DESCRIPTION_MAX),
        "status": lambda: fields.choice("status", TASK_STATUSES),
        "priority": lambda: fields.choice("priority", TASK_PRIORITIES),
        "task_type": lambda: fields.string("task_type", max_length=TASK_TYPE_MAX),
    }
    for name, read in readers.items():
        if name in present:
            values[name] = read()
    if "due_date" in present:
        due = fields.parsed("due_date", lambda v: dates.parse_due_date(v, tz))
        values["due_date"] = due.day if due else None
        values["due_at"] = due.instant if due else None
    if "assignee_id" in present:
        assignee_id = fields.uuid("assignee_id")
        if assignee_id is not None and not _active_user(assignee_id, workspace_id):
            fields.problems["assignee_id"] = _("is not an active user of your workspace")
        values["assignee_id"] = assignee_id
    if "remind_at" in present:
        values["remind_at"] = fields.parsed("remind_at", lambda v: dates.parse_instant(v, tz))
        values["remind_rule"] = None
    if "recurrence" in present:
        values["recurrence"] = fields.parsed("recurrence", lambda v: str(recurrence.parse(v)))
    if "reminder" in present:
        values["remind_rule"] = fields.choice("reminder", tuple(reminders.REMINDER_RULES))
        if fields.given("reminder") and fields.given("remind_at"):
            fields.problems["reminder"] = _(
                "give either reminder (relative to the due date) or remind_at, not both"
            )
    values.update(_read_links(fields, workspace_id))
    return values


#: What a relative reminder's instant depends on.
_REMINDER_INPUTS = ("due_date", "due_at", "assignee_id", "remind_rule", "remind_at")


def _settle_reminder(
    merged: Mapping[str, Any], values: dict[str, Any], payload: Mapping[str, Any], workspace_id
) -> None:
    """Set `values["remind_at"]` from a relative rule, whenever the rule or due date changed.

    `merged` is the task as it will be (stored values overlaid with the new ones). A rule
    needs a due date: asked for without one, it is a validation error; when a due date is
    cleared, the reminder goes with it. A fixed `remind_at` is left as given.
    """
    rule = merged.get("remind_rule")
    if rule is None:
        return
    due_day = merged.get("due_date")
    if due_day is None:
        if payload.get("reminder") is not None:
            raise ValidationError.for_fields(
                {"reminder": _("must come with a due date; give remind_at for a fixed time")}
            )
        values["remind_at"] = None
        return
    if not any(name in values for name in _REMINDER_INPUTS):
        return
    tz = reminder_zone(merged.get("assignee_id"), workspace_id)
    try:
        values["remind_at"] = reminders.remind_at_for(rule, due_day, merged.get("due_at"), tz)
    except (OverflowError, ValueError):  # e.g. "1 day before" 0001-01-01
        raise ValidationError.for_fields(
            {"reminder": _("falls outside the supported dates (years 1 to 9999)")}
        ) from None
    values["remind_rule"] = rule


def reminder_zone(assignee_id: uuid.UUID | None, workspace_id: uuid.UUID) -> ZoneInfo:
    """The zone a task's reminders are computed in: its assignee's, else the workspace's."""
    return user_zone(assignee_id, workspace_id)


def _names_any_parent(payload: Mapping[str, Any]) -> bool:
    """Whether the payload gives any link at all, by id or by name (valid or not)."""
    return any(payload.get(name) for name in (*PARENT_LINKS, "contact_name", "company_name"))


def _require_parent(links: Mapping[str, Any]) -> None:
    if not any(links.get(name) for name in PARENT_LINKS):
        raise ValidationError(ORPHAN_MESSAGE, {PARENT_FIELD: ORPHAN_MESSAGE})


def _read_links(fields: _Fields, workspace_id: uuid.UUID) -> dict[str, uuid.UUID | None]:
    """The parent ids given, each checked to be a record of the caller's workspace."""
    links: dict[str, uuid.UUID | None] = {}
    for name, model in LINK_MODELS.items():
        if name not in fields.payload:
            continue
        record_id = fields.uuid(name)
        if record_id is not None and not _own(model, record_id, workspace_id):
            # Same words for "missing" and "another workspace's": nothing leaks.
            fields.problems[name] = f"no {model.__name__.lower()} with this id in your workspace"
            record_id = None
        links[name] = record_id
    for kind in kinds.KINDS:
        name_field = kind.name_field
        if name_field is None:
            continue
        fields.string(name_field, max_length=NAME_QUERY_MAX)
        if fields.given(kind.id_field) and fields.given(name_field):
            fields.problems[name_field] = f"give either {kind.id_field} or {name_field}, not both"
    return links


def _resolve_names(
    payload: Mapping[str, Any], links: dict[str, Any], workspace_id: uuid.UUID
) -> None:
    """Turn company_name and contact_name into ids; the company first, to narrow contacts."""
    company_name = (payload.get("company_name") or "").strip()
    contact_name = (payload.get("contact_name") or "").strip()
    if company_name:
        links["company_id"] = resolve_name("company_name", "company", company_name, workspace_id)
    if contact_name:
        links["contact_id"] = resolve_name(
            "contact_name",
            "contact",
            contact_name,
            workspace_id,
            company_id=links.get("company_id"),
        )


def _active_user(user_id: uuid.UUID, workspace_id: uuid.UUID) -> bool:
    return (
        db.session.scalar(
            sa.select(User.id).where(
                User.id == user_id, User.workspace_id == workspace_id, User.active.is_(True)
            )
        )
        is not None
    )


def get_task(actor: Actor, task_id: uuid.UUID) -> Task:
    """A live task of the actor's workspace; NotFound for a foreign, deleted or unknown id."""
    actor.require(READ)
    return _live_task(actor.workspace_id, task_id)


def get_live_task(actor: Actor, task_id: uuid.UUID) -> Task:
    """A live task of the actor's workspace, for a writer (needs `activities:write`)."""
    actor.require(WRITE)
    return _live_task(actor.workspace_id, task_id)


def _live_task(workspace_id: uuid.UUID, task_id: uuid.UUID) -> Task:
    """The task, unless it is unknown, deleted or another workspace's: one answer for all.

    Changing a task needs only `activities:write`, so the writers look tasks up here
    rather than through `get_task`, which asks for `activities:read`.
    """
    task = db.session.scalar(
        sa.select(Task).where(
            Task.id == task_id,
            Task.workspace_id == workspace_id,
            Task.deleted_at.is_(None),
        )
    )
    if task is None:
        raise NotFound("Task")
    return task


DUE_FILTERS = ("overdue", "today", "week", "none")
#: What an assignee filter says for "tasks nobody is assigned to" (`assignee_id=none`).
UNASSIGNED = "none"
PAGE_LIMIT_MAX = 200
#: Title searches of fewer characters than this cannot use the trigram indexes: they
#: walk the list in order instead, which is fast for the common short strings they are.
TITLE_SEARCH_MIN = 3
#: Below this many title matches (SQLite), a page is built from the matches themselves.
FEW_TITLE_MATCHES = 3_000
#: Below this many, the list index is walked keeping the matches' ids; above it, so many
#: titles match that testing each title in list order finds a page soonest.
SOME_TITLE_MATCHES = 10_000


@dataclass(frozen=True)
class TaskFilters:
    """What a task list shows. None everywhere means every live task of the workspace."""

    statuses: tuple[str, ...] | None = None
    priority: str | None = None
    assignee_id: uuid.UUID | None = None
    #: Only tasks nobody is assigned to (`assignee_id` must then be None).
    unassigned: bool = False
    contact_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    due: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    q: str | None = None
    #: The trash instead of the live tasks: deleted within `TRASH_RETENTION`.
    in_trash: bool = False


#: The relationships a list row shows the names of: read for the whole page at once
#: (`with_links`, `link_names`).
ROW_LINKS = ("assignee", *(kind.key for kind in kinds.KINDS))
#: What a row shows of its links: the name of each of `ROW_LINKS` (None where it has none).
LinkNames = dict[str, str | None]


@dataclass(frozen=True)
class TaskPage:
    items: list[Task]
    next_cursor: str | None
    #: `link_names` of the items, by task id (`list_tasks(with_links=True)`; else empty).
    links: dict[uuid.UUID, LinkNames] = field(default_factory=dict)


# Soonest due first; a timed task before a date-only one of the same day; no due date
# last; then oldest first, the id breaking ties so every task has one place in the order.
# Every list index ends in these columns (models.LIST_ORDER, task_keys.py).
_Statement = TypeVar("_Statement", bound=sa.Executable)

_SORT_KEY: tuple[so.InstrumentedAttribute[Any], ...] = (Task.due_sort, Task.created_date, Task.id)
#: A sort key as parameters, each bound with its column's type (`count_due_groups` after).
_AFTER = tuple(sa.bindparam(f"after_{key.key}", type_=key.type) for key in _SORT_KEY)
#: How far a count after a page goes (`count_due_groups`: what the page leaves to the cap).
_COUNT_LIMIT = sa.bindparam("count_limit", type_=sa.Integer)
_FAR_DAY = date(9999, 12, 31)
_FAR_INSTANT = datetime(9999, 12, 31, tzinfo=UTC)


def _cursor_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings().secret_key, salt="tasks-cursor")


def _encode_cursor(task: Task) -> str:
    return _cursor_serializer().dumps([task.due_sort, task.created_date.isoformat(), str(task.id)])


def _decode_cursor(cursor: str) -> tuple[int, datetime, uuid.UUID]:
    try:
        values = _cursor_serializer().loads(cursor)
        if len(values) == 4:
            # A cursor given out before the sort key was stored: (day, instant, created, id).
            day, instant = date.fromisoformat(values[0]), datetime.fromisoformat(values[1])
            due_sort = task_keys.due_sort_key(
                None if day == _FAR_DAY else day,
                None if instant == _FAR_INSTANT else instant,
            )
            values = [due_sort, *values[2:]]
        due_sort, created, task_id = values
        if not isinstance(due_sort, int):
            raise TypeError("the sort key is not a number")
        return due_sort, datetime.fromisoformat(created), uuid.UUID(task_id)
    except (BadData, ValueError, TypeError) as exc:
        raise ValidationError.for_fields(
            {"cursor": "is not a cursor this server gave out"}
        ) from exc


def list_tasks(
    actor: Actor,
    filters: TaskFilters = TaskFilters(),
    *,
    limit: int = 50,
    cursor: str | None = None,
    now: datetime | None = None,
    with_links: bool = False,
) -> TaskPage:
    """One page of the workspace's live tasks, soonest due first (keyset pagination).

    The cursor is signed, so a tampered one is a validation error; as it holds the last
    row's sort key, tasks added meanwhile never cause gaps or repeats.

    Every page is read from an index in list order, reading about as many rows as it
    shows whatever the size of the workspace: see `list_statement`. `with_links` also
    reads the names of the rows' linked records and assignees (for pages that show them),
    at most one statement per relationship for the whole page (`link_names`), so a page
    costs the same number of statements however many rows it has.
    """
    actor.require(READ)
    _check_list_request(filters, limit)
    now = now or dates.now()
    # Only the `due` filter reads the zone: other pages need no user or workspace row.
    tz = actor_zone(actor) if filters.due is not None else None
    today = now.astimezone(tz).date() if tz is not None else None
    title = _on_page(_page_title(actor.workspace_id, filters, now), cursor, limit + 1)
    statement = _kept(
        # A later page's cursor is a key of its own: those are built every time.
        None if cursor else ("page", actor.workspace_id, filters, today, limit),
        lambda: list_statement(
            actor.workspace_id,
            filters,
            limit=limit + 1,
            cursor=cursor,
            now=now,
            tz=tz,
            title=title,
        ),
        filters,
        title,
    )
    bound = {OVERDUE_BOUND: task_keys.overdue_bound(today, now)} if today else {}
    bound |= title.params if title else {}
    rows = list(db.session.scalars(statement, bound))
    links = link_names(rows[:limit]) if with_links else {}
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return TaskPage(rows[:limit], next_cursor, links)


def link_names(tasks: list[Task]) -> dict[uuid.UUID, LinkNames]:
    """The names each task's row shows of its `ROW_LINKS`, by task id.

    A name is read, not its record: one statement for the whole page, a UNION ALL of one
    SELECT per relationship of the ids and the model's `NAME_COLUMNS` of the records the
    page links to (`_names_statement`). Loading the records themselves (`selectinload`,
    or a SELECT of the entities) cost about 30 µs a row, twice what the rest of the
    page's reading did; looking for them in the session first cost more than reading
    their names. A statement per relationship took 0.66 ms for a page of 50 rows at
    1,000,000 tasks on SQLite, this one 0.41 ms (PostgreSQL: 1.50 and 0.78 ms).

    The page's own statement stays exactly as the list indexes want it (no joins in it).
    """
    fields, statement = _names_statement()
    links = [(task.id, fields(task)) for task in tasks]
    wanted = [list({ids[n] for _task_id, ids in links} - {None}) for n in range(len(ROW_LINKS))]
    found: list[dict[uuid.UUID | None, str | None]] = [{} for _name in ROW_LINKS]
    if any(wanted):
        arguments = {f"ids_{n}": ids for n, ids in enumerate(wanted)}
        for n, record_id, *parts in db.session.execute(statement, arguments):
            found[n][record_id] = joined_name(*parts)
    return {
        task_id: {
            name: found[n].get(link_id) if link_id is not None else None
            for n, (name, link_id) in enumerate(zip(ROW_LINKS, ids, strict=True))
        }
        for task_id, ids in links
    }


@functools.cache
def _names_statement() -> tuple[Callable[[Task], tuple[Any, ...]], sa.CompoundSelect]:
    """What `link_names` reads: a reader of a task's link ids, one for each of
    `ROW_LINKS`, and the statement of their names: for the nth, rows of n, an id and its
    record's `NAME_COLUMNS` (padded with NULLs to the widest), with the ids given as
    `ids_<n>`."""
    models = []
    fields = []
    for name in ROW_LINKS:
        relationship = Task.__mapper__.relationships[name]
        (foreign_key,) = relationship.local_columns
        fields.append(Task.__mapper__.get_property_by_column(foreign_key).key)
        models.append(relationship.mapper.class_)
    width = max(len(model.NAME_COLUMNS) for model in models)
    arms = []
    for n, model in enumerate(models):
        names = [getattr(model, column) for column in model.NAME_COLUMNS]
        names += [sa.cast(sa.null(), sa.String)] * (width - len(names))
        wanted = model.id.in_(sa.bindparam(f"ids_{n}", expanding=True))
        arms.append(
            sa.select(
                sa.literal(n, sa.Integer).label("link"),
                model.id.label("id"),
                *(column.label(f"name_{i}") for i, column in enumerate(names)),
            ).where(wanted)
        )
    return operator.attrgetter(*fields), sa.union_all(*arms)


def names_of_links(task: Task) -> LinkNames:
    """`link_names` of one task, read through its relationships (an answer of one row)."""
    return {
        name: None if (record := getattr(task, name)) is None else _name_of(record)
        for name in ROW_LINKS
    }


def _name_of(record: Any) -> str:
    """A record's name as a row shows it: made of its `NAME_COLUMNS`."""
    return joined_name(*(getattr(record, column) for column in record.NAME_COLUMNS))


def list_statement(
    workspace_id: uuid.UUID,
    filters: TaskFilters,
    *,
    limit: int,
    cursor: str | None = None,
    now: datetime,
    tz: ZoneInfo | None = None,
    title: _TitleSearch | None = None,
) -> sa.Select:
    """The SELECT of one page of tasks: the first `limit` matches in list order.

    Each list index holds one filter column, then status, then the list order, so "these
    statuses" is one index range per status: a page asks each range for its first `limit`
    rows and merges those (a UNION ALL of at most three short, ordered reads) instead of
    sorting every match. The other filters narrow the range (due buckets are ranges of
    the sort key) or are checked on the rows read. `title` is `_page_title`'s, when the
    caller has it already.
    """
    title = _on_page(title or _page_title(workspace_id, filters, now), cursor, limit)
    conditions = _list_conditions(workspace_id, filters, title, now, tz)
    if title:
        conditions.append(title.condition)
    if cursor:
        # Bind each value with its column's type, so instants go through UTCDateTime
        # (naive UTC) and compare right on PostgreSQL whatever the session's time zone.
        last = zip(_decode_cursor(cursor), _SORT_KEY, strict=True)
        after = [sa.literal(value, key.type) for value, key in last]
        conditions.append(sa.tuple_(*_SORT_KEY) > sa.tuple_(*after))
    # A range's order as its index holds it. IS NULL does not make a column constant for
    # PostgreSQL's planner as `=` does: naming the column first lets it read the unassigned
    # tasks' range in order (all of them hold NULL there, so the order is the same).
    order = (Task.assignee_id, *_SORT_KEY) if filters.unassigned else _SORT_KEY
    statuses = sorted(set(TASK_STATUSES if filters.statuses is None else filters.statuses))
    if filters.due == "overdue":
        statuses = [status for status in statuses if status != "completed"]
    if not statuses:  # e.g. overdue among completed tasks: there are none
        return sa.select(Task).where(sa.false())
    if title and title.drive and not title.by_key and _dialect() == "postgresql":
        matches, on_matches = _title_matches_apart(title)
        others = [*(c for c in conditions if c is not title.condition), Task.status.in_(statuses)]
        return (
            sa.select(so.aliased(Task, matches))
            .where(*(on_matches.traverse(condition) for condition in others))
            .order_by(*(on_matches.traverse(key.expression) for key in order))
            .limit(limit)
        )
    if title and title.drive:  # a handful of matches, read once and sorted
        status = _unindexed(Task.status) if _dialect() == "sqlite" else Task.status
        return (
            sa.select(Task).where(*conditions, status.in_(statuses)).order_by(*order).limit(limit)
        )
    if len(statuses) == 1:
        return (
            sa.select(Task)
            .where(*conditions, Task.status == statuses[0])
            .order_by(*order)
            .limit(limit)
        )
    # Each range reads only its index (the keys are in it), in order; the page's rows are
    # then fetched by id. Subqueries of all 28 columns cost more to build than to run.
    arms = [sa.select(*order).where(*conditions, Task.status == status) for status in statuses]
    if _dialect() == "sqlite":
        # SQLite merges the ranges as it reads them (MERGE) and stops after a page, so
        # together they read about a page of rows, not a page each: a title walk tests
        # half as many titles.
        ranges = sa.union_all(*arms).subquery("ranges")
        merged = (
            sa.select(ranges)
            .order_by(*(ranges.c[key.key] for key in order))
            .limit(limit)
            .subquery("page")
        )
    else:
        # PostgreSQL 15 appends a UNION ALL's ranges and sorts them rather than merging
        # ranges of different conditions: each is cut at a page before the sort.
        cut = [
            arm.order_by(*order).limit(limit).subquery(f"status_{n}") for n, arm in enumerate(arms)
        ]
        merged = sa.union_all(*(sa.select(range_) for range_ in cut)).subquery("page")
    keys = [merged.c[key.key] for key in _SORT_KEY]
    return (
        sa.select(Task)
        .select_from(merged)
        .join(Task, Task.id == merged.c.id)
        .order_by(*keys)
        .limit(limit)
    )


def _list_conditions(
    workspace_id: uuid.UUID,
    filters: TaskFilters,
    title: _TitleSearch | None,
    now: datetime,
    tz: ZoneInfo | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The conditions every statement of a list has, but its title's and its statuses'."""
    conditions = [_in_workspace(workspace_id, filters, title), *_trash_conditions(filters, now)]
    return conditions + _filter_conditions(filters, workspace_id, now, tz)


def _in_workspace(
    workspace_id: uuid.UUID, filters: TaskFilters, title: _TitleSearch | None
) -> sa.ColumnElement[bool]:
    """The workspace condition, written for SQLite's planner where a workspace index is the
    wrong start: a handful of title matches (`drive`), or a parent link, whose own indexes
    hold a record's few tasks (the link, then the assignee, status and order). Without
    statistics SQLite would rather read the assignee's range — every open task of mine —
    checking the link row by row. PostgreSQL's planner weighs them from its statistics."""
    if _dialect() != "sqlite":
        return Task.workspace_id == workspace_id
    by_link = any(getattr(filters, name) is not None for name in PARENT_LINKS)
    if (title and title.drive) or by_link:
        return _unindexed(Task.workspace_id) == workspace_id
    return Task.workspace_id == workspace_id


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _check_list_request(filters: TaskFilters, limit: int) -> None:
    """Raise one ValidationError naming every filter value (and the limit) not allowed."""
    problems: dict[str, str] = {}
    if filters.statuses is not None and any(s not in TASK_STATUSES for s in filters.statuses):
        problems["status"] = f"must be one of {', '.join(TASK_STATUSES)}"
    if filters.priority is not None and filters.priority not in TASK_PRIORITIES:
        problems["priority"] = f"must be one of {', '.join(TASK_PRIORITIES)}"
    if filters.due is not None and filters.due not in DUE_FILTERS:
        problems["due"] = f"must be one of {', '.join(DUE_FILTERS)}"
    if filters.q and (problem := text_problem(filters.q)):
        problems["q"] = problem
    if filters.unassigned and filters.assignee_id is not None:
        problems["assignee_id"] = "give an assignee or ask for unassigned tasks, not both"
    if not 1 <= limit <= PAGE_LIMIT_MAX:
        problems["limit"] = f"must be between 1 and {PAGE_LIMIT_MAX}"
    if problems:
        raise ValidationError.for_fields(problems)


def _trash_conditions(filters: TaskFilters, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Live tasks, or (`in_trash`) those deleted within `TRASH_RETENTION`."""
    if filters.in_trash:
        return [Task.deleted_at.is_not(None), Task.deleted_at > now - TRASH_RETENTION]
    return [Task.deleted_at.is_(None)]


def _filter_conditions(
    filters: TaskFilters, workspace_id: uuid.UUID, now: datetime, tz: ZoneInfo | None = None
) -> list:
    """SQL conditions for the filters, which `_check_list_request` has checked.

    `due` is read in `tz` (the user's zone, `actor_zone`), else the workspace's.
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.priority is not None:
        conditions.append(Task.priority == filters.priority)
    for name in ("assignee_id", *PARENT_LINKS):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(Task, name) == value)
    if filters.unassigned:
        conditions.append(Task.assignee_id.is_(None))
    if filters.due_before is not None:
        conditions.append(
            Task.due_sort
            <= task_keys.day_range(filters.due_before, _FAR_DAY)[0] + task_keys.DATE_ONLY
        )
    if filters.due_after is not None:
        conditions.append(Task.due_sort.between(*task_keys.day_range(filters.due_after, _FAR_DAY)))
    if filters.due is not None:
        conditions.append(_due_condition(filters.due, now, tz or workspace_zone(workspace_id)))
    return conditions


def _due_condition(due: str, now: datetime, tz):
    """`overdue`, `today`, `week` (today to Sunday) or `none`, in the workspace's zone.

    Each is a range of the sort key, so it narrows the index range a list reads.
    """
    today = now.astimezone(tz).date()
    if due == "none":
        return Task.due_sort == task_keys.NO_DUE
    if due == "today":
        return Task.due_sort.between(*task_keys.day_range(today, today))
    if due == "week":
        sunday = today + timedelta(days=6 - today.weekday())
        return Task.due_sort.between(*task_keys.day_range(today, sunday))
    if due == "overdue":
        # Completed tasks are never overdue: `list_statement` leaves their range out.
        return sa.and_(Task.status != "completed", Task.due_sort < _overdue_bound(today, now))
    raise ValidationError.for_fields({"due": f"must be one of {', '.join(DUE_FILTERS)}"})


#: The headings of "My tasks", in order: when each task is due, seen from the user's zone.
DUE_GROUPS = ("overdue", "today", "tomorrow", "week", "later", "none")


def _overdue_condition(now: datetime, today: date):
    return sa.and_(
        Task.status != "completed",
        sa.or_(sa.and_(Task.due_at.is_(None), Task.due_date < today), Task.due_at < now),
    )


def _end_of_week(today: date) -> date:
    """The Sunday of `today`'s week (weeks run Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def due_group(task: Task, now: datetime, tz) -> str:
    """Which heading of `DUE_GROUPS` a task belongs under (the SQL of `count_due_groups`)."""
    today = now.astimezone(tz).date()
    if task.due_date is None:
        return "none"
    if is_overdue(task, now, tz):
        return "overdue"
    if task.due_date <= today:
        return "today"
    if task.due_date == today + timedelta(days=1):
        return "tomorrow"
    if task.due_date <= _end_of_week(today):
        return "week"
    return "later"


#: The browser's counts (the grouped list's headings, the navigation badge) count up to
#: this many, then say "99+": a count that stops early reads at most a bounded index range,
#: whatever the workspace holds.
COUNT_CAP = 99


def count_due_groups(
    actor: Actor,
    filters: TaskFilters = TaskFilters(),
    *,
    now: datetime | None = None,
    groups: Iterable[str] = DUE_GROUPS,
    after: str | None = None,
    shown: int = 0,
) -> dict[str, int]:
    """How many tasks the filters select under each heading of `groups` (by default every
    one of `DUE_GROUPS`), each counted up to `COUNT_CAP + 1`: one statement of one
    bounded `due_sort` range per heading. A page counts only the headings it shows.

    With `after` (a page's `next_cursor`), only the tasks after that page's last row are
    counted, up to `COUNT_CAP + 1 - shown`: the page adds the `shown` tasks of the heading
    it holds, so the count reads on from the page rather than again from the heading's
    start (a title search tests every title it reads)."""
    actor.require(READ)
    _check_list_request(filters, 1)
    last = _decode_cursor(after) if after else None
    now = now or dates.now()
    tz = actor_zone(actor)
    today = now.astimezone(tz).date()
    names = tuple(name for name in DUE_GROUPS if name in set(groups))
    if not names:
        return {}
    title = _page_title(actor.workspace_id, filters, now)
    statement = _kept(
        ("due groups", actor.workspace_id, filters, today, names, last is not None),
        lambda: due_group_counts_statement(
            actor.workspace_id, filters, now, tz, names, title=title, after=last is not None
        ),
        filters,
        title,
    )
    result = dict.fromkeys(names, 0)
    bound: dict[str, Any] = {OVERDUE_BOUND: task_keys.overdue_bound(today, now)}
    bound |= title.params if title else {}
    if last is not None:
        bound |= {param.key: value for param, value in zip(_AFTER, last, strict=True)}
        bound[_COUNT_LIMIT.key] = max(COUNT_CAP + 1 - shown, 1)
    for name, count in db.session.execute(statement, bound):
        result[name] = count
    return result


#: The parameter holding `task_keys.overdue_bound` in every statement that tests it.
OVERDUE_BOUND = "overdue_bound"
#: The statements `_kept` holds, by key; at most `STATEMENTS_KEPT` (then it starts over).
_KEPT: dict[tuple[Any, ...], Any] = {}
STATEMENTS_KEPT = 1_000


def _kept(
    key: tuple[Any, ...] | None,
    build: Callable[[], _Statement],
    filters: TaskFilters | None,
    title: _TitleSearch | None = None,
) -> _Statement:
    """The statement `build` returns, built once per process for `key` and kept.

    Building a page's statements and their cache keys cost more than running them (about
    1 ms for the headings' six counts, 0.4 ms for a page), yet for a day they change only
    with what `key` holds (the workspace, the filters, the day in the actor's zone): what
    depends on the moment, `OVERDUE_BOUND`, is a parameter given with each run.

    A title search's statement depends on its way to the matches, which depends on their
    number: it is kept under that way (`title`, `_TitleSearch.shape`) where the query alone
    decides the condition, and built every time where the condition lists the few matches
    read for it. The trash (its conditions read the clock) and a None key are built every
    time.
    """
    if key is None or (filters is not None and filters.in_trash):
        return build()
    if filters is not None and filters.q:
        if title is None or title.shape is None:
            return build()
        key = (*key, title.shape)
    key = (_dialect(), *key)
    statement = _KEPT.get(key)
    if statement is None:
        statement = build()
        if len(_KEPT) >= STATEMENTS_KEPT:
            _KEPT.clear()
        _KEPT[key] = statement
    return statement


def _overdue_bound(today: date, now: datetime) -> sa.BindParameter[int]:
    """`task_keys.overdue_bound` as the parameter `OVERDUE_BOUND` (its value at `now`)."""
    return sa.bindparam(OVERDUE_BOUND, task_keys.overdue_bound(today, now), type_=sa.BigInteger)


def due_group_counts_statement(
    workspace_id: uuid.UUID,
    filters: TaskFilters,
    now: datetime,
    tz: ZoneInfo,
    groups: tuple[str, ...] = DUE_GROUPS,
    title: _TitleSearch | None = None,
    after: bool = False,
) -> sa.CompoundSelect:
    """(heading, count) for each of `groups`, each count stopping at `COUNT_CAP + 1`
    (`title` as in `list_statement`); with `after`, of the tasks after the sort key given
    as the parameters `_AFTER` (`count_due_groups`)."""
    title = title or _page_title(workspace_id, filters, now)
    conditions = _list_conditions(workspace_id, filters, title, now, tz)
    if filters.statuses is not None:
        conditions.append(Task.status.in_(filters.statuses))
    if title:
        conditions.append(title.condition)
    if after:
        conditions.append(sa.tuple_(*_SORT_KEY) > sa.tuple_(*_AFTER))
    ranges = {
        name: group_conditions
        for name, group_conditions in _due_group_ranges(now.astimezone(tz).date(), now).items()
        if name in groups
    }
    source: Any = Task
    if title and title.drive:
        # A handful of title matches: read them once for every heading (each heading would
        # otherwise search the title index again), then count each heading among them.
        if _dialect() == "postgresql":
            matches, on_matches = _title_matches_apart(title)
            conditions = [
                on_matches.traverse(condition)
                for condition in conditions
                if condition is not title.condition
            ]
        else:
            matches = (
                sa.select(Task.status, Task.due_sort)
                .where(*conditions)
                .cte("title_matches")
                .prefix_with("MATERIALIZED")
            )
            on_matches = ClauseAdapter(matches)
            conditions = []
        source = matches
        ranges = {
            name: [on_matches.traverse(condition) for condition in group_conditions]
            for name, group_conditions in ranges.items()
        }
    counts = [
        sa.select(sa.literal(name).label("due_group"), sa.func.count().label("n")).select_from(
            sa.select(sa.literal(1))
            .select_from(source)
            .where(*conditions, *group_conditions)
            .limit(_COUNT_LIMIT if after else COUNT_CAP + 1)
            .subquery()
        )
        for name, group_conditions in ranges.items()
    ]
    return sa.union_all(*counts)


def _due_group_ranges(today: date, now: datetime) -> dict[str, list[sa.ColumnElement[bool]]]:
    """Each heading of `DUE_GROUPS` as conditions on `due_sort` (and status), in the order
    `due_group` decides: overdue is open work due before now; today, anything else due by
    the end of today (completed tasks of earlier days too); then tomorrow, the rest of this
    week, later, and no due date."""
    overdue_bound = _overdue_bound(today, now)
    _first, end_of_today = task_keys.day_range(today, today)
    tomorrow = task_keys.day_range(today + timedelta(days=1), today + timedelta(days=1))
    _monday, end_of_week = task_keys.day_range(today, _end_of_week(today))
    end_of_week = max(end_of_week, tomorrow[1])
    not_yet_overdue = sa.or_(Task.status == "completed", Task.due_sort >= overdue_bound)
    return {
        "overdue": [Task.status != "completed", Task.due_sort < overdue_bound],
        "today": [Task.due_sort <= end_of_today, not_yet_overdue],
        "tomorrow": [Task.due_sort.between(*tomorrow)],
        "week": [Task.due_sort > tomorrow[1], Task.due_sort <= end_of_week],
        "later": [Task.due_sort > end_of_week, Task.due_sort < task_keys.NO_DUE],
        "none": [Task.due_sort == task_keys.NO_DUE],
    }


def count_due_by_today(actor: Actor, assignee_id: uuid.UUID, *, now: datetime | None = None) -> int:
    """Open tasks of `assignee_id` that are overdue or due today, counted up to
    `COUNT_CAP + 1` (the badge then says "99+")."""
    actor.require(READ)
    now = now or dates.now()
    today = now.astimezone(actor_zone(actor)).date()
    statement = _kept(
        ("due by today", actor.workspace_id, assignee_id, today),
        lambda: sa.select(sa.func.count()).select_from(
            due_by_today_statement(actor.workspace_id, assignee_id, today).subquery()
        ),
        None,
    )
    return db.session.scalar(statement) or 0


def due_by_today_statement(
    workspace_id: uuid.UUID, assignee_id: uuid.UUID, today: date
) -> sa.Select:
    """At most `COUNT_CAP + 1` rows of the assignee's open tasks due by the end of
    `today`: one range of ix_task_list_assignee per status, whatever the workspace holds."""
    _first, end_of_today = task_keys.day_range(today, today)
    return (
        sa.select(sa.literal(1))
        .where(
            Task.workspace_id == workspace_id,
            Task.assignee_id == assignee_id,
            Task.status.in_(("open", "in_progress")),
            Task.due_sort <= end_of_today,
            Task.deleted_at.is_(None),
        )
        .limit(COUNT_CAP + 1)
    )


# The SQLite title index (migrations/versions/0005): an FTS5 trigram table over task.
_TITLE_FTS = sa.table("task_title_fts", sa.column("rowid", sa.Integer))


@dataclass(frozen=True)
class _TitleSearch:
    condition: sa.ColumnElement[bool]
    #: Whether the page is built from the (few) matches rather than from a list index.
    drive: bool = False
    #: The way to the matches and the folded query, where nothing else decides `condition`
    #: (a walk testing each title, the index's matches computed in the statement), or
    #: ("keys", …) where it takes the tasks' keys as the parameter `MATCHED_KEYS`: the
    #: statements using it may then be kept (`_kept`). None where `condition` lists the
    #: matches read for it.
    shape: tuple[str, str] | None = None
    #: What the statements using `condition` are run with (`MATCHED_KEYS`).
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The tasks `_matched` found, in list order, where `condition` takes them all: a
    #: first page then reads only its rows (`_on_page`).
    matched: _Matched | None = None
    #: Whether `condition` names the matching tasks by key (`_Matched`): PostgreSQL then
    #: reads them by primary key, with nothing to keep its planner from.
    by_key: bool = False


#: The parameter holding the keys of a title search's tasks (`_Matched`).
MATCHED_KEYS = "matched_keys"


@dataclass(frozen=True)
class _Matched:
    """The tasks meeting a title search and its filters (`_matched`), in list order: their
    rowids (SQLite) or ids as text (PostgreSQL: 1,100 read as UUIDs cost 1 ms more)."""

    keys: tuple[Any, ...]

    def search(self, first: int | None = None) -> _TitleSearch:
        """The tasks among them (the `first` of them only, if given) as a title search
        whose statements take their keys as one parameter, not one per task: built once
        for every search (`_kept`), they are run with the keys of each."""
        keys = list(self.keys[:first])
        if _dialect() == "postgresql":
            listed = sa.bindparam(MATCHED_KEYS, keys, type_=postgresql.ARRAY(sa.Text))
            condition = Task.id == sa.any_(sa.cast(listed, postgresql.ARRAY(sa.Uuid)))
            value: Any = keys
        else:  # as JSON, which json_each reads, as for the title candidates
            value = json.dumps(keys)
            values: sa.Select[Any] = sa.select(sa.literal_column("value")).select_from(
                sa.func.json_each(sa.bindparam(MATCHED_KEYS, value, type_=sa.Text))
            )
            condition = sa.literal_column("task.rowid", sa.Integer).in_(values)
        return _TitleSearch(
            condition,
            drive=True,
            shape=("keys", _dialect()),
            params={MATCHED_KEYS: value},
            matched=None if first is not None else self,
            by_key=True,
        )


def _on_page(title: _TitleSearch | None, cursor: str | None, limit: int) -> _TitleSearch | None:
    """`title` as a page of `limit` rows reads it: a first page of kept matches (in list
    order) reads only its own, the first `limit` of them; any other page, all of them."""
    if title is None or title.matched is None or cursor:
        return title
    return title.matched.search(limit)


def _title_search(q: str | None) -> _TitleSearch | None:
    """Titles containing the query (case and accents folded), in the form each plan needs.

    Three ways to a page, by how many titles match:

    - few: read the matches from the trigram index (pg_trgm's GIN index answers LIKE; on
      SQLite the FTS5 table answers a phrase query) and order that handful;
    - some: walk the list index in order, keeping the rows whose id is among the matches
      (checked on the index entry itself, without reading the row);
    - many, or a query too short for trigrams: walk the list in order testing each title,
      which finds a page of matches after reading few rows.

    SQLite's planner cannot weigh these, so the candidates decide: the index is asked for
    the titles holding the query's rare trigrams, at most two (`_trigram_counts`; all of
    them when none is rare), at most `FEW_TITLE_MATCHES` + 1 titles; beyond that many,
    their spread over the table estimates the rest (`_estimated_matches`).
    PostgreSQL's planner weighs each status range and each heading count on its own, so
    with few matches it searched the trigram index once per range and per heading (eight
    times for My tasks): its estimate of the matches is asked once and kept for a while
    (EXPLAIN, not run, `_title_stats`; migration 0012 keeps it close), and replaced by a
    bounded count where it is near `FEW_TITLE_MATCHES` (`_counted_rows`). Below
    `FEW_TITLE_MATCHES` the matches are read once per statement; below
    `SOME_TITLE_MATCHES` the planner weighs each range as before;
    beyond, the title is tested with `strpos`, which the trigram index cannot answer, so
    every range walks its list index in order (the planner, underrating the trigram
    index's cost, chose BitmapAnds with it that took 35 ms per heading at 1,000,000 tasks).
    """
    folded = task_keys.fold_title(q or "")
    if not folded:
        return None
    if _dialect() == "postgresql":
        # strpos is the same test as LIKE '%…%' but one the trigram index cannot answer.
        walk = _TitleSearch(sa.func.strpos(Task.title_folded, folded) > 0, shape=("walk", folded))
        if len(folded) < TITLE_SEARCH_MIN:
            return walk
        like = _like(folded)
        estimate = _expected_rows(like, folded)
        if estimate < FEW_TITLE_MATCHES:
            return _TitleSearch(_rarest_part(folded, like, walk.condition), drive=True)
        if estimate < SOME_TITLE_MATCHES:
            return _TitleSearch(like, shape=("like", folded))
        return walk
    contains = sa.func.instr(Task.title_folded, folded) > 0
    if len(folded) >= TITLE_SEARCH_MIN:
        # Rows holding the query's trigrams, in any place: a superset of the titles that
        # contain it, found without comparing positions (which costs FTS5 far more for
        # common trigrams); `contains` then keeps the real matches.
        grams = sorted({folded[i : i + 3] for i in range(len(folded) - 2)})
        counts = _trigram_counts(grams)
        rare = sorted(
            (gram for gram in grams if counts[gram] <= FEW_TITLE_MATCHES), key=counts.__getitem__
        )[:RARE_TRIGRAMS]
        # A rare trigram or two give about as small a superset as all of them, and FTS5
        # then skips the long lists of the common ones ("mandate 42": 0.3 ms, not 10). A
        # common one beside them (counted only up to the bound, so all alike) would not.
        query = _every(rare or grams)
        # Many matches stay many for a while: how many is kept per process
        # (`_many_title_matches`), and such a query reads no candidates at all ("engagement
        # letter" at a million tasks: 3.4 ms for its first 3,001). A few are read every time.
        many = _many_title_matches(query)
        if many is None:
            found = _title_candidates(query)
            if found.count <= FEW_TITLE_MATCHES:
                # The candidates read once serve the page and its headings: none of them
                # searches the index again (about 6 ms each at a million tasks).
                # One parameter (JSON) rather than one per candidate, for SQLite and
                # SQLAlchemy alike: each would cost both a step per page statement.
                listed: sa.Select[Any] = sa.select(sa.literal_column("value")).select_from(
                    sa.func.json_each(found.rowids)
                )
                candidates = sa.literal_column("task.rowid", sa.Integer).in_(listed)
                return _TitleSearch(sa.and_(candidates, contains), drive=True)
            many = _remember_many_title_matches(query, _estimated_matches(found))
        if many < SOME_TITLE_MATCHES:
            # Computed once for the whole statement, not once per status range.
            matches = _title_matches(_every(grams))
            once = matches.cte("title_matches").prefix_with("MATERIALIZED")
            candidates = sa.literal_column("task.rowid").in_(sa.select(once.c.rowid))
            return _TitleSearch(sa.and_(candidates, contains), shape=("some", folded))
    return _TitleSearch(contains, shape=("walk", folded))


def _keeps_matches(filters: TaskFilters) -> bool:
    """Whether a title search's matches under `filters` may be read ahead and kept
    (`_matched`): none of its conditions depends on the clock (due buckets and the
    trash do)."""
    return bool(filters.q) and filters.due is None and not filters.in_trash


def _matched(
    title: _TitleSearch, workspace_id: uuid.UUID, filters: TaskFilters, now: datetime
) -> _TitleSearch:
    """`title` as the statements of `filters` use it: when a few titles match, the tasks
    meeting the title and all of `filters`, in list order, by key (`_Matched`).

    My tasks searched for "muller" at a million tasks: its 2,016 candidates were each read
    by the page and again by its last heading's count; now once, and the page and the
    count read the 60 or so that are mine and open. Being in list order, they also spare
    a first page the sort of every match: it reads its own rows by key (`_on_page`;
    "mandate 42" over the API at a million tasks has 1,100 matches, sorted in 2 ms).
    Conditions that depend on the clock (due buckets, the trash) are left as they were.

    They are read once per session, and kept per process under the workspace's task
    version (`_kept_matches`), which every write of one of its tasks moves: the same
    search again (the next page, the list shown again) reads neither the title index nor
    those candidates until a task changes, 4–5 ms at a million tasks.
    """
    if not title.drive or not _keeps_matches(filters):
        return title
    others = _list_conditions(workspace_id, filters, title, now)
    status = _unindexed(Task.status) if _dialect() == "sqlite" else Task.status
    if filters.statuses is not None:
        others.append(status.in_(filters.statuses))
    # Read before the tasks, so a task written meanwhile moves the version past this one.
    version = _task_version(workspace_id)
    if _dialect() == "postgresql":
        # The matches apart first, as the page reads them (`_title_matches_apart`), but
        # only what the conditions and the order read of them: at 1,000,000 tasks, "mandate
        # 42"'s 1,120 in 2.0 ms rather than 2.9 for their whole rows.
        keys = [key.expression for key in _SORT_KEY]
        matches, on_matches = _title_matches_apart(title, [*others, *keys])
        kept = [on_matches.traverse(condition) for condition in others]
        order = [on_matches.traverse(key) for key in keys]
        read: Any = sa.select(sa.cast(matches.c.id, sa.Text)).where(*kept).order_by(*order)
    else:
        rowid = sa.literal_column("task.rowid", sa.Integer)
        read = sa.select(rowid).where(*others, title.condition).order_by(*_SORT_KEY)
    found = _Matched(tuple(db.session.connection().execute(read).scalars()))
    key = ("matched", workspace_id, filters)
    db.session.info.setdefault(_TITLE_CANDIDATES, {})[key] = found
    if not db.session.info.get(_WROTE):
        # What this session wrote and has not committed must not outlive it.
        known = _MATCHED.setdefault(db.engine, {})
        if len(known) >= MATCHES_KEPT:
            known.clear()
        known[(workspace_id, filters, version)] = found
    return found.search()


def _page_title(
    workspace_id: uuid.UUID, filters: TaskFilters, now: datetime
) -> _TitleSearch | None:
    """How a page (or its headings) finds the titles `filters.q` asks for, if it does: the
    tasks kept for these filters (`_kept_matches`), else the query's way to its matches,
    which reads a few matches ahead (`_matched`)."""
    if not filters.q:
        return None
    if kept := _kept_matches(workspace_id, filters):
        return kept
    title = _title_search(filters.q)
    return title and _matched(title, workspace_id, filters, now)


def _kept_matches(workspace_id: uuid.UUID, filters: TaskFilters) -> _TitleSearch | None:
    """The tasks `_matched` found for `filters` at the workspace's current task version,
    if this process keeps them: the title search then reads no index at all."""
    if not _keeps_matches(filters):
        return None
    key = ("matched", workspace_id, filters)
    read = db.session.info.get(_TITLE_CANDIDATES, {})
    if key not in read:
        version = _task_version(workspace_id)
        found = _MATCHED.get(db.engine, {}).get((workspace_id, filters, version))
        if found is None:
            return None
        db.session.info.setdefault(_TITLE_CANDIDATES, {})[key] = found
    return db.session.info[_TITLE_CANDIDATES][key].search()


def _task_version(workspace_id: uuid.UUID) -> int:
    """The workspace's task version (`task_versions`), read once per session."""
    key = ("version", workspace_id)
    if key not in db.session.info.get(_TITLE_CANDIDATES, {}):
        version = task_versions.current_version(workspace_id)  # may flush: read, then set
        db.session.info.setdefault(_TITLE_CANDIDATES, {})[key] = version
    return db.session.info[_TITLE_CANDIDATES][key]


#: How many `_matched` answers each process keeps per database (then it starts over). One
#: holds at most FEW_TITLE_MATCHES tasks: their rowids (SQLite, about 100 KB) or ids
#: (PostgreSQL, about 350 KB), so 45 MB at worst.
MATCHES_KEPT = 128
#: Per database (engine): (workspace, filters, task version) → what `_matched` found.
_MATCHED: weakref.WeakKeyDictionary[sa.Engine, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def _every(grams: Iterable[str]) -> str:
    """An FTS5 query for rows holding every one of `grams` (each quoted as a phrase)."""
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _title_matches(query: str) -> sa.Select:
    """The rowids the SQLite title index gives for an FTS5 `query`, in rowid order."""
    return sa.select(_TITLE_FTS.c.rowid).where(
        sa.literal_column(TITLE_SEARCH_TABLE).op("MATCH")(query)
    )


def _title_matches_apart(
    title: _TitleSearch, reading: Iterable[sa.ColumnElement[Any]] | None = None
) -> tuple[sa.CTE, ClauseAdapter]:
    """PostgreSQL, a handful of title matches: the tasks whose title matches, read before
    any other condition applies (MATERIALIZED), and what moves a condition onto them;
    given what will be `reading` them, only the task's columns those use and its id.

    Given the title and the other conditions together, the planner ANDed the trigram
    index's bitmap with a list index's range to spare rechecking the few rows it then
    read anyway: at 1,000,000 tasks, 7 ms for my 27,000 open tasks."""
    columns: Any = [Task]
    if reading is not None:
        table = Task.__table__
        used = {
            element
            for clause in reading
            for element in visitors.iterate(clause)
            if isinstance(element, sa.Column) and element.table is table
        }
        columns = [column for column in table.c if column in used or column.primary_key]
    matches = (
        sa.select(*columns).where(title.condition).cte("title_matches").prefix_with("MATERIALIZED")
    )
    return matches, ClauseAdapter(matches)


def _like(text: str) -> sa.ColumnElement[bool]:
    """Titles containing `text` (already folded), as the trigram index answers it."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Task.title_folded.like(f"%{escaped}%", escape="\\")


#: A word of a folded title as pg_trgm sees it: letters and digits.
_WORD = re.compile(r"[^\W_]+")


def _rarest_part(
    folded: str, like: sa.ColumnElement[bool], contains: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    """PostgreSQL, few matches: the titles holding the query's rarest word (by the
    planner's estimate, `_estimated_rows`), among which `contains` keeps those holding
    the whole query; or `like` where no word is rare enough.

    The trigram index answers `LIKE` by intersecting the lists of every trigram of the
    pattern: for "mandate 42" those of "man", "ate" and "dat" (over a hundred thousand
    titles each at 1,000,000 tasks) cost 5-10 ms, " 42" alone 0.8 ms. A word is taken with
    the separator before it, which gives pg_trgm the trigrams of a word's start."""
    parts = {folded[max(word.start() - 1, 0) : word.end()] for word in _WORD.finditer(folded)}
    parts = {part for part in parts if len(part) >= TITLE_SEARCH_MIN and part != folded}
    if not parts:
        return like
    estimates = {part: _expected_rows(_like(part), part) for part in sorted(parts)}
    rarest = min(estimates, key=estimates.__getitem__)
    if estimates[rarest] >= FEW_TITLE_MATCHES:
        return like
    return sa.and_(_like(rarest), contains)


@dataclass(frozen=True)
class _Candidates:
    """The first rowids the title index gives for a query (`_title_candidates`)."""

    #: How many (at most FEW_TITLE_MATCHES + 1).
    count: int
    #: The highest of them (0 when there are none).
    last: int
    #: All of them, as a JSON array (SQLite's json_each reads it).
    rowids: str


def _title_candidates(query: str) -> _Candidates:
    """The first rowids (at most FEW_TITLE_MATCHES + 1) the title index gives for `query`.

    Read once per session until it writes: a page and its headings ask for the same query.
    Whether there are more than FEW_TITLE_MATCHES chooses the way to a page; a few are then
    the page's candidates themselves. Reading no further than that keeps a common word
    cheap ("call" at a million tasks: 0.8 ms for 3,001 rowids, 5 ms for 10,000).
    They come back as one row, their count, the highest and a JSON array, which the page
    statement passes on as it is: read as a thousand rows, then written out again as
    JSON, they had cost three times what the index took to find them.
    `_forget_title_candidates` drops them when the session writes or its transaction ends,
    so a task written meanwhile is found.
    """
    read = db.session.info.setdefault(_TITLE_CANDIDATES, {})
    if query not in read:
        first = _title_matches(query).limit(FEW_TITLE_MATCHES + 1).subquery()
        rowid = first.c.rowid
        summary = sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.max(rowid), 0),
            sa.func.json_group_array(rowid),
        )
        count, last, rowids = db.session.connection().execute(summary).one()
        read[query] = _Candidates(count, last, rowids)
    return read[query]


#: Per database (engine): FTS5 query → (when learnt, estimated matches), for queries with
#: more than FEW_TITLE_MATCHES candidates.
_MANY_TITLE_MATCHES: weakref.WeakKeyDictionary[sa.Engine, dict[str, tuple[float, float]]] = (
    weakref.WeakKeyDictionary()
)


def _many_title_matches(query: str) -> float | None:
    """How many titles match the FTS5 `query`, if it was found to have more than
    FEW_TITLE_MATCHES candidates within the last TITLE_STATS_SECONDS (else None).

    Like `_title_stats`, this only chooses the way to the matches: each way finds them
    all, so a value gone stale (tasks deleted meanwhile) costs time, never a wrong page."""
    known = _MANY_TITLE_MATCHES.get(db.engine, {}).get(query)
    if known is None or known[0] < time.monotonic() - TITLE_STATS_SECONDS:
        return None
    return known[1]


def _remember_many_title_matches(query: str, estimate: float) -> float:
    known = _MANY_TITLE_MATCHES.setdefault(db.engine, {})
    if len(known) >= STATEMENTS_KEPT:
        known.clear()
    known[query] = (time.monotonic(), estimate)
    return estimate


def _estimated_matches(found: _Candidates) -> float:
    """How many titles of the whole table hold the trigrams whose first rowids are
    `found` (FTS5 gives them in ascending order): their number, over the share of the
    table's rowids they spread over. Tasks' rowids grow as they are written, and matching
    titles are written all along, so the share is a fair sample."""
    rowid = sa.literal_column("rowid", sa.Integer)
    highest = db.session.scalar(sa.select(sa.func.max(rowid)).select_from(Task))
    return found.count * (highest or 1) / max(found.last, 1)


#: How many of a query's rare trigrams (the rarest first) its title search asks the index for.
RARE_TRIGRAMS = 2
#: How long what a title search learnt of the titles (`_title_stats`) is trusted, in seconds.
TITLE_STATS_SECONDS = 600
#: Per database (engine): key → (when learnt, value).
_TITLE_STATS: weakref.WeakKeyDictionary[sa.Engine, dict[Any, tuple[float, float]]] = (
    weakref.WeakKeyDictionary()
)
_Key = TypeVar("_Key")


def _title_stats(
    keys: list[_Key], read: Callable[[list[_Key]], Iterable[float]]
) -> dict[_Key, float]:
    """What the title searches know of the titles (how many hold a trigram, how many the
    planner expects to match), by key: kept per process and database for
    `TITLE_STATS_SECONDS`; `read` gives the values of the keys not known, in one go.

    They only choose a way to the matches, each of which finds them all and reads no more
    than its bound, so a value gone stale costs time, never a wrong or unbounded answer.
    """
    now = time.monotonic()
    known = _TITLE_STATS.setdefault(db.engine, {})
    fresh_since = now - TITLE_STATS_SECONDS
    missing = [key for key in keys if (seen := known.get(key)) is None or seen[0] < fresh_since]
    if missing:
        if len(known) >= STATEMENTS_KEPT * 10:
            known.clear()
        for key, value in zip(missing, read(missing), strict=True):
            known[key] = (now, value)
    return {key: known[key][1] for key in keys}


def _trigram_counts(grams: list[str]) -> dict[str, float]:
    """How many titles hold each trigram, up to FEW_TITLE_MATCHES + 1 (then "more"): read
    in one statement (about 0.4 ms for a common trigram) and kept (`_title_stats`)."""
    bound = FEW_TITLE_MATCHES + 1

    def read(keys: list[tuple[str, int, str]]) -> Iterable[float]:
        probes = [
            sa.select(sa.func.count())
            .select_from(_title_matches(_every([gram])).limit(bound).subquery())
            .scalar_subquery()
            for _kind, _bound, gram in keys
        ]
        return db.session.execute(sa.select(*probes)).one()

    counts = _title_stats([("trigram", bound, gram) for gram in grams], read)
    return {gram: counts[("trigram", bound, gram)] for gram in grams}


_TITLE_CANDIDATES = "title_candidates"
#: Set in `session.info` once the session has flushed in its transaction.
_WROTE = "wrote_tasks"


@sa.event.listens_for(so.Session, "after_flush")
def _forget_title_candidates(session: so.Session, *_args: Any) -> None:
    session.info.pop(_TITLE_CANDIDATES, None)
    session.info[_WROTE] = True


@sa.event.listens_for(so.Session, "after_transaction_end")
def _end_title_candidates(session: so.Session, transaction: so.SessionTransaction) -> None:
    session.info.pop(_TITLE_CANDIDATES, None)
    if transaction.parent is None:  # not a flush's or a savepoint's: the writes are done
        session.info.pop(_WROTE, None)


def _estimated_rows(condition: sa.ColumnElement[bool], key: str) -> float:
    """How many tasks PostgreSQL's planner expects to match `condition` (planned, not run;
    `key` names the condition), kept like the trigram counts (`_title_stats`)."""
    return _title_stats([("estimate", key)], lambda _keys: [_planned_rows(condition)])[
        ("estimate", key)
    ]


#: PostgreSQL's estimate of a title's matches is off by half either way (`muller` at
#: 1,000,000 tasks: 3,254 expected, 2,114 found): one within this factor of
#: FEW_TITLE_MATCHES is replaced by a count (`_counted_rows`).
UNSURE_ESTIMATE = 2


def _expected_rows(like: sa.ColumnElement[bool], key: str) -> float:
    """How many titles PostgreSQL's planner expects `like` to match (`_estimated_rows`),
    counted instead where that is near FEW_TITLE_MATCHES (`_counted_rows`): the few
    matches' way is taken on the count, not on the estimate's chance.

    A word of a query is asked the same (`_rarest_part`): " 42" in "mandate 42" was
    expected 4,081 times at 1,000,000 tasks, found 1,137, and read alone in 1.1 ms where
    the whole query's trigrams took 7."""
    estimate = _estimated_rows(like, key)
    if FEW_TITLE_MATCHES / UNSURE_ESTIMATE <= estimate < FEW_TITLE_MATCHES * UNSURE_ESTIMATE:
        return _counted_rows(like, key)
    return estimate


def _counted_rows(condition: sa.ColumnElement[bool], key: str) -> float:
    """How many tasks match `condition`, counted up to FEW_TITLE_MATCHES + 1 (`key` names
    it), kept like the estimates (`_title_stats`). Asked only where the estimate is near
    that bound, so the count reads at most a few thousand matches: for `muller`, the
    bitmap scan the page would make (about 6 ms), once per process in ten minutes.

    It decides the way to a page that the estimate decided by chance: ANALYZE samples
    the table afresh each time, so `muller` took the slower way in one seeded database
    and the faster in another (My tasks: 36 against 28–30 ms at 1,000,000 tasks)."""
    bound = FEW_TITLE_MATCHES + 1

    def read(_keys: list[tuple[str, int, str]]) -> list[float]:
        first = sa.select(sa.literal(1)).select_from(Task).where(condition).limit(bound)
        return [
            float(db.session.scalar(sa.select(sa.func.count()).select_from(first.subquery())) or 0)
        ]

    return _title_stats([("counted", bound, key)], read)[("counted", bound, key)]


def _planned_rows(condition: sa.ColumnElement[bool]) -> float:
    statement = sa.select(sa.literal(1)).select_from(Task).where(condition)
    compiled = statement.compile(dialect=db.session.get_bind().dialect)
    explain = f"EXPLAIN (FORMAT JSON) {compiled}"
    plan: Any = db.session.connection().exec_driver_sql(explain, compiled.params).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _unindexed(attribute: so.InstrumentedAttribute[Any]) -> sa.ColumnElement[Any]:
    """The column written so that SQLite uses no index for it (its unary `+` idiom)."""
    column = attribute.expression
    return sa.literal_column(f"+{column.table.name}.{column.name}", column.type)


def is_overdue(task: Task, now: datetime, tz) -> bool:
    """Whether an open task's due moment has passed (date-only: the day is over, in `tz`)."""
    if task.status == "completed" or task.due_date is None:
        return False
    if task.due_at is not None:
        return task.due_at < now
    return task.due_date < now.astimezone(tz).date()


#: Tasks per INSERT batch in `insert_many_tasks`.
TASK_CHUNK_SIZE = 5_000

#: A load at least this large prepares its rows in a second process (`pipelined`).
PIPELINE_MIN = 50_000


def insert_many_tasks(
    rows: Iterable[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = TASK_CHUNK_SIZE,
    expected: int = 0,
) -> int:
    """Insert plain task rows in batches, without committing: the demo seed's fast path.

    Each row holds Task attribute names and has been checked by its producer (this skips
    the rules of `create_task`); `id` is filled in when missing. Returns the row count.
    `expected` (how many rows are coming) lets a large load on SQLite build its indexes
    once at the end instead of row by row (`_sqlite_bulk_load`), and one of at least
    PIPELINE_MIN rows prepare its batches in a second process: then `rows` is iterated
    there, and its dicts stay as they were in this one.
    """
    connection = db.session.connection()
    statement, columns = _task_insert_statement(connection.dialect)
    remembering = [
        (name, _remembering(process) if process and name in _LINK_COLUMNS else process)
        for name, process in columns
    ]
    prepare = functools.partial(_task_params, columns=remembering)
    if expected >= PIPELINE_MIN:  # rows generated and converted while the last batch goes in
        batches = pipelined.prepared_in_child(rows, prepare, chunk_size)
    else:
        batches = (prepare(chunk) for chunk in pipelined.chunks(rows, chunk_size))
    count = 0
    with _bulk_cache(), _sqlite_bulk_load(expected) as written:
        for params in batches:
            db.session.connection().exec_driver_sql(statement, params)
            written()
            count += len(params)
            if progress:
                progress(len(params))
    _forget_title_candidates(db.session)  # rows written without a flush
    # Without the ORM, whose flushes move the task versions (task_versions): move every
    # workspace's, as this process may not have seen the rows (pipelined).
    db.session.execute(sa.update(Workspace).values(task_version=Workspace.task_version + 1))
    return count


def _task_params(chunk: list[dict[str, Any]], columns: list[tuple[str, Any]]) -> list[tuple]:
    """Task rows as the driver's parameter tuples, with the keys models._derive_list_keys
    sets on ORM writes. Touches no database (`insert_many_tasks` may run it in a child).

    Each value goes through its column type's own bind processing: building the statement
    per batch, as the ORM's bulk insert does, cost more than the database's work at a
    million rows. The row dicts are completed in place.
    """
    params = []
    for row in chunk:
        # The producer's dicts are ours to fill in (a bulk load makes a million of them).
        row.setdefault("id", None)
        row["id"] = row["id"] or uuid.uuid4()
        row["due_sort"] = task_keys.due_sort_key(row.get("due_date"), row.get("due_at"))
        row["title_folded"] = _fold_title_cached(row["title"])
        get = row.get
        # A column the row leaves out is NULL (every non-null one is given by its producer).
        params.append(
            tuple(
                [
                    value if (value := get(name)) is None or process is None else process(value)
                    for name, process in columns
                ]
            )
        )
    return params


#: The columns that hold another row's id (the workspace, people, linked records): a bulk
#: load's million rows repeat a few thousand of their values.
_LINK_COLUMNS = frozenset(column.name for column in Task.__table__.columns if column.foreign_keys)
#: Values each column's processor remembers in a load (`_remembering`).
REMEMBERED_VALUES = 1 << 14


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process`, answering a value it has seen with the same object as before (up to
    REMEMBERED_VALUES of them, then it starts over).

    The same object, not just an equal one, is what counts most: a chunk sent to the
    parent (`pipelined`) is pickled, and pickle writes an object it has written before as
    a reference to it. The ids of the workspace and linked records (32 characters each)
    were written out for every row: a pickled row went from 366 to 254 bytes, and from
    6.8 to 5.0 µs to pickle.
    """
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            if len(seen) >= REMEMBERED_VALUES:
                seen.clear()
            result = seen[value] = process(value)
            return result

    return remembered


@functools.cache
def _task_insert_statement(dialect: sa.Dialect) -> tuple[str, list[tuple[str, Any]]]:
    """INSERT INTO task in the driver's own parameter style, and each column's processor."""
    table = Task.__table__
    assert isinstance(table, sa.Table)
    columns = list(table.columns)
    compiled = (
        sa.insert(table)
        .values({c.name: sa.bindparam(c.name) for c in columns})
        .compile(dialect=dialect)
    )
    if compiled.positional and compiled.positiontup is not None:
        order = list(compiled.positiontup)
        statement = compiled.string
    else:  # named style (psycopg): make it positional so rows can be tuples
        order = [c.name for c in columns]
        statement = (
            f"INSERT INTO {table.name} ({', '.join(order)}) "
            f"VALUES ({', '.join(['%s'] * len(order))})"
        )
    processors = {c.name: c.type.bind_processor(dialect) for c in columns}
    return statement, [(name, processors[name]) for name in order]


#: Bulk loads repeat titles a lot (the same action for the same record): fold each once.
_fold_title_cached = functools.lru_cache(maxsize=1 << 16)(task_keys.fold_title)


#: SQLite page cache while bulk-inserting tasks (KiB): every list index and the title
#: index take rows in random order, and with SQLite's default 2 MB cache each insert
#: goes back to the file. 512 MB keeps them in memory; the setting lasts for the load.
BULK_CACHE_KIB = 512 * 1024


#: Helper threads SQLite's sorter may use while a bulk load builds the task indexes (a
#: million-row list index: 4.9 s without, 4.5 s with two).
BULK_SORT_THREADS = 2

#: A load at least this large, and at least as large as the table, rebuilds the indexes.
BULK_REBUILD_MIN = 50_000


@contextmanager
def _sqlite_bulk_load(expected: int) -> Iterator[Callable[[], None]]:
    """On SQLite, a large load into a small table: task indexes and triggers built once.

    Inserting into eight indexes and the FTS5 title index row by row costs about ten
    times what writing the rows does; building them from the loaded table is a sort.
    Each index and trigger is dropped and re-created from its own stored definition
    (`sqlite_master`), all in the load's transaction, so a failed load leaves the schema
    as it was, and readers (WAL) keep seeing the previous state until the commit.

    Gives what to call after each batch: it adds the batch's titles to the title index
    (what the insert trigger would have done), while the next batch is being prepared in
    the second process (`pipelined`) rather than after the last one, which saved the
    9-14 s it took to index a million titles.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite" or expected < BULK_REBUILD_MIN:
        yield lambda: None
        return
    if (connection.exec_driver_sql("SELECT count(*) FROM task").scalar() or 0) > expected:
        yield lambda: None
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")  # DDL alone would not open one (pysqlite)
    schema = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE tbl_name = 'task' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).all()
    search = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = :name", {"name": TITLE_SEARCH_TABLE}
    ).first()
    last_rowid = "SELECT coalesce(max(rowid), 0) FROM task"
    indexed = connection.exec_driver_sql(last_rowid).scalar_one()
    for kind, name, _sql in schema:
        connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')

    def index_titles() -> None:
        nonlocal indexed
        connection.exec_driver_sql(
            f"INSERT INTO {TITLE_SEARCH_TABLE}(rowid, title_folded)"
            f" SELECT rowid, title_folded FROM task WHERE rowid > {indexed}"
        )
        indexed = connection.exec_driver_sql(last_rowid).scalar_one()

    if search:
        with _fts_automerge(connection, BULK_AUTOMERGE):
            yield index_titles
    else:
        yield lambda: None
    for _kind, _name, sql in schema:
        connection.exec_driver_sql(sql)


#: FTS5's `automerge` while a bulk load fills the title index: it merges its segments when
#: a level holds this many rather than 4 (FTS5's default), which took a third of the time
#: of indexing a million titles; the queries after are as fast (0.4 ms for "muller").
BULK_AUTOMERGE = 16
FTS5_DEFAULT_AUTOMERGE = 4


@contextmanager
def _fts_automerge(connection: sa.Connection, automerge: int) -> Iterator[None]:
    """The title index's `automerge` setting at `automerge`, then back as it was."""
    table = TITLE_SEARCH_TABLE
    before = connection.exec_driver_sql(
        f"SELECT v FROM {table}_config WHERE k = 'automerge'"
    ).scalar()
    connection.exec_driver_sql(
        f"INSERT INTO {table}({table}, rank) VALUES ('automerge', {automerge})"
    )
    yield
    restored = int(before) if before is not None else FTS5_DEFAULT_AUTOMERGE
    connection.exec_driver_sql(
        f"INSERT INTO {table}({table}, rank) VALUES ('automerge', {restored})"
    )


@contextmanager
def _bulk_cache() -> Iterator[None]:
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = db.session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    threads = connection.exec_driver_sql("PRAGMA threads").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    connection.exec_driver_sql(f"PRAGMA threads = {BULK_SORT_THREADS}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")
        connection.exec_driver_sql(f"PRAGMA threads = {int(threads or 0)}")
