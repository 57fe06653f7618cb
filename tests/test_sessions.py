"""Sessions end on the server: a session cookie copied before logout, a password change,
"Sign out everywhere" or deactivation opens nothing afterwards (docs/security.md)."""

from __future__ import annotations

import pytest
from flask_login.utils import encode_cookie

from app.extensions import db
from app.models import User
from app.services import accounts
from app.services.rate_limits import Limit
from tests.conftest import PASSWORD
from tests.web_helpers import login_as, text

NEW_PASSWORD = "a brand new passphrase"


def copy_session(client) -> str:
    """The session cookie's value, as a thief who copied it would hold it."""
    return client.get_cookie("session").value


def visit_with(app, cookie: str, path: str = "/tasks"):
    """Open `path` in a fresh client that has nothing but the copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(path)


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


def test_a_copied_cookie_works_while_the_session_lives(app, member_client):
    # Without this, the tests below could pass with a cookie that never worked.
    assert visit_with(app, copy_session(member_client)).status_code == 200


def test_a_cookie_copied_before_logout_opens_nothing_after(app, member_client):
    copied = copy_session(member_client)
    assert member_client.post("/logout").status_code == 303
    response = visit_with(app, copied)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert visit_with(app, copied, "/account").status_code == 302


def test_logout_ends_the_users_other_sessions_too(app, client, member):
    other = login_as(app.test_client(), member)
    login_as(client, member).post("/logout")
    assert other.get("/tasks").status_code == 302


def test_logout_leaves_other_users_signed_in(app, client, member, admin):
    admin_client = login_as(app.test_client(), admin)
    login_as(client, member).post("/logout")
    assert admin_client.get("/tasks").status_code == 200


def test_sign_out_everywhere_ends_every_session(app, client, member):
    laptop = login_as(client, member)
    phone = login_as(app.test_client(), member)
    copied = copy_session(laptop)
    response = laptop.post("/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    for browser in (laptop, phone):
        assert browser.get("/tasks").status_code == 302
    assert visit_with(app, copied).status_code == 302
    # Signing in again works at once.
    assert login_as(app.test_client(), member).get("/tasks").status_code == 200


def test_account_page_offers_password_change_and_sign_out_everywhere(member_client, member):
    html = text(member_client.get("/account"))
    assert member.email in html
    assert 'action="/account/password"' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert ">Sign out everywhere</button>" in html
    assert 'href="/account"' in text(member_client.get("/tasks"))


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, member):
    this = login_as(client, member)
    other = login_as(app.test_client(), member)
    copied = copy_session(this)
    response = change_password(this)
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "Every other session of yours has ended" in text(this.get("/account"))
    assert this.get("/tasks").status_code == 200
    assert other.get("/tasks").status_code == 302
    assert visit_with(app, copied).status_code == 302, "the cookie from before the change"
    # The new password signs in; the old one does not.
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 400
    )
    assert (
        fresh.post("/login", data={"email": member.email, "password": NEW_PASSWORD}).status_code
        == 303
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        ("wrong password", NEW_PASSWORD, None, "current_password", "is not your current password"),
        (PASSWORD, "short", None, "new_password", "must have at least 8 characters"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm_password", "does not match"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, client, member, current, new, confirm, field, message
):
    this = login_as(client, member)
    other = login_as(app.test_client(), member)
    response = change_password(this, current, new, confirm)
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html and message in html
    assert 'aria-invalid="true"' in html
    # Nothing changed: both sessions live, the old password still works.
    assert this.get("/tasks").status_code == 200 and other.get("/tasks").status_code == 200
    assert accounts.authenticate_user(member.email, PASSWORD) is not None


def test_guessing_the_current_password_is_throttled(app, client, member):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    this = login_as(client, member)
    assert [change_password(this, "guess").status_code for _ in range(3)] == [400] * 3
    response = change_password(this)  # even the right one waits now
    assert response.status_code == 429
    assert "Too many failed attempts" in text(response)
    assert accounts.authenticate_user(member.email, PASSWORD) is not None


def test_deactivating_a_user_ends_their_sessions(app, runner, client, member):
    this = login_as(client, member)
    copied = copy_session(this)
    result = runner.invoke(args=["deactivate-user", "--email", member.email])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(member.id)
    assert this.get("/tasks").status_code == 302
    assert visit_with(app, copied).status_code == 302
    # Reactivated, they sign in anew; the old cookie stays dead.
    assert runner.invoke(args=["activate-user", "--email", member.email]).exit_code == 0
    assert login_as(app.test_client(), member).get("/tasks").status_code == 200
    assert visit_with(app, copied).status_code == 302


def test_deactivating_an_unknown_user_is_a_clear_error(runner):
    result = runner.invoke(args=["deactivate-user", "--email", "nobody@acme.test"])
    assert result.exit_code == 1
    assert "User 'nobody@acme.test' not found" in result.output


def remember_cookie(app, token: str) -> str:
    with app.test_request_context():
        return encode_cookie(token)


def test_a_remember_me_cookie_obeys_the_same_rule(app, client, member):
    cookie = remember_cookie(app, member.get_id())
    browser = client
    browser.set_cookie("remember_token", cookie)
    assert browser.get("/tasks").status_code == 200, "a live remember-me cookie signs in"
    with app.app_context():
        accounts.set_user_active(db.session.get(User, member.id), False)
        accounts.set_user_active(db.session.get(User, member.id), True)
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie)
    assert stale.get("/tasks").status_code == 302


# --- An admin deactivating a user from the browser ---------------------------------------


def test_an_admin_deactivates_a_user_after_confirming_and_their_sessions_end(
    app, client, admin, member
):
    victim = login_as(app.test_client(), member)
    copied = copy_session(victim)
    admin_client = login_as(client, admin)
    listing = text(admin_client.get("/settings/users"))
    assert member.email in listing and "Users" in listing
    assert f'href="/settings/users/{member.id}/deactivate"' in listing
    confirm = admin_client.get(f"/settings/users/{member.id}/deactivate")
    assert "Deactivate Mia Member?" in text(confirm)
    assert victim.get("/tasks").status_code == 200, "asking changes nothing"
    response = admin_client.post(f"/settings/users/{member.id}/deactivate")
    assert response.status_code == 303
    assert "every session of theirs has ended" in text(admin_client.get("/settings/users"))
    assert victim.get("/tasks").status_code == 302
    assert visit_with(app, copied).status_code == 302
    # Reactivated, they sign in again; the old session stays ended.
    assert admin_client.post(f"/settings/users/{member.id}/activate").status_code == 303
    assert login_as(app.test_client(), member).get("/tasks").status_code == 200
    assert visit_with(app, copied).status_code == 302


def test_an_admin_cannot_deactivate_themselves(client, admin):
    admin_client = login_as(client, admin)
    response = admin_client.post(f"/settings/users/{admin.id}/deactivate")
    assert response.status_code == 303
    assert "You cannot deactivate yourself" in text(admin_client.get("/settings/users"))
    assert admin_client.get("/tasks").status_code == 200


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_admins_manage_users(client, admin, role, request):
    user = request.getfixturevalue(role)
    login_as(client, user)
    assert client.get("/settings/users").status_code == 403
    assert client.post(f"/settings/users/{admin.id}/deactivate").status_code == 403
    assert accounts.authenticate_user(admin.email, PASSWORD) is not None
