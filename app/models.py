"""The records of docs/rules.md §1 as typed SQLAlchemy 2.0 models.

Every record carries `workspace_id`; every index that serves a lookup starts with it,
because every query the app makes is scoped to one workspace. Models subclass `Model`
(`db.Model` at run time, under a name type checkers can follow; see app/extensions.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from app.extensions import Model
from app.services.dates import zone_of
from app.services.task_keys import due_sort_key, fold_title
from app.services.text import fold_name
from app.vocabulary import TaskPriority, TaskStatus

ROLES = ("admin", "member", "viewer")
#: The values a task's status and priority may take (their labels: app/vocabulary.py).
TASK_STATUSES = TaskStatus.values()
TASK_PRIORITIES = TaskPriority.values()
#: The columns that link a task to its parent records; a live task sets at least one.
TASK_PARENT_LINKS = ("contact_id", "company_id", "deal_id", "event_id")


def utcnow() -> datetime:
    """The current instant, timezone-aware (called per row, never once at import)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """An instant stored as naive UTC and always read back timezone-aware UTC.

    SQLite has no time zones and PostgreSQL's `timestamptz` returns the session zone;
    normalising here means services only ever see aware UTC datetimes.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class WorkspaceScoped:
    """Columns every workspace-owned record shares."""

    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)

    @so.declared_attr
    def workspace_id(cls) -> so.Mapped[uuid.UUID]:  # noqa: N805 - SQLAlchemy passes the class
        return so.mapped_column(
            sa.Uuid, sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        )


class Workspace(Model):
    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: Raised in the transaction of every change to one of the workspace's tasks
    #: (`app.services.task_versions`): an open list compares it instead of querying tasks.
    task_version: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0, server_default="0")
    #: The language of people who chose none and whose browser asks for none the app
    #: speaks, and of emails to users without a setting (app/i18n.py).
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="en", server_default="en")

    @property
    def zone(self) -> ZoneInfo:
        """The workspace's zone; UTC when the stored name is missing or unknown (`zone_of`)."""
        return zone_of(self.timezone)


