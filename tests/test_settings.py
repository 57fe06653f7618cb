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
