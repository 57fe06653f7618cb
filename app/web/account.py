"""The signed-in person's own account: change the password, sign out everywhere."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.extensions import db
from app.services import accounts, sessions
from app.services.errors import TooManyAttempts, ValidationError
from app.web import bp
from app.web.forms import ChangePasswordForm
from app.web.helpers import form_error_status


def render_account(form: ChangePasswordForm, errors: dict[str, str], status: int = 200):
    html = render_template(
        "account/show.html",
        form=form,
        errors=errors,
        min_password_length=accounts.MIN_PASSWORD_LENGTH,
    )
    return make_response(html, status)


@bp.get("/account")
def account():
    """The account page: who is signed in, the password form, "Sign out everywhere"."""
    return render_account(ChangePasswordForm(formdata=None), {})


@bp.post("/account/password")
def account_password():
    """Change the password; every other session ends, this one goes on under the new one."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        return render_account(form, errors, form_error_status())
    user = current_user._get_current_object()
    try:
        accounts.change_password(
            user,
            form.current_password.data or "",
            form.new_password.data or "",
            form.confirm_password.data or "",
        )
    except ValidationError as error:
        db.session.rollback()
        return render_account(form, error.fields, form_error_status())
    except TooManyAttempts as error:
        db.session.rollback()
        return render_account(form, {"current_password": error.message}, 429)
    # The generation moved on: this session ends too unless it is started again.
    login_user(user)
    flash(_("Your password is changed. Every other session of yours has ended."), "success")
    return redirect(url_for("web.account"), code=303)


@bp.post("/account/sign-out-everywhere")
def account_sign_out_everywhere():
    """End every session of the signed-in user, this one included."""
    sessions.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are signed out everywhere: in every browser and on every device."), "success")
    return redirect(url_for("web.login"), code=303)
