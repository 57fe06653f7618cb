"""task lists as index range scans: stored sort key, folded title, list and search indexes

`due_sort` packs a task's due day and time into one non-null integer that sorts like the
list (app/services/task_keys.py); `title_folded` is the title with case and accents
folded, which title search matches. Both are backfilled here for existing tasks; the app
keeps them in step from then on. The old task indexes give way to one index per list
filter, each ending in the list order (docs/tasks.md).

Title search is indexed by a pg_trgm GIN index on PostgreSQL (the extension is created in
the `public` schema when the database does not have it yet) and by an FTS5 table with the
trigram tokenizer on SQLite, an external-content table over `task` kept in step by
triggers. A later migration that rebuilds the `task` table on SQLite (batch mode) must
recreate those triggers and run the FTS5 `rebuild` command.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from app.services.task_keys import DATE_ONLY, DAY, NO_DUE, OFFSET, fold_title

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LIST_ORDER = ("due_sort", "created_date", "id")
LIST_INDEXES = {
    "ix_task_list": ("workspace_id", "status", *LIST_ORDER),
    "ix_task_list_assignee": ("workspace_id", "assignee_id", "status", *LIST_ORDER),
    "ix_task_list_priority": ("workspace_id", "priority", "status", *LIST_ORDER),
    "ix_task_list_contact": ("contact_id", "status", *LIST_ORDER),
    "ix_task_list_company": ("company_id", "status", *LIST_ORDER),
    "ix_task_list_deal": ("deal_id", "status", *LIST_ORDER),
    "ix_task_list_event": ("event_id", "status", *LIST_ORDER),
}
#: Deleted tasks only (the trash), by when they were deleted.
TRASH_INDEX = ("ix_task_trash", ("workspace_id", "deleted_at"))
OLD_INDEXES = {
    "ix_task_workspace_status_due": ("workspace_id", "status", "due_date"),
    "ix_task_workspace_assignee": ("workspace_id", "assignee_id"),
    "ix_task_contact": ("contact_id",),
    "ix_task_company": ("company_id",),
    "ix_task_deal": ("deal_id",),
    "ix_task_event": ("event_id",),
}
#: Titles folded per round trip while backfilling.
BATCH = 5_000

# The SQLite search table and the triggers that keep it in step with `task`.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE task_title_fts USING fts5("
    "title_folded, content='task', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER task_title_fts_insert AFTER INSERT ON task BEGIN "
    "INSERT INTO task_title_fts(rowid, title_folded) VALUES (new.rowid, new.title_folded); END",
    "CREATE TRIGGER task_title_fts_delete AFTER DELETE ON task BEGIN "
    "INSERT INTO task_title_fts(task_title_fts, rowid, title_folded) "
    "VALUES ('delete', old.rowid, old.title_folded); END",
    "CREATE TRIGGER task_title_fts_update AFTER UPDATE OF title_folded ON task BEGIN "
    "INSERT INTO task_title_fts(task_title_fts, rowid, title_folded) "
    "VALUES ('delete', old.rowid, old.title_folded); "
    "INSERT INTO task_title_fts(rowid, title_folded) VALUES (new.rowid, new.title_folded); END",
    "INSERT INTO task_title_fts(task_title_fts) VALUES ('rebuild')",
]


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column(
        "task", sa.Column("due_sort", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column("task", sa.Column("title_folded", sa.Text(), nullable=False, server_default=""))
    backfill_due_sort(bind)
    backfill_titles(bind)
    if postgres:
        # Every write sets them; a default would only hide a write that forgot.
        op.alter_column("task", "due_sort", server_default=None)
        op.alter_column("task", "title_folded", server_default=None)
    for name in OLD_INDEXES:
        op.drop_index(name, table_name="task")
    for name, columns in LIST_INDEXES.items():
        op.create_index(name, "task", list(columns))
    deleted = sa.text("deleted_at IS NOT NULL")
    trash, columns = TRASH_INDEX
    op.create_index(trash, "task", list(columns), sqlite_where=deleted, postgresql_where=deleted)
    if postgres:
        schema = trigram_schema(bind)
        op.execute(
            "CREATE INDEX ix_task_title_trgm ON task "
            f'USING gin (title_folded "{schema}".gin_trgm_ops)'
        )
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def backfill_due_sort(bind) -> None:
    """`due_sort` of every existing task, computed in SQL by task_keys.due_sort_key's rule."""
    if bind.dialect.name == "postgresql":
        ordinal = "(due_date - DATE '0001-01-01' + 1)::bigint"
        seconds = "floor(extract(epoch FROM (due_at - due_date::timestamp)))::bigint"
        clamp = f"LEAST(GREATEST({seconds} + {OFFSET}, 0), {DATE_ONLY - 1})"
    else:
        # julianday('0001-01-01') is 1721425.5 and that day's ordinal is 1.
        ordinal = "CAST(julianday(due_date) - 1721424.5 AS INTEGER)"
        seconds = (
            "(CAST(strftime('%s', due_at) AS INTEGER) - CAST(strftime('%s', due_date) AS INTEGER))"
        )
        clamp = f"MIN(MAX({seconds} + {OFFSET}, 0), {DATE_ONLY - 1})"
    bind.execute(
        sa.text(
            "UPDATE task SET due_sort = CASE"
            f" WHEN due_date IS NULL THEN {NO_DUE}"
            f" WHEN due_at IS NULL THEN {ordinal} * {DAY} + {DATE_ONLY}"
            f" ELSE {ordinal} * {DAY} + {clamp} END"
        )
    )


def backfill_titles(bind) -> None:
    """`title_folded` of every existing task, in batches (folding is Python's)."""
    task = sa.table("task", sa.column("id", sa.Uuid()), sa.column("title", sa.String()))
    update = sa.text("UPDATE task SET title_folded = :folded WHERE id = :task_id").bindparams(
        sa.bindparam("task_id", type_=sa.Uuid())
    )
    last = None
    while True:
        query = sa.select(task.c.id, task.c.title).order_by(task.c.id).limit(BATCH)
        if last is not None:
            query = query.where(task.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        bind.execute(
            update, [{"folded": fold_title(title or ""), "task_id": id_} for id_, title in rows]
        )
        last = rows[-1][0]


def trigram_schema(bind) -> str:
    """The schema holding pg_trgm, which is created in `public` when missing.

    Not in the migrating schema: dropping that schema (as the test suite and the bench do
    with theirs) would drop the extension from under every other schema's indexes.
    """
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    schema = bind.scalar(query)
    if schema is None:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        schema = bind.scalar(query)
    return schema


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_task_title_trgm", table_name="task")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER task_title_fts_{trigger}")
        op.execute("DROP TABLE task_title_fts")
    for name in [*LIST_INDEXES, TRASH_INDEX[0]]:
        op.drop_index(name, table_name="task")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "task", list(columns))
    for column in ("title_folded", "due_sort"):
        op.execute(f"ALTER TABLE task DROP COLUMN {column}")
