"""/v1/tasks: JSON ⇄ the task service."""

from __future__ import annotations

from flask import request, url_for

from app.api import bp
from app.api.auth import current_actor
from app.api.serializers import task_json
from app.services import tasks


@bp.post("/tasks")
def create_task():
    """Create a task (the seed's "Create Task" endpoint)."""
    payload = request.get_json(force=True, silent=True)
    created = tasks.create_task(current_actor(), payload)
    body: dict = {"data": task_json(created.task)}
    if isinstance(payload, dict) and payload.get("created_date") is not None:
        body["meta"] = {"created_date_adjusted": created.created_date_adjusted}
    return body, 201, {"Location": url_for("api.get_task", task_id=created.task.id)}


@bp.get("/tasks/<uuid:task_id>")
def get_task(task_id):
    """Read one task of the caller's workspace."""
    return {"data": task_json(tasks.get_task(current_actor(), task_id))}
