"""finer statistics of task titles on PostgreSQL, whose estimate picks a title search's plan

On PostgreSQL the planner's estimate of a title search decides how a page is read
(services/tasks.py `_title_search`). With the default statistics target a pattern found in
none of the 100 histogram titles is estimated at 0.01 % of the table, whatever its real
share: `mandate 4` (1.1 % of 1,000,000 titles) came out at 97 rows or 9,745 depending on
the sample. A target of 1,000 for `title_folded` kept the estimates within about twice
the real count around the thresholds in three samples (ANALYZE of 1,000,000 tasks: about
4 s). Nothing changes on SQLite.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: PostgreSQL's statistics target for task.title_folded (its default is 100).
TITLE_STATISTICS = 1000


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE task ALTER COLUMN title_folded SET STATISTICS {TITLE_STATISTICS}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE task ALTER COLUMN title_folded SET STATISTICS -1")
