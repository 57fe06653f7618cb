"""What to tell whom, and when: reminders, the morning digest, assignment notices.

Each function here decides and writes outbox rows (app/services/outbox.py) in the same
transaction as its cause; delivery is the outbox's job. Email wording lives in
templates/email/ (subject, plain text and HTML per kind), so it can be translated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext
from itsdangerous import BadData, URLSafeSerializer

from app.config import settings
from app.extensions import db
from app.i18n import for_recipient, speaking
from app.models import ApiKey, Notification, Task, User, Workspace
from app.services import dates, outbox, schedule
from app.services.accounts import Actor
from app.services.errors import ValidationError

#: The local time the morning digest is due (each user's zone).
DIGEST_TIME = time(8, 0)
#: Notification kinds a user can turn off, and the User column that holds the choice.
PREFERENCES = {
    "reminder": "notify_reminders",
    "digest": "notify_digest",
    "assignment": "notify_assignments",
}
_UNSUBSCRIBE_SALT = "notifications-unsubscribe"


# --- A user's settings -------------------------------------------------------------------


def update_settings(
    user: User,
    *,
    timezone: str | None,
    default_reminder: str | None,
    reminders: bool,
    digest: bool,
    assignments: bool,
) -> User:
    """Save a user's own notification settings; a ValidationError names a bad value."""
    from app.services.reminders import REMINDER_RULES

    problems = {}
    if timezone is not None:
        try:
            dates.zone(timezone)
        except ValueError as exc:
            problems["timezone"] = str(exc)
    if default_reminder is not None and default_reminder not in REMINDER_RULES:
        problems["default_reminder"] = gettext(
            "must be one of %(values)s", values=", ".join(REMINDER_RULES)
        )
    if problems:
        raise ValidationError.for_fields(problems)
    user.timezone = timezone
    user.default_reminder = default_reminder
    user.notify_reminders = bool(reminders)
    user.notify_digest = bool(digest)
    user.notify_assignments = bool(assignments)
    db.session.commit()
    return user


# --- Links in emails --------------------------------------------------------------------


#: Links in emails when APP_BASE_URL is not set and no request tells the address.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """A full URL for emails and the calendar feed, which are read outside the app.

    Under APP_BASE_URL when it is set; else, during a request, under the address the
    request came to (what the person sees in the address bar); else DEFAULT_BASE_URL.
    """
    configured = settings().app_base_url
    if not configured and has_request_context():
        configured = request.host_url
    base = urlsplit(configured or DEFAULT_BASE_URL)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def unsubscribe_token(user_id: uuid.UUID, kind: str) -> str:
    return URLSafeSerializer(settings().secret_key, salt=_UNSUBSCRIBE_SALT).dumps(
        [str(user_id), kind]
    )


def read_unsubscribe_token(token: str) -> tuple[uuid.UUID, str] | None:
    """(user id, kind) of a signed unsubscribe token, or None when it is not one of ours."""
    try:
        user_id, kind = URLSafeSerializer(settings().secret_key, salt=_UNSUBSCRIBE_SALT).loads(
            token
        )
        if kind not in PREFERENCES:
            return None
        return uuid.UUID(user_id), kind
    except (BadData, ValueError, TypeError):
        return None


def unsubscribe(token: str) -> tuple[User, str] | None:
    """Turn off one kind of email for the token's user (one click, no login)."""
    read = read_unsubscribe_token(token)
    user = read and db.session.get(User, read[0])
    if not read or user is None:
        return None
    setattr(user, PREFERENCES[read[1]], False)
    db.session.commit()
    return user, read[1]


def _render(name: str, context: dict) -> str:
    """A template rendered with only `context`: emails are written outside any request, so
    the browser app's context processors (the signed-in user) do not apply."""
    return current_app.jinja_env.get_template(name).render(**context)


def _render_email(kind: str, user: User, **context) -> tuple[str, str, str]:
    """(subject, text, html) of an email from templates/email/<kind>.*"""
    workspace = db.session.get(Workspace, user.workspace_id)
    context = {
        "user": user,
        "workspace": workspace,
        "tz": user.zone,
        "settings_url": absolute_url("web.notification_settings"),
        "unsubscribe_url": absolute_url("web.unsubscribe", token=unsubscribe_token(user.id, kind)),
        "task_url": lambda task: absolute_url("web.task_edit", task_id=task.id),
        **context,
    }
    # In the recipient's language, never that of whoever caused the email (docs/i18n.md).
    with speaking(for_recipient(user, workspace)):
        subject = _render(f"email/{kind}_subject.txt", context)
        text = _render(f"email/{kind}.txt", context)
        html = _render(f"email/{kind}.html", context)
    return " ".join(subject.split()), text, html


# --- Reminders --------------------------------------------------------------------------


