"""The list's quick actions: snooze, assign, priority and start in place, bulk actions
over a selection with one Undo, and the cheap "anything new?" check an open list polls.

Each view turns form values into plain values and calls one service function; the rules
(what a snooze choice means, who can be assigned, all-or-nothing bulk) live in the services.
"""

from __future__ import annotations

import uuid

from flask import Response, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.i18n import format_moment
from app.services import bulk, snooze, task_versions
from app.services import tasks as task_service
from app.services.accounts import READ
from app.services.errors import ValidationError
from app.web import bp
from app.web.helpers import (
    current_actor,
    flash_undo,
    is_htmx,
    nice_date,
    page_url,
    priority_label,
    redirect_back,
)
from app.web.tasks import acted

#: The event an answer raises (`HX-Trigger`) when the list should fetch itself again.
LIST_CHANGED_EVENT = "tasks-changed"


def bulk_done(action: str, count: int, until: str = "", assignee: str = "") -> str:
    """What a bulk action's notice says (whole sentences, so each language can word them)."""
    if action == "complete":
        return ngettext("Completed %(num)d task.", "Completed %(num)d tasks.", count)
    if action == "snooze":
        return ngettext(
            "Snoozed %(num)d task to %(until)s.",
            "Snoozed %(num)d tasks to %(until)s.",
            count,
            until=until,
        )
    if action == "assign":
        return ngettext(
            "Assigned %(num)d task to %(assignee)s.",
            "Assigned %(num)d tasks to %(assignee)s.",
            count,
            assignee=assignee,
        )
    return ngettext(
        "Deleted %(num)d task. It stays in the trash for 30 days.",
        "Deleted %(num)d tasks. They stay in the trash for 30 days.",
        count,
    )


def _assignee_from_form() -> uuid.UUID | None:
    """The form's `assignee_id`: a user's id, or empty for nobody."""
    raw = (request.form.get("assignee_id") or "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError.for_fields({"assignee_id": "is not a valid UUID"}) from None


def _snooze_from_form():
    return snooze.parse_choice(request.form.get("until"), request.form.get("day"))


def _refused(error: ValidationError):
    """A refused action: its reason in the live region (htmx) or as a notice."""
    message = "; ".join(error.fields.values()) if error.fields else error.message
    message = message[:1].upper() + message[1:]
    if is_htmx():
        response = Response(render_template("_live.html", announcement=message, oob_badge=False))
        response.headers["HX-Reswap"] = "none"
        return response
    flash(message, "error")
    return redirect_back()


@bp.post("/tasks/<uuid:task_id>/snooze")
def task_snooze(task_id: uuid.UUID):
    """Move the task's due date by a choice of the snooze menu (or to a picked day)."""
    try:
        choice, day = _snooze_from_form()
        task = snooze.snooze_task(current_actor(), task_id, choice, day)
    except ValidationError as error:
        return _refused(error)
    return acted(task, _("Snoozed “%(title)s” to %(day)s.", title=task.title, day=_due_words(task)))


@bp.post("/tasks/<uuid:task_id>/assign")
def task_assign(task_id: uuid.UUID):
    """Give the task to someone, or to nobody."""
    try:
        task = task_service.assign_task(current_actor(), task_id, _assignee_from_form())
    except ValidationError as error:
        return _refused(error)
    if task.assignee is None:
        return acted(task, _("Assigned “%(title)s” to nobody.", title=task.title))
    return acted(
        task, _("Assigned “%(title)s” to %(name)s.", title=task.title, name=task.assignee.name)
    )


@bp.post("/tasks/<uuid:task_id>/priority")
def task_priority(task_id: uuid.UUID):
    """Set or clear the task's priority."""
    try:
        task = task_service.set_priority(current_actor(), task_id, request.form.get("priority"))
    except ValidationError as error:
        return _refused(error)
    level = priority_label(task.priority) if task.priority else _("none")
    return acted(task, _("Priority of “%(title)s”: %(level)s.", title=task.title, level=level))


@bp.post("/tasks/<uuid:task_id>/start")
def task_start(task_id: uuid.UUID):
    """Mark the task in progress."""
    task = task_service.start_task(current_actor(), task_id)
    return acted(task, _("Started “%(title)s”.", title=task.title))


def _due_words(task) -> str:
    if task.due_at is not None:
        return format_moment(task.due_at, task_service.actor_zone(current_actor()), weekday=True)
    return nice_date(task.due_date)


# ---------------------------------------------------------------------------------------
# Bulk


def _selected_ids() -> list[uuid.UUID]:
    ids = []
    for raw in request.form.getlist("task_ids"):
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            raise ValidationError.for_fields({"task_ids": "names no task"}) from None
    return ids


@bp.post("/tasks/bulk")
def task_bulk():
    """One action over the selected tasks, all or nothing, with one Undo for the batch."""
    actor = current_actor()
    action = request.form.get("action")
    try:
        ids = _selected_ids()
        if action == "complete":
            result = bulk.bulk_complete(actor, ids)
            words: dict[str, str] = {}
        elif action == "snooze":
            choice, day = _snooze_from_form()
            result = bulk.bulk_snooze(actor, ids, choice, day)
            words = {"until": nice_date(result.tasks[0].due_date) if result.tasks else ""}
        elif action == "assign":
            assignee_id = _assignee_from_form()
            result = bulk.bulk_assign(actor, ids, assignee_id)
            assignee = result.tasks[0].assignee if result.tasks else None
            words = {"assignee": assignee.name if assignee else _("nobody")}
        elif action == "delete":
            result = bulk.bulk_delete(actor, ids)
            words = {}
        else:
            raise ValidationError.for_fields({"action": _("Choose what to do with the selection")})
    except ValidationError as error:
        return _refused(error)
    count = len(result.tasks)
    text = bulk_done(action, count, **words)
    undo = {"text": text, "undo_url": url_for("web.task_bulk_undo"), "token": result.undo_token}
    if is_htmx():
        response = Response(
            render_template("tasks/_bulk_notice.html", notice=undo, return_to=page_url())
        )
        response.headers["HX-Trigger"] = LIST_CHANGED_EVENT
        return response
    flash_undo(text, undo["undo_url"], result.undo_token)
    return redirect_back()


@bp.post("/tasks/bulk/undo")
def task_bulk_undo():
    """Undo one bulk action."""
    try:
        restored = bulk.undo_batch(current_actor(), request.form.get("token", ""))
    except ValidationError as error:
        return _refused(error)
    count = len(restored)
    text = ngettext("Undone: %(num)d task as before.", "Undone: %(num)d tasks as before.", count)
    if is_htmx():
        response = Response(render_template("tasks/_bulk_notice.html", notice={"text": text}))
        response.headers["HX-Trigger"] = LIST_CHANGED_EVENT
        return response
    flash(text, "success")
    return redirect_back()


# ---------------------------------------------------------------------------------------
# Staying current


@bp.get("/tasks/version")
def task_list_version():
    """204 while the workspace's tasks are as the list saw them (`?v=`); else tell htmx.

    One read of the workspace row: no task is queried and nothing is rendered, so an idle
    tab costs one small request every 15 seconds (docs/workbench.md has the measurements).
    """
    current_actor().require(READ)
    seen = request.args.get("v", "")
    version = task_versions.current_version(current_user.workspace_id)
    if seen == str(version):
        return Response(status=204)
    return Response(status=200, headers={"HX-Trigger": LIST_CHANGED_EVENT})
