"""Fixed-window rate limits kept in the database, so every worker and machine shares them.

One atomic upsert per check (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, which SQLite and
PostgreSQL both speak) counts the hit and returns the new count; it runs in a transaction
of its own so a request that later fails still counts.

On SQLite the counts live in a database file of their own beside the main one (`store`):
every API request counts a hit, and any write to the main file made each worker's next
read drop its memory map of that file (SQLite unmaps it when the write-ahead log has
changed) and fault every page back in: at 1,000,000 tasks an API page of 50 tasks took
9.2 ms, 6.7 once the counts moved; a title search 25.5 ms, then 11.6 (docs/decisions.md).
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import RateLimitBucket

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)\s*$")


#: What the SQLite file of the counts adds to the main file's name, before its suffix:
#: `crm-tasks.sqlite3` keeps them in `crm-tasks.rate-limits.sqlite3`.
STORE_SUFFIX = ".rate-limits"

#: The SQLite stores opened by this process, by URL (one engine each, shared by every app).
_STORES: dict[str, sa.Engine] = {}
_STORES_LOCK = threading.Lock()


def store() -> sa.Engine:
    """The database the counts are kept in.

    PostgreSQL: the app's own (`rate_limit_bucket`). A SQLite file: a file of its own
    beside it, with that table, created on first use; the counts are short-lived, so
    there is nothing to migrate or back up. In-memory SQLite: the app's own database.
    """
    main = db.engine
    database = main.url.database
    if main.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return main
    if main.url.query.get("mode") == "memory":
        return main
    path = Path(database)
    url = main.url.set(database=str(path.with_name(path.stem + STORE_SUFFIX + path.suffix)))
    key = url.render_as_string(hide_password=False)
    with _STORES_LOCK:
        engine = _STORES.get(key)
        if engine is None:
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                table = db.metadata.tables[RateLimitBucket.__tablename__]
                conn.execute(sa.schema.CreateTable(table, if_not_exists=True))
            _STORES[key] = engine
    return engine


@dataclass(frozen=True)
class Limit:
    """`count` hits per `seconds`; a count of 0 means no limit."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """`120/minute`, `10 per second`; `0` (or empty) turns the limit off."""
        if text.strip() in ("", "0"):
            return cls(0, 60)
        match = _LIMIT.match(text)
        if not match:
            raise ValueError(f"rate limit {text!r} is not like 120/minute")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    @property
    def enabled(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until the window resets


def _upsert(bucket: str, window: int, increment: int):
    table = RateLimitBucket.__table__
    dialect = store().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateLimitBucket).values(bucket=bucket, window=window, count=increment)
    same_window = table.c.window == statement.excluded.window
    return statement.on_conflict_do_update(
        index_elements=[table.c.bucket],
        set_={
            "window": statement.excluded.window,
            "count": sa.case((same_window, table.c.count + increment), else_=increment),
        },
    ).returning(table.c.count)


def _window(limit: Limit, now: float | None) -> tuple[int, int]:
    """The window `now` falls in, and the whole seconds until the next one starts."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    return window, max(1, math.ceil((window + 1) * limit.seconds - now))


def hit(bucket: str, limit: Limit, now: float | None = None, increment: int = 1) -> Decision:
    """Count one hit on `bucket` and say whether it is within `limit`."""
    window, retry_after = _window(limit, now)
    if not limit.enabled:
        return Decision(True, 0, 0)
    with store().begin() as conn:
        hits = conn.execute(_upsert(bucket, window, increment)).scalar_one()
    return Decision(hits <= limit.count, max(0, limit.count - hits), retry_after)


def count(bucket: str, limit: Limit, now: float | None = None) -> int:
    """The hits on `bucket` in the current window of `limit` (0 when it is off)."""
    if not limit.enabled:
        return 0
    window, _retry_after = _window(limit, now)
    with store().connect() as conn:
        row = conn.execute(
            sa.select(RateLimitBucket.window, RateLimitBucket.count).where(
                RateLimitBucket.bucket == bucket
            )
        ).first()
    # Unpacked, not `row.count`: to a type checker that name is the tuple method.
    stored_window, stored_count = row if row is not None else (None, 0)
    return stored_count if stored_window == window else 0


def peek(bucket: str, limit: Limit, now: float | None = None) -> Decision:
    """Whether `bucket` is already over `limit`, without counting a hit."""
    _current, retry_after = _window(limit, now)
    if not limit.enabled:
        return Decision(True, 0, 0)
    hits = count(bucket, limit, now)
    return Decision(hits < limit.count, max(0, limit.count - hits), retry_after)


def clear(bucket: str) -> None:
    """Forget a bucket (a successful login clears its failures)."""
    with store().begin() as conn:
        conn.execute(sa.delete(RateLimitBucket).where(RateLimitBucket.bucket == bucket))
