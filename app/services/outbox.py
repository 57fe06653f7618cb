"""The outbox: emails written in their cause's transaction, delivered exactly once.

Writing: `enqueue` adds a row in the caller's transaction, so a task assignment and its
notice commit (or roll back) together. Its `dedupe_key` is unique, so a reminder or digest
queued by two senders looking at the same moment is one row.

Delivering: `deliver_due` claims a batch of due rows in one statement (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, so senders on several machines never wait for or take each other's
rows; one `UPDATE … RETURNING` on SQLite, which runs under the database's write lock),
commits the claim, sends, and records each outcome in its own transaction. A failed send
is retried with growing back-off (`backoff`); a claim whose sender died is taken over once
its lease runs out. The one window left is a sender dying after the mail server accepted
a message and before the commit that marks it sent: the message is sent again with the
same `Message-ID`, which mail servers use to drop duplicates (docs/notifications.md).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.config import settings
from app.extensions import db
from app.models import OutboxMessage
from app.services import dates

log = logging.getLogger(__name__)

#: A claim is taken over by another sender after this long without an outcome.
DEFAULT_LEASE = timedelta(minutes=5)
#: Rows one claim takes: small enough that concurrent senders share the work.
#: The first retry waits this long; each further one twice as long, up to BACKOFF_MAX.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
#: After this many failed attempts (about 12 hours of retries) a message is `failed`
#: and logged; it stays in the table, so nothing is lost silently.
MAX_ATTEMPTS = 17


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 … 60 minutes."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def enqueue(
    *,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    kind: str,
    dedupe_key: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str,
    now: datetime | None = None,
) -> bool:
    """Add a message in the current transaction; False when `dedupe_key` is queued already."""
    if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return False
    now = now or dates.now()
    message = OutboxMessage(
        workspace_id=workspace_id,
        user_id=user_id,
        kind=kind,
        dedupe_key=dedupe_key,
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        # A savepoint: another sender queuing the same key first costs only this row.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return False
    return True


def reminder_key(task_id: uuid.UUID, remind_at: datetime) -> str:
    return f"reminder:{task_id}:{dates.isoformat_utc(remind_at)}"


def cancel_reminders(task_id: uuid.UUID) -> int:
    """Drop a task's reminders not yet being sent (in the caller's transaction)."""
    result = db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.kind == "reminder",
            OutboxMessage.status == "pending",
            OutboxMessage.dedupe_key.startswith(f"reminder:{task_id}:", autoescape=True),
        )
    )
    return getattr(result, "rowcount", 0) or 0


def worker_name() -> str:
    """Who holds a claim: host and process, for the logs and the row."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _claimable(now: datetime):
    return sa.or_(
        sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
    )


def claim(worker: str, now: datetime, *, batch: int, lease: timedelta) -> list[uuid.UUID]:
    """Claim up to `batch` due messages for `worker` and commit the claim.

    The claim is one UPDATE, the first statement of its transaction, so on SQLite it holds
    the write lock from its first read; on PostgreSQL the rows are chosen with
    `FOR UPDATE SKIP LOCKED` and re-checked by the UPDATE itself.
    """
    db.session.rollback()  # start clean: the UPDATE must open the transaction
    chosen = (
        sa.select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    statement = (
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(chosen.scalar_subquery()), _claimable(now))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(db.session.scalars(statement))
    db.session.commit()
    return ids


@dataclass
class DeliveryReport:
    sent: int = 0
    failed_attempts: int = 0
    given_up: int = 0


def deliver_due(
    transport,
    *,
    now: datetime | None = None,
    worker: str | None = None,
    batch: int | None = None,
    lease: timedelta | None = None,
) -> DeliveryReport:
    """Send every message due at `now`, claim by claim, until none is left to claim."""
    worker = worker or worker_name()
    batch = batch or settings().notify_batch
    lease = lease or DEFAULT_LEASE
    report = DeliveryReport()
    while True:
        at = dates.now() if now is None else now
        ids = claim(worker, at, batch=batch, lease=lease)
        if not ids:
            return report
        try:
            for message_id in ids:
                _deliver_one(transport, message_id, worker, at, report)
        finally:
            transport.close()


def _deliver_one(transport, message_id, worker, at, report: DeliveryReport) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.claimed_by != worker:
        return
    try:
        transport.send(message)
    except Exception as exc:  # any failure of delivery is retried, never lost
        attempts = message.attempts
        given_up = attempts >= MAX_ATTEMPTS
        values = {
            "status": "failed" if given_up else "pending",
            "next_attempt_at": at + backoff(attempts),
            "last_error": f"{type(exc).__name__}: {exc}"[:2000],
            "claimed_by": None,
            "claimed_until": None,
        }
        _finish(message_id, worker, values)
        report.failed_attempts += 1
        if given_up:
            report.given_up += 1
            log.error("outbox message %s failed %s times; giving up", message_id, attempts)
        else:
            log.warning("outbox message %s not sent (attempt %s): %s", message_id, attempts, exc)
        return
    _finish(
        message_id,
        worker,
        {"status": "sent", "sent_at": dates.now(), "claimed_until": None, "last_error": None},
    )
    report.sent += 1


def _finish(message_id: uuid.UUID, worker: str, values: dict) -> None:
    """Record an outcome, only while the claim is still ours."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
