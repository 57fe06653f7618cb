"""Helpers for the browser app's Flask test-client tests (as flaskr's `AuthActions`)."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import PASSWORD


class AuthActions:
    """Log a test client in and out through the real login form."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str = "mia@acme.test", password: str = PASSWORD, **extra):
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self._client.post("/logout")


def login_as(client, user):
    """Sign `client` in as `user` through the login form; returns the client."""
    response = AuthActions(client).login(user.email)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/tasks"}


def text(response) -> str:
    return response.get_data(as_text=True)


def option_labels(html: str) -> list[str]:
    """The visible labels of a search fragment's options, markup removed, in order."""
    labels = re.findall(r'<span class="option__label">(.*?)</span>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", label)) for label in labels]
