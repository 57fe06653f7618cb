"""The in-memory name index behind autocomplete and name resolution, in three parts.

* `index.py` — the index itself: pure, in memory, no database (`NameBase`, `Snapshot`);
* `versions.py` — the write side: each change to a named record raises a per-(workspace,
  kind) version in its own transaction and stamps the row (session hooks registered by
  `create_app`);
* `registry.py` — each app's built indexes, brought up to date from those versions before
  every search (`index_for`).

How it finds candidates, what it costs and how it stays current: docs/search.md.
"""

from app.services.search_index.index import Change, NameBase, Scorers, Snapshot
from app.services.search_index.registry import SearchIndexes, index_for, indexes
from app.services.search_index.versions import (
    KIND_OF,
    MODELS,
    current_version,
    note_change,
    register_session_hooks,
)

__all__ = [
    "KIND_OF",
    "MODELS",
    "Change",
    "NameBase",
    "Scorers",
    "SearchIndexes",
    "Snapshot",
    "current_version",
    "index_for",
    "indexes",
    "note_change",
    "register_session_hooks",
]
