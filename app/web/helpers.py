"""What every view of the browser app shares: the actor, htmx conventions, safe redirects,
template filters, and how service errors become pages."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.errors import render_page
from app.extensions import db
from app.models import Workspace
from app.services import tasks as task_service
from app.services.accounts import MANAGE, READ, WRITE, Actor
from app.services.errors import NotFound, PermissionDenied
from app.services.tasks import TaskFilters
from app.vocabulary import TaskPriority, TaskStatus
from app.web import bp


def current_actor() -> Actor:
    """The signed-in user as the services' Actor (always of the user's own workspace)."""
    return Actor.for_user(current_user)


def current_workspace() -> Workspace:
    if "workspace" not in g:
        g.workspace = db.session.get(Workspace, current_user.workspace_id)
    return g.workspace


def workspace_zone() -> ZoneInfo:
    """The signed-in user's workspace zone (`Workspace.zone`: UTC when none is usable)."""
    return current_workspace().zone


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects).

    Only `/path?query` is accepted: no scheme, no host, no `//host` or `/\\host` tricks.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def page_url() -> str:
    """The URL of the page the person is looking at (for htmx requests, the page's URL)."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.path:
            return safe_next(current.path + (f"?{current.query}" if current.query else "")) or "/"
    return request.full_path.rstrip("?")


def redirect_back(default_endpoint: str = "web.task_list", **values) -> Response:
    """Back to the page a plain (non-htmx) POST came from: a form's `next`, else the list."""
    target = safe_next(request.form.get("next")) or url_for(default_endpoint, **values)
    return redirect(target, code=303)


def flash_undo(text: str, undo_url: str, token: str | None = None) -> None:
    """A notice that offers to take the action back (templates/_flashes.html shows the button).

    `token` goes along as the Undo form's `token` field (a bulk action's signed batch).
    """
    message = {"text": text, "undo_url": undo_url}
    if token:
        message["token"] = token
    # Flask stores any JSON-serialisable message in the session; its hint says only str.
    flash(message, "undo")  # type: ignore[arg-type]


def form_error_status() -> int:
    """An invalid form answers 400, except to htmx, which only swaps 2xx answers by default."""
    return 200 if is_htmx() else 400


@bp.app_context_processor
def inject_permissions() -> dict:
    """What the layout needs to show or hide: write buttons, the admin link, the workspace.

    Error pages use the layout too, also when the database is down: then they render
    without the signed-in parts instead of failing a second time.
    """
    anonymous = {
        "nav_user": None,
        "can_write": False,
        "is_admin": False,
        "workspace": None,
        "my_due_count": lambda: 0,
    }
    try:
        if not current_user.is_authenticated:
            return anonymous
        scopes = current_actor().scopes
        return {
            "nav_user": current_user,
            "can_write": WRITE in scopes,
            "is_admin": MANAGE in scopes,
            "workspace": current_workspace(),
            "my_due_count": my_due_count,
        }
    except SQLAlchemyError:
        db.session.rollback()
        return anonymous


def my_due_count() -> int:
    """My open tasks that are overdue or due today (the navigation's badge): one query.

    Called by the templates that show it, so fragments that do not pay nothing for it.
    """
    actor = current_actor()
    if READ not in actor.scopes:
        return 0
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=current_user.id)
    try:
        counts = task_service.count_due_groups(actor, filters)
    except SQLAlchemyError:  # an error page while the database is away: no badge, no 500
        db.session.rollback()
        return 0
    return counts["overdue"] + counts["today"]


@bp.app_template_filter("local_datetime")
def local_datetime(moment: datetime | None, fmt: str = "long") -> str:
    """An instant in the workspace's zone: `10 Mar 2026, 09:00` (or `2026-03-10T09:00`)."""
    if moment is None:
        return ""
    local = moment.astimezone(workspace_zone()) if current_user.is_authenticated else moment
    if fmt == "input":  # the value of an <input type="datetime-local">
        return local.strftime("%Y-%m-%dT%H:%M")
    return f"{local.day} {local:%b %Y, %H:%M}"


@bp.app_template_filter("nice_date")
def nice_date(day: date | None) -> str:
    """`Tue 10 Mar 2026`."""
    return "" if day is None else f"{day:%a} {day.day} {day:%b %Y}"


@bp.app_template_filter("status_label")
def status_label(status: str | None) -> str:
    return TaskStatus.label_of(status)


@bp.app_template_filter("priority_label")
def priority_label(priority: str | None) -> str:
    return TaskPriority.label_of(priority)


@bp.app_template_filter("recurrence_label")
def recurrence_label(rule_text: str | None) -> str:
    """`Every week on Mon` for `FREQ=WEEKLY;BYDAY=MO`."""
    from app.services import recurrence

    try:
        return recurrence.parse(rule_text).describe() if rule_text else ""
    except recurrence.RecurrenceError:
        return rule_text or ""


@bp.app_template_filter("task_type_label")
def task_type_label(task_type: str | None) -> str:
    return (task_type or "").replace("_", " ").capitalize()


@bp.errorhandler(PermissionDenied)
def permission_denied(error: PermissionDenied):
    db.session.rollback()
    return render_page(
        403, "Not allowed", "Your role does not allow this. Ask an admin of your workspace."
    )


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    db.session.rollback()
    return render_page(404, "Not found", f"{error.message}.")
