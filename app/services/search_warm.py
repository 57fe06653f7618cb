"""Search indexes built before the first search: when a gunicorn worker starts.

A worker builds a workspace's index on its first search of it (docs/search.md): about
1 s at 100,000 contacts and 10–30 s at 1,000,000, which the first person to type after a
restart would wait for. `gunicorn.conf.py` calls `warm_worker` after a worker has loaded
the app and before it accepts its first request, so that worker answers its first search
from a built index. Only workspaces and kinds with at least `SEARCH_INDEX_WARM` records
are built there (smaller ones build in a fraction of a second on first use), the largest
first, at most `SEARCH_INDEX_MAX_INDEXES` of them.

While it builds, the worker takes no requests: gunicorn's other workers (or, when all are
warming, the listen queue) hold them, so /healthz answers once a worker is warm. A warm-up
that fails (a database not migrated yet, one that is down) is logged and left to the first
search, as before.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from app.config import settings
from app.extensions import db
from app.services import search_index

#: gunicorn kills a worker that has not reported for `--timeout` seconds (30 by default);
#: a worker building a large index reports this often.
HEARTBEAT_SECONDS = 2.0

log = logging.getLogger("crm_tasks.search")


@dataclass(frozen=True)
class Warmed:
    workspace_id: uuid.UUID
    kind: str
    records: int
    seconds: float


def largest(min_records: int) -> list[tuple[int, str, uuid.UUID]]:
    """(records, kind, workspace) for every workspace and kind with at least `min_records`,
    the largest first (one grouped count per kind)."""
    found = []
    for kind, model in search_index.MODELS.items():
        count = sa.func.count()
        rows = db.session.execute(
            sa.select(model.workspace_id, count)
            .group_by(model.workspace_id)
            .having(count >= min_records)
        )
        found += [(records, kind, workspace_id) for workspace_id, records in rows]
    found.sort(key=lambda item: (-item[0], item[1], str(item[2])))
    return found


def warm(min_records: int | None = None) -> list[Warmed]:
    """Build the indexes of the largest workspaces and kinds now (in an app context).

    `min_records` defaults to the `SEARCH_INDEX_WARM` setting; 0 builds none. At most as
    many as the app keeps (`SEARCH_INDEX_MAX_INDEXES`), so none is built only to be dropped.
    """
    threshold = settings().search_index_warm if min_records is None else min_records
    if threshold <= 0:
        return []
    warmed = []
    try:
        keep = search_index.indexes().max_indexes
        for records, kind, workspace_id in largest(threshold)[:keep]:
            began = time.perf_counter()
            search_index.index_for(kind, workspace_id)
            db.session.rollback()  # end the read transaction before the next build
            warmed.append(Warmed(workspace_id, kind, records, time.perf_counter() - began))
    finally:
        db.session.remove()
    return warmed


def warm_worker(app: Flask, heartbeat: Callable[[], None] | None = None) -> list[Warmed]:
    """`warm` for a starting worker: reports to gunicorn meanwhile, logs, never raises."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            heartbeat()  # type: ignore[misc]

    if heartbeat is not None:
        threading.Thread(target=beat, name="search-warm-heartbeat", daemon=True).start()
    began = time.perf_counter()
    try:
        with app.app_context():
            warmed = warm()
    except Exception:  # the first search builds it then, as without warming
        log.exception(json.dumps({"event": "search_index_warm_failed"}))
        return []
    finally:
        done.set()
    record = {
        "event": "search_index_warm",
        "seconds": round(time.perf_counter() - began, 2),
        "indexes": [
            {
                "workspace_id": str(w.workspace_id),
                "kind": w.kind,
                "records": w.records,
                "seconds": round(w.seconds, 2),
            }
            for w in warmed
        ],
    }
    log.info(json.dumps(record))
    return warmed
