"""Delivering outbox messages: real SMTP, or `.eml` files when no mail server is configured.

Configured with Flask-Mail's variable names (`MAIL_SERVER`, `MAIL_PORT`, `MAIL_USE_TLS`,
`MAIL_USE_SSL`, `MAIL_USERNAME`, `MAIL_PASSWORD`, `MAIL_DEFAULT_SENDER`). Without
`MAIL_SERVER` (development, `make run`) each message is written to `instance/mail/`.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from app.config import MailSettings, settings
from app.models import OutboxMessage

#: Used when MAIL_DEFAULT_SENDER is not set.
FALLBACK_SENDER = "crm-tasks <no-reply@localhost>"
#: Seconds an SMTP conversation may stall before the attempt counts as failed.
SMTP_TIMEOUT = 30


def mail_directory() -> Path:
    """Where development mail goes: `MAIL_FILE_DIRECTORY`, else instance/mail/."""
    return settings().mail.file_directory


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: plain text and HTML parts, a stable Message-ID, one-click unsubscribe.

    The Message-ID is derived from the outbox row, so a message sent again after a crash is
    recognisably the same message.
    """
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(message.created_at)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    email["Message-ID"] = f"<{message.id}@{domain}>"
    unsubscribe = _unsubscribe_url(message)
    if unsubscribe:
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["X-CRM-Tasks-Kind"] = message.kind
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def _unsubscribe_url(message: OutboxMessage) -> str | None:
    """The one-click unsubscribe URL for this kind of email to this user (RFC 8058)."""
    from app.services.notifications import PREFERENCES, absolute_url, unsubscribe_token

    if message.user_id is None or message.kind not in PREFERENCES:
        return None
    return absolute_url("web.unsubscribe", token=unsubscribe_token(message.user_id, message.kind))


class SMTPTransport:
    """Sends over one SMTP connection per claim, reconnecting after a failure."""

    def __init__(self, config: MailSettings) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    @property
    def sender(self) -> str:
        return self.config.default_sender or FALLBACK_SENDER

    def _connect(self) -> smtplib.SMTP:
        host = self.config.server or "localhost"
        use_ssl = self.config.use_ssl
        port = self.config.port or (465 if use_ssl else 25)
        context = ssl.create_default_context()
        if use_ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
            if self.config.use_tls:
                connection.starttls(context=context)
        if self.config.username:
            connection.login(self.config.username, self.config.password or "")
        return connection

    def send(self, message: OutboxMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(build_email(message, self.sender))
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:  # closing a broken connection may fail too; it is gone anyway
                self.connection.close()
            self.connection = None


class FileTransport:
    """Development: each message becomes `instance/mail/<created>-<id>.eml`.

    Written to a temporary name and renamed, and named by the message's id, so a message
    written twice is still one file.
    """

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = message.created_at.strftime("%Y%m%dT%H%M%SZ")
        target = self.directory / f"{stamp}-{message.kind}-{message.id}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(bytes(build_email(message, self.sender)))
        os.replace(temporary, target)

    def close(self) -> None:
        pass


def transport_for(config: MailSettings | None = None) -> SMTPTransport | FileTransport:
    """SMTP when MAIL_SERVER is set, else files under instance/mail/ (the app's settings)."""
    config = config or settings().mail
    if config.server:
        return SMTPTransport(config)
    return FileTransport(config.file_directory, config.default_sender or FALLBACK_SENDER)
