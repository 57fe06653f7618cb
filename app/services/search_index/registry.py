"""Each app's built indexes, one per (workspace, kind), brought up to date before every search.

`index_for` reads the (workspace, kind) search version (versions.py) by primary key; when it
moved, the index loads only the rows and tombstones stamped after the version it holds and
applies them. So a record committed by another gunicorn worker or another machine is found
by the very next search here. Each app keeps at most `SEARCH_INDEX_MAX_INDEXES`
(workspace, kind) indexes, least recently used first out.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from app.config import DEFAULT_SEARCH_INDEX_MAX_INDEXES, settings
from app.extensions import db
from app.models import SearchTombstone
from app.services.search_index.index import Snapshot
from app.services.search_index.versions import MODELS, changed_in_transaction, current_version

#: (workspace, kind) indexes an app keeps; the least recently searched one is dropped first.
DEFAULT_MAX_INDEXES = DEFAULT_SEARCH_INDEX_MAX_INDEXES

_EXTENSION = "search_index"
_REGISTRY_LOCK = threading.Lock()


def _uuid_bytes(value: object) -> bytes:
    """A database id as 16 bytes: UUID objects (PostgreSQL) or 32 hex digits (SQLite)."""
    if isinstance(value, uuid.UUID):
        return value.bytes
    return bytes.fromhex(str(value).replace("-", ""))


class _Holder:
    """The current snapshot of one (workspace, kind), and the lock that serializes its syncs."""

    __slots__ = ("lock", "snapshot")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None


class SearchIndexes:
    """An app's indexes, one per (workspace, kind), at most `max_indexes`, LRU."""

    def __init__(self, max_indexes: int = DEFAULT_MAX_INDEXES) -> None:
        self.max_indexes = max(1, max_indexes)
        self._holders: OrderedDict[tuple[uuid.UUID, str], _Holder] = OrderedDict()
        self._lock = threading.Lock()

    def holder(self, workspace_id: uuid.UUID, kind: str) -> _Holder:
        key = (workspace_id, kind)
        with self._lock:
            holder = self._holders.get(key)
            if holder is None:
                holder = self._holders[key] = _Holder()
                while len(self._holders) > self.max_indexes:
                    self._holders.popitem(last=False)
            else:
                self._holders.move_to_end(key)
            return holder

    def held(self) -> list[tuple[uuid.UUID, str]]:
        """The (workspace, kind) pairs held, least recently used first."""
        with self._lock:
            return [k for k, h in self._holders.items() if h.snapshot is not None]

    def snapshot(self, workspace_id: uuid.UUID, kind: str) -> Snapshot | None:
        with self._lock:
            holder = self._holders.get((workspace_id, kind))
        return holder.snapshot if holder else None

    def clear(self) -> None:
        with self._lock:
            self._holders.clear()


def indexes() -> SearchIndexes:
    """The current app's indexes (made on first use; `SEARCH_INDEX_MAX_INDEXES` caps them)."""
    extensions = current_app.extensions
    registry: SearchIndexes | None = extensions.get(_EXTENSION)
    if registry is None:
        with _REGISTRY_LOCK:
            registry = extensions.get(_EXTENSION)
            if registry is None:
                limit = settings().search_index_max_indexes
                registry = extensions[_EXTENSION] = SearchIndexes(limit)
    return registry


def index_for(kind: str, workspace_id: uuid.UUID) -> Snapshot:
    """The workspace's index of `kind`, current as of now: what every search starts with.

    One primary-key read of the version (which also flushes this session's pending
    writes, as any query does); if it moved, the rows and tombstones stamped since are
    loaded and applied. Changes this session has not committed yet are answered from a
    private copy, never shared with other requests.
    """
    session = db.session
    version = current_version(workspace_id, kind)
    holder = indexes().holder(workspace_id, kind)
    snapshot = holder.snapshot
    if changed_in_transaction(session, workspace_id, kind):
        if snapshot is None:
            return Snapshot.build(version, _all_names(kind, workspace_id))
        deleted, rows = _changes_since(kind, workspace_id, snapshot.version)
        return snapshot.with_changes(version, deleted, rows, compact=False)
    if snapshot is not None and snapshot.version == version:
        return snapshot
    with holder.lock:
        snapshot = holder.snapshot
        if snapshot is not None and snapshot.version >= version:
            if (
                snapshot.version == version
                or current_version(workspace_id, kind) >= snapshot.version
            ):
                return snapshot  # another thread caught up first
            snapshot = None  # the database went back (restored, or emptied): start over
        if snapshot is None:
            snapshot = Snapshot.build(version, _all_names(kind, workspace_id))
        else:
            deleted, rows = _changes_since(kind, workspace_id, snapshot.version)
            snapshot = snapshot.with_changes(version, deleted, rows)
        holder.snapshot = snapshot
        return snapshot


def _all_names(kind: str, workspace_id: uuid.UUID) -> Iterable[tuple[bytes, str]]:
    model = MODELS[kind]
    # The raw id (no UUID object per row): a million rows load in about a second.
    raw_id = sa.type_coerce(model.id, sa.String)
    result = db.session.execute(
        sa.select(raw_id, model.name_folded)
        .where(model.workspace_id == workspace_id)
        .execution_options(yield_per=20_000)
    )
    # Streamed into the index as it is read: no list of a million rows on the side.
    for rows in result.partitions():
        for rid, name in rows:
            yield _uuid_bytes(rid), name


def _changes_since(
    kind: str, workspace_id: uuid.UUID, since: int
) -> tuple[list[bytes], list[tuple[bytes, str]]]:
    """Ids deleted, then (id, folded name) of rows created or renamed, after version `since`.

    Tombstones are read before rows, so a record deleted and re-created in between is
    seen alive; anything committed after the version was read is applied early, which is
    harmless (the next sync applies it again).
    """
    model = MODELS[kind]
    deleted = [
        _uuid_bytes(rid)
        for rid in db.session.scalars(
            sa.select(sa.type_coerce(SearchTombstone.record_id, sa.String)).where(
                SearchTombstone.workspace_id == workspace_id,
                SearchTombstone.kind == kind,
                SearchTombstone.version > since,
            )
        )
    ]
    rows = [
        (_uuid_bytes(rid), name)
        for rid, name in db.session.execute(
            sa.select(sa.type_coerce(model.id, sa.String), model.name_folded).where(
                model.workspace_id == workspace_id, model.search_version > since
            )
        )
    ]
    return deleted, rows
