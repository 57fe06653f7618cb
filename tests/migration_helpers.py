"""Kept so tests written against it still run; new upgrade tests use tests/migrations_harness.py
(see the top of tests/test_migrations.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from tests.live_databases import fresh_database as _fresh_database
from tests.migrations_harness import insert
from tests.migrations_harness import upgrade as migrate

__all__ = ["fresh_database", "insert", "migrate"]


def fresh_database(backend: str, tmp_path) -> tuple[str, Callable[[], None]]:
    """An empty database URL and the function that drops it."""
    stack = ExitStack()
    url = stack.enter_context(_fresh_database(backend, tmp_path))
    return url, stack.close
