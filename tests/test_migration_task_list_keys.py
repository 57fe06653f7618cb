"""Migration 0007 (stored list order, folded titles, list and title-search indexes) carries
a populated 0006 database forward on SQLite and PostgreSQL (tests/migration_helpers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from app.services import accounts, task_keys
from app.services import tasks as task_service
from app.services.tasks import TaskFilters
from tests import migration_helpers

Migrate = Callable[[str], None]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path) -> Iterator[tuple[sa.Engine, Migrate, object]]:
    """(engine, migrate(revision), app) on an empty database no other test shares.

    `migrate("-0006")` downgrades to 0006.
    """
    url, cleanup = migration_helpers.fresh_database(request.param, tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})

    def migrate(revision: str) -> None:
        with app.app_context():
            if revision.startswith("-"):
                downgrade(revision=revision[1:])
            else:
                upgrade(revision=revision)
            db.engine.dispose()

    engine = sa.create_engine(url)
    try:
        yield engine, migrate, app
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
        cleanup()


WORKSPACE = uuid.uuid4()
USER = uuid.uuid4()
CONTACT = uuid.uuid4()
CREATED = datetime(2026, 2, 1, 9, 0)
#: (title, due_date, due_at as naive UTC, status, deleted): what users have in 0006.
TASKS_0006 = [
    ("Call Hans Müller", date(2026, 3, 10), None, "open", False),
    ("Send the offer to MÜLLER Logistik", date(2026, 3, 10), datetime(2026, 3, 10, 8), "open",
     False),
    ("Früh: Zoé's contract", date(2026, 3, 9), datetime(2026, 3, 9, 23, 30), "in_progress", False),
    ("Łukasz: review 100% of the offer_v2", None, None, "open", False),
    ("Done long ago", date(2025, 1, 2), None, "completed", False),
    ("Deleted by someone", date(2026, 3, 1), None, "open", True),
    ("Timed in a far zone", date(2026, 3, 11), datetime(2026, 3, 10, 11, 0), "open", False),
]  # fmt: skip


def populate_0006(engine: sa.Engine) -> list[uuid.UUID]:
    """A workspace with a user, a contact and tasks, written as revision 0006 stores them."""
    meta = sa.MetaData()
    meta.reflect(engine)
    workspace, user, contact, task = (
        meta.tables[n] for n in ("workspace", "user", "contact", "task")
    )
    ids = [uuid.uuid4() for _ in TASKS_0006]

    def rows(*given: dict) -> list[dict]:
        # Reflected SQLite columns are CHAR(32): ids go in as the hex that sa.Uuid writes.
        if engine.dialect.name != "sqlite":
            return list(given)
        return [{k: v.hex if isinstance(v, uuid.UUID) else v for k, v in r.items()} for r in given]

    with engine.begin() as connection:
        connection.execute(
            workspace.insert(),
            rows(
                {
                    "id": WORKSPACE,
                    "name": "Acme",
                    "timezone": "Pacific/Kiritimati",
                    "created_at": CREATED,
                }
            ),
        )
        connection.execute(
            user.insert(),
            rows({"id": USER, "workspace_id": WORKSPACE, "email": "ana@acme.test", "name": "Ana",
             "password_hash": "x", "role": "admin", "active": True, "created_at": CREATED}),
        )  # fmt: skip
        connection.execute(
            contact.insert(),
            rows({"id": CONTACT, "workspace_id": WORKSPACE, "first_name": "Hans",
                  "last_name": "Müller",
             "email": None, "company_id": None, "name_folded": "hans muller",
             "created_at": CREATED, "search_version": 0}),
        )  # fmt: skip
        connection.execute(
            task.insert(),
            rows(*[
                {"id": task_id, "workspace_id": WORKSPACE, "title": title, "description": None,
                 "status": status, "priority": None, "task_type": None, "due_date": due_date,
                 "due_at": due_at, "assignee_id": USER, "contact_id": CONTACT, "company_id": None,
                 "deal_id": None, "event_id": None, "created_date": CREATED, "updated_at": CREATED,
                 "completed_at": CREATED if status == "completed" else None,
                 "deleted_at": CREATED if deleted else None, "created_by_user_id": USER,
                 "created_by_api_key_id": None}
                for task_id, (title, due_date, due_at, status, deleted)
                in zip(ids, TASKS_0006, strict=True)
            ]),
        )  # fmt: skip
    return ids


def test_0007_backfills_sort_keys_and_title_search_for_existing_tasks(fresh_database):
    engine, migrate, app = fresh_database
    migrate("0006")
    ids = populate_0006(engine)
    migrate("head")

    with engine.connect() as connection:
        stored = {
            row.id: row
            for row in connection.execute(
                sa.text("SELECT id, title, due_date, due_at, due_sort, title_folded FROM task")
            )
        }
    for task_id, (title, due_date, due_at, *_rest) in zip(ids, TASKS_0006, strict=True):
        row = stored[task_id.hex if engine.dialect.name == "sqlite" else task_id]
        instant = due_at.replace(tzinfo=UTC) if due_at else None
        assert row.due_sort == task_keys.due_sort_key(due_date, instant), title
        assert row.title_folded == task_keys.fold_title(title), title

    with app.app_context():
        actor = accounts.Actor(WORKSPACE, frozenset({accounts.READ, accounts.WRITE}), user_id=USER)

        def titles(**filters) -> list[str]:
            page = task_service.list_tasks(actor, TaskFilters(**filters), limit=50)
            return [task.title for task in page.items]

        # The list order of before the migration: soonest due, timed before date-only.
        assert titles(statuses=("open", "in_progress")) == [
            "Früh: Zoé's contract",
            "Send the offer to MÜLLER Logistik",
            "Call Hans Müller",
            "Timed in a far zone",
            "Łukasz: review 100% of the offer_v2",
        ]
        # Existing titles are in the search index, accents and case folded.
        assert sorted(titles(q="muller")) == [
            "Call Hans Müller",
            "Send the offer to MÜLLER Logistik",
        ]
        assert titles(q="LUKASZ") == ["Łukasz: review 100% of the offer_v2"]
        assert titles(q="zoe's") == ["Früh: Zoé's contract"]
        assert titles(q="deleted") == []
        # New and changed tasks are kept in step by the app (and, on SQLite, the triggers).
        created = task_service.create_task(
            actor, {"title": "Ask Jürgen about Müller", "contact_id": str(CONTACT)}
        ).task
        task_service.update_task(actor, ids[0], {"title": "Call Hans Schmidt"})
        assert sorted(titles(q="muller", statuses=("open",))) == [
            "Ask Jürgen about Müller",
            "Send the offer to MÜLLER Logistik",
        ]
        assert titles(q="jurgen") == [created.title]
        if engine.dialect.name == "sqlite":
            # FTS5 compares its index with the task table and raises on any difference.
            db.session.execute(
                sa.text(
                    "INSERT INTO task_title_fts(task_title_fts, rank) VALUES ('integrity-check', 1)"
                )
            )
        db.session.remove()
        db.engine.dispose()


def test_0007_downgrades_and_upgrades_again(fresh_database):
    engine, migrate, _app = fresh_database
    migrate("0006")
    populate_0006(engine)
    migrate("0007")
    migrate("-0006")
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("task")}
    assert "due_sort" not in columns and "title_folded" not in columns
    migrate("0007")
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM task WHERE title_folded = ''")) == 0
