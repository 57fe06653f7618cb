"""Creating and changing tasks: every rule of CONTRACT §2, for both doors.

A door hands over the fields exactly as the client named them (the API's names, which the
browser form uses too) as plain Python values; this module checks every one, resolves
names to records, enforces the parent link and the created_date window, and writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import TASK_PRIORITIES, TASK_STATUSES, Company, Contact, Deal, Event, Task, User, Workspace
from app.services import dates
from app.services.accounts import READ, WRITE, Actor
from app.services.errors import NotFound, ValidationError
from app.services.references import resolve_name

TITLE_MAX = 255
DESCRIPTION_MAX = 10_000
TASK_TYPE_MAX = 50
NAME_QUERY_MAX = 200
#: What the form offers for task_type; any other short string is accepted too.
SUGGESTED_TASK_TYPES = ("call", "email", "meeting", "follow_up", "todo")
PARENT_LINKS = ("contact_id", "company_id", "deal_id", "event_id")
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
        "contact_id",
        "contact_name",
        "company_id",
        "company_name",
        "deal_id",
        "event_id",
        "created_date",
    }
)
LINK_MODELS: dict[str, type] = {
    "contact_id": Contact,
    "company_id": Company,
    "deal_id": Deal,
    "event_id": Event,
}


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
            self.problems[name] = "must be a string"
            return None
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.problems[name] = f"must be at most {max_length} characters (got {len(value)})"
            return None
        return value or None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(name)
        if value is not None and value not in allowed:
            self.problems[name] = f"must be one of {', '.join(allowed)}"
            return None
        return value

    def uuid(self, name: str) -> uuid.UUID | None:
        value = self.string(name)
        if value is None:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.problems[name] = "is not a valid UUID"
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

    def fail_if_any(self) -> None:
        if self.problems:
            raise ValidationError.for_fields(self.problems)


def _check_unknown(payload: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ValidationError(
            "Unknown field" + ("s: " if len(unknown) > 1 else ": ") + ", ".join(unknown),
            {name: "is not a field of a task" for name in unknown},
        )


def _own(model: type, record_id: uuid.UUID, workspace_id: uuid.UUID) -> bool:
    """Whether `record_id` is a record of `model` in this workspace (one query, no leak)."""
    return (
        db.session.scalar(
            sa.select(model.id).where(model.id == record_id, model.workspace_id == workspace_id)
        )
        is not None
    )


def create_task(
    actor: Actor, payload: Mapping[str, Any], *, now: datetime | None = None
) -> CreatedTask:
    """Create a task from the API's fields, applying every rule of CONTRACT §2 and §3.

    Raises PermissionDenied, ValidationError or AmbiguousReference; writes nothing then.
    """
    actor.require(WRITE)
    if not isinstance(payload, Mapping):  # the API passes whatever JSON it was sent
        raise ValidationError("The request body must be a JSON object")
    _check_unknown(payload, CREATE_FIELDS)
    now = now or dates.now()
    workspace = db.session.get(Workspace, actor.workspace_id)
    tz = dates.zone(workspace.timezone)

    fields = _Fields(payload)
    title = fields.string("title", max_length=TITLE_MAX)
    if title is None and "title" not in fields.problems:
        fields.problems["title"] = "is required"
    values: dict[str, Any] = {
        "title": title,
        "description": fields.string("description", max_length=DESCRIPTION_MAX),
        "status": fields.choice("status", TASK_STATUSES) or "open",
        "priority": fields.choice("priority", TASK_PRIORITIES),
        "task_type": fields.string("task_type", max_length=TASK_TYPE_MAX),
    }
    due = fields.parsed("due_date", lambda v: dates.parse_due_date(v, tz))
    given_created = fields.parsed("created_date", lambda v: dates.parse_instant(v, tz))
    links = _read_links(fields, actor.workspace_id)
    assignee_id = fields.uuid("assignee_id")
    if assignee_id is not None and not _active_user(assignee_id, actor.workspace_id):
        fields.problems["assignee_id"] = "is not an active user of your workspace"
    fields.fail_if_any()

    _resolve_names(payload, links, actor.workspace_id)
    if not any(links.values()):
        raise ValidationError(ORPHAN_MESSAGE, {PARENT_FIELD: ORPHAN_MESSAGE})

    created_date, adjusted = dates.CREATED_DATE_WINDOW.resolve(given_created, now)
    task = Task(
        workspace_id=actor.workspace_id,
        **values,
        **links,
        due_date=due.day if due else None,
        due_at=due.instant if due else None,
        assignee_id=assignee_id,
        created_date=created_date,
        updated_at=now,
        completed_at=now if values["status"] == "completed" else None,
        created_by_user_id=actor.user_id,
        created_by_api_key_id=actor.api_key_id,
    )
    db.session.add(task)
    db.session.commit()
    return CreatedTask(task, adjusted)


def _read_links(fields: _Fields, workspace_id: uuid.UUID) -> dict[str, uuid.UUID | None]:
    """The parent ids given, each checked to be a record of the caller's workspace."""
    links: dict[str, uuid.UUID | None] = {}
    for name, model in LINK_MODELS.items():
        record_id = fields.uuid(name)
        if record_id is not None and not _own(model, record_id, workspace_id):
            # Same words for "missing" and "another workspace's": nothing leaks.
            fields.problems[name] = f"no {model.__name__.lower()} with this id in your workspace"
            record_id = None
        links[name] = record_id
    for kind in ("contact", "company"):
        name_field = f"{kind}_name"
        fields.string(name_field, max_length=NAME_QUERY_MAX)
        if fields.given(f"{kind}_id") and fields.given(name_field):
            fields.problems[name_field] = f"give either {kind}_id or {kind}_name, not both"
    return links


def _resolve_names(
    payload: Mapping[str, Any], links: dict[str, uuid.UUID | None], workspace_id: uuid.UUID
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
            company_id=links["company_id"],
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
    task = db.session.scalar(
        sa.select(Task).where(
            Task.id == task_id,
            Task.workspace_id == actor.workspace_id,
            Task.deleted_at.is_(None),
        )
    )
    if task is None:
        raise NotFound("Task")
    return task
