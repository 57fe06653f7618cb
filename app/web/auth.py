"""Signing in and out. Every page of the browser app but the login page needs a session."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.extensions import login_manager
from app.i18n import lazy_gettext as _l
from app.models import User
from app.services import sessions
from app.services.accounts import log_in
from app.services.errors import TooManyAttempts
from app.web import bp
from app.web.forms import LoginForm
from app.web.helpers import form_error_status, page_url, safe_next

#: Endpoints a visitor without a session may reach.
PUBLIC_ENDPOINTS = frozenset(
    {"web.login", "web.unsubscribe", "web.calendar_feed", "web.choose_language"}
)

login_manager.login_view = "web.login"
login_manager.login_message = _l("Please log in to see that page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session's user, or None when the session has ended (see services/sessions.py).

    Flask-Login calls this on every request with a session or remember-me cookie, so a
    session ended on one worker is refused by every other at its very next request.
    """
    return sessions.user_for_session(token)


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Send the visitor to the login page, remembering the page they asked for.

    An htmx request cannot follow a redirect to a whole page (the login form would land
    inside the list); `HX-Redirect` makes htmx load the login page as a full navigation.
    """
    target = url_for("web.login", next=page_url())
    if request.headers.get("HX-Request") == "true":
        return Response(status=204, headers={"HX-Redirect": target})
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(target)


@bp.before_request
def require_session():
    """Every page of the browser app needs a signed-in user, except the login page."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on good credentials, start a session and go where asked."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("web.task_list"))
    form = LoginForm(next=next_url or "")
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = log_in(form.email.data or "", form.password.data or "", request.remote_addr)
        except TooManyAttempts as throttled:
            error = throttled.message
            status = 429
        else:
            if user is not None:
                login_user(user)
                return redirect(safe_next(form.next.data) or url_for("web.task_list"), code=303)
            # One message for every wrong part, so the form does not reveal who has an account.
            error = _("Wrong email or password. Check both and try again.")
    if request.method == "POST" and status == 200:
        status = form_error_status()
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session (a POST, so another site cannot log people out with a link).

    Raising the session generation makes the cookie worthless even where a copy of it
    survives; it ends the user's other sessions too (docs/security.md).
    """
    sessions.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("web.login"), code=303)


@bp.get("/")
def home() -> Response:
    return redirect(url_for("web.task_list"))
