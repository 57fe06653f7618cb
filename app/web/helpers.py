"""What every view of the browser app shares: the actor, htmx conventions, safe redirects,
template filters, and how service errors become pages."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app import kinds
from app.errors import render_page
from app.extensions import db
from app.i18n import format_day, format_moment, weekday_names
from app.i18n import lazy_gettext as _l
from app.models import Workspace
from app.services import tasks as task_service
from app.services.accounts import MANAGE, READ, WRITE, Actor
from app.services.errors import NotFound, PermissionDenied
from app.services.recurrence import WEEKDAYS
from app.vocabulary import TaskPriority, TaskStatus, TaskType, UserRole
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
        "count_cap": task_service.COUNT_CAP,
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
            "count_cap": task_service.COUNT_CAP,
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
    try:
        return task_service.count_due_by_today(actor, current_user.id)
    except SQLAlchemyError:  # an error page while the database is away: no badge, no 500
        db.session.rollback()
        return 0


@bp.app_template_filter("local_datetime")
def local_datetime(moment: datetime | None, fmt: str = "long") -> str:
    """An instant in the workspace's zone, in the page's language: `10 Mar 2026, 09:00`,
    `10. März 2026, 09:00` (or, for an input's value, always `2026-03-10T09:00`)."""
    if moment is None:
        return ""
    local = moment.astimezone(workspace_zone()) if current_user.is_authenticated else moment
    if fmt == "input":  # the value of an <input type="datetime-local">
        return local.strftime("%Y-%m-%dT%H:%M")
    return format_moment(local)


@bp.app_template_filter("nice_date")
def nice_date(day: date | None) -> str:
    """`Tue 10 Mar 2026`, `Di., 10. März 2026`."""
    return format_day(day)


@bp.app_template_filter("kind_label")
def kind_label(kind: str | None) -> str:
    """`Contact` for `contact`: a record kind as people name it (app/kinds.py)."""
    record_kind = kinds.BY_KEY.get(kind or "")
    return str(record_kind.label) if record_kind else kind or ""


@bp.app_template_filter("role_label")
def role_label(role: str | None) -> str:
    return UserRole.label_of(role)


#: The sentences about one kind of record, whole, so each language can word them.
KIND_TEXTS = {
    "contact": {
        "search": _l("Type to search contacts"),
        "which": _l("Which contact did you mean?"),
        "all_tasks": _l("All tasks of this contact"),
        "no_tasks": _l("No tasks for this contact yet."),
    },
    "company": {
        "search": _l("Type to search companies"),
        "which": _l("Which company did you mean?"),
        "all_tasks": _l("All tasks of this company"),
        "no_tasks": _l("No tasks for this company yet."),
    },
    "deal": {
        "search": _l("Type to search deals"),
        "which": _l("Which deal did you mean?"),
        "all_tasks": _l("All tasks of this deal"),
        "no_tasks": _l("No tasks for this deal yet."),
    },
    "event": {
        "search": _l("Type to search events"),
        "which": _l("Which event did you mean?"),
        "all_tasks": _l("All tasks of this event"),
        "no_tasks": _l("No tasks for this event yet."),
    },
}


@bp.app_template_global()
def ui_texts() -> dict[str, str]:
    """What the small scripts say (static/js/), in the page's language: read from the
    body's `data-texts`; `{n}`, `{status}` and `{label}` are filled in by the script."""
    return {
        "error403": _("You don't have permission to do that."),
        "error404": _("That task no longer exists. Reload the page to see the current list."),
        "error409": _("Someone else changed this at the same time. Reload and try again."),
        "error429": _("Too many requests. Wait a moment and try again."),
        "error503": _("The database can't be reached right now. Try again shortly."),
        "errorOther": _("That didn't work (error {status}). Reload the page and try again."),
        "offline": _("The server can't be reached. Check your connection and try again."),
        "remove": _("Remove {label}"),
        "linkRemoved": _("Link removed"),
        "oneSuggestion": _("1 suggestion"),
        "suggestions": _("{n} suggestions"),
        "noMatches": _("No matches"),
    }


@bp.app_template_global()
def search_placeholder(kind: str) -> str:
    return str(KIND_TEXTS[kind]["search"])


@bp.app_template_global()
def which_did_you_mean(kind: str) -> str:
    return str(KIND_TEXTS[kind]["which"])


@bp.app_template_global()
def record_texts(kind: str) -> dict[str, str]:
    return {key: str(text) for key, text in KIND_TEXTS[kind].items()}


@bp.app_template_global()
def weekday_choices() -> list[tuple[str, str]]:
    """(RRULE day, its name in the page's language), Monday first."""
    return list(zip(WEEKDAYS, weekday_names(), strict=True))


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
    """A suggested type in the page's language ("call": "Anruf"); any other as typed."""
    if task_type in task_service.SUGGESTED_TASK_TYPES:  # not TaskType.values(): built per call
        return TaskType.label_of(task_type)
    return (task_type or "").replace("_", " ").capitalize()


@bp.errorhandler(PermissionDenied)
def permission_denied(error: PermissionDenied):
    db.session.rollback()
    return render_page(
        403, _("Not allowed"), _("Your role does not allow this. Ask an admin of your workspace.")
    )


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    db.session.rollback()
    return render_page(404, _("Not found"), f"{error.message}.")
