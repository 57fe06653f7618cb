"""Configuration: the one place that reads the environment and the app's config.

`load_config` builds the Flask config once, from defaults, the environment (what differs
between machines: the database, the secret, limits) and the mapping tests pass to
`create_app`. Code elsewhere reads settings through `settings()`, typed, never through
`os.environ` or `current_app.config` itself (README.md lists every variable).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from app.services.rate_limits import Limit

#: Request bodies above this are refused with 413 (docs/rules.md §4).
MAX_BODY_BYTES = 1024 * 1024
#: Per API key, shared by all workers; `API_RATE_LIMIT=0` turns it off.
DEFAULT_API_RATE_LIMIT = "1200/minute"
#: Active (unrevoked) API keys one workspace may hold.
DEFAULT_API_KEY_LIMIT = 50
#: New API keys per workspace, from the browser or the command line.
DEFAULT_API_KEY_CREATE_LIMIT = "20/hour"
#: Failed logins per email address (four times as many per client address) before a pause.
DEFAULT_LOGIN_LIMIT = "10/hour"
#: Workspace search indexes (one per workspace and kind) a worker keeps in memory.
DEFAULT_SEARCH_INDEX_MAX_INDEXES = 64
#: A gunicorn worker builds, before its first request, the search index of every workspace
#: and kind with at least this many records (0: none; smaller ones build in under 0.2 s).
DEFAULT_SEARCH_INDEX_WARM = 10_000
#: Where `seed-demo` keeps the demo login and API key, unless configured otherwise.
CREDENTIALS_ENV = "CRM_TASKS_DEMO_CREDENTIALS"
#: Outbox messages one delivery claim takes (`NOTIFY_BATCH`).
DEFAULT_NOTIFY_BATCH = 20
#: Mail settings, by Flask-Mail's names: strings, then the port, then the on/off flags.
_MAIL_TEXT = (
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_FILE_DIRECTORY",
)
_MAIL_FLAGS = ("MAIL_USE_TLS", "MAIL_USE_SSL")


class ConfigError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def sqlite_url(instance_path: str) -> str:
    """The default database: one SQLite file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'crm-tasks.sqlite3'}"