class User(UserMixin, WorkspaceScoped, Model):
    #: What a task list reads to show an assignee's name (as NamedRecord.NAME_COLUMNS).
    NAME_COLUMNS: ClassVar[tuple[str, ...]] = ("name",)

    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default="member")
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: The user's IANA zone; None means the workspace's (reminders, digest, calendar).
    timezone: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: The user's language ("de", "en"); None follows the browser, then the workspace.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    #: The reminder new tasks get when the form leaves it to the default (a REMINDER_RULES
    #: name of app/services/reminders.py), or None for no reminder.
    default_reminder: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    notify_reminders: so.Mapped[bool] = so.mapped_column(
        sa.Boolean, default=True, server_default=sa.true()
    )
    notify_digest: so.Mapped[bool] = so.mapped_column(
        sa.Boolean, default=True, server_default=sa.true()
    )
    notify_assignments: so.Mapped[bool] = so.mapped_column(
        sa.Boolean, default=True, server_default=sa.true()
    )
    #: The last local day whose morning digest was decided (sent or found empty).
    digest_checked_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    #: Part of the calendar feed's token (an HMAC, nothing secret stored): raising it
    #: revokes every feed URL given out before ("Reset link").
    calendar_feed_version: so.Mapped[int] = so.mapped_column(
        sa.Integer, default=0, server_default="0"
    )
    #: Raised by logout, a password change and deactivation: every session cookie carries
    #: the generation it was signed in under, and one of an older generation is refused
    #: (app/services/sessions.py).
    session_generation: so.Mapped[int] = so.mapped_column(sa.Integer, default=0, server_default="0")

    workspace: so.Mapped[Workspace] = so.relationship()

    __table_args__ = (sa.Index("ix_user_workspace_name", "workspace_id", "name"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated users
        return self.active

    @property
    def zone(self) -> ZoneInfo:
        """The zone the user's days are seen in: their own, else the workspace's, else UTC.

        A stored name this machine does not know counts as none (`zone_of`).
        """
        return zone_of(self.timezone, self.workspace.timezone)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session (and a remember cookie): id and generation."""
        from app.services.sessions import session_token

        return session_token(self)


class ApiKey(WorkspaceScoped, Model):
    __tablename__ = "api_key"

    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: The first characters of the secret: public, used to find the row.
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    #: SHA-256 of the whole secret; the secret itself is never stored.
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    scopes: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)


def joined_name(*parts: str | None) -> str:
    """A name made of its parts (a contact's first and last name), empty ones left out."""
    return " ".join(part for part in parts if part)


class NamedRecord(WorkspaceScoped):
    """A record staff look up by name: keeps an accent/case-folded copy for matching."""

    #: `fold_name(display_name)`: what prefix search and exact resolution compare.
    name_folded: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: The workspace's `SearchVersion` of this kind when the row was created or renamed:
    #: search indexes of other processes load rows newer than what they hold
    #: (search_index/registry.py).
    search_version: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0, server_default="0")

    #: The columns `display_name` is made of (`joined_name`), so that a name can be read
    #: without loading its record (the names a task list shows, services/tasks.py).
    NAME_COLUMNS: ClassVar[tuple[str, ...]] = ("name",)

    @property
    def display_name(self) -> str:
        return joined_name(*(getattr(self, column) for column in self.NAME_COLUMNS))

    def refresh_folded_name(self) -> None:
        self.name_folded = fold_name(self.display_name)


class Company(NamedRecord, Model):
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    domain: so.Mapped[str | None] = so.mapped_column(sa.String(255))

    __table_args__ = (sa.Index("ix_company_workspace_folded", "workspace_id", "name_folded"),)


class Contact(NamedRecord, Model):
    NAME_COLUMNS = ("first_name", "last_name")

    first_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    last_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    company_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("company.id", ondelete="SET NULL")
    )

    company: so.Mapped[Company | None] = so.relationship()

    __table_args__ = (
        sa.Index("ix_contact_workspace_folded", "workspace_id", "name_folded"),
        sa.Index("ix_contact_workspace_company", "workspace_id", "company_id"),
    )


class Deal(NamedRecord, Model):
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    stage: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    amount: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(14, 2))
    company_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("company.id", ondelete="SET NULL")
    )
    contact_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("contact.id", ondelete="SET NULL")
    )

    company: so.Mapped[Company | None] = so.relationship()
    contact: so.Mapped[Contact | None] = so.relationship()

    __table_args__ = (sa.Index("ix_deal_workspace_folded", "workspace_id", "name_folded"),)


class Event(NamedRecord, Model):
    NAME_COLUMNS = ("title",)

    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    location: so.Mapped[str | None] = so.mapped_column(sa.String(255))

    __table_args__ = (
        sa.Index("ix_event_workspace_folded", "workspace_id", "name_folded"),
        sa.Index("ix_event_workspace_starts", "workspace_id", "starts_at"),
    )


#: The columns of the list order, after the filter columns of every list index.
LIST_ORDER = ("due_sort", "created_date", "id")


