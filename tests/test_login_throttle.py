"""Repeated failed logins are throttled per email and per client address (docs/decisions.md,
reliability and security)."""

from app.services.rate_limits import Limit
from tests.conftest import PASSWORD


def attempt(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_over_the_limit_are_refused_even_with_the_right_password(app, client, member):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    assert [attempt(client, member.email, "wrong").status_code for _ in range(3)] == [400] * 3
    throttled = attempt(client, member.email, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed attempts" in throttled.get_data(as_text=True)


def test_success_clears_the_count(app, client, member):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(3, 3600)
    for _ in range(2):
        attempt(client, member.email, "wrong")
    assert attempt(client, member.email, PASSWORD).status_code == 303
    client.post("/logout")
    assert [attempt(client, member.email, "wrong").status_code for _ in range(2)] == [400, 400]


def test_one_address_cannot_spray_many_accounts(app, client, member):
    app.config["LOGIN_FAILURE_LIMIT"] = Limit(2, 3600)  # so 8 failures per address
    statuses = [attempt(client, f"user{i}@acme.test", "guess").status_code for i in range(9)]
    assert statuses[:8] == [400] * 8 and statuses[8] == 429
    # Another address is not affected.
    assert attempt(client, member.email, PASSWORD, address="10.0.0.2").status_code == 303


def test_throttle_off_when_limit_is_zero(client, member):
    assert all(attempt(client, member.email, "wrong").status_code == 400 for _ in range(12))
