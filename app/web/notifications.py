"""Notification settings (time zone, emails, default reminder, calendar link), the bell,
one-click unsubscribe from emails, and the private calendar feed."""

from __future__ import annotations

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import csrf
from app.i18n import LANGUAGES, language_changed
from app.services import accounts, calendar, notifications
from app.services.errors import ValidationError
from app.services.reminders import REMINDER_RULES
from app.web import bp
from app.web.forms import NotificationSettingsForm, choices, timezone_choices
from app.web.helpers import current_workspace, form_error_status


@bp.route("/settings/notifications", methods=["GET", "POST"])
def notification_settings():
    """The signed-in user's own settings: zone, which emails, default reminder, feed URL."""
    workspace = current_workspace()
    form = NotificationSettingsForm(obj=current_user if request.method == "GET" else None)
    form.language.choices = choices([("", _("Language of your browser")), *LANGUAGES.items()])
    form.timezone.choices = choices(
        [("", _("Workspace default (%(zone)s)", zone=workspace.timezone)), *timezone_choices()]
    )
    form.default_reminder.choices = choices(
        [("", _("No reminder"))] + [(rule.name, rule.label) for rule in REMINDER_RULES.values()]
    )
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        try:
            accounts.set_language(current_user, form.language.data or None)
            language_changed()  # the notice below in the language just chosen
            notifications.update_settings(
                current_user,
                timezone=form.timezone.data or None,
                default_reminder=form.default_reminder.data or None,
                reminders=form.notify_reminders.data,
                digest=form.notify_digest.data,
                assignments=form.notify_assignments.data,
            )
        except ValidationError as error:
            errors = error.fields or {"timezone": error.message}
            status = form_error_status()
        else:
            flash(_("Saved your notification settings."), "success")
            return redirect(url_for("web.notification_settings"), code=303)
    elif form.is_submitted():
        errors = {"form": _("The form expired. Check your entries and save again.")}
        status = form_error_status()
    html = render_template(
        "settings/notifications.html",
        form=form,
        errors=errors,
        feed_url=calendar.feed_url(current_user),
        zone=current_user.zone,
    )
    response = make_response(html, status)
    # The page shows the private feed URL: keep it out of shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/notifications/calendar/reset")
def calendar_reset():
    """Revoke the calendar feed URL; the page shows the new one."""
    calendar.reset_feed(current_user)
    flash(_("Made a new calendar link. The old one no longer works."), "success")
    return redirect(url_for("web.notification_settings") + "#calendar", code=303)


@bp.get("/notifications")
def notification_list():
    """The bell's list: the latest in-app notices, unread ones marked."""
    items = notifications.recent_notifications(current_user.id)
    return render_template("notifications/list.html", items=items)


@bp.post("/notifications/read")
def notifications_read():
    notifications.mark_all_read(current_user.id)
    return redirect(url_for("web.notification_list"), code=303)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients POST without a session
def unsubscribe(token: str):
    """One-click unsubscribe (RFC 8058): a POST turns the kind off; a GET asks first, so a
    mail scanner that follows links changes nothing."""
    read = notifications.read_unsubscribe_token(token)
    if read is None:
        abort(404)
    kind = read[1]
    if request.method == "POST":
        if notifications.unsubscribe(token) is None:
            abort(404)
        return render_template("notifications/unsubscribe.html", token=token, kind=kind, done=True)
    return render_template("notifications/unsubscribe.html", token=token, kind=kind, done=False)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """A user's open tasks as iCalendar; no login, the token is the key. 404 when unknown."""
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    response = Response(calendar.feed_ics(user), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tasks.ics"'
    return response


@bp.app_context_processor
def inject_unread_count() -> dict:
    """The bell's count, for the layout (nothing for visitors without a session)."""
    try:
        if current_user.is_authenticated:
            return {"unread_notifications": notifications.unread_count(current_user.id)}
    except Exception:  # an error page while the database is down must still render
        from app.extensions import db

        db.session.rollback()
    return {"unread_notifications": 0}
