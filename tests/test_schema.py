"""The database itself keeps the promises the service makes, on SQLite and PostgreSQL.

The schema here is the one the migrations build (tests/conftest.py never calls create_all),
so these tests also pin that the models and the migrations describe the same schema.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import SQLITE_MMAP_BYTES
from app.extensions import db
from app.models import Task, autogenerate_filter
from app.services import records
from app.services import tasks as task_service
from app.services.errors import ValidationError
from tests.migrations_harness import NOW, execute, insert, task_row


def _context(conn, **opts) -> MigrationContext:
    # The filter `flask db migrate` uses (migrations/env.py): SQLite's FTS5 title index is
    # not a model, the trigram index is PostgreSQL's only.
    opts["include_object"] = autogenerate_filter(conn.dialect.name)
    return MigrationContext.configure(conn, opts=opts)


def test_models_and_migrations_do_not_drift(ctx):
    with db.engine.connect() as conn:
        # Server defaults are left out: 0007 keeps two on SQLite that the models don't declare.
        context = _context(conn, compare_type=True)
        assert compare_metadata(context, db.metadata) == []


def test_drift_check_sees_a_column_the_migrations_lack(ctx):
    extra = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(extra)
    extra.tables["task"].append_column(sa.Column("reminder_at", sa.DateTime()))
    with db.engine.connect() as conn:
        diffs = compare_metadata(_context(conn), extra)
    assert [d[0] for d in diffs] == ["add_column"]


def test_constraint_names_follow_the_naming_convention(ctx):
    """Fresh and upgraded databases name constraints as the models do, on both backends."""
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        expected = {c.name for c in table.foreign_key_constraints}
        assert {fk["name"] for fk in inspector.get_foreign_keys(table.name)} == expected
        expected = {c.name for c in table.constraints if isinstance(c, sa.UniqueConstraint)}
        found = {uq["name"] for uq in inspector.get_unique_constraints(table.name)}
        assert found == expected, table.name
        checks = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        assert {ck["name"] for ck in inspector.get_check_constraints(table.name)} == checks
    assert {ck["name"] for ck in inspector.get_check_constraints("task")} == {
        "task_parent_link_check"
    }
    if db.engine.dialect.name == "postgresql":  # SQLite keeps no name for a primary key
        assert inspector.get_pk_constraint("task")["name"] == "task_pkey"


@pytest.fixture
def parents(contact):
    """A workspace with one record of each kind; ids by kind."""
    workspace_id = contact.workspace_id
    deal = records.add_deal(workspace_id, "Renewal", company=contact.company)
    event = records.add_event(workspace_id, "Trade fair", NOW)
    db.session.commit()
    return {
        "workspace": workspace_id,
        "contact_id": contact.id,
        "company_id": contact.company_id,
        "deal_id": deal.id,
        "event_id": event.id,
    }


def _insert_task(conn, parents, **values):
    task_id = uuid.uuid4()
    insert(conn, "task", **task_row(task_id, parents["workspace"], **values))
    return task_id


def test_raw_sql_cannot_insert_a_live_task_without_a_parent_link(parents):
    with db.engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError, match="task_parent_link_check"):
            _insert_task(conn, parents)
        conn.rollback()
        # Each link alone is enough, and a soft-deleted task may have none.
        for link in ("contact_id", "company_id", "deal_id", "event_id"):
            _insert_task(conn, parents, **{link: parents[link]})
        _insert_task(conn, parents, deleted_at=NOW)
        conn.commit()
        assert conn.execute(sa.text("SELECT COUNT(*) FROM task")).scalar_one() == 5


def test_raw_sql_cannot_clear_the_last_link_of_a_live_task(parents):
    with db.engine.connect() as conn:
        task_id = _insert_task(conn, parents, contact_id=parents["contact_id"])
        conn.commit()
        with pytest.raises(sa.exc.IntegrityError, match="task_parent_link_check"):
            execute(conn, "UPDATE task SET contact_id = NULL WHERE id = :id", id=task_id)
        conn.rollback()


def test_deleting_the_only_record_of_a_live_task_is_refused(parents):
    with db.engine.connect() as conn:
        task_id = _insert_task(conn, parents, event_id=parents["event_id"])
        conn.commit()
        with pytest.raises(sa.exc.IntegrityError, match="task_parent_link_check"):
            execute(conn, "DELETE FROM event WHERE id = :id", id=parents["event_id"])
        conn.rollback()
        row = execute(conn, "SELECT event_id FROM task WHERE id = :id", id=task_id).one()
        assert row.event_id is not None


def test_deleting_a_record_unlinks_tasks_that_keep_another_link_or_are_deleted(parents):
    with db.engine.connect() as conn:
        both = _insert_task(
            conn, parents, contact_id=parents["contact_id"], deal_id=parents["deal_id"]
        )
        gone = _insert_task(conn, parents, deal_id=parents["deal_id"], deleted_at=NOW)
        conn.commit()
        execute(conn, "DELETE FROM deal WHERE id = :id", id=parents["deal_id"])
        conn.commit()
    db.session.expire_all()
    kept = db.session.get(Task, both)
    assert kept.deal_id is None and kept.contact_id == parents["contact_id"]
    assert db.session.get(Task, gone).deal_id is None


def test_restoring_a_task_whose_only_record_was_deleted_is_a_validation_error(parents, actor):
    with db.engine.connect() as conn:
        task_id = _insert_task(conn, parents, event_id=parents["event_id"], deleted_at=NOW)
        conn.commit()
        execute(conn, "DELETE FROM event WHERE id = :id", id=parents["event_id"])
        conn.commit()
    with pytest.raises(ValidationError) as raised:
        task_service.restore_task(actor, task_id, now=NOW)
    assert raised.value.fields == {task_service.PARENT_FIELD: task_service.ORPHAN_MESSAGE}
    db.session.expire_all()
    assert db.session.get(Task, task_id).deleted_at is not None


def test_deleting_a_workspace_removes_its_tasks_and_records(parents):
    with db.engine.connect() as conn:
        _insert_task(conn, parents, contact_id=parents["contact_id"])
        _insert_task(conn, parents, event_id=parents["event_id"], deleted_at=NOW)
        conn.commit()
        execute(conn, "DELETE FROM workspace WHERE id = :id", id=parents["workspace"])
        conn.commit()
        for table in ("task", "contact", "company", "deal", "event"):
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0


def test_sqlite_connections_enforce_keys_wait_for_writers_and_map_the_file(app):
    """Each SQLite connection: foreign keys on, WAL, a busy timeout, and memory-mapped reads
    (without them every page beyond SQLite's 2 MB cache costs a system call)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's connection settings")
        with db.engine.connect() as connection:
            read = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "mmap_size")
            }
    assert read == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": 30000,
        "mmap_size": SQLITE_MMAP_BYTES,
    }
