"""A real gunicorn server on 127.0.0.1 for tests that need several worker processes."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`gunicorn 'app:create_app()'` with the given database, stopped by `stop()`."""

    def __init__(self, database_url: str, workers: int = 4, env: dict | None = None) -> None:
        self.port = free_port()
        self.database_url = database_url
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-test-secret",
            "API_RATE_LIMIT": "0",  # load tests measure throughput, not throttling
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log_path = None
        self._log = None

    def start(self, log_path: Path) -> LiveServer:
        self.log_path = log_path
        self._log = log_path.open("wb")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "app:create_app()",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become healthy: {log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if self._log:
            self._log.close()
            self._log = None

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """(status, parsed JSON or None, headers) of one request."""
        own = conn is None
        conn = conn or self.connection()
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(
                method,
                path,
                body=payload,
                headers={"Content-Type": "application/json", **(headers or {})},
            )
            response = conn.getresponse()
            raw = response.read()
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                data = None
            return response.status, data, dict(response.getheaders())
        finally:
            if own:
                conn.close()


def prepare_database(url: str) -> dict:
    """Migrate `url` and give it a workspace with a contact and a read/write API key."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import accounts, records

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "live-test-secret"})
    with app.app_context():
        upgrade()
        workspace = accounts.create_workspace("Live Workspace", "UTC")
        contact = records.add_contact(workspace.id, "Hans", "Müller", "hans@example.test")
        db.session.commit()
        _key, secret = accounts.create_api_key(
            accounts.Actor.operator(workspace), "live", [accounts.READ, accounts.WRITE]
        )
        facts = {"workspace_id": workspace.id, "contact_id": str(contact.id), "secret": secret}
        db.session.remove()
        db.engine.dispose()
    return facts


def count_tasks(url: str) -> list[str]:
    """The ids of every task row in the database at `url`."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                str(uuid.UUID(str(row[0]))) for row in conn.execute(sa.text("SELECT id FROM task"))
            ]
    finally:
        engine.dispose()
