"""Every migration carries a populated database of the previous revision forward.

Users upgrade in place, so each revision after the first has an *upgrade case* here, run on
SQLite and on PostgreSQL: the database is built at the revision before it, filled with
realistic rows through raw SQL, upgraded to head, and checked. Row counts of every table
must survive unless the case says otherwise.

Adding a case for your migration `0042` (copy the 0003 case below):

    @upgrade_case("0042")                      # changes_rows_of=("task",) if it may add/drop rows
    class Upgrade0042:
        '''0042 adds task.reminder_at, backfilled from due_at.'''

        def seed(self, conn):                  # runs at 0041, inside one transaction
            seeded = seed_core(conn)           # two workspaces, users, key, records, tasks
            insert(conn, "task", **task_row(uuid.uuid4(), seeded.workspace, contact_id=...))
            return seeded                      # handed to check()

        def check(self, conn, seeded):         # runs after `upgrade head`
            row = rows(conn, "SELECT reminder_at FROM task WHERE id = :id",
                       id=seeded.tasks["call_hans"])[0]
            assert as_datetime(row["reminder_at"]) == ...

        def check_app(self, seeded):           # optional: in an app context at head, to
            task = db.session.get(Task, seeded.tasks["call_hans"])   # use models/services

Write the seed with raw SQL for the *previous* revision's schema (`insert`, `execute` and
`rows` bind UUIDs, datetimes and dates as the app stores them; `as_uuid` and `as_datetime`
read them back on either backend). Assert on values, not just on "no error". When you
renumber your migration on a rebase, renumber its case too. Helpers live in
tests/migrations_harness.py; `test_every_migration_has_an_upgrade_case` fails until your
revision has a case.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.live_databases import fresh_database
from tests.migrations_harness import (
    CASES,
    NOW,
    as_datetime,
    as_uuid,
    column_names,
    downgrade,
    execute,
    head,
    insert,
    iter_cases,
    previous,
    revisions,
    rows,
    run_case,
    seed_core,
    table_names,
    task_row,
    upgrade,
    upgrade_case,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database (no tables, no alembic_version) on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


def pytest_generate_tests(metafunc):
    # Cases register at import, anywhere in this module; parametrize after it is loaded.
    if "case" in metafunc.fixturenames:
        cases = list(iter_cases())
        metafunc.parametrize("case", cases, ids=[case.revision for case in cases])


def test_upgrade_carries_a_populated_database(case, empty_database):
    run_case(case, empty_database)


def test_every_migration_has_an_upgrade_case():
    missing = [revision for revision in revisions()[1:] if revision not in CASES]
    assert not missing, f"add an upgrade case to tests/test_migrations.py for {missing}"


def test_the_newest_migration_downgrades_and_upgrades_again(empty_database):
    upgrade(empty_database, "head")
    downgrade(empty_database, previous(head()))
    upgrade(empty_database, "head")


def test_a_failed_sqlite_upgrade_leaves_the_database_as_it_was(tmp_path, capfd):
    """migrations/env.py: one transaction, foreign keys checked before it commits."""
    url = f"sqlite:///{tmp_path / 'broken.sqlite3'}"
    # Before 0008, whose table rebuilds check foreign keys (and whose CHECK would refuse
    # the link-less row below outright).
    base = "0007"
    upgrade(url, base)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        seeded = seed_core(conn)
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        dangling = task_row(uuid.uuid4(), seeded.workspace, contact_id=uuid.uuid4())
        insert(conn, "task", **dangling)
        insert(conn, "task", **task_row(uuid.uuid4(), seeded.workspace))  # no link at all
        conn.commit()
        schema_before = conn.exec_driver_sql("SELECT sql FROM sqlite_master").scalars().all()
        tasks_before = rows(conn, "SELECT * FROM task ORDER BY id")
    engine.dispose()

    with pytest.raises(SystemExit):  # `flask db upgrade` exits 1 with the message
        upgrade(url, "head")
    assert "migration left 1 broken foreign keys" in capfd.readouterr().err

    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == base
        schema_after = conn.exec_driver_sql("SELECT sql FROM sqlite_master").scalars().all()
        assert schema_after == schema_before
        assert rows(conn, "SELECT * FROM task ORDER BY id") == tasks_before
    engine.dispose()


# --- Cases, one per revision, oldest first -----------------------------------------------


def _core_rows_survive(conn: sa.Connection, seeded) -> None:
    """What every case checks: the seeded records and tasks read back unchanged."""
    tasks = {as_uuid(r["id"]): r for r in rows(conn, "SELECT * FROM task")}
    assert set(seeded.tasks.values()) <= set(tasks)
    assert as_uuid(tasks[seeded.tasks["deal_and_contact"]]["deal_id"]) == seeded.deals["renewal"]
    assert as_uuid(tasks[seeded.tasks["fair_booth"]]["event_id"]) == seeded.events["fair"]
    assert tasks[seeded.tasks["done"]]["status"] == "completed"
    assert tasks[seeded.tasks["deleted"]]["deleted_at"] is not None
    names = {r["first_name"] for r in rows(conn, "SELECT first_name FROM contact")}
    assert names == {"Hans", "Zoë"}


@upgrade_case("0002")
class Upgrade0002:
    """0002 adds idempotency_record for API keys that already exist."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        assert "idempotency_record" in table_names(conn)
        # The new table accepts a record of an API key created before it existed.
        insert(
            conn,
            "idempotency_record",
            id=uuid.uuid4(),
            api_key_id=seeded.api_key,
            key="retry-1",
            request_hash="0" * 64,
            response_status=201,
            response_body="{}",
            location=None,
            created_at=NOW,
        )
        conn.rollback()


