"""Settings come from the environment once, at start-up, and reach code typed (app/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import DEFAULT_SEARCH_INDEX_MAX_INDEXES, ConfigError, settings
from app.services.rate_limits import Limit

BASE = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_settings_are_read_from_the_environment_at_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_INDEX_MAX_INDEXES", "7")
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "5/minute")
    monkeypatch.setenv("API_RATE_LIMIT", "0")
    monkeypatch.setenv("CRM_TASKS_DEMO_CREDENTIALS", str(tmp_path / "demo.json"))
    app = create_app(BASE)
    for name in ("SEARCH_INDEX_MAX_INDEXES", "LOGIN_FAILURE_LIMIT", "API_RATE_LIMIT"):
        monkeypatch.delenv(name)  # what counts is what the app read when it started
    with app.app_context():
        current = settings()
    assert current.search_index_max_indexes == 7
    assert current.login_failure_limit == Limit(5, 60)
    assert not current.api_rate_limit.enabled
    assert current.demo_credentials_path == tmp_path / "demo.json"
    assert current.secret_key == "x"


def test_defaults_without_the_environment(monkeypatch):
    for name in ("SEARCH_INDEX_MAX_INDEXES", "CRM_TASKS_DEMO_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({**BASE, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        current = settings()
    assert current.search_index_max_indexes == DEFAULT_SEARCH_INDEX_MAX_INDEXES
    assert current.password_hash_method == "pbkdf2:sha256:1000"
    assert current.demo_credentials_path == Path(app.instance_path) / "demo-credentials.json"


@pytest.mark.parametrize("value", ["lots", "0", "-3"])
def test_a_bad_search_index_cap_stops_the_app(monkeypatch, value):
    monkeypatch.setenv("SEARCH_INDEX_MAX_INDEXES", value)
    with pytest.raises(ConfigError, match="SEARCH_INDEX_MAX_INDEXES"):
        create_app(BASE)


def test_mail_notify_and_link_settings_are_read_at_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.acme.test")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAIL_USE_TLS", "yes")
    monkeypatch.setenv("MAIL_USERNAME", "tasks")
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "crm <tasks@acme.test>")
    monkeypatch.setenv("NOTIFY_BATCH", "7")
    monkeypatch.setenv("APP_BASE_URL", "https://crm.acme.test")
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    app = create_app(BASE)
    for name in ("MAIL_SERVER", "MAIL_PORT", "NOTIFY_BATCH", "APP_BASE_URL"):
        monkeypatch.delenv(name)
    with app.app_context():
        current = settings()
    assert current.mail.server == "smtp.acme.test"
    assert current.mail.port == 2525
    assert current.mail.use_tls and not current.mail.use_ssl
    assert current.mail.username == "tasks" and current.mail.password is None
    assert current.mail.default_sender == "crm <tasks@acme.test>"
    assert current.notify_batch == 7
    assert current.app_base_url == "https://crm.acme.test"
    assert current.proxy_fix_x_for == 1
    assert not current.production


def test_mail_defaults_to_files_in_the_instance_folder(monkeypatch):
    for name in ("MAIL_SERVER", "MAIL_FILE_DIRECTORY", "NOTIFY_BATCH", "APP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(BASE)
    with app.app_context():
        current = settings()
    assert current.mail.server is None
    assert current.mail.file_directory == Path(app.instance_path) / "mail"
    assert current.notify_batch == 20
    assert current.app_base_url is None


@pytest.mark.parametrize(("name", "value"), [("NOTIFY_BATCH", "many"), ("MAIL_PORT", "smtp")])
def test_a_bad_count_for_mail_stops_the_app(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app(BASE)


def test_only_config_py_reads_the_environment_or_the_flask_config():
    """Everything else asks `settings()` (docs/decisions.md, "One definition ...")."""
    root = Path(__file__).resolve().parent.parent / "app"
    readers = ("os.environ", "os.getenv", "current_app.config", "app.config[", "app.config.get")
    offenders = [
        f"{path.relative_to(root)}: {needle}"
        for path in root.rglob("*.py")
        if path.name != "config.py"
        for needle in readers
        if needle in path.read_text()
    ]
    assert offenders == []
