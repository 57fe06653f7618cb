"""Tasks as the API shows them (docs/rules.md §4): UTC timestamps, date-only due dates as sent."""

from __future__ import annotations

from typing import Any

from app.models import Task
from app.services.dates import isoformat_utc


def _id(value) -> str | None:
    return None if value is None else str(value)


def task_json(task: Task) -> dict[str, Any]:
    if task.due_at is not None:
        due = isoformat_utc(task.due_at)
    elif task.due_date is not None:
        due = task.due_date.isoformat()
    else:
        due = None
    return {
        "id": str(task.id),
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "task_type": task.task_type,
        "due_date": due,
        "assigned_to_user_id": _id(task.assignee_id),
        "contact_id": _id(task.contact_id),
        "company_id": _id(task.company_id),
        "deal_id": _id(task.deal_id),
        "event_id": _id(task.event_id),
        "created_date": isoformat_utc(task.created_date),
        "updated_at": isoformat_utc(task.updated_at),
        "completed_at": isoformat_utc(task.completed_at),
        "remind_at": isoformat_utc(task.remind_at),
        "reminder": task.remind_rule,
        "recurrence": task.recurrence,
    }
