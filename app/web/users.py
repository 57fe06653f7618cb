"""Workspace users for admins: see who can sign in, deactivate (with a confirmation) and
reactivate. Deactivating ends every session of that user at once (docs/security.md)."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.services import accounts
from app.services.errors import ValidationError
from app.web import bp


@bp.get("/settings/users")
def users():
    actor = accounts.admin_actor(current_user)
    return render_template("settings/users.html", users=accounts.workspace_users(actor))


@bp.route("/settings/users/<uuid:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: uuid.UUID):
    """GET asks first; the POST deactivates the user and ends all their sessions."""
    actor = accounts.admin_actor(current_user)
    user = accounts.find_workspace_user(actor, user_id)
    if request.method == "GET":
        return render_template("settings/user_deactivate.html", user=user)
    try:
        accounts.change_user_active(actor, user_id, False)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(
            _("Deactivated %(name)s: every session of theirs has ended.", name=user.name),
            "success",
        )
    return redirect(url_for("web.users"), code=303)


@bp.post("/settings/users/<uuid:user_id>/activate")
def user_activate(user_id: uuid.UUID):
    actor = accounts.admin_actor(current_user)
    user = accounts.change_user_active(actor, user_id, True)
    flash(_("Reactivated %(name)s: they can sign in again.", name=user.name), "success")
    return redirect(url_for("web.users"), code=303)