def reminder_recipient(task: Task) -> User | None:
    """Who a task's reminder goes to: its assignee, else whoever created it."""
    user_id = task.assignee_id or task.created_by_user_id
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def queue_due_reminders(now: datetime) -> int:
    """Queue the reminder of every open task whose remind_at has come, once per remind_at."""
    due = db.session.scalars(
        sa.select(Task.id).where(
            Task.remind_at <= now,
            Task.deleted_at.is_(None),
            Task.status != "completed",
            sa.or_(Task.reminder_queued_for.is_(None), Task.reminder_queued_for != Task.remind_at),
        )
    ).all()
    queued = 0
    for task_id in due:
        task = db.session.get(Task, task_id)
        if task is None or task.remind_at is None:
            continue
        user = reminder_recipient(task)
        if user is not None and user.notify_reminders:
            subject, text, html = _render_email("reminder", user, task=task)
            queued += outbox.enqueue(
                workspace_id=task.workspace_id,
                user_id=user.id,
                kind="reminder",
                dedupe_key=outbox.reminder_key(task.id, task.remind_at),
                to_address=user.email,
                subject=subject,
                body_text=text,
                body_html=html,
                now=now,
            )
        task.reminder_queued_for = task.remind_at
        db.session.commit()
    return queued


# --- The morning digest -------------------------------------------------------------------


@dataclass
class Digest:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    tomorrow: list[Task] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.today)


def digest_for(user: User, now: datetime) -> Digest:
    """A user's open tasks: overdue, due today and tomorrow (their zone). Empty when nothing
    is overdue or due today — tomorrow's tasks alone are no reason for an email."""
    tz = user.zone
    today = now.astimezone(tz).date()
    tasks = db.session.scalars(
        sa.select(Task)
        .where(
            Task.assignee_id == user.id,
            Task.deleted_at.is_(None),
            Task.status != "completed",
            Task.due_date <= today + timedelta(days=1),
        )
        .order_by(Task.due_date, Task.due_at, Task.title)
    ).all()
    digest = Digest()
    for task in tasks:
        if schedule.due_state(task, now, tz) == "overdue":
            digest.overdue.append(task)
        elif task.due_date == today:
            digest.today.append(task)
        elif task.due_date == today + timedelta(days=1):
            digest.tomorrow.append(task)
    return digest


def queue_digests(now: datetime) -> int:
    """Queue today's digest for each user whose 08:00 has come and who has not had it."""
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.notify_digest.is_(True))
    ).all()
    queued = 0
    for user in users:
        local = now.astimezone(user.zone)
        today: date = local.date()
        if local.time() < DIGEST_TIME or (
            user.digest_checked_on is not None and user.digest_checked_on >= today
        ):
            continue
        digest = digest_for(user, now)
        if digest:
            subject, text, html = _render_email("digest", user, digest=digest, day=today)
            queued += outbox.enqueue(
                workspace_id=user.workspace_id,
                user_id=user.id,
                kind="digest",
                dedupe_key=f"digest:{user.id}:{today.isoformat()}",
                to_address=user.email,
                subject=subject,
                body_text=text,
                body_html=html,
                now=now,
            )
        user.digest_checked_on = today
        db.session.commit()
    return queued


# --- Assignment notices -------------------------------------------------------------------


def actor_name(actor: Actor) -> str:
    if actor.user_id:
        user = db.session.get(User, actor.user_id)
        return user.name if user else ""
    key = db.session.get(ApiKey, actor.api_key_id) if actor.api_key_id else None
    return f"API key “{key.name}”" if key else ""


def note_assignment(actor: Actor, task: Task, now: datetime | None = None) -> None:
    """Tell the new assignee, unless they assigned it to themselves (caller commits)."""
    if task.assignee_id is None or task.assignee_id == actor.user_id:
        return
    user = db.session.get(User, task.assignee_id)
    if user is None or not user.active:
        return
    now = now or dates.now()
    by = actor_name(actor)
    db.session.add(
        Notification(
            workspace_id=task.workspace_id,
            user_id=user.id,
            kind="assignment",
            task_id=task.id,
            actor_name=by,
            created_at=now,
        )
    )
    if user.notify_assignments:
        subject, text, html = _render_email("assignment", user, task=task, by=by)
        outbox.enqueue(
            workspace_id=task.workspace_id,
            user_id=user.id,
            kind="assignment",
            dedupe_key=f"assignment:{task.id}:{user.id}:{uuid.uuid4().hex}",
            to_address=user.email,
            subject=subject,
            body_text=text,
            body_html=html,
            now=now,
        )


def unread_count(user_id: uuid.UUID) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent_notifications(user_id: uuid.UUID, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id)
            .limit(limit)
        )
    )


def mark_all_read(user_id: uuid.UUID, now: datetime | None = None) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or dates.now())
    )
    db.session.commit()


# --- One pass -----------------------------------------------------------------------------


@dataclass
class PassReport:
    reminders: int
    digests: int
    delivery: outbox.DeliveryReport


def run_pass(transport, now: datetime | None = None) -> PassReport:
    """Queue what has come due, then deliver everything due (what `flask notify` does)."""
    at = now or dates.now()
    reminders = queue_due_reminders(at)
    digests = queue_digests(at)
    delivery = outbox.deliver_due(transport, now=now)
    return PassReport(reminders, digests, delivery)
