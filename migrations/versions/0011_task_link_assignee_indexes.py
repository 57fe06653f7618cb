"""a link filter on someone's tasks reads one index range: link, assignee, status, order

My tasks filtered by a record (`/tasks?company_id=…`: assignee = me and the link) read the
assignee's index and checked the link row by row, 120–550 ms at 1,000,000 tasks on
SQLite. One index per parent link holds the link, the assignee (NULL for the unassigned
view), the status and the list order, so such a list is one short range per status like
every other list (docs/tasks.md). Partial: only the tasks holding that link.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LINKS = ("contact_id", "company_id", "deal_id", "event_id")
LIST_ORDER = ("due_sort", "created_date", "id")


def index_name(link: str) -> str:
    return f"ix_task_list_{link.removesuffix('_id')}_assignee"


def upgrade():
    for link in LINKS:
        holds_it = sa.text(f"{link} IS NOT NULL")
        op.create_index(
            index_name(link),
            "task",
            [link, "assignee_id", "status", *LIST_ORDER],
            sqlite_where=holds_it,
            postgresql_where=holds_it,
        )


def downgrade():
    for link in LINKS:
        op.drop_index(index_name(link), table_name="task")
