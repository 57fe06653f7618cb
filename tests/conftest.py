"""Shared fixtures, named as in Flask's tutorial: `app`, `client`, `runner`.

Every database test runs twice: on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set
(CI sets REQUIRE_POSTGRES=1, which turns that skip into a failure). The schema is built by
the Alembic migrations, once per session and backend, in a file (SQLite) or in a schema of
its own (PostgreSQL) so parallel runs never see each other; each test then starts from
empty tables.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import RateLimitBucket
from app.services import accounts, rate_limits, records

PASSWORD = "correct horse battery"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip(
            "PostgreSQL tests skipped: set TEST_DATABASE_URL="
            "postgresql+psycopg://postgres@127.0.0.1:5432/test to run them"
        )
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database for this session on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        cleanup = None
    else:
        base = _postgres_url()
        schema = f"test_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}"

        def cleanup():
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

    migrate_app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with migrate_app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if cleanup:
        cleanup()


def _empty_tables() -> None:
    # DELETE, children first: on tables this small it is far cheaper than TRUNCATE, whose
    # fixed cost per table on PostgreSQL dominated the suite's run time.
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    if (store := rate_limits.store()) is not db.engine:  # SQLite keeps the counts apart
        with store.begin() as conn:
            conn.execute(RateLimitBucket.__table__.delete())


@pytest.fixture
def app(database_url):
    """The app on a clean database; CSRF is off here and tested on its own."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            # Hashing strength is not under test here; scrypt would cost ~50 ms a user.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Limits are off unless a test is about them (tests/test_rate_limits.py).
            "API_RATE_LIMIT": "0",
            "LOGIN_FAILURE_LIMIT": "0",
            "API_KEY_CREATE_LIMIT": "0",
        }
    )
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, `g` and db session.

    Without this, a test holding an app context (the `ctx` fixture) would lend it to each
    request: `g` and the session would carry over between requests as they never do in a
    server. The test's own session is expired after each request so it reads fresh rows.
    """

    def open(self, *args, **kwargs):
        # An empty `contextvars.Context` holds no app or request context, as a server's
        # worker has none when a request arrives; Flask pushes fresh ones inside it.
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for tests that call services directly."""
    with app.app_context():
        yield


@pytest.fixture
def workspace(ctx):
    return accounts.create_workspace("Acme Sales", "Europe/Berlin")


@pytest.fixture
def other_workspace(ctx):
    return accounts.create_workspace("Globex", "UTC")


@pytest.fixture
def member(workspace):
    return accounts.create_user(workspace, "mia@acme.test", "Mia Member", "member", PASSWORD)


@pytest.fixture
def viewer(workspace):
    return accounts.create_user(workspace, "vic@acme.test", "Vic Viewer", "viewer", PASSWORD)


@pytest.fixture
def admin(workspace):
    return accounts.create_user(workspace, "ada@acme.test", "Ada Admin", "admin", PASSWORD)


@pytest.fixture
def actor(member):
    return accounts.Actor.for_user(member)


@pytest.fixture
def contact(workspace):
    company = records.add_company(workspace.id, "Müller GmbH", "mueller.example")
    contact = records.add_contact(workspace.id, "Hans", "Müller", "hans@mueller.example", company)
    db.session.commit()
    return contact


@pytest.fixture
def api_key(workspace):
    """The secret of a read/write key of `workspace`."""
    _key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "integration", [accounts.READ, accounts.WRITE]
    )
    return secret


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


FIXED_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
