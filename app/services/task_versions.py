"""The workspace's task-list version: one number that moves whenever any of its tasks does.

An open task list polls "is the version still N?" (docs/workbench.md). Answering that must
cost one indexed read of the workspace row, not a query over tasks, so the number is kept
up to date here, in the same transaction as the change itself: a listener on every ORM
flush of the app's session (`register_session_hooks`, called by `create_app`) raises it for
each workspace whose tasks were inserted, changed or deleted. Writers never have to
remember it, whoever adds them later.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Task, Workspace


def _changed_workspaces(session: so.Session) -> set[uuid.UUID]:
    changed = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Task) and obj.workspace_id is not None:
            changed.add(obj.workspace_id)
    for obj in session.dirty:
        if isinstance(obj, Task) and session.is_modified(obj, include_collections=False):
            changed.add(obj.workspace_id)
    return changed


def _remember_changes(session: so.Session, _context, _instances) -> None:
    pending = session.info.setdefault("task_version_workspaces", set())
    pending.update(_changed_workspaces(session))


def _raise_versions(session: so.Session, _context) -> None:
    pending = session.info.pop("task_version_workspaces", None)
    if not pending:
        return
    # Core, not ORM: an ORM statement here would try to flush the session again.
    table = sa.table("workspace", sa.column("id", sa.Uuid), sa.column("task_version"))
    session.connection().execute(
        sa.update(table)
        .where(table.c.id.in_(sorted(pending, key=str)))
        .values(task_version=table.c.task_version + 1)
    )


def register_session_hooks(session: so.scoped_session[Any] | type[so.Session]) -> None:
    """Raise the task versions on every flush of `session` (the app's `db.session`).

    `create_app` calls it; calling it again is harmless.
    """
    for event, hook in (("before_flush", _remember_changes), ("after_flush", _raise_versions)):
        if not sa.event.contains(session, event, hook):
            sa.event.listen(session, event, hook)


def current_version(workspace_id: uuid.UUID) -> int:
    """The workspace's task version: one primary-key read, no task is looked at."""
    return (
        db.session.scalar(sa.select(Workspace.task_version).where(Workspace.id == workspace_id))
        or 0
    )
