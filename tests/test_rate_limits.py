"""API rate limit per key (429 rate_limited + Retry-After), shared by all workers
(docs/rules.md §4)."""

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import ConfigError
from app.extensions import db
from app.models import RateLimitBucket
from app.services import accounts, rate_limits
from app.services.rate_limits import Limit, hit, peek
from tests.live import LiveServer, prepare_database
from tests.live_databases import fresh_database


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("120/minute", Limit(120, 60)),
        ("10 per second", Limit(10, 1)),
        ("5/hour", Limit(5, 3600)),
        ("0", Limit(0, 60)),
    ],
)
def test_limit_parsing(text, limit):
    assert Limit.parse(text) == limit


def test_bad_limit_stops_the_app():
    from app import create_app

    with pytest.raises(ConfigError, match="API_RATE_LIMIT"):
        create_app({"API_RATE_LIMIT": "lots", "SECRET_KEY": "x"})


def test_counter_windows(ctx):
    limit = Limit(3, 60)
    assert [hit("b", limit, now=600.0).allowed for _ in range(4)] == [True, True, True, False]
    assert not peek("b", limit, now=601.0).allowed
    assert hit("b", limit, now=660.0).allowed, "a new window starts from zero"
    assert hit("b", limit, now=659.5 + 60).retry_after == 1


def test_api_answers_429_with_retry_after(app, client, auth, contact):
    app.config["API_RATE_LIMIT"] = Limit(3, 60)
    statuses = [client.get("/v1/tasks", headers=auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/v1/tasks", headers=auth)
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_limits_are_per_key(app, client, auth, workspace):
    app.config["API_RATE_LIMIT"] = Limit(1, 60)
    _key, other = accounts.create_api_key(
        accounts.Actor.operator(workspace), "second", [accounts.READ]
    )
    assert client.get("/v1/tasks", headers=auth).status_code == 200
    assert client.get("/v1/tasks", headers=auth).status_code == 429
    assert client.get("/v1/tasks", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_sqlite_counts_a_request_apart_from_the_main_file(app, client, auth):
    """An API request's hit writes nothing to the main SQLite file, so no worker drops its
    memory map of that file for it (app/services/rate_limits.py); PostgreSQL counts in
    its own database."""
    app.config["API_RATE_LIMIT"] = Limit(100, 60)
    with app.app_context():
        store = rate_limits.store()
        if db.engine.dialect.name != "sqlite":
            assert store is db.engine
            return
        main = Path(db.engine.url.database)
    assert Path(store.url.database) == main.with_name(f"{main.stem}.rate-limits{main.suffix}")
    # The key's first use of a while is written down (`last_used_at`); the next are not.
    assert client.get("/v1/tasks", headers=auth).status_code == 200
    watcher = sqlite3.connect(main)
    try:
        before = watcher.execute("PRAGMA data_version").fetchone()
        assert client.get("/v1/tasks", headers=auth).status_code == 200
        assert watcher.execute("PRAGMA data_version").fetchone() == before
        assert watcher.execute("SELECT count(*) FROM rate_limit_bucket").fetchone() == (0,)
    finally:
        watcher.close()
    with store.connect() as conn:
        counted = conn.execute(sa.select(RateLimitBucket.bucket, RateLimitBucket.count)).all()
    assert [count for bucket, count in counted if bucket.startswith("api:")] == [2]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_limit_is_shared_by_all_workers(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        facts = prepare_database(url)
        server = LiveServer(url, workers=3, env={"API_RATE_LIMIT": "20/hour"})
        server.start(tmp_path / "gunicorn.log")
        try:
            headers = {"Authorization": f"Bearer {facts['secret']}"}
            # New connections spread the requests over the workers.
            statuses = [server.request("GET", "/v1/tasks", headers=headers)[0] for _ in range(30)]
        finally:
            server.stop()
    assert statuses.count(200) == 20 and statuses.count(429) == 10
