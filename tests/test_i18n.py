"""Languages (docs/i18n.md): which language a page is in, the switch, the setting, dates and
plurals in German, and catalogs that are complete and up to date with the code."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import User, Workspace
from tests.web_helpers import login_as, text

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.8"}
FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9"}


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', text(response))
    assert match, text(response)[:300]
    return match.group(1)


# --- Which language: user setting → switch → browser → workspace → English -------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (GERMAN_BROWSER, "de"),
        ({"Accept-Language": "de-AT"}, "de"),
        ({"Accept-Language": "fr-FR, de;q=0.4, en;q=0.3"}, "de"),
        (ENGLISH_BROWSER, "en"),
        (FRENCH_BROWSER, "en"),
        ({}, "en"),
    ],
)
def test_a_visitor_gets_the_best_match_of_their_browser(client, headers, expected):
    assert page_language(client.get("/login", headers=headers)) == expected


def test_the_switch_beats_the_browser_and_returns_to_the_same_page(client):
    response = client.post("/language", data={"language": "de", "next": "/login?next=/tasks"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/tasks"
    assert page_language(client.get("/login", headers=ENGLISH_BROWSER)) == "de"
    client.post("/language", data={"language": "en", "next": "/login"})
    assert page_language(client.get("/login", headers=GERMAN_BROWSER)) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", None])
def test_the_switch_never_leaves_the_site(client, target):
    data = {"language": "de"} | ({"next": target} if target else {})
    response = client.post("/language", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/")
    assert not response.headers["Location"].startswith("//")


def test_an_unknown_language_changes_nothing(client):
    client.post("/language", data={"language": "fr", "next": "/login"})
    assert page_language(client.get("/login")) == "en"


def test_a_signed_in_user_keeps_the_choice_as_their_setting(client, app, member):
    login_as(client, member)
    client.post("/language", data={"language": "de", "next": "/tasks"})
    assert db.session.get(User, member.id).language == "de"
    # Another browser, asking for English: the setting wins.
    other = app.test_client()
    login_as(other, member)
    assert page_language(other.get("/tasks", headers=ENGLISH_BROWSER)) == "de"


def test_the_user_setting_beats_the_browser(client, member):
    member.language = "en"
    db.session.commit()
    login_as(client, member)
    assert page_language(client.get("/tasks", headers=GERMAN_BROWSER)) == "en"


def test_the_workspace_default_applies_when_the_browser_asks_for_no_language_we_speak(
    client, workspace, member
):
    login_as(client, member)
    assert page_language(client.get("/tasks", headers=FRENCH_BROWSER)) == "en"
    db.session.get(Workspace, workspace.id).language = "de"
    db.session.commit()
    assert page_language(client.get("/tasks", headers=FRENCH_BROWSER)) == "de"
    assert page_language(client.get("/tasks")) == "de"
    # The browser's own preference still comes first.
    assert page_language(client.get("/tasks", headers=ENGLISH_BROWSER)) == "en"


def test_the_settings_page_saves_the_language(client, member):
    login_as(client, member)
    page = client.get("/settings/notifications")
    assert 'id="language"' in text(page)
    form = {"language": "de", "timezone": "", "default_reminder": "", "notify_reminders": "y"}
    response = client.post("/settings/notifications", data=form)
    assert response.status_code == 303
    assert db.session.get(User, member.id).language == "de"
    form["language"] = ""  # back to the browser's language
    client.post("/settings/notifications", data=form)
    assert db.session.get(User, member.id).language is None


def test_the_settings_page_refuses_an_unknown_language(client, member):
    login_as(client, member)
    form = {"language": "xx", "timezone": "", "default_reminder": ""}
    response = client.post("/settings/notifications", data=form)
    assert response.status_code == 400
    assert db.session.get(User, member.id).language is None


def test_the_api_stays_english(client, workspace):
    response = client.get("/v1/tasks", headers=GERMAN_BROWSER)
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"]["code"] == "unauthorized"
    assert re.search(r"[A-Za-z]", body["error"]["message"])
    english = client.get("/v1/tasks", headers=ENGLISH_BROWSER).get_json()
    assert body["error"]["message"] == english["error"]["message"]


def test_create_workspace_takes_a_language(runner, ctx):
    result = runner.invoke(args=["create-workspace", "Kanzlei Berg", "--language", "de"])
    assert result.exit_code == 0, result.output
    workspace = db.session.scalar(db.select(Workspace).where(Workspace.name == "Kanzlei Berg"))
    assert workspace.language == "de"
    refused = runner.invoke(args=["create-workspace", "Kanzlei Tal", "--language", "fr"])
    assert refused.exit_code != 0
    default = runner.invoke(args=["create-workspace", "Firm"])
    assert default.exit_code == 0
    assert db.session.scalar(db.select(Workspace.language).where(Workspace.name == "Firm")) == "en"
