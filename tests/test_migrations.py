"""Each migration carries a populated database of the previous revision forward."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.migration_helpers import fresh_database, insert, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


def _uid() -> str:
    return str(uuid.uuid4())


def test_0005_keeps_users_and_tasks_and_adds_notification_defaults(backend, tmp_path):
    url, cleanup = fresh_database(backend, tmp_path)
    try:
        migrate(url, "0004")
        engine = sa.create_engine(url)
        ws, user, company, task = _uid(), _uid(), _uid(), _uid()
        created = datetime(2026, 3, 1, 9, 30)
        with engine.begin() as conn:
            ids = {"ws": ws, "user": user, "company": company, "task": task}
            ids = {
                k: uuid.UUID(v) if backend == "postgresql" else v.replace("-", "")
                for k, v in ids.items()
            }
            insert(
                conn,
                "workspace",
                id=ids["ws"],
                name="Kanzlei Müller",
                timezone="Europe/Berlin",
                created_at=created,
            )
            insert(
                conn,
                "user",
                id=ids["user"],
                workspace_id=ids["ws"],
                email="ana@kanzlei.test",
                name="Ana Ruiz",
                password_hash="x",
                role="member",
                active=True,
                created_at=created,
            )
            insert(
                conn,
                "company",
                id=ids["company"],
                workspace_id=ids["ws"],
                name="Müller GmbH",
                domain=None,
                name_folded="muller gmbh",
                created_at=created,
                search_version=1,
            )
            insert(
                conn,
                "task",
                id=ids["task"],
                workspace_id=ids["ws"],
                title="Call back",
                description=None,
                status="open",
                priority="high",
                task_type="call",
                due_date=date(2026, 3, 10),
                due_at=None,
                assignee_id=ids["user"],
                contact_id=None,
                company_id=ids["company"],
                deal_id=None,
                event_id=None,
                created_date=created,
                updated_at=created,
                completed_at=None,
                deleted_at=None,
                created_by_user_id=ids["user"],
                created_by_api_key_id=None,
            )
        engine.dispose()

        migrate(url, "head")

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT title, priority, due_date, remind_at, remind_rule, recurrence, "
                    "previous_occurrence_id FROM task"
                )
            ).one()
            assert row[:2] == ("Call back", "high")
            assert str(row[2]) == "2026-03-10"
            assert row[3:] == (None, None, None, None)
            user_row = conn.execute(
                sa.text(
                    "SELECT email, timezone, notify_reminders, notify_digest, notify_assignments, "
                    'calendar_feed_version FROM "user"'
                )
            ).one()
            assert user_row[0] == "ana@kanzlei.test"
            assert user_row[1] is None  # the workspace's zone applies
            assert [bool(v) for v in user_row[2:5]] == [True, True, True]
            assert user_row[5] == 0
            assert conn.execute(sa.text("SELECT count(*) FROM outbox_message")).scalar() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM notification")).scalar() == 0
        engine.dispose()
    finally:
        cleanup()


def test_migrations_build_what_the_models_describe(backend, tmp_path):
    """No drift: after upgrading to head, autogenerate finds nothing to add or change."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import db
    from app.models import autogenerate_filter

    url, cleanup = fresh_database(backend, tmp_path)
    try:
        migrate(url, "head")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            # The same filter `flask db migrate` uses (migrations/env.py): SQLite's FTS5
            # title index is not a model, the trigram index is PostgreSQL's only.
            opts = {
                "compare_type": False,
                "include_object": autogenerate_filter(conn.dialect.name),
            }
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, db.metadata)
        engine.dispose()
        assert diff == []
    finally:
        cleanup()


def test_0006_gives_every_user_session_generation_zero(backend, tmp_path):
    """Users of 0005 carry on with generation 0; sessions then start and end as they should."""
    url, cleanup = fresh_database(backend, tmp_path)
    try:
        migrate(url, "0005")
        engine = sa.create_engine(url)
        ws = uuid.uuid4()
        users = [uuid.uuid4() for _ in range(3)]

        def stored(value: uuid.UUID):
            return value if backend == "postgresql" else value.hex

        with engine.begin() as conn:
            insert(conn, "workspace", id=stored(ws), name="Acme", timezone="Europe/Berlin",
                   created_at=datetime(2026, 1, 5, 10))  # fmt: skip
            for number, user_id in enumerate(users):
                insert(
                    conn,
                    "user",
                    id=stored(user_id),
                    workspace_id=stored(ws),
                    email=f"user{number}@acme.test",
                    name=f"User {number}",
                    password_hash="pbkdf2:sha256:1000$x$y",
                    role="member",
                    active=number != 1,
                    created_at=datetime(2026, 1, 5, 10),
                )
        engine.dispose()

        migrate(url, "head")

        from app import create_app
        from app.extensions import db
        from app.models import User
        from app.services import sessions

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
        with app.app_context():
            rows = {u.id: u for u in db.session.scalars(sa.select(User))}
            assert set(rows) == set(users)
            assert [rows[u].session_generation for u in users] == [0, 0, 0]
            assert [rows[u].email for u in users] == [f"user{n}@acme.test" for n in range(3)]
            assert [rows[u].active for u in users] == [True, False, True]
            first = rows[users[0]]
            assert sessions.user_for_session(f"{first.id}:0") == first
            sessions.end_all_sessions(first)
            assert sessions.user_for_session(f"{first.id}:0") is None
            assert sessions.user_for_session(f"{first.id}:1") == first
            assert sessions.user_for_session(f"{users[1]}:0") is None, "deactivated"
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