@upgrade_case("0003")
class Upgrade0003:
    """0003 stamps search_version 0 on every existing named record."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        for table in ("company", "contact", "deal", "event"):
            assert "search_version" in column_names(conn, table)
            stamps = [r["search_version"] for r in rows(conn, f"SELECT * FROM {table}")]
            assert stamps and set(stamps) == {0}, table
        assert rows(conn, "SELECT * FROM search_version") == []
        assert rows(conn, "SELECT * FROM search_tombstone") == []


@upgrade_case("0004")
class Upgrade0004:
    """0004 adds the shared rate limit buckets; nothing existing changes."""

    def seed(self, conn):
        seeded = seed_core(conn)
        # A task written by the API key, as 0003 would have stored it.
        seeded.extra["by_key"] = uuid.uuid4()
        insert(
            conn,
            "task",
            **task_row(
                seeded.extra["by_key"],
                seeded.workspace,
                contact_id=seeded.contacts["hans"],
                created_by_api_key_id=seeded.api_key,
            ),
        )
        return seeded

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        (row,) = rows(conn, "SELECT * FROM task WHERE id = :id", id=seeded.extra["by_key"])
        assert as_uuid(row["created_by_api_key_id"]) == seeded.api_key
        assert rows(conn, "SELECT * FROM rate_limit_bucket") == []


@upgrade_case("0005")
class Upgrade0005:
    """0005 adds reminders, recurrence and notification settings: existing users keep every
    notification on and the workspace's zone; existing tasks get no reminder or recurrence."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        (task,) = rows(
            conn,
            "SELECT title, priority, due_date, remind_at, remind_rule, recurrence, "
            "previous_occurrence_id FROM task WHERE id = :id",
            id=seeded.tasks["call_hans"],
        )
        assert (task["title"], task["priority"]) == ("Task call_hans", "high")
        assert str(task["due_date"]) == "2026-03-29"
        assert [task[c] for c in ("remind_at", "remind_rule", "recurrence")] == [None] * 3
        assert task["previous_occurrence_id"] is None
        users = rows(
            conn,
            "SELECT email, timezone, notify_reminders, notify_digest, notify_assignments, "
            'calendar_feed_version FROM "user" ORDER BY email',
        )
        assert [u["email"] for u in users] == ["ada@acme.test", "mia@acme.test"]
        for user in users:
            assert user["timezone"] is None  # the workspace's zone applies
            assert [bool(user[c]) for c in ("notify_reminders", "notify_digest")] == [True] * 2
            assert bool(user["notify_assignments"]) is True
            assert user["calendar_feed_version"] == 0
        assert rows(conn, "SELECT * FROM outbox_message") == []
        assert rows(conn, "SELECT * FROM notification") == []


@upgrade_case("0006")
class Upgrade0006:
    """0006 gives every existing user session generation 0; sessions then start and end as
    they should, and a deactivated user stays locked out."""

    def seed(self, conn):
        seeded = seed_core(conn)
        seeded.extra["inactive"] = uuid.uuid4()
        insert(
            conn,
            "user",
            id=seeded.extra["inactive"],
            workspace_id=seeded.workspace,
            email="ivo@acme.test",
            name="Ivo Inactive",
            password_hash="pbkdf2:sha256:1000$x$y",
            role="member",
            active=False,
            created_at=NOW,
        )
        return seeded

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        users = rows(conn, 'SELECT email, active, session_generation FROM "user" ORDER BY email')
        assert [(u["email"], bool(u["active"]), u["session_generation"]) for u in users] == [
            ("ada@acme.test", True, 0),
            ("ivo@acme.test", False, 0),
            ("mia@acme.test", True, 0),
        ]

    def check_app(self, seeded):
        from app.extensions import db
        from app.models import User
        from app.services import sessions

        member = db.session.get(User, seeded.users["member"])
        assert sessions.user_for_session(f"{member.id}:0") == member
        sessions.end_all_sessions(member)
        assert sessions.user_for_session(f"{member.id}:0") is None
        assert sessions.user_for_session(f"{member.id}:1") == member
        assert sessions.user_for_session(f"{seeded.extra['inactive']}:0") is None


