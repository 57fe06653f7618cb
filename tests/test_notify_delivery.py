"""The outbox and `flask notify` against a real SMTP server (aiosmtpd on loopback).

The central proof: 4 `flask notify` processes started at once against one database (SQLite
and PostgreSQL), an SMTP server refusing its first 3 messages: every reminder arrives
exactly once — none twice, none lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage, Task, User
from app.services import accounts, mail, notifications, outbox, tasks
from tests.conftest import PASSWORD
from tests.live import free_port
from tests.smtp_server import SMTPServer

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Berlin: before the digest hour


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _users(workspace, count: int) -> list[User]:
    users = [
        accounts.create_user(workspace, f"user{i}@acme.test", f"User {i}", "member", PASSWORD)
        for i in range(count)
    ]
    for user in users:
        user.notify_digest = False  # this test counts reminders only
    db.session.commit()
    return users


def _tasks_with_reminders(users, contact, count: int) -> set[str]:
    """`count` tasks whose reminders are due at T0; returns their dedupe keys."""
    keys = set()
    for i in range(count):
        user = users[i % len(users)]
        created = tasks.create_task(
            accounts.Actor.for_user(user),
            {
                "title": f"Call back #{i}",
                "contact_id": str(contact.id),
                "assignee_id": str(user.id),
                "due_date": _iso(T0 + timedelta(minutes=30) - timedelta(seconds=i)),
                "reminder": "1h_before",
            },
            now=T0 - timedelta(days=1),
        ).task
        assert created.remind_at <= T0
        keys.add(outbox.reminder_key(created.id, created.remind_at))
    return keys


def _notify_env(app, smtp: SMTPServer, tmp_path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_DEFAULT_SENDER": "crm-tasks <tasks@acme.test>",
        "NOTIFY_BATCH": "3",
        "PYTHONWARNINGS": "ignore",
    }


def _run_senders(env: dict, now: datetime, count: int = 4) -> list[subprocess.CompletedProcess]:
    """Start `count` `flask notify --now` processes at once and wait for all of them."""
    command = [sys.executable, "-m", "flask", "--app", "app", "notify", "--now", _iso(now)]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def test_four_concurrent_senders_deliver_each_reminder_exactly_once(
    app, workspace, contact, tmp_path, capsys
):
    users = _users(workspace, 3)
    expected = _tasks_with_reminders(users, contact, 60)
    backend = db.engine.dialect.name

    with SMTPServer(refuse_first=3) as smtp:
        env = _notify_env(app, smtp, tmp_path)
        app.config["NOTIFY_BATCH"] = 3
        rounds = 0
        # Each round is 4 senders at once; later rounds act 2 hours on, past any back-off.
        while rounds < 5:
            results = _run_senders(env, T0 + timedelta(hours=2 * rounds))
            rounds += 1
            for result in results:
                assert result.returncode == 0, result.stderr
            db.session.expire_all()
            left = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
            if left == 0:
                break
        received = smtp.received
        refused = smtp.handler.refused

    rows = {
        str(row.id): row.dedupe_key for row in db.session.scalars(sa.select(OutboxMessage)).all()
    }
    assert set(rows.values()) == expected  # each reminder queued once, by 4 racing senders
    ids = [message["Message-ID"].strip("<>").split("@")[0] for message in received]
    counts = Counter(ids)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    delivered_keys = {rows[i] for i in counts if i in rows}
    lost = len(expected - delivered_keys)
    attempts = db.session.scalar(sa.select(sa.func.sum(OutboxMessage.attempts)))
    with capsys.disabled():
        print(
            f"\n[exactly-once {backend}] senders=4 rounds={rounds} expected={len(expected)} "
            f"sent={len(received)} unique={len(counts)} duplicates={duplicates} lost={lost} "
            f"refused_by_smtp={refused} attempts={attempts}"
        )
    assert refused == 3
    assert duplicates == 0
    assert lost == 0
    assert len(received) == len(expected) == 60
    assert attempts == 60 + 3  # three messages needed a second attempt, the rest one
    retried = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.attempts == 2)).all()
    assert len(retried) == 3 and all(m.last_error is None for m in retried)


def test_smtp_down_means_later_never_lost(app, workspace, contact):
    users = _users(workspace, 1)
    expected = _tasks_with_reminders(users, contact, 2)
    port = free_port()  # nothing listens here yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    report = notifications.run_pass(mail.transport_for(), now=T0)
    assert report.reminders == 2 and report.delivery.sent == 0
    assert report.delivery.failed_attempts == 2
    db.session.expire_all()
    pending = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {m.status for m in pending} == {"pending"}
    assert {m.next_attempt_at for m in pending} == {T0 + outbox.BACKOFF_BASE}

    # Too early for the retry: nothing is attempted.
    early = notifications.run_pass(mail.transport_for(), now=T0 + timedelta(seconds=30))
    assert early.delivery.failed_attempts == 0

    with SMTPServer(port=port) as server:
        later = notifications.run_pass(mail.transport_for(), now=T0 + timedelta(minutes=1))
        assert later.delivery.sent == 2
        assert {m["X-CRM-Tasks-Kind"] for m in server.received} == {"reminder"}
    db.session.expire_all()
    assert {m.dedupe_key for m in db.session.scalars(sa.select(OutboxMessage))} == expected


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


def test_a_sender_that_died_mid_send_is_taken_over_after_its_lease(app, workspace, contact):
    users = _users(workspace, 1)
    _tasks_with_reminders(users, contact, 1)
    notifications.queue_due_reminders(T0)
    claimed = outbox.claim("crashed-worker", T0, batch=10, lease=outbox.DEFAULT_LEASE)
    assert len(claimed) == 1
    with SMTPServer() as smtp:
        app.config.update(smtp.config())
        # Within the lease the row is the crashed worker's: nobody sends it.
        assert outbox.deliver_due(mail.transport_for(), now=T0 + timedelta(minutes=4)).sent == 0
        after = outbox.deliver_due(mail.transport_for(), now=T0 + timedelta(minutes=6))
        assert after.sent == 1 and len(smtp.received) == 1
        # And only once: the next pass finds nothing.
        assert outbox.deliver_due(mail.transport_for(), now=T0 + timedelta(hours=1)).sent == 0
    assert len(smtp.received) == 1


def test_email_has_text_html_task_link_workspace_and_one_click_unsubscribe(
    app, client, workspace, contact
):
    users = _users(workspace, 1)
    user = users[0]
    _tasks_with_reminders(users, contact, 1)
    app.config["APP_BASE_URL"] = "https://crm.acme.test"
    with SMTPServer() as smtp:
        app.config.update(smtp.config())
        notifications.run_pass(mail.transport_for(), now=T0)
        (message,) = smtp.received
    assert message["Subject"] == "Reminder: Call back #0"
    assert message["To"] == user.email
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    task = db.session.scalar(sa.select(Task))
    assert f"https://crm.acme.test/tasks/{task.id}/edit" in text
    assert f"https://crm.acme.test/tasks/{task.id}/edit" in html
    assert "Acme Sales" in text and "Acme Sales" in html
    assert "due Mon 2 Mar 2026, 07:30" in text  # Berlin time, the user's (workspace) zone
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text
    path = unsubscribe.removeprefix("https://crm.acme.test")
    # A GET (a mail scanner following links) changes nothing; the one-click POST does.
    assert client.get(path).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).notify_reminders is True
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).notify_reminders is False
    assert client.post(path[:-2] + "xx").status_code == 404


def test_without_mail_server_messages_are_eml_files(app, workspace, contact, tmp_path):
    users = _users(workspace, 1)
    _tasks_with_reminders(users, contact, 2)
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIRECTORY"] = str(tmp_path / "mail")
    report = notifications.run_pass(mail.transport_for(), now=T0)
    assert report.delivery.sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    import email
    import email.policy

    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"].startswith("Reminder: Call back #")
    assert not list((tmp_path / "mail").glob("*.tmp"))


@pytest.mark.parametrize("action", ["complete", "delete"])
def test_completing_or_deleting_cancels_the_reminder(app, workspace, contact, action):
    users = _users(workspace, 1)
    _tasks_with_reminders(users, contact, 1)
    task = db.session.scalar(sa.select(Task))
    actor = accounts.Actor.for_user(users[0])
    notifications.queue_due_reminders(T0)  # queued, not yet sent
    getattr(tasks, f"{action}_task")(actor, task.id, now=T0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert notifications.queue_due_reminders(T0 + timedelta(minutes=1)) == 0


def test_the_demo_writes_a_reminder_email_on_the_first_notify_pass(app, runner, tmp_path):
    """What `make run` does: seed the demo, run `flask notify` without MAIL_SERVER."""
    app.config["DEMO_CREDENTIALS_PATH"] = str(tmp_path / "demo-credentials.json")
    app.config["MAIL_SERVER"] = None
    app.config["MAIL_FILE_DIRECTORY"] = str(tmp_path / "mail")
    seeded = runner.invoke(args=["seed-demo", "--contacts", "20"])
    assert seeded.exit_code == 0, seeded.output
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    assert "queued 1 reminders" in result.output
    import email
    import email.policy

    subjects = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"]
        for path in (tmp_path / "mail").glob("*-reminder-*.eml")
    ]
    assert subjects == ["Reminder: Confirm today's call with Hans Müller"]
