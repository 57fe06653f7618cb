"""languages: a user's language and a workspace's default

Revision ID: 0010
Revises: 0009

- user.language: "de" or "en", or NULL to follow the browser, then the workspace.
- workspace.language: the default for people whose browser asks for no language the app
  speaks, and for emails to users without a setting; existing workspaces get "en", what
  they showed before (docs/i18n.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")