@upgrade_case("0007")
class Upgrade0007:
    """0007 backfills the stored list order and folded titles of existing tasks (the
    thorough test of its indexes and title search: tests/test_migration_task_list_keys.py)."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        from app.services.task_keys import NO_DUE, due_sort_key, fold_title

        _core_rows_survive(conn, seeded)
        tasks = {as_uuid(r["id"]): r for r in rows(conn, "SELECT * FROM task")}
        for task in tasks.values():
            assert task["title_folded"] == fold_title(task["title"])
        call = tasks[seeded.tasks["call_hans"]]
        assert call["due_sort"] == due_sort_key(
            date(2026, 3, 29), datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
        )
        assert tasks[seeded.tasks["fair_booth"]]["due_sort"] == NO_DUE


@upgrade_case("0008")
class Upgrade0008:
    """0008 soft-deletes live tasks that link to nothing, then adds the parent-link CHECK
    and (on SQLite) rebuilds every table so constraints carry the conventional names."""

    def seed(self, conn):
        seeded = seed_core(conn)
        # Left behind when a linked record was deleted straight in the database.
        seeded.extra["orphan"] = uuid.uuid4()
        insert(conn, "task", **task_row(seeded.extra["orphan"], seeded.workspace, title="Lost"))
        seeded.extra["deleted_orphan"] = uuid.uuid4()
        insert(
            conn,
            "task",
            **task_row(seeded.extra["deleted_orphan"], seeded.workspace, deleted_at=NOW),
        )
        return seeded

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        tasks = {as_uuid(r["id"]): r for r in rows(conn, "SELECT * FROM task")}
        orphan = tasks[seeded.extra["orphan"]]
        assert orphan["title"] == "Lost" and orphan["deleted_at"] is not None
        assert as_datetime(orphan["updated_at"]) == as_datetime(orphan["deleted_at"]) > NOW
        assert as_datetime(tasks[seeded.extra["deleted_orphan"]]["deleted_at"]) == NOW
        live = [key for key, id_ in seeded.tasks.items() if tasks[id_]["deleted_at"] is None]
        assert sorted(live) == sorted(set(seeded.tasks) - {"deleted"})
        # Every row kept its values through the SQLite table rebuilds.
        (deal,) = rows(conn, "SELECT * FROM deal")
        assert Decimal(str(deal["amount"])) == Decimal("12500.50")
        assert as_uuid(deal["contact_id"]) == seeded.contacts["hans"]
        (call,) = rows(conn, "SELECT * FROM task WHERE id = :id", id=seeded.tasks["call_hans"])
        assert str(call["due_date"]) == "2026-03-29" and call["priority"] == "high"
        assert as_datetime(call["due_at"]) == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
        # The CHECK is in place: a live task without links is refused.
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            insert(conn, "task", **task_row(uuid.uuid4(), seeded.workspace))
        conn.rollback()
        if conn.dialect.name == "sqlite":
            # 0007's FTS5 title index survived the rebuild of `task`: triggers, partial
            # index, and an index that finds the rows by their new rowids.
            master = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
            for trigger in ("insert", "delete", "update"):
                assert f"task_title_fts_{trigger}" in master
            assert "WHERE" in master["ix_task_trash"].upper()
            hits = conn.exec_driver_sql(
                "SELECT t.id FROM task_title_fts JOIN task t ON t.rowid = task_title_fts.rowid"
                " WHERE task_title_fts MATCH '\"call_hans\"'"
            ).scalars()
            assert [as_uuid(hit) for hit in hits] == [seeded.tasks["call_hans"]]
        # Foreign keys still act after the rebuilds (workspace delete cascades).
        execute(conn, "DELETE FROM workspace WHERE id = :id", id=seeded.other_workspace)
        assert rows(conn, "SELECT * FROM task WHERE id = :id", id=seeded.tasks["zoe"]) == []
        conn.rollback()


@upgrade_case("0009")
class Upgrade0009:
    """0009 adds task.status_before_completion (NULL: a task completed before it reopens as
    open, as reopening did then) and workspace.task_version (0)."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        tasks = rows(conn, "SELECT status, status_before_completion FROM task")
        assert tasks and all(r["status_before_completion"] is None for r in tasks)
        versions = rows(conn, "SELECT task_version FROM workspace")
        assert versions and {r["task_version"] for r in versions} == {0}

    def check_app(self, seeded):
        from app.services import accounts
        from app.services import tasks as task_service

        actor = accounts.Actor(seeded.workspace, accounts.ROLE_SCOPES["member"])
        assert task_service.reopen_task(actor, seeded.tasks["done"]).status == "open"


