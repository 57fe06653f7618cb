"""Helpers for migration upgrade tests (tests/test_migrations.py explains how to add a case).

A case builds an empty database at the revision *before* the one under test, writes
realistic rows with raw SQL (the models describe today's schema, not that revision's), runs
`upgrade` to head like a user upgrading in place, then checks that the rows survived and new
columns were backfilled. Everything here works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"

# --- Revisions ---------------------------------------------------------------------------


def script_directory() -> ScriptDirectory:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    return [script.revision for script in reversed(list(script_directory().walk_revisions()))]


def head() -> str:
    return script_directory().get_current_head()


def previous(revision: str) -> str | None:
    """The revision `revision` upgrades from (None for the first one)."""
    down = script_directory().get_revision(revision).down_revision
    assert not isinstance(down, tuple), f"{revision} is a merge point; give the case its base"
    return down


def upgrade(url: str, revision: str = "head") -> None:
    """`flask db upgrade <revision>` on the database at `url`, as a user would run it."""
    from flask_migrate import upgrade as flask_upgrade

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migration-test"})
    with app.app_context():
        flask_upgrade(revision=revision)
        db.session.remove()
        db.engine.dispose()


def downgrade(url: str, revision: str) -> None:
    from flask_migrate import downgrade as flask_downgrade

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migration-test"})
    with app.app_context():
        flask_downgrade(revision=revision)
        db.session.remove()
        db.engine.dispose()


# --- Raw SQL that writes values the way the app's column types store them ---------------


def _typed(value: Any) -> sa.types.TypeEngine | None:
    """The column type SQLAlchemy would use for `value` (text() binds are untyped)."""
    if isinstance(value, uuid.UUID):
        return sa.Uuid()
    if isinstance(value, datetime):
        return sa.DateTime()
    if isinstance(value, date):
        return sa.Date()
    if isinstance(value, Decimal):
        return sa.Numeric(14, 2)
    if isinstance(value, bool):
        return sa.Boolean()
    return None


def _naive_utc(value: Any) -> Any:
    # Instants are stored as naive UTC (app.models.UTCDateTime).
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def execute(conn: sa.Connection, statement: str, **params: Any) -> sa.CursorResult:
    """Run raw SQL; UUID, datetime, date, Decimal and bool parameters are bound as the app
    binds them (a UUID is 32 hex characters on SQLite, a native uuid on PostgreSQL)."""
    params = {name: _naive_utc(value) for name, value in params.items()}
    clause = sa.text(statement)
    typed = [sa.bindparam(n, type_=t) for n, v in params.items() if (t := _typed(v)) is not None]
    if typed:
        clause = clause.bindparams(*typed)
    return conn.execute(clause, params)


def _task_derived(values: dict[str, Any]) -> dict[str, Any]:
    from app.services.task_keys import due_sort_key, fold_title

    due_at = values.get("due_at")
    if due_at is not None and due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=UTC)
    return {
        "due_sort": due_sort_key(values.get("due_date"), due_at),
        "title_folded": fold_title(values.get("title") or ""),
    }


#: Columns the app computes from others on every write: `insert` fills those the table has
#: at the current revision and the caller left out, as the app would have.
DERIVED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"task": _task_derived}


def insert(conn: sa.Connection, table: str, **values: Any) -> None:
    """`INSERT INTO "table" (...) VALUES (...)` with `values`, bound as in `execute`."""
    if table in DERIVED:
        present = column_names(conn, table)
        derived = DERIVED[table](values)
        values.update({k: v for k, v in derived.items() if k in present and k not in values})
    columns = ", ".join(f'"{name}"' for name in values)
    placeholders = ", ".join(f":{name}" for name in values)
    execute(conn, f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})', **values)


def rows(conn: sa.Connection, statement: str, **params: Any) -> list[Mapping[str, Any]]:
    return list(execute(conn, statement, **params).mappings())


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID read back with raw SQL (hex text on SQLite, uuid on PostgreSQL)."""
    return None if value is None else uuid.UUID(str(value))