class Task(WorkspaceScoped, Model):
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=TaskStatus.OPEN.value)
    priority: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    task_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    #: The calendar day the task is due (for a date-time, that day in the workspace zone).
    due_date: so.Mapped[date | None] = so.mapped_column(sa.Date)
    #: The instant it is due, when a time was given; None for a date-only due date.
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    assignee_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    contact_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("contact.id", ondelete="SET NULL")
    )
    company_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("company.id", ondelete="SET NULL")
    )
    deal_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("deal.id", ondelete="SET NULL")
    )
    event_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("event.id", ondelete="SET NULL")
    )
    created_date: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: The status the task had when it was completed: reopening restores it.
    status_before_completion: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_by_user_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_by_api_key_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("api_key.id", ondelete="SET NULL")
    )
    #: When the reminder goes out (None: no reminder).
    remind_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: How remind_at follows the due date (a REMINDER_RULES name of services/reminders.py);
    #: None for a reminder at a fixed instant, which a new due date leaves alone.
    remind_rule: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    #: The remind_at whose reminder is in the outbox: a changed remind_at arms it again.
    reminder_queued_for: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: An RFC 5545 RRULE of the subset services/recurrence.py accepts, or None.
    recurrence: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    #: The occurrence whose completion created this one. Unique: a task has one successor
    #: however many times or places it is completed.
    previous_occurrence_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("task.id", ondelete="SET NULL")
    )
    #: Where the task stands in every list: the due day and time packed into one non-null
    #: integer (task_keys.py), kept in step with due_date and due_at on every write.
    due_sort: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: The title with case and accents folded: what title search matches (indexed by
    #: pg_trgm on PostgreSQL, by the FTS5 table `task_title_fts` on SQLite).
    title_folded: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    assignee: so.Mapped[User | None] = so.relationship(foreign_keys=[assignee_id])
    contact: so.Mapped[Contact | None] = so.relationship()
    company: so.Mapped[Company | None] = so.relationship()
    deal: so.Mapped[Deal | None] = so.relationship()
    event: so.Mapped[Event | None] = so.relationship()

    # Every list reads one of these in order, one range per status (services/tasks.py):
    # the filter's column(s), then status, then the list order. The parent links' indexes
    # also serve their foreign keys. docs/tasks.md lists which query reads which.
    __table_args__ = (
        sa.Index("ix_task_list", "workspace_id", "status", *LIST_ORDER),
        sa.Index("ix_task_list_assignee", "workspace_id", "assignee_id", "status", *LIST_ORDER),
        sa.Index("ix_task_list_priority", "workspace_id", "priority", "status", *LIST_ORDER),
        sa.Index("ix_task_list_contact", "contact_id", "status", *LIST_ORDER),
        sa.Index("ix_task_list_company", "company_id", "status", *LIST_ORDER),
        sa.Index("ix_task_list_deal", "deal_id", "status", *LIST_ORDER),
        sa.Index("ix_task_list_event", "event_id", "status", *LIST_ORDER),
        # A link filter on someone's tasks (My tasks, `?company_id=…`) or on the unassigned
        # ones: the link, then the assignee (NULL for unassigned), status and the order. Only
        # tasks holding that link: a task without one is never looked up by it.
        *(
            sa.Index(
                f"ix_task_list_{link.removesuffix('_id')}_assignee",
                link,
                "assignee_id",
                "status",
                *LIST_ORDER,
                sqlite_where=sa.text(f"{link} IS NOT NULL"),
                postgresql_where=sa.text(f"{link} IS NOT NULL"),
            )
            for link in TASK_PARENT_LINKS
        ),
        # Only deleted tasks: no live list is tempted by it, and it stays small.
        sa.Index(
            "ix_task_trash",
            "workspace_id",
            "deleted_at",
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_task_title_trgm",
            "title_folded",
            postgresql_using="gin",
            postgresql_ops={"title_folded": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        sa.Index("ix_task_remind_at", "remind_at"),
        sa.Index("uq_task_previous_occurrence", "previous_occurrence_id", unique=True),
        # The database's own guard of the parent-link rule (services/tasks.py checks it
        # first, with a proper message). Deleting the only record a live task links to
        # fails here instead of leaving the task orphaned by ON DELETE SET NULL.
        sa.CheckConstraint(
            " OR ".join(
                ["deleted_at IS NOT NULL"] + [f"{c} IS NOT NULL" for c in TASK_PARENT_LINKS]
            ),
            name="parent_link",
        ),
    )


#: SQLite's title index: an FTS5 table (and its shadow tables) that migration 0007
#: creates with triggers, outside the models (see docs/tasks.md).
TITLE_SEARCH_TABLE = "task_title_fts"
#: Indexes that exist on one database only.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_task_title_trgm"})


def autogenerate_filter(dialect_name: str):
    """Alembic's `include_object` for a database: what comparing it with the models skips.

    The FTS5 tables are not models, and the trigram index exists only on PostgreSQL;
    without this, autogenerate would offer to drop the one and create the other.
    """

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and name and name.startswith(TITLE_SEARCH_TABLE):
            return False
        return not (
            type_ == "index" and name in POSTGRESQL_ONLY_INDEXES and dialect_name != "postgresql"
        )

    return include_object


@sa.event.listens_for(Task, "before_insert")
@sa.event.listens_for(Task, "before_update")
def _derive_list_keys(_mapper, _connection, task: Task) -> None:
    """Keep the stored sort key and folded title in step with what they are made of."""
    task.due_sort = due_sort_key(task.due_date, task.due_at)
    task.title_folded = fold_title(task.title or "")


class IdempotencyRecord(Model):
    """The answer to a `POST /v1/tasks` sent with an `Idempotency-Key`, kept for replays.

    Keys are per API key. The unique constraint is what makes two concurrent requests
    with one key create one task: the row is inserted in the task's own transaction, so
    the second insert waits for the first to commit and then fails (see idempotency.py).
    """

    __tablename__ = "idempotency_record"

    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    api_key_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(255))
    #: SHA-256 of the method, path and canonical JSON body of the first request.
    request_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    response_status: so.Mapped[int] = so.mapped_column(sa.Integer)
    #: The JSON body of the first answer, replayed as it was.
    response_body: so.Mapped[str] = so.mapped_column(sa.Text)
    location: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("api_key_id", "key", name="uq_idempotency_record_api_key_key"),
    )


# --- Search index versioning (app/services/search_index/versions.py) ----------------------


class SearchVersion(Model):
    """How many times the names of one kind of record of a workspace have changed.

    Raised in the same transaction as every create, rename and delete of a contact,
    company, deal or event (`search_index.note_change`), and stamped on the changed row.
    An in-memory search index reads this one row per search: when it moved, the index
    loads only the rows and tombstones stamped after the version it holds.
    """

    __tablename__ = "search_version"

    workspace_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    #: `company`, `contact`, `deal` or `event`.
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    version: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class SearchTombstone(Model):
    """A deleted contact, company, deal or event, kept so search indexes can drop it."""

    __tablename__ = "search_tombstone"

    id: so.Mapped[int] = so.mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    workspace_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: The deleted record's id (no foreign key: the record is gone).
    record_id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid)
    version: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.Index("ix_search_tombstone_workspace_kind_version", "workspace_id", "kind", "version"),
    )


