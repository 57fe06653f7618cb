"""a live task has a parent link, enforced by the database; constraints named by convention

1. Live tasks without any link (possible only if a linked record was deleted straight in
   the database: the service never writes one) are soft-deleted, with their ids logged, so
   that nothing is lost and the constraint can be added. They stay readable in the table.
2. SQLite only: every table is rebuilt so its constraints carry the names of the naming
   convention (app/extensions.py). PostgreSQL already named them so: the convention is
   PostgreSQL's own default names. The one constraint 0005 named by hand,
   `fk_task_previous_occurrence_id_task`, is renamed `task_previous_occurrence_id_fkey`.
3. CHECK `task_parent_link_check`: deleted_at IS NOT NULL or at least one of contact_id,
   company_id, deal_id, event_id is set. The link columns keep ON DELETE SET NULL, so
   deleting the only record a live task links to now fails with this check instead of
   orphaning the task (docs/decisions.md, "Database").

Revision ID: 0008
Revises: 0007
"""

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen copies: a migration must keep doing what it did when app code changes later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}
CHECK_NAME = "task_parent_link_check"
PREVIOUS_FK = "task_previous_occurrence_id_fkey"
OLD_PREVIOUS_FK = "fk_task_previous_occurrence_id_task"
HAS_PARENT = (
    "deleted_at IS NOT NULL OR contact_id IS NOT NULL OR company_id IS NOT NULL"
    " OR deal_id IS NOT NULL OR event_id IS NOT NULL"
)
ORPHANED = (
    "deleted_at IS NULL AND contact_id IS NULL AND company_id IS NULL"
    " AND deal_id IS NULL AND event_id IS NULL"
)


def upgrade():
    bind = op.get_bind()
    orphans = bind.execute(sa.text(f"SELECT id FROM task WHERE {ORPHANED}")).scalars().all()
    if orphans:
        log.warning(
            "soft-deleting %d live tasks that link to no record: %s",
            len(orphans),
            ", ".join(str(o) for o in orphans),
        )
        now = sa.bindparam("now", datetime.now(UTC).replace(tzinfo=None), type_=sa.DateTime())
        bind.execute(
            sa.text(
                f"UPDATE task SET deleted_at = :now, updated_at = :now WHERE {ORPHANED}"
            ).bindparams(now)
        )

    if bind.dialect.name == "sqlite":
        # Rebuilding a parent table with foreign keys on would cascade into its children;
        # migrations/env.py turns them off. Refuse rather than lose rows if it did not.
        if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError("SQLite foreign keys must be off while tables are rebuilt")
        for table in _sqlite_plain_tables(bind):
            _sqlite_rebuild(bind, table, _task_changes if table == "task" else None)
        _sqlite_rebuild_fts(bind)
        return

    with op.batch_alter_table("task", naming_convention=NAMING_CONVENTION) as batch_op:
        _task_changes(batch_op)


def _task_changes(batch_op) -> None:
    batch_op.create_check_constraint(op.f(CHECK_NAME), sa.text(HAS_PARENT))
    # 0005 named this one by hand; give it the conventional name the model expects.
    batch_op.drop_constraint(op.f(OLD_PREVIOUS_FK), type_="foreignkey")
    batch_op.create_foreign_key(
        op.f(PREVIOUS_FK), "task", ["previous_occurrence_id"], ["id"], ondelete="SET NULL"
    )


def _sqlite_plain_tables(bind) -> list[str]:
    """Every ordinary table: not the FTS5 tables of 0007 (virtual ones and their shadows)."""
    master = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    tables = dict(master.all())
    virtual = [name for name, sql in tables.items() if sql.upper().startswith("CREATE VIRTUAL")]
    return sorted(
        name
        for name in tables
        if name != "alembic_version"
        and not name.startswith("sqlite_")
        and not any(name == v or name.startswith(f"{v}_") for v in virtual)
    )


def _sqlite_rebuild(bind, table: str, changes=None) -> None:
    """Batch mode's copy-and-rename of `table` with conventional constraint names.

    Alembic recreates the columns, constraints and plain indexes it reflects, but not the
    table's triggers (0007's FTS5 sync triggers on `task`), and it may reflect a partial
    index without its WHERE; both are put back verbatim from sqlite_master afterwards.
    """
    saved = bind.execute(
        sa.text(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE tbl_name = :table AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ),
        {"table": table},
    ).all()
    with op.batch_alter_table(
        table, recreate="always", naming_convention=NAMING_CONVENTION
    ) as batch_op:
        if changes is not None:
            changes(batch_op)
    for kind, name, sql in saved:
        bind.exec_driver_sql(f'DROP {kind.upper()} IF EXISTS "{name}"')
        bind.exec_driver_sql(sql)


def _sqlite_rebuild_fts(bind) -> None:
    """Rebuilt tables have new rowids: re-read every FTS5 table from its content table."""
    for (name,) in bind.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND upper(sql) LIKE 'CREATE VIRTUAL TABLE%USING FTS5%'"
    ).all():
        bind.exec_driver_sql(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_rebuild(bind, "task", _undo_task_changes)
        _sqlite_rebuild_fts(bind)
        return
    with op.batch_alter_table("task", naming_convention=NAMING_CONVENTION) as batch_op:
        _undo_task_changes(batch_op)


def _undo_task_changes(batch_op) -> None:
    batch_op.drop_constraint(op.f(CHECK_NAME), type_="check")
    batch_op.drop_constraint(op.f(PREVIOUS_FK), type_="foreignkey")
    batch_op.create_foreign_key(
        op.f(OLD_PREVIOUS_FK), "task", ["previous_occurrence_id"], ["id"], ondelete="SET NULL"
    )
