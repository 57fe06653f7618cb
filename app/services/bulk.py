"""Bulk actions on a selection of tasks: complete, snooze, assign, delete, and one Undo.

Each action is one transaction over the whole selection: every task is looked up in the
actor's workspace first, and if any is unknown, deleted meanwhile or another workspace's,
or any change breaks a rule, nothing is written (all-or-nothing). The answer carries an
undo token: the fields the action changed, as they were, signed so a client cannot forge
another workspace's ids or other values into it. `undo_batch` puts them back, again in one
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from app.config import settings
from app.extensions import db
from app.models import Task
from app.services import dates, snooze
from app.services import tasks as task_service
from app.services.accounts import WRITE, Actor
from app.services.errors import NotFound, ValidationError

#: A selection larger than one page of the list is refused (the list shows at most this).
BULK_MAX = task_service.PAGE_LIMIT_MAX
#: An Undo older than this is refused: by then others may have built on the change.
UNDO_WINDOW = timedelta(hours=1)
#: What an Undo puts back: every field a bulk action may change.
_UNDONE_FIELDS = (
    "status",
    "status_before_completion",
    "completed_at",
    "due_date",
    "due_at",
    "assignee_id",
    "deleted_at",
)


@dataclass(frozen=True)
class BatchResult:
    """The tasks a bulk action changed, in the order given, and the token of its Undo."""

    action: str
    tasks: list[Task]
    undo_token: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt="task-batch-undo")


def _snapshot(task: Task) -> list[Any]:
    values = []
    for name in _UNDONE_FIELDS:
        value = getattr(task, name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        values.append(value)
    return [str(task.id), *values]


def _restore_value(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    if name in ("completed_at", "due_at", "deleted_at"):
        return datetime.fromisoformat(raw)
    if name == "due_date":
        return date.fromisoformat(raw)
    if name == "assignee_id":
        return uuid.UUID(raw)
    return raw


def _selection(actor: Actor, task_ids: Sequence[uuid.UUID]) -> list[Task]:
    """The live tasks named, in the order given; NotFound unless every one is there."""
    actor.require(WRITE)
    ids = list(dict.fromkeys(task_ids))
    if not ids:
        raise ValidationError.for_fields({"task_ids": _("Select at least one task")})
    if len(ids) > BULK_MAX:
        raise ValidationError.for_fields(
            {"task_ids": _("Select at most %(num)d tasks", num=BULK_MAX)}
        )
    found = {
        task.id: task
        for task in db.session.scalars(
            sa.select(Task).where(
                Task.workspace_id == actor.workspace_id,
                Task.id.in_(ids),
                Task.deleted_at.is_(None),
            )
        )
    }
    if len(found) != len(ids):
        raise NotFound("Task")
    return [found[task_id] for task_id in ids]


def _in_one_transaction(
    action: str,
    actor: Actor,
    task_ids: Sequence[uuid.UUID],
    change: Callable[[Task], Task],
) -> BatchResult:
    """Apply `change` to every selected task and commit once; on any error, write nothing."""
    try:
        selection = _selection(actor, task_ids)
        token_data = {
            "workspace": str(actor.workspace_id),
            "tasks": [_snapshot(task) for task in selection],
        }
        changed = [change(task) for task in selection]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return BatchResult(action, changed, _serializer().dumps(token_data))


def bulk_complete(
    actor: Actor, task_ids: Sequence[uuid.UUID], *, now: datetime | None = None
) -> BatchResult:
    """Complete every selected task (those completed already stay as they are)."""
    now = now or dates.now()
    return _in_one_transaction(
        "complete",
        actor,
        task_ids,
        lambda task: task_service.complete_task(actor, task.id, now=now, commit=False),
    )


def bulk_snooze(
    actor: Actor,
    task_ids: Sequence[uuid.UUID],
    choice: str,
    picked: date | None = None,
    *,
    now: datetime | None = None,
) -> BatchResult:
    """Snooze every selected task by one choice of the snooze menu."""
    now = now or dates.now()
    return _in_one_transaction(
        "snooze",
        actor,
        task_ids,
        lambda task: snooze.snooze_task(actor, task.id, choice, picked, now=now, commit=False),
    )


def bulk_assign(
    actor: Actor,
    task_ids: Sequence[uuid.UUID],
    assignee_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
) -> BatchResult:
    """Give every selected task to one active user of the workspace, or to nobody."""
    now = now or dates.now()
    return _in_one_transaction(
        "assign",
        actor,
        task_ids,
        lambda task: task_service.assign_task(actor, task.id, assignee_id, now=now, commit=False),
    )


def bulk_delete(
    actor: Actor, task_ids: Sequence[uuid.UUID], *, now: datetime | None = None
) -> BatchResult:
    """Move every selected task to the trash."""
    now = now or dates.now()
    return _in_one_transaction(
        "delete",
        actor,
        task_ids,
        lambda task: task_service.delete_task(actor, task.id, now=now, commit=False),
    )


def undo_batch(actor: Actor, token: str, *, now: datetime | None = None) -> list[Task]:
    """Put back what one bulk action changed; all of it or, on any problem, nothing.

    A token of another workspace, a forged or expired one, or one naming a task purged
    since, is refused and changes nothing.
    """
    actor.require(WRITE)
    now = now or dates.now()
    try:
        data = _serializer().loads(token, max_age=int(UNDO_WINDOW.total_seconds()))
        snapshots = data["tasks"]
        if data["workspace"] != str(actor.workspace_id):
            raise BadData("another workspace's token")
        ids = [uuid.UUID(row[0]) for row in snapshots]
    except (BadData, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValidationError.for_fields(
            {"undo": _("This undo is no longer available (it expired or is not valid)")}
        ) from exc
    try:
        found = {
            task.id: task
            for task in db.session.scalars(
                sa.select(Task).where(Task.workspace_id == actor.workspace_id, Task.id.in_(ids))
            )
        }
        if len(found) != len(set(ids)):
            raise NotFound("Task")
        restored = []
        for row in snapshots:
            task = found[uuid.UUID(row[0])]
            for name, raw in zip(_UNDONE_FIELDS, row[1:], strict=True):
                setattr(task, name, _restore_value(name, raw))
            task.updated_at = now
            restored.append(task)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return restored
