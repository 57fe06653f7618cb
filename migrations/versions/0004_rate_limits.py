"""rate limit buckets shared by all workers (API keys, failed logins)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_bucket",
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket"),
    )


def downgrade():
    op.drop_table("rate_limit_bucket")
