"""The language switch at the foot of every page (docs/i18n.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.i18n import SESSION_KEY, supported
from app.services import accounts
from app.web import bp
from app.web.helpers import safe_next


@bp.post("/language")
def choose_language() -> Response:
    """Speak the chosen language from now on, and go back to the page it was chosen on.

    A plain form POST, so it works without JavaScript. The choice is kept in the session
    (for the login page and other pages without a user) and, for a signed-in user, as
    their setting, so it follows them to other browsers and into their emails.
    """
    language = supported(request.form.get("language"))
    if language:
        session[SESSION_KEY] = language
        if current_user.is_authenticated:
            accounts.set_language(current_user._get_current_object(), language)
    target = _same_page(request.form.get("next"))
    return redirect(target or url_for("web.task_list"), code=303)


def _same_page(path: str | None) -> str | None:
    """The page the switch was pressed on: the form's path, with the query the Referer
    shows for that same path (a filtered list stays filtered); never another site."""
    path = safe_next(path)
    referrer = urlsplit(request.referrer or "")
    if path and referrer.netloc == request.host and referrer.path == urlsplit(path).path:
        with_query = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_next(with_query) or path
    return path
