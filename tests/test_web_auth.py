"""docs/rules.md §5: logging in and out, and pages that need a session."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.web.auth import load_user
from tests.conftest import PASSWORD
from tests.web_helpers import AuthActions, login_as, text


@pytest.fixture
def web(client):
    return AuthActions(client)


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


def test_login_page_has_the_fixed_fields(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = text(response)
    assert 'name="email"' in html and 'name="password"' in html
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html


def test_login_with_good_credentials_goes_to_the_task_list(client, member, web):
    response = web.login(member.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    assert client.get("/tasks").status_code == 200


def test_login_email_is_case_insensitive(client, member, web):
    assert web.login("MIA@Acme.Test").status_code == 303


@pytest.mark.parametrize(
    ("email", "password"),
    [("mia@acme.test", "wrong password"), ("nobody@acme.test", PASSWORD), ("", "")],
)
def test_wrong_credentials_show_a_clear_message_and_keep_the_email(
    client, member, web, email, password
):
    response = web.login(email, password)
    assert response.status_code == 400
    html = text(response)
    if email:
        assert "Wrong email or password" in html
        assert f'value="{email}"' in html
    assert 'role="alert"' in html or "field-errors" in html
    assert client.get("/tasks").status_code == 302  # still not signed in


def test_deactivated_user_cannot_log_in(client, member, web):
    member.active = False
    db.session.commit()
    assert web.login(member.email).status_code == 400


@pytest.mark.parametrize(
    "path", ["/tasks", "/tasks/new", "/search/contacts?q=a", "/settings/api-keys", "/"]
)
def test_pages_need_a_session(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_htmx_request_without_session_redirects_the_whole_page(client):
    response = client.get(
        "/search/contacts?q=ha",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/tasks/new"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=/tasks/new"


def test_login_goes_back_to_the_page_asked_for(client, member, web):
    first = client.get("/tasks?status=all&due=today")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    page = client.get(login_url)
    assert 'name="next" type="hidden" value="/tasks?status=all&amp;due=today"' in text(page)
    response = web.login(member.email, next="/tasks?status=all&due=today")
    assert response.headers["Location"] == "/tasks?status=all&due=today"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "tasks",
    ],
)
def test_login_never_redirects_off_site(client, member, web, target):
    response = web.login(member.email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"


def test_logout_ends_the_session(client, member_client, web):
    response = web.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert client.get("/tasks").status_code == 302


def test_logout_needs_post(member_client):
    assert member_client.get("/logout").status_code == 405


def test_session_cookie_is_httponly_and_samesite_lax(client, member, web):
    response = web.login(member.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_deactivated_users_session_ends(client, member_client, member):
    member.active = False
    db.session.commit()
    assert client.get("/tasks").status_code == 302


def test_post_without_csrf_token_is_refused(app, member):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in text(response)
    # With the token from the form it works.
    page = text(client.get("/login"))
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    # Signed in, a POST to the app without the token is refused, and nothing happens.
    assert client.post("/logout").status_code == 400
    assert client.get("/tasks").status_code == 200


def test_htmx_posts_send_the_csrf_token_from_body(app, member):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = text(client.get("/login"))
    assert '<body hx-headers=\'{"X-CSRFToken": "' in page


@pytest.mark.parametrize(
    "token",
    [
        "not-a-uuid:0",
        "7d0f1c52-8b8a-4f4e-9a51-2f0c3a9e6b11:0",
        "",
        ":",
        "{member}",  # a session from before generations existed
        "{member}:",
        "{member}:1",  # a generation that was never handed out
        "{member}:-1",
        "{member}:x",
    ],
)
def test_a_session_for_no_known_user_or_generation_loads_nobody(member, token):
    assert load_user(token.format(member=member.id)) is None
    assert load_user(f"{member.id}:0") == member


def test_login_page_has_exactly_one_autofocus(client, member, web):
    """Only one field may carry autofocus, and never as `autofocus="None"`."""

    def focused(html: str) -> list[str]:
        return re.findall(r'<input[^>]*\bautofocus\b[^>]*\bid="([^"]+)"', html)

    fresh = text(client.get("/login"))
    failed = text(web.login(member.email, "wrong password"))
    assert focused(fresh) == ["email"]
    assert focused(failed) == ["password"]
    assert fresh.count("autofocus") == failed.count("autofocus") == 1
