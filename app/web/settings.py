"""Workspace settings for admins: API keys (create with scopes, see last use, revoke)."""

from __future__ import annotations

import uuid

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Workspace
from app.services import accounts
from app.services.errors import ValidationError
from app.web import bp
from app.web.forms import ApiKeyForm
from app.web.helpers import form_error_status


@bp.route("/settings/api-keys", methods=["GET", "POST"])
def api_keys():
    """List the workspace's keys; a POST creates one and shows its secret this once."""
    actor = accounts.admin_actor(current_user)
    form = ApiKeyForm()
    secret = None
    created = None
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        workspace = db.session.get_one(Workspace, actor.workspace_id)
        try:
            created, secret = accounts.create_api_key(
                workspace, form.name.data or "", list(form.scopes.data or [])
            )
        except ValidationError as error:
            db.session.rollback()
            errors = error.fields or {"name": error.message}
            status = form_error_status()
        else:
            form = ApiKeyForm(formdata=None)
    elif form.is_submitted():
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        status = form_error_status()
    html = render_template(
        "settings/api_keys.html",
        form=form,
        keys=accounts.list_api_keys(actor),
        scopes=accounts.KNOWN_SCOPES,
        secret=secret,
        created=created,
        errors=errors,
    )
    response = make_response(html, status)
    # The page may carry a secret shown once: never keep it in a cache or the history.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/api-keys/<uuid:key_id>/revoke")
def api_key_revoke(key_id: uuid.UUID):
    """Revoke a key: requests with it are refused from now on."""
    actor = accounts.admin_actor(current_user)
    key = accounts.revoke_api_key(actor, key_id)
    flash(f"Revoked the key “{key.name}”. Requests with it are refused from now on.", "success")
    return redirect(url_for("web.api_keys"), code=303)