#: Rows changed after a given version, per workspace: what an index loads to catch up.
for _model in (Company, Contact, Deal, Event):
    sa.Index(
        f"ix_{_model.__tablename__}_workspace_search_version",
        _model.workspace_id,
        _model.search_version,
    )
del _model


class RateLimitBucket(Model):
    """A fixed-window counter shared by every worker: API calls per key, failed logins."""

    __tablename__ = "rate_limit_bucket"

    bucket: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)
    #: Which window the count belongs to: epoch seconds // window length.
    window: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    count: so.Mapped[int] = so.mapped_column(sa.Integer)


# --- Notifications (app/services/outbox.py, notifications.py) ------------------------------

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMessage(Model):
    """An email to send, written in the same transaction as what caused it.

    `dedupe_key` is unique: the reminder of one task at one instant, or one user's digest
    of one day, is queued once however many senders look at the same moment. A sender
    claims rows (status `sending`, `claimed_until` a lease) before it talks to SMTP.
    """

    __tablename__ = "outbox_message"

    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    workspace_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
    )
    user_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE")
    )
    #: `reminder`, `digest` or `assignment`.
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    claimed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)


class Notification(WorkspaceScoped, Model):
    """An in-app notice for one user (the bell): e.g. someone assigned them a task."""

    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    task_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.Uuid, sa.ForeignKey("task.id", ondelete="CASCADE")
    )
    #: Who caused it (a user's name or an API key's), kept as text for the list.
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    task: so.Mapped[Task | None] = so.relationship()

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at", "created_at"),)
