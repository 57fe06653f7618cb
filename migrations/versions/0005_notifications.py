"""reminders, recurrence, notification settings, the outbox and in-app notifications

Revision ID: 0005
Revises: 0004

Every new column is nullable or has a server default, so existing users and tasks carry
over as they were: no reminder, no recurrence, every notification on, the workspace's zone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("default_reminder", sa.String(16), nullable=True))
        for name in ("notify_reminders", "notify_digest", "notify_assignments"):
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            )
        batch.add_column(sa.Column("digest_checked_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("calendar_feed_version", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("remind_rule", sa.String(16), nullable=True))
        batch.add_column(sa.Column("reminder_queued_for", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("recurrence", sa.String(255), nullable=True))
        batch.add_column(sa.Column("previous_occurrence_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_task_previous_occurrence_id_task",
            "task",
            ["previous_occurrence_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_task_remind_at", ["remind_at"])
        batch.create_index("uq_task_previous_occurrence", ["previous_occurrence_id"], unique=True)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index(
        "ix_outbox_message_status_next", "outbox_message", ["status", "next_attempt_at"]
    )

    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notification_user_read", "notification", ["user_id", "read_at", "created_at"]
    )


def downgrade():
    op.drop_index("ix_notification_user_read", table_name="notification")
    op.drop_table("notification")
    op.drop_index("ix_outbox_message_status_next", table_name="outbox_message")
    op.drop_table("outbox_message")
    with op.batch_alter_table("task") as batch:
        batch.drop_index("uq_task_previous_occurrence")
        batch.drop_index("ix_task_remind_at")
        batch.drop_constraint("fk_task_previous_occurrence_id_task", type_="foreignkey")
        for name in (
            "previous_occurrence_id",
            "recurrence",
            "reminder_queued_for",
            "remind_rule",
            "remind_at",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("user") as batch:
        for name in (
            "calendar_feed_version",
            "digest_checked_on",
            "notify_assignments",
            "notify_digest",
            "notify_reminders",
            "default_reminder",
            "timezone",
        ):
            batch.drop_column(name)