def development_secret_key(instance_path: str) -> str:
    """Return the instance folder's secret key, generating it once on first use.

    Sessions survive restarts in development without anybody having to invent a secret;
    production must set SECRET_KEY itself (see `load_config`).
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config from defaults, the environment and `overrides` (tests)."""
    overrides = dict(overrides or {})
    env = os.environ
    production = (overrides.get("ENV") or env.get("CRM_TASKS_ENV", "development")) == "production"
    config: dict = {
        "ENV": "production" if production else "development",
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or sqlite_url(instance_path),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "MAX_FORM_MEMORY_SIZE": MAX_BODY_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1" or production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": "scrypt",
    }
    config.setdefault("API_RATE_LIMIT", env.get("API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT))
    config.setdefault("LOGIN_FAILURE_LIMIT", env.get("LOGIN_FAILURE_LIMIT", DEFAULT_LOGIN_LIMIT))
    config.setdefault("PROXY_FIX_X_FOR", env.get("PROXY_FIX_X_FOR", "0"))
    config.setdefault("API_KEY_LIMIT", env.get("API_KEY_LIMIT", DEFAULT_API_KEY_LIMIT))
    config.setdefault(
        "API_KEY_CREATE_LIMIT", env.get("API_KEY_CREATE_LIMIT", DEFAULT_API_KEY_CREATE_LIMIT)
    )
    config.update(mail_config_from_env(env))
    config.setdefault("APP_BASE_URL", env.get("APP_BASE_URL") or None)
    config.setdefault("NOTIFY_BATCH", env.get("NOTIFY_BATCH", DEFAULT_NOTIFY_BATCH))
    config.setdefault(
        "SEARCH_INDEX_MAX_INDEXES",
        env.get("SEARCH_INDEX_MAX_INDEXES", DEFAULT_SEARCH_INDEX_MAX_INDEXES),
    )
    config.setdefault("SEARCH_INDEX_WARM", env.get("SEARCH_INDEX_WARM", DEFAULT_SEARCH_INDEX_WARM))
    config["DEMO_CREDENTIALS_PATH"] = env.get(CREDENTIALS_ENV) or str(
        Path(instance_path) / "demo-credentials.json"
    )
    config.update(overrides)
    config["API_KEY_LIMIT"] = _whole_number(config["API_KEY_LIMIT"], "API_KEY_LIMIT", minimum=1)
    config["SEARCH_INDEX_MAX_INDEXES"] = _whole_number(
        config["SEARCH_INDEX_MAX_INDEXES"], "SEARCH_INDEX_MAX_INDEXES", minimum=1
    )
    config["SEARCH_INDEX_WARM"] = _whole_number(
        config["SEARCH_INDEX_WARM"], "SEARCH_INDEX_WARM", minimum=0
    )
    config["NOTIFY_BATCH"] = _whole_number(config["NOTIFY_BATCH"], "NOTIFY_BATCH", minimum=1)
    if config.get("MAIL_PORT"):
        config["MAIL_PORT"] = _whole_number(config["MAIL_PORT"], "MAIL_PORT", minimum=1)
    config["API_KEY_CREATE_LIMIT"] = _limit(config["API_KEY_CREATE_LIMIT"], "API_KEY_CREATE_LIMIT")
    config["PROXY_FIX_X_FOR"] = _proxy_count(config["PROXY_FIX_X_FOR"])
    config["API_RATE_LIMIT"] = _limit(config["API_RATE_LIMIT"], "API_RATE_LIMIT")
    config["LOGIN_FAILURE_LIMIT"] = _limit(config["LOGIN_FAILURE_LIMIT"], "LOGIN_FAILURE_LIMIT")
    if not config.get("SECRET_KEY"):
        if env.get("SECRET_KEY"):
            config["SECRET_KEY"] = env["SECRET_KEY"]
        elif production:
            raise ConfigError("SECRET_KEY must be set in production (CRM_TASKS_ENV=production).")
        else:
            config["SECRET_KEY"] = development_secret_key(instance_path)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"], config.get("SQLALCHEMY_ENGINE_OPTIONS")
    )
    return config


def mail_config_from_env(env: Mapping[str, str]) -> dict:
    """The MAIL_* settings as Flask config values (flags typed; the port is checked later)."""
    config: dict = {name: env[name] for name in _MAIL_TEXT if env.get(name)}
    if env.get("MAIL_PORT"):
        config["MAIL_PORT"] = env["MAIL_PORT"]  # checked with the other counts
    for name in _MAIL_FLAGS:
        if name in env:
            config[name] = _flag(env[name])
    return config


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class MailSettings:
    """Where and how email goes (app/services/mail.py): SMTP when `server` is set."""

    server: str | None
    port: int | None
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    #: `MAIL_DEFAULT_SENDER`, None when not set (mail.py then uses its fallback).
    default_sender: str | None
    #: Where messages are written as .eml files when there is no server.
    file_directory: Path

    @classmethod
    def from_config(cls, config: Any, instance_path: str) -> MailSettings:
        port = config.get("MAIL_PORT")
        directory = config.get("MAIL_FILE_DIRECTORY")
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(port) if port else None,
            use_tls=_flag(config.get("MAIL_USE_TLS", False)),
            use_ssl=_flag(config.get("MAIL_USE_SSL", False)),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            default_sender=config.get("MAIL_DEFAULT_SENDER") or None,
            file_directory=Path(directory) if directory else Path(instance_path) / "mail",
        )


