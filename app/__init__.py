"""crm-tasks: follow-up tasks for a workspace's staff, over a browser app and a JSON API."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config, settings
from app.errors import register_error_handlers
from app.extensions import csrf, db, login_manager, migrate
from app.i18n import register_i18n
from app.observability import configure_logging, register_request_log
from app.security import register_security_headers
from app.static_assets import register_static_assets

ROOT = Path(__file__).resolve().parent.parent


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with fields in the documented order and text as UTF-8."""

    sort_keys = False  # keep fields in the documented order
    ensure_ascii = False  # "Müller", not "M\u00fcller" (bodies are UTF-8)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass their database URL here)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))
    app.json = JSONProvider(app)

    configure_logging(app)
    register_proxies(app)
    register_extensions(app)
    register_error_handlers(app)
    register_request_log(app)
    register_security_headers(app)
    register_blueprints(app)
    register_commands(app)
    register_static_assets(app)
    return app


def register_proxies(app: Flask) -> None:
    """Trust `X-Forwarded-For` / `-Proto` from exactly PROXY_FIX_X_FOR proxies, else ignore them.

    The client address decides login throttling (docs/security.md): with no trusted proxy a
    forged header must not give a guesser a fresh address for every try.
    """
    proxies = settings(app).proxy_fix_x_for
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    register_i18n(app)
    register_session_hooks(db.session)


def register_session_hooks(session: so.scoped_session[Any]) -> None:
    """The app's session keeps the search versions (search_index/versions.py) and every
    workspace's task version (task_versions.py) current on each flush.

    `db` is shared by every app of the process, so the hooks are added once; a second
    `create_app` finds them in place.
    """
    from app.services import search_index, task_versions

    search_index.register_session_hooks(session)
    task_versions.register_session_hooks(session)


def register_blueprints(app: Flask) -> None:
    from app.api import bp as api_bp
    from app.observability import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp)
    # The API authenticates with bearer keys, not cookies: CSRF cannot apply to it.
    csrf.exempt(api_bp)

    from app.web import bp as web_bp

    app.register_blueprint(web_bp)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


#: How much of a SQLite database file each connection reads through memory-mapped I/O.
#: Address space, not memory: the pages stay in the operating system's cache, shared by
#: every worker. Without it each page outside SQLite's own 2 MB cache is read with a system
#: call, which made a title walk or a heading count at 1,000,000 tasks four times slower.
SQLITE_MMAP_BYTES = 1 << 30


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, WAL so readers never wait for a writer, and read the
    file through memory-mapped I/O (`SQLITE_MMAP_BYTES`)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()
