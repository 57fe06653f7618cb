"""/v1/tasks: JSON ⇄ the task service.

Views only translate: query strings, path ids and JSON bodies into the plain values the
services take, and what the services return into JSON. Every rule (what a status may be,
the limit's bounds, the parent link, idempotency) lives in app/services/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, request, url_for
from werkzeug.datastructures import MultiDict

from app import kinds
from app.api import bp
from app.api.auth import current_actor
from app.api.serializers import task_json
from app.services import dates, idempotency, quick_add, tasks
from app.services.accounts import READ, Actor
from app.services.errors import NotFound, ValidationError
from app.services.idempotency import Reply

#: The query parameters of GET /v1/tasks, in the order the OpenAPI document lists them.
LIST_PARAMETERS = (
    "status",
    "priority",
    "assignee_id",
    *kinds.ID_FIELDS,
    "due_before",
    "due_after",
    "overdue",
    "q",
    "limit",
    "cursor",
)
#: Parameters that may be given more than once (each value widens the filter).
REPEATABLE_PARAMETERS = frozenset({"status"})
UUID_PARAMETERS = ("assignee_id", *tasks.PARENT_LINKS)
DEFAULT_LIMIT = 50
_INTEGER = re.compile(r"^-?\d{1,9}$")


@bp.get("/tasks")
def list_tasks():
    """One page of the workspace's tasks, filtered, soonest due first."""
    actor = current_actor()
    # Asked here as well as in the service so a key without the scope hears 403, not
    # what is wrong with its query string.
    actor.require(READ)
    filters, limit, cursor = list_arguments(request.args)
    page = tasks.list_tasks(actor, filters, limit=limit, cursor=cursor)
    return {"data": [task_json(task) for task in page.items], "next_cursor": page.next_cursor}


@bp.post("/tasks")
def create_task():
    """Create a task (the "Create Task" endpoint, docs/rules.md §4), once per Idempotency-Key."""
    actor = current_actor()
    payload = _json_body()
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return render(_created(actor, payload, commit=True))
    fingerprint = idempotency.request_fingerprint(request.method, request.path, request.get_data())
    reply = idempotency.respond_once(
        actor, key, fingerprint, lambda: _created(actor, payload, commit=False)
    )
    return render(reply)


#: The body fields of POST /v1/tasks/parse.
PARSE_FIELDS = ("text", "timezone", "locale")


@bp.post("/tasks/parse")
def parse_task():
    """What one line of text would create (docs/quick_add.md), without saving anything."""
    actor = current_actor()
    actor.require(READ)
    body = _json_body()
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object", {"body": "must be a JSON object"})
    problems = {
        name: "is not a field of this endpoint" for name in body if name not in PARSE_FIELDS
    }
    for name in ("timezone", "locale"):
        if body.get(name) is not None and not isinstance(body[name], str):
            problems[name] = "must be a string"
    if problems:
        raise ValidationError.for_fields(problems)
    parsed = quick_add.parse(
        actor, body.get("text"), timezone=body.get("timezone"), locale=body.get("locale")
    )
    return {"data": parsed.as_dict()}


@bp.get("/tasks/<task_id>")
def get_task(task_id: str):
    """Read one task of the caller's workspace."""
    return {"data": task_json(tasks.get_task(current_actor(), path_task_id(task_id)))}


@bp.patch("/tasks/<task_id>")
def update_task(task_id: str):
    """Change the fields the body names, with the rules of create."""
    task = tasks.update_task(current_actor(), path_task_id(task_id), _json_body())
    return {"data": task_json(task)}


@bp.delete("/tasks/<task_id>")
def delete_task(task_id: str):
    """Soft-delete a task: gone from list and read, restorable by the browser's undo."""
    tasks.delete_task(current_actor(), path_task_id(task_id))
    return Response(status=204)


@bp.post("/tasks/<task_id>/restore")
def restore_task(task_id: str):
    """Bring back a task deleted within the last 30 days."""
    return {"data": task_json(tasks.restore_task(current_actor(), path_task_id(task_id)))}


def _created(actor: Actor, payload: Any, *, commit: bool) -> Reply:
    """Create the task and describe the 201 answer (body, Location)."""
    created = tasks.create_task(actor, payload, commit=commit)
    body: dict[str, Any] = {"data": task_json(created.task)}
    if isinstance(payload, dict) and payload.get("created_date") is not None:
        body["meta"] = {"created_date_adjusted": created.created_date_adjusted}
    location = url_for("api.get_task", task_id=created.task.id)
    return Reply(201, body, {"Location": location})


def render(reply: Reply):
    """A Flask response for a reply; a replayed one says so in `Idempotent-Replayed`."""
    headers = dict(reply.headers)
    if reply.replayed:
        headers["Idempotent-Replayed"] = "true"
    return reply.body, reply.status, headers


def _json_body() -> Any:
    """The body parsed as JSON, or None when it is not JSON (the service then says so)."""
    try:
        return request.get_json(force=True, silent=True)
    except RecursionError:  # nesting too deep for the parser: not a task either
        return None


def path_task_id(raw: str) -> uuid.UUID:
    """The task id of a path; a malformed one names no task, so it is not found either."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("Task") from None


def list_arguments(args: MultiDict) -> tuple[tasks.TaskFilters, int, str | None]:
    """GET /v1/tasks' query string as typed values: (filters, limit, cursor).

    Only turns strings into types (UUIDs, dates, integers); whether a status, priority or
    limit is allowed is the service's rule. Problems, unknown parameters included, are
    reported together as one validation error naming each parameter. An empty value is
    malformed whatever the parameter.
    """
    problems: dict[str, str] = {}
    for name in sorted(set(args) - set(LIST_PARAMETERS)):
        problems[name] = "is not a parameter of this endpoint"

    def one(name: str, convert: Callable[[str], Any] = str) -> Any:
        values = args.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            problems[name] = "may be given only once"
            return None
        if values[0] == "":
            # `?q=` says nothing; refusing it keeps "absent" and "present" distinct.
            problems[name] = "must not be empty; leave the parameter out instead"
            return None
        try:
            return convert(values[0])
        except ValueError as exc:
            problems[name] = str(exc)
            return None

    # `assignee_id=none` lists the tasks nobody is assigned to.
    unassigned = args.getlist("assignee_id") == [tasks.UNASSIGNED]
    ids = {
        name: one(name, _uuid)
        for name in UUID_PARAMETERS
        if not (unassigned and name == "assignee_id")
    }
    filters = tasks.TaskFilters(
        unassigned=unassigned,
        statuses=tuple(args.getlist("status")) or None,
        priority=one("priority"),
        due=one("overdue", _overdue),
        due_before=one("due_before", dates.parse_date),
        due_after=one("due_after", dates.parse_date),
        q=one("q"),
        **ids,
    )
    limit = one("limit", _integer)
    cursor = one("cursor")
    if problems:
        raise ValidationError.for_fields(problems)
    return filters, DEFAULT_LIMIT if limit is None else limit, cursor


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError("is not a valid UUID") from None


def _integer(value: str) -> int:
    if not _INTEGER.match(value):
        raise ValueError("must be a whole number")
    return int(value)


def _overdue(value: str) -> str:
    if value != "true":
        raise ValueError("only overdue=true is supported; leave it out to list every task")
    return "overdue"
