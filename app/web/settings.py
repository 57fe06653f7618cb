"""Workspace settings for admins: API keys (create with scopes, see last use, revoke)."""

from __future__ import annotations

import uuid

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.services import accounts
from app.services.errors import LimitReached, TooManyAttempts, ValidationError
from app.web import bp
from app.web.forms import ApiKeyForm
from app.web.helpers import form_error_status


@bp.route("/settings/api-keys", methods=["GET", "POST"])
def api_keys():
    """List the workspace's keys, a page at a time; a POST creates one and shows its secret
    this once. A refused key keeps what was typed in the form."""
    actor = accounts.admin_actor(current_user)
    form = ApiKeyForm()
    secret = None
    created = None
    errors: dict[str, str] = {}
    alert = None
    retry_after = None
    status = 200
    if form.validate_on_submit():
        try:
            created, secret = accounts.create_api_key(
                actor, form.name.data or "", list(form.scopes.data or [])
            )
        except ValidationError as error:
            db.session.rollback()
            errors = error.fields or {"name": error.message}
            status = form_error_status()
        except LimitReached as error:
            db.session.rollback()
            alert = error.message
            status = 409
        except TooManyAttempts as error:
            db.session.rollback()
            alert = error.message
            retry_after = error.retry_after
            status = 429
        else:
            form = ApiKeyForm(formdata=None)
    elif form.is_submitted():
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        status = form_error_status()
    html = render_template(
        "settings/api_keys.html",
        form=form,
        listing=accounts.api_key_page(actor, request.args.get("page", 1, type=int)),
        scopes=accounts.KNOWN_SCOPES,
        secret=secret,
        created=created,
        errors=errors,
        alert=alert,
    )
    response = make_response(html, status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/settings/api-keys/<uuid:key_id>/revoke", methods=["GET", "POST"])
def api_key_revoke(key_id: uuid.UUID):
    """GET asks "Revoke this key?"; the POST from that page (or any form) revokes it: requests
    with the key are refused from then on."""
    actor = accounts.admin_actor(current_user)
    if request.method == "GET":
        key = accounts.find_api_key(actor, key_id)
        return render_template("settings/api_key_revoke.html", key=key)
    key = accounts.revoke_api_key(actor, key_id)
    flash(
        _("Revoked the key “%(name)s”. Requests with it are refused from now on.", name=key.name),
        "success",
    )
    return redirect(url_for("web.api_keys"), code=303)
