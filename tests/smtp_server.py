"""A real SMTP server for tests: aiosmtpd on a free loopback port.

`refuse_first=N` answers `451 try again later` to the first N messages (after their data
was sent, the worst moment for a sender), then accepts everything. Every accepted message
is kept, parsed, in `received`.
"""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.live import free_port


class RecordingHandler:
    def __init__(self, refuse_first: int = 0) -> None:
        self.refuse_left = refuse_first
        self.refused = 0
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            if self.refuse_left > 0:
                self.refuse_left -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(message)
        return "250 2.0.0 OK"


class SMTPServer:
    def __init__(self, refuse_first: int = 0, port: int | None = None) -> None:
        self.handler = RecordingHandler(refuse_first)
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.received)

    def config(self) -> dict:
        """Flask-Mail style settings pointing at this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}