def as_datetime(value: Any) -> datetime | None:
    """An instant read back with raw SQL, as aware UTC (SQLite returns text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def table_names(conn: sa.Connection) -> set[str]:
    """The ordinary tables (not alembic_version, nor SQLite's FTS5 tables and their shadows,
    whose internal rows change whenever the index is rebuilt)."""
    names = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    if conn.dialect.name == "sqlite":
        virtual = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        ).scalars()
        for name in list(virtual):
            names = {n for n in names if n != name and not n.startswith(f"{name}_")}
    return names


def column_names(conn: sa.Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(conn).get_columns(table)}


def row_counts(conn: sa.Connection) -> dict[str, int]:
    return {
        table: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
        for table in sorted(table_names(conn))
    }


# --- A realistic populated database --------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Seeded:
    """Ids of the rows `seed_core` wrote, for a case's checks (`extra` is the case's own)."""

    workspace: uuid.UUID
    other_workspace: uuid.UUID
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    api_key: uuid.UUID | None = None
    companies: dict[str, uuid.UUID] = field(default_factory=dict)
    contacts: dict[str, uuid.UUID] = field(default_factory=dict)
    deals: dict[str, uuid.UUID] = field(default_factory=dict)
    events: dict[str, uuid.UUID] = field(default_factory=dict)
    tasks: dict[str, uuid.UUID] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def seed_core(conn: sa.Connection) -> Seeded:
    """Two workspaces with users, an API key, records of every kind and tasks linked every
    way (open, completed, due at a time, soft-deleted), written with raw SQL.

    Uses only the columns of revision 0001 plus those that later revisions added with a
    server default, so it works at any revision. When a migration adds a NOT NULL column
    without a server default to one of these tables, write it here only when
    `column_names(conn, table)` has it.
    """
    seeded = Seeded(workspace=uuid.uuid4(), other_workspace=uuid.uuid4())
    for ws_id, name, zone in (
        (seeded.workspace, "Acme Sales", "Europe/Berlin"),
        (seeded.other_workspace, "Globex", "Pacific/Auckland"),
    ):
        insert(conn, "workspace", id=ws_id, name=name, timezone=zone, created_at=NOW)

    for key, (email, name, role) in {
        "admin": ("ada@acme.test", "Ada Admin", "admin"),
        "member": ("mia@acme.test", "Mia Müller", "member"),
    }.items():
        seeded.users[key] = uuid.uuid4()
        insert(
            conn,
            "user",
            id=seeded.users[key],
            workspace_id=seeded.workspace,
            email=email,
            name=name,
            password_hash="pbkdf2:sha256:1000$salt$hash",
            role=role,
            active=True,
            created_at=NOW,
        )
    seeded.api_key = uuid.uuid4()
    insert(
        conn,
        "api_key",
        id=seeded.api_key,
        workspace_id=seeded.workspace,
        name="zapier",
        prefix="wbk_abcdefgh",
        secret_hash="0" * 64,
        scopes="activities:read,activities:write",
        created_at=NOW,
        last_used_at=None,
        revoked_at=None,
    )

    seeded.companies["mueller"] = uuid.uuid4()
    insert(
        conn,
        "company",
        id=seeded.companies["mueller"],
        workspace_id=seeded.workspace,
        name="Müller GmbH",
        domain="mueller.example",
        name_folded="gmbh muller",
        created_at=NOW,
    )
    seeded.contacts["hans"] = uuid.uuid4()
    insert(
        conn,
        "contact",
        id=seeded.contacts["hans"],
        workspace_id=seeded.workspace,
        first_name="Hans",
        last_name="Müller",
        email="hans@mueller.example",
        company_id=seeded.companies["mueller"],
        name_folded="hans muller",
        created_at=NOW,
    )
    seeded.contacts["zoe"] = uuid.uuid4()
    insert(
        conn,
        "contact",
        id=seeded.contacts["zoe"],
        workspace_id=seeded.other_workspace,
        first_name="Zoë",
        last_name="Ngata",
        email=None,
        company_id=None,
        name_folded="ngata zoe",
        created_at=NOW,
    )
    seeded.deals["renewal"] = uuid.uuid4()
    insert(
        conn,
        "deal",
        id=seeded.deals["renewal"],
        workspace_id=seeded.workspace,
        name="Renewal 2026",
        stage="proposal",
        amount=Decimal("12500.50"),
        company_id=seeded.companies["mueller"],
        contact_id=seeded.contacts["hans"],
        name_folded="2026 renewal",
        created_at=NOW,
    )
    seeded.events["fair"] = uuid.uuid4()
    insert(
        conn,
        "event",
        id=seeded.events["fair"],
        workspace_id=seeded.workspace,
        title="Trade fair",
        starts_at=NOW + timedelta(days=30),
        location="Hall 4",
        name_folded="fair trade",
        created_at=NOW,
    )

    links = {
        "call_hans": {"contact_id": seeded.contacts["hans"]},
        "quote_company": {"company_id": seeded.companies["mueller"]},
        "deal_and_contact": {
            "deal_id": seeded.deals["renewal"],
            "contact_id": seeded.contacts["hans"],
        },
        "fair_booth": {"event_id": seeded.events["fair"]},
        "done": {"contact_id": seeded.contacts["hans"]},
        "deleted": {"company_id": seeded.companies["mueller"]},
        "zoe": {"contact_id": seeded.contacts["zoe"]},
    }
    for key, link in links.items():
        seeded.tasks[key] = uuid.uuid4()
        workspace = seeded.other_workspace if key == "zoe" else seeded.workspace
        insert(conn, "task", **task_row(seeded.tasks[key], workspace, title=f"Task {key}", **link))
    execute(
        conn,
        "UPDATE task SET status = 'completed', completed_at = :at WHERE id = :id",
        at=NOW,
        id=seeded.tasks["done"],
    )
    execute(
        conn, "UPDATE task SET deleted_at = :at WHERE id = :id", at=NOW, id=seeded.tasks["deleted"]
    )
    execute(
        conn,
        "UPDATE task SET due_date = :day, due_at = :at, priority = 'high' WHERE id = :id",
        day=date(2026, 3, 29),
        at=datetime(2026, 3, 29, 7, 30, tzinfo=UTC),
        id=seeded.tasks["call_hans"],
    )
    return seeded


def task_row(task_id: uuid.UUID, workspace_id: uuid.UUID, **values: Any) -> dict[str, Any]:
    """The columns of a plain open task; `values` override or add (links, dates...)."""
    row: dict[str, Any] = {
        "id": task_id,
        "workspace_id": workspace_id,
        "title": "Follow up",
        "description": None,
        "status": "open",
        "priority": "medium",
        "task_type": "call",
        "due_date": None,
        "due_at": None,
        "assignee_id": None,
        "contact_id": None,
        "company_id": None,
        "deal_id": None,
        "event_id": None,
        "created_date": NOW,
        "updated_at": NOW,
        "completed_at": None,
        "deleted_at": None,
        "created_by_user_id": None,
        "created_by_api_key_id": None,
    }
    row.update(values)
    return row


# --- Cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationCase:
    """One migration's upgrade test; see tests/test_migrations.py."""

    revision: str
    seed: Callable[[sa.Connection], Any]
    check: Callable[[sa.Connection, Any], None]
    #: Optional: runs in an app context of an app on the upgraded database, for checks
    #: through the models and services (what users will do with the upgraded rows).
    check_app: Callable[[Any], None] | None = None
    #: Tables whose row count the migration may change on purpose (every other table must
    #: keep exactly the rows it had).
    changes_rows_of: frozenset[str] = frozenset()
    doc: str = ""


