"""Search versions, the write side: every change to a named record raises a counter.

**Never stale.** Every create, rename and delete of a contact, company, deal or event raises
a per-(workspace, kind) counter in the `search_version` table in the same transaction
(`note_change`) and stamps the changed row with it (`search_version` column; deletions
leave a `search_tombstone`). Session hooks (`register_session_hooks`, called by
`create_app`) do this for every ORM write; bulk inserts call `note_change` themselves
(`records.insert_many`). On PostgreSQL the counter is raised by an upsert that holds the
row lock until commit, so versions of one workspace and kind commit in order; SQLite
serializes writers anyway. Each search reads that one row by primary key
(`current_version`); the registry (registry.py) then loads only what was stamped after the
version its index holds.
"""

from __future__ import annotations

import uuid
from itertools import chain
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.kinds import BY_MODEL, MODELS
from app.models import NamedRecord, SearchTombstone, SearchVersion
from app.services.text import fold_name

#: Record kinds (app/kinds.py) by model: what a changed row's version is raised for.
KIND_OF: dict[type[NamedRecord], str] = {model: kind.key for model, kind in BY_MODEL.items()}
#: The order writers raise versions in, by kind key: a fixed order means two transactions
#: changing several kinds never wait for each other in a cycle.
_KIND_ORDER = {key: position for position, key in enumerate(sorted(MODELS))}

_PENDING = "search_index.pending"  # {(workspace, kind): version} raised in this transaction
_CHANGED = "search_index.changed"  # {(workspace, kind)} changed by the uncommitted root transaction

#: A session, or the app's scoped `db.session` standing for the current one.
AnySession = so.Session | so.scoped_session[Any]


def note_change(workspace_id: uuid.UUID, kind: str, session: AnySession | None = None) -> int:
    """Raise the (workspace, kind) search version in the current transaction; the version to stamp.

    Call it for every write that adds, renames or deletes a record of `kind` and stamp the
    changed rows (`search_version`) with what it returns; ORM writes are stamped by a session
    hook, so only bulk Core statements need to call it. Within one transaction it raises
    the version once and then returns the same number. On PostgreSQL the row stays locked
    until commit, so a second writer of this workspace and kind waits and gets the next
    number: versions commit in order, which is what lets readers trust "version N means
    every change up to N is visible".
    """
    writer: AnySession = session if session is not None else db.session
    key = (workspace_id, kind)
    pending: dict[tuple[uuid.UUID, str], int] = writer.info.setdefault(_PENDING, {})
    version = pending.get(key)
    if version is None:
        connection = writer.connection()
        version = connection.execute(
            _raise_version(connection.dialect.name, workspace_id, kind)
        ).scalar_one()
        pending[key] = version
        writer.info.setdefault(_CHANGED, set()).add(key)
    return version


def _raise_version(dialect: str, workspace_id: uuid.UUID, kind: str) -> sa.Executable:
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the app supports these two
        raise NotImplementedError(f"search versions on {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SearchVersion.__table__
    statement = insert(SearchVersion).values(workspace_id=workspace_id, kind=kind, version=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.workspace_id, table.c.kind],
        set_={"version": table.c.version + 1},
    )
    return statement.returning(table.c.version)


def _stamp_changed_records(session: so.Session, _flush_context, _instances) -> None:
    """Stamp created and renamed named records, and leave tombstones for deleted ones.

    Runs inside the flush's transaction, so a rollback takes the version raise with it.
    `name_folded` is recomputed from the display name here too, so a rename can never
    leave the folded copy (and the index) behind.
    """
    changed: list[NamedRecord] = []
    for record in session.new:
        if isinstance(record, NamedRecord) and record.workspace_id is not None:
            record.refresh_folded_name()
            changed.append(record)
    for record in session.dirty:
        if isinstance(record, NamedRecord) and session.is_modified(record):
            history = sa.inspect(record).attrs.name_folded.load_history()
            stored = (history.deleted or history.unchanged or [None])[0]
            folded = fold_name(record.display_name)
            if folded != record.name_folded:
                record.name_folded = folded
            if folded != stored:
                changed.append(record)
    deleted = [r for r in session.deleted if isinstance(r, NamedRecord)]
    if not changed and not deleted:
        return
    keys = {(r.workspace_id, KIND_OF[type(r)]) for r in chain(changed, deleted)}
    versions = {
        key: note_change(*key, session=session)
        for key in sorted(keys, key=lambda k: (_KIND_ORDER[k[1]], str(k[0])))
    }
    for record in changed:
        record.search_version = versions[(record.workspace_id, KIND_OF[type(record)])]
    if deleted:
        session.connection().execute(
            sa.insert(SearchTombstone),
            [
                {
                    "workspace_id": r.workspace_id,
                    "kind": KIND_OF[type(r)],
                    "record_id": r.id,
                    "version": versions[(r.workspace_id, KIND_OF[type(r)])],
                }
                for r in deleted
            ],
        )


def _forget_rolled_back_versions(session: so.Session, _previous) -> None:
    # Any rollback, a savepoint's too, may have undone a raise: raise again next time
    # (twice in one transaction is harmless; stamping a number a rollback undid is not).
    session.info.pop(_PENDING, None)


def _forget_raised_versions(session: so.Session, transaction: so.SessionTransaction) -> None:
    if transaction.parent is None:  # the root transaction: committed or rolled back
        session.info.pop(_PENDING, None)
        session.info.pop(_CHANGED, None)


#: The hooks, by session event (registered once per session factory by `register_session_hooks`).
_HOOKS = (
    ("before_flush", _stamp_changed_records),
    ("after_soft_rollback", _forget_rolled_back_versions),
    ("after_transaction_end", _forget_raised_versions),
)


def register_session_hooks(session: so.scoped_session[Any] | type[so.Session]) -> None:
    """Stamp every ORM write of a named record made through `session` (the app's `db.session`).

    `create_app` calls it. Sessions of that factory are stamped; any other session is not,
    and must call `note_change` itself like the bulk inserts. Calling it again is harmless.
    """
    for event, hook in _HOOKS:
        if not sa.event.contains(session, event, hook):
            sa.event.listen(session, event, hook)


def changed_in_transaction(session: AnySession, workspace_id: uuid.UUID, kind: str) -> bool:
    """Whether this session's uncommitted transaction changed the workspace's records of `kind`."""
    return (workspace_id, kind) in session.info.get(_CHANGED, ())


_VERSION_TABLE = SearchVersion.__table__
#: A Core statement: a tenth of the ORM's overhead on the one read every search makes.
_READ_VERSION = sa.select(_VERSION_TABLE.c.version).where(
    _VERSION_TABLE.c.workspace_id == sa.bindparam("workspace_id"),
    _VERSION_TABLE.c.kind == sa.bindparam("kind"),
)


def current_version(workspace_id: uuid.UUID, kind: str) -> int:
    """The committed (or this transaction's) search version of a workspace's `kind`: 0 if none.

    Flushes first, as an ORM query would (autoflush): records this session added or
    renamed get stamped, so its own search sees them.
    """
    session = db.session
    if session.autoflush:
        session.flush()
    version = session.execute(_READ_VERSION, {"workspace_id": workspace_id, "kind": kind}).scalar()
    return version or 0
