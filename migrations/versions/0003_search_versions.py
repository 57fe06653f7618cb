"""search versions: per-(workspace, kind) change counter, row stamps and tombstones

In-memory search indexes (app/services/search_index/) read `search_version` once per
search and, when it moved, load only the rows stamped after the version they hold and the
tombstones of deleted records. Existing rows get version 0: an index built from scratch
reads everything anyway.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAMED_TABLES = ("company", "contact", "deal", "event")


def upgrade():
    op.create_table(
        "search_version",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "kind"),
    )
    op.create_table(
        "search_tombstone",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_tombstone", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_tombstone_workspace_kind_version",
            ["workspace_id", "kind", "version"],
            unique=False,
        )
    for table in NAMED_TABLES:
        # ADD COLUMN with a constant default: no table rebuild, on SQLite or PostgreSQL.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("search_version", sa.BigInteger(), server_default="0", nullable=False)
            )
            batch_op.create_index(
                f"ix_{table}_workspace_search_version",
                ["workspace_id", "search_version"],
                unique=False,
            )


def downgrade():
    for table in NAMED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_workspace_search_version")
            batch_op.drop_column("search_version")
    with op.batch_alter_table("search_tombstone", schema=None) as batch_op:
        batch_op.drop_index("ix_search_tombstone_workspace_kind_version")
    op.drop_table("search_tombstone")
    op.drop_table("search_version")