CASES: dict[str, MigrationCase] = {}


def upgrade_case(revision: str, *, changes_rows_of: tuple[str, ...] = ()):
    """Register a class with `seed(conn)`, `check(conn, seeded)` and optionally
    `check_app(seeded)` (run in an app context on the upgraded database) as `revision`'s case."""

    def register(cls):
        assert revision not in CASES, f"two upgrade cases for revision {revision}"
        instance = cls()
        CASES[revision] = MigrationCase(
            revision=revision,
            seed=instance.seed,
            check=instance.check,
            check_app=getattr(instance, "check_app", None),
            changes_rows_of=frozenset(changes_rows_of),
            doc=(cls.__doc__ or "").strip(),
        )
        return cls

    return register


def run_case(case: MigrationCase, url: str) -> None:
    """Build `url` at the revision before `case.revision`, seed it, upgrade to head, check."""
    base = previous(case.revision)
    assert base is not None, "the first migration has nothing to upgrade from"
    upgrade(url, base)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            seeded = case.seed(conn)
            before = row_counts(conn)
        upgrade(url, "head")
        with engine.connect() as conn:
            after = row_counts(conn)
            for table, count in before.items():
                if table not in case.changes_rows_of:
                    assert after.get(table) == count, f"{table}: {count} rows before, {after}"
            case.check(conn, seeded)
        if case.check_app is not None:
            _check_through_the_app(case, url, seeded)
    finally:
        engine.dispose()


def _check_through_the_app(case: MigrationCase, url: str, seeded: Any) -> None:
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migration-test"})
    with app.app_context():
        try:
            assert case.check_app is not None
            case.check_app(seeded)
        finally:
            db.session.remove()
            db.engine.dispose()


def iter_cases() -> Iterator[MigrationCase]:
    return iter(sorted(CASES.values(), key=lambda c: revisions().index(c.revision)))
