"""Idempotent creates: a retried `POST /v1/tasks` with the same `Idempotency-Key` and the
same body returns the first answer instead of creating a second task (docs/api.md).

How it holds under concurrency: the record of a key is inserted in the same transaction
as the task it describes, and (API key, key) is unique. Two requests racing with one key
both pass the "is there a record?" check, but only one can commit its record: on
PostgreSQL the second INSERT waits on the unique index until the first commits and then
fails; on SQLite writes are serialized, so the second INSERT runs after the first commit
and fails. The loser rolls its whole transaction back (its task too) and answers with
the winner's stored response. No request ever sees a half-done key, so there is no
"in progress" state to report.

What is stored: only successful creates. A request that failed (4xx or 5xx) wrote
nothing, so its key stays free and a retry simply runs again; that is what a client that
fixes its body and retries expects (Stripe does the same for requests that failed
validation). Stored answers are replayed for `REPLAY_WINDOW`; after that the key may be
used again and starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IdempotencyRecord
from app.services import dates
from app.services.accounts import Actor
from app.services.errors import ServiceError, ValidationError

HEADER = "Idempotency-Key"
#: Long enough for any UUID, ULID or composite key a client makes; the column's size.
KEY_MAX = 255
#: Visible ASCII and spaces: what every HTTP stack carries unchanged in a header.
_KEY_PATTERN = re.compile(r"^[\x20-\x7e]+$")
#: How long a stored answer is replayed; the same as Stripe's 24 hours (docs/api.md).
REPLAY_WINDOW = timedelta(hours=24)


class IdempotencyConflict(ServiceError):
    """The key was used before with a different request body (answered 409)."""

    code = "idempotency_conflict"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            f"This {HEADER} was already used with a different request body; "
            "send a new key for a new request"
        )


@dataclass(frozen=True)
class Reply:
    """An HTTP answer as the API door renders it, and as a record stores it."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    #: True when this is the stored answer of an earlier request, not a new one.
    replayed: bool = False


def checked_key(raw: str) -> str:
    """The key as sent, or a ValidationError naming the header."""
    if not raw.strip():
        problem = "must not be empty"
    elif len(raw) > KEY_MAX:
        problem = f"must be at most {KEY_MAX} characters (got {len(raw)})"
    elif not _KEY_PATTERN.match(raw):
        problem = "must consist of visible ASCII characters"
    else:
        return raw
    raise ValidationError.for_fields({HEADER: problem})


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request: method, path and the body as canonical JSON.

    Canonical JSON (sorted keys, no spaces) means a client that re-serialises the same
    object in another key order or spacing is still sending "the same body". A body that
    is not JSON at all is hashed as sent.
    """
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def respond_once(
    actor: Actor,
    key: str,
    fingerprint: str,
    respond: Callable[[], Reply],
    *,
    now: datetime | None = None,
) -> Reply:
    """The answer to a request sent with an Idempotency-Key: the stored one, or a new one.

    `respond` does the work without committing (e.g. `create_task(..., commit=False)`)
    and returns the answer; it is called at most once, and only when no live answer is
    stored under this key. Its answer is stored in the same transaction when it succeeds.
    Raises ValidationError for a malformed key and IdempotencyConflict when the key was
    used with another body; errors `respond` raises pass through with nothing stored.
    """
    key = checked_key(key)
    if actor.api_key_id is None:
        raise ValidationError.for_fields({HEADER: "is only accepted with an API key"})
    now = now or dates.now()
    stored = _stored(actor.api_key_id, key)
    if stored is not None:
        if stored.created_at > now - REPLAY_WINDOW:
            return _replay(stored, fingerprint)
        _forget(stored)
    reply = respond()
    db.session.add(
        IdempotencyRecord(
            api_key_id=actor.api_key_id,
            key=key,
            request_hash=fingerprint,
            response_status=reply.status,
            response_body=json.dumps(reply.body),
            location=reply.headers.get("Location"),
            created_at=now,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request with this key committed first (it may have been waiting on
        # us, or we on it): drop our work, including the task, and answer as it did.
        db.session.rollback()
        stored = _stored(actor.api_key_id, key)
        if stored is None:  # the integrity error was about something else
            raise
        return _replay(stored, fingerprint)
    return reply


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete every record older than the replay window; returns how many went.

    Expired records are harmless (a reused key replaces its own), so this is only
    housekeeping for a periodic job.
    """
    cutoff = (now or dates.now()) - REPLAY_WINDOW
    # A DELETE's result is a CursorResult (with rowcount); Session.execute is typed for any.
    result = cast(
        sa.CursorResult[Any],
        db.session.execute(
            sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at <= cutoff)
        ),
    )
    db.session.commit()
    return result.rowcount


def _stored(api_key_id, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
    )


def _forget(stored: IdempotencyRecord) -> None:
    """Delete an expired record now, in this transaction, so its key can be stored anew.

    Matching on `created_at` too means that when two requests reuse one expired key at
    once, the second deletes nothing (the first replaced the row) and then loses on the
    unique constraint like any other race.
    """
    db.session.execute(
        sa.delete(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == stored.id,
            IdempotencyRecord.created_at == stored.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expunge(stored)


def _replay(stored: IdempotencyRecord, fingerprint: str) -> Reply:
    if stored.request_hash != fingerprint:
        raise IdempotencyConflict()
    headers = {"Location": stored.location} if stored.location else {}
    return Reply(stored.response_status, json.loads(stored.response_body), headers, True)