@upgrade_case("0010")
class Upgrade0010:
    """0010 adds user.language (NULL: follow the browser, then the workspace) and
    workspace.language ("en" for existing workspaces, what they showed before)."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        users = rows(conn, 'SELECT language FROM "user"')
        assert users and all(r["language"] is None for r in users)
        workspaces = rows(conn, "SELECT language FROM workspace")
        assert len(workspaces) == 2 and {r["language"] for r in workspaces} == {"en"}

    def check_app(self, seeded):
        from app.extensions import db
        from app.i18n import for_recipient
        from app.models import User, Workspace
        from app.services import accounts

        user = db.session.get(User, seeded.users["member"])
        assert for_recipient(user) == "en"
        db.session.get(Workspace, seeded.workspace).language = "de"
        db.session.commit()
        assert for_recipient(user) == "de"
        accounts.set_language(user, "en")
        assert db.session.get(User, seeded.users["member"]).language == "en"


@upgrade_case("0011")
class Upgrade0011:
    """0011 adds an index per parent link with the assignee (only the tasks holding that
    link), for a link filter on someone's tasks; nothing existing changes."""

    LINKS = ("contact_id", "company_id", "deal_id", "event_id")

    def seed(self, conn):
        seeded = seed_core(conn)
        execute(
            conn,
            "UPDATE task SET assignee_id = :user WHERE id IN (:a, :b)",
            user=seeded.users["member"],
            a=seeded.tasks["call_hans"],
            b=seeded.tasks["deal_and_contact"],
        )
        return seeded

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        indexes = {index["name"]: index for index in sa.inspect(conn).get_indexes("task")}
        for link in self.LINKS:
            index = indexes[f"ix_task_list_{link.removesuffix('_id')}_assignee"]
            assert index["column_names"] == [
                link, "assignee_id", "status", "due_sort", "created_date", "id"
            ]  # fmt: skip
            where = index.get("dialect_options", {}).get(f"{conn.dialect.name}_where")
            assert where is not None and f"{link} IS NOT NULL" in str(where), index
        mine = rows(
            conn,
            "SELECT id FROM task WHERE contact_id = :contact AND assignee_id = :user"
            " AND status = 'open'",
            contact=seeded.contacts["hans"],
            user=seeded.users["member"],
        )
        assert {as_uuid(r["id"]) for r in mine} == {
            seeded.tasks["call_hans"],
            seeded.tasks["deal_and_contact"],
        }

    def check_app(self, seeded):
        from app.services import accounts
        from app.services import tasks as task_service

        actor = accounts.Actor(seeded.workspace, accounts.ROLE_SCOPES["member"])
        mine = task_service.TaskFilters(
            statuses=("open", "in_progress"),
            assignee_id=seeded.users["member"],
            contact_id=seeded.contacts["hans"],
        )
        page = task_service.list_tasks(actor, mine)
        assert {t.id for t in page.items} == {
            seeded.tasks["call_hans"],
            seeded.tasks["deal_and_contact"],
        }
        nobody = task_service.TaskFilters(unassigned=True, company_id=seeded.companies["mueller"])
        page = task_service.list_tasks(actor, nobody)
        assert [t.id for t in page.items] == [seeded.tasks["quote_company"]]


@upgrade_case("0012")
class Upgrade0012:
    """0012 sets PostgreSQL's statistics target of task titles to 1,000 (SQLite: nothing)."""

    def seed(self, conn):
        return seed_core(conn)

    def check(self, conn, seeded):
        _core_rows_survive(conn, seeded)
        if conn.dialect.name == "postgresql":
            target = conn.exec_driver_sql(
                "SELECT attstattarget FROM pg_attribute"
                " WHERE attrelid = 'task'::regclass AND attname = 'title_folded'"
            ).scalar()
            assert target == 1000

    def check_app(self, seeded):
        from app.services import accounts
        from app.services import tasks as task_service

        actor = accounts.Actor(seeded.workspace, accounts.ROLE_SCOPES["member"])
        found = task_service.list_tasks(actor, task_service.TaskFilters(q="task call_"))
        assert [t.id for t in found.items] == [seeded.tasks["call_hans"]]
