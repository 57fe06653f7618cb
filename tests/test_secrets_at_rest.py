"""What the database keeps of passwords and keys (docs/decisions.md, accounts and keys), and
friendly outage pages."""

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import ApiKey, User
from app.services import accounts
from tests.web_helpers import login_as


def test_passwords_are_stored_with_scrypt_by_default(app, workspace):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"  # the production default (tests use a cheap one)
    user = accounts.create_user(workspace, "s@acme.test", "S", "member", "a long passphrase")
    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("scrypt:") and "a long passphrase" not in stored
    assert accounts.authenticate_user("s@acme.test", "a long passphrase") == user
    assert accounts.authenticate_user("s@acme.test", "a long passphrasE") is None


def test_only_a_hash_of_the_api_key_secret_is_stored(workspace):
    key, secret = accounts.create_api_key(accounts.Actor.operator(workspace), "k", [accounts.READ])
    row = db.session.execute(sa.select(ApiKey.__table__).where(ApiKey.id == key.id)).one()
    stored = " ".join(str(value) for value in row)
    assert secret not in stored and secret[12:] not in stored
    assert accounts.authenticate_api_key(secret) == key
    assert accounts.authenticate_api_key(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_browser_gets_a_friendly_page_when_the_database_is_down(client, member, monkeypatch):
    login_as(client, member)

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("app.services.tasks.list_tasks", unreachable)
    response = client.get("/tasks")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "text/html" in response.content_type
    assert "Temporarily unavailable" in page and "Traceback" not in page
    assert response.headers["X-Request-ID"] in page, "the page shows the id to quote"