@dataclass(frozen=True)
class Settings:
    """The settings code outside this module reads, typed (see `settings()`)."""

    #: Requests per API key and window; `Limit.enabled` is False when turned off.
    api_rate_limit: Limit
    #: Failed logins per (email, client) and window (times `ADDRESS_LIMIT_FACTOR` per
    #: client); also wrong current passwords when changing one.
    login_failure_limit: Limit
    #: Active (unrevoked) API keys one workspace may hold.
    api_key_limit: int
    #: New API keys per workspace and window.
    api_key_create_limit: Limit
    #: Werkzeug's hashing method for passwords (`scrypt`; tests use a cheap one).
    password_hash_method: str
    #: (workspace, kind) search indexes one app keeps, least recently searched dropped first.
    search_index_max_indexes: int
    #: Records a (workspace, kind) needs for its search index to be built at worker start
    #: (gunicorn.conf.py); 0 builds none there.
    search_index_warm: int
    #: Signs what the app hands out and reads back (list cursors).
    secret_key: str
    #: Where `seed-demo` writes the demo credentials and `demo-credentials` reads them.
    demo_credentials_path: Path
    #: Email delivery (SMTP or files).
    mail: MailSettings
    #: The address links in emails and calendar feeds start with; None: the request's, else
    #: the development address.
    app_base_url: str | None
    #: Outbox messages one delivery claim takes.
    notify_batch: int
    #: How many proxies in front of the app set X-Forwarded-For / -Proto (0: trust none).
    proxy_fix_x_for: int
    #: `CRM_TASKS_ENV=production`: a secret is required, cookies are Secure, HSTS is sent.
    production: bool

    @classmethod
    def from_config(cls, config: Any, instance_path: str) -> Settings:
        return cls(
            api_rate_limit=config["API_RATE_LIMIT"],
            login_failure_limit=config["LOGIN_FAILURE_LIMIT"],
            api_key_limit=config["API_KEY_LIMIT"],
            api_key_create_limit=config["API_KEY_CREATE_LIMIT"],
            password_hash_method=config["PASSWORD_HASH_METHOD"],
            # Tests may set it on a running app (before its first search): count it again.
            search_index_max_indexes=int(config["SEARCH_INDEX_MAX_INDEXES"]),
            search_index_warm=int(config["SEARCH_INDEX_WARM"]),
            secret_key=config["SECRET_KEY"],
            demo_credentials_path=Path(config["DEMO_CREDENTIALS_PATH"]),
            mail=MailSettings.from_config(config, instance_path),
            app_base_url=config.get("APP_BASE_URL") or None,
            # Tests may set these on a running app too.
            notify_batch=int(config.get("NOTIFY_BATCH") or DEFAULT_NOTIFY_BATCH),
            proxy_fix_x_for=config["PROXY_FIX_X_FOR"],
            production=config.get("ENV") == "production",
        )


def settings(app: Flask | None = None) -> Settings:
    """The current app's settings (or `app`'s, while `create_app` builds it).

    Read from its config on every call (a few dict lookups), so a test that changes
    `app.config` sees the change, as it would after a restart with other settings.
    """
    app = app or current_app
    return Settings.from_config(app.config, app.instance_path)


def _limit(value, name: str):
    """A rate limit setting parsed at start-up, so a typo stops the app instead of a request."""
    from app.services.rate_limits import Limit

    if isinstance(value, Limit):
        return value
    try:
        return Limit.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc


def _proxy_count(value) -> int:
    """How many proxies in front of the app to trust (0: none, the socket's peer is the client)."""
    return _whole_number(value, "PROXY_FIX_X_FOR", minimum=0)


def _whole_number(value, name: str, minimum: int) -> int:
    """A count setting parsed at start-up, so a typo stops the app instead of a request."""
    text = str(value).strip()
    if not text.isdigit() or int(text) < minimum:
        raise ConfigError(f"{name}: {value!r} is not a whole number of at least {minimum}")
    return int(text)


def engine_options(url: str, given: dict | None) -> dict:
    """Engine options per backend: pre-ping so a restarted database heals by itself."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        options["connect_args"] = {"timeout": 30}
    options.update(given or {})
    return options
