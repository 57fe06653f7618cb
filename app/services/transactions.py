"""Units of work that survive SQLite's single-writer lock.

Under concurrent writers SQLite can refuse a transaction outright ("database is locked"):
when a transaction that has read tries to write after another connection committed, the
busy timeout cannot help, because waiting would not make its snapshot current. The only
correct answer is to roll back and run the whole unit of work again, which is what
`retry_when_busy` does. PostgreSQL never raises this error, so there it costs nothing.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError

from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

#: Attempts before the error is let through (and answered 503 by the doors).
MAX_ATTEMPTS = 8


def is_sqlite_busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


def retry_when_busy(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` again (after a rollback and a short jittered pause) when SQLite is busy."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if not is_sqlite_busy(error) or attempt == MAX_ATTEMPTS:
                    raise
                db.session.rollback()
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
