"""Failed logins slow attackers down without locking the owner out (docs/security.md).

Failures count per (email, client) and per client, which refuse with 429 when over the
limit; failures per email from everywhere only add a growing delay before the answer.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.services import accounts
from app.services.rate_limits import Limit
from tests.conftest import PASSWORD


def attempt(client, email, password, address="10.0.0.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


@pytest.fixture
def delays(monkeypatch) -> list[float]:
    """The delays the login waited, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(accounts, "sleep", waited.append)
    return waited


def test_failures_over_the_limit_refuse_that_client_even_with_the_right_password(
    app, client, member, delays
):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    assert [attempt(client, member.email, "wrong").status_code for _ in range(3)] == [400] * 3
    throttled = attempt(client, member.email, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed attempts" in throttled.get_data(as_text=True)


def test_the_owner_on_another_client_still_gets_in(app, client, member, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    for _ in range(3):
        attempt(client, member.email, "wrong", address="10.6.6.6")
    assert attempt(client, member.email, PASSWORD, address="10.0.0.7").status_code == 303


def test_success_clears_that_clients_count(app, client, member, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    for _ in range(2):
        attempt(client, member.email, "wrong")
    assert attempt(client, member.email, PASSWORD).status_code == 303
    client.post("/logout")
    assert [attempt(client, member.email, "wrong").status_code for _ in range(2)] == [400, 400]


def test_one_address_cannot_spray_many_accounts(app, client, member, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(2, 3600)  # so 8 failures per address
    statuses = [attempt(client, f"user{i}@acme.test", "guess").status_code for i in range(9)]
    assert statuses[:8] == [400] * 8 and statuses[8] == 429
    # Another address is not affected.
    assert attempt(client, member.email, PASSWORD, address="10.0.0.2").status_code == 303


def test_guesses_from_many_addresses_are_slowed_more_and_more(app, client, member, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    for number in range(10):  # a botnet: each address guesses once
        assert attempt(client, member.email, "guess", address=f"10.1.0.{number}").status_code == 400
    # No delay for the first three failures (an owner's own typos), then doubling, capped.
    assert delays == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    # The owner, on a clean client, waits the delay but is never refused.
    assert attempt(client, member.email, PASSWORD, address="10.0.0.9").status_code == 303
    assert delays[-1] == accounts.LOGIN_DELAY_MAX


def test_the_delay_counts_per_email(app, client, member, admin, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    for number in range(6):
        attempt(client, member.email, "guess", address=f"10.1.0.{number}")
    before = list(delays)
    assert attempt(client, admin.email, PASSWORD, address="10.2.0.1").status_code == 303
    assert delays == before, "another account's login is not slowed"


def test_throttle_off_when_limit_is_zero(client, member, delays):
    assert all(attempt(client, member.email, "wrong").status_code == 400 for _ in range(12))
    assert delays == []


@pytest.fixture
def behind_one_proxy(database_url):
    """The app as deployed behind one reverse proxy: PROXY_FIX_X_FOR=1."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "API_RATE_LIMIT": "0",
            "LOGIN_FAILURE_LIMIT": "10/hour",
            "PROXY_FIX_X_FOR": "1",
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


PROXY = "192.0.2.1"  # every request arrives from the proxy's address


def test_behind_a_proxy_50_wrong_passwords_do_not_stop_the_owner(behind_one_proxy, member, delays):
    client = behind_one_proxy.test_client()
    attacker, owner = "203.0.113.66", "198.51.100.7"
    statuses = [
        attempt(client, member.email, f"guess {n}", PROXY, forwarded=attacker).status_code
        for n in range(50)
    ]
    assert statuses[:10] == [400] * 10, "the attacker's own first guesses are answered"
    assert set(statuses[10:]) == {429}, "then that client is refused"
    # The owner, from their own address through the same proxy, gets in (after a delay).
    assert attempt(client, member.email, PASSWORD, PROXY, forwarded=owner).status_code == 303
    # The attacker stays refused, even with the right password.
    assert attempt(client, member.email, PASSWORD, PROXY, forwarded=attacker).status_code == 429
    assert attempt(client, member.email, "guess", PROXY, forwarded=attacker).status_code == 429


def test_without_a_trusted_proxy_a_forged_address_changes_nothing(app, client, member, delays):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    statuses = [
        attempt(client, member.email, "guess", forwarded=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429], "X-Forwarded-For is ignored by default"


def test_proxy_count_must_be_a_number(database_url):
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PROXY_FIX_X_FOR": "yes"})
