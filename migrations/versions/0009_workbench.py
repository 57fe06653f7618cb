"""workbench: reopen restores the status before completion, task list version

Revision ID: 0009
Revises: 0008

- task.status_before_completion: the status a task had when it was completed, so reopening
  brings an in-progress task back as in progress. Existing completed tasks get NULL, which
  reopens them as open (what reopening did before).
- workspace.task_version: raised with every change to a task of the workspace, so an open
  task list can ask "anything new?" without querying tasks (docs/workbench.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("status_before_completion", sa.String(length=16), nullable=True))
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("task_version", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("task_version")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("status_before_completion")
