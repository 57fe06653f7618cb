"""Languages (docs/i18n.md): which language a page is in, the switch, the setting, dates and
plurals in German, and catalogs that are complete and up to date with the code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.extensions import db
from app.i18n import (
    current_language,
    format_day,
    format_moment,
    format_number,
    weekday_names,
)
from app.models import OutboxMessage, User, Workspace
from app.services import accounts, calendar, schedule
from app.services import tasks as task_service
from tests.web_helpers import login_as, text

ROOT = Path(__file__).resolve().parent.parent

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
    response = client.post(
        "/language",
        data={"language": "de", "next": "/login"},
        headers={"Referer": "http://localhost/login?next=/tasks"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/tasks"
    # Without a Referer (or with another site's), the page's path.
    response = client.post(
        "/language",
        data={"language": "de", "next": "/login"},
        headers={"Referer": "https://evil.example/login?x=1"},
    )
    assert response.headers["Location"] == "/login"
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


def test_the_user_setting_beats_the_switch_made_before_signing_in(client, member):
    client.post("/language", data={"language": "de", "next": "/login"})
    assert page_language(client.get("/login")) == "de"
    member.language = "en"
    db.session.commit()
    login_as(client, member)
    assert page_language(client.get("/tasks", headers=GERMAN_BROWSER)) == "en"


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


def test_the_notice_after_saving_german_is_german(client, member):
    login_as(client, member)
    form = {"language": "de", "timezone": "", "default_reminder": "", "notify_reminders": "y"}
    response = client.post("/settings/notifications", data=form, headers=ENGLISH_BROWSER)
    page = text(client.get(response.headers["Location"], headers=ENGLISH_BROWSER))
    assert "Ihre Einstellungen wurden gespeichert." in page and page_language_of(page) == "de"


def page_language_of(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


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


# --- The catalogs --------------------------------------------------------------------


def _catalog(language: str):
    path = ROOT / "app" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def test_every_german_message_is_translated_and_none_is_fuzzy():
    problems = []
    for message in _catalog("de"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(s.strip() for s in strings):
            problems.append(f"empty: {message.id!r}")
    assert not problems, "run `make babel-update` and translate:\n" + "\n".join(problems)


def test_the_catalogs_are_up_to_date_with_the_code(tmp_path):
    """Extract the marked texts afresh: a text marked in the code but missing from the
    catalogs, or one the catalogs keep although the code no longer has it, fails."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext",
         "-k", "lazy_ngettext:1,2", "-k", "_l", "-o", str(pot),
         str(ROOT / "app"), str(ROOT / "templates")]
    )  # fmt: skip
    with pot.open("rb") as handle:
        extracted = _ids(read_po(handle))
    assert len(extracted) > 300
    for language in ("de", "en"):
        known = _ids(_catalog(language))
        missing, stale = extracted - known, known - extracted
        assert not missing and not stale, (
            f"{language} catalog out of date: run `make babel-update`; "
            f"missing {sorted(map(str, missing))[:10]}, stale {sorted(map(str, stale))[:10]}"
        )


def test_german_placeholders_match_the_english():
    """A translation that drops or renames a %(name)s would fail (or lose it) at run time."""
    names = re.compile(r"%\((\w+)\)")
    problems = []
    for message in _catalog("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(names.findall(ids[-1])) - {"num"}
        for string in strings:
            if set(names.findall(string)) - {"num"} != wanted:
                problems.append(f"{ids[0]!r} → {string!r}")
    assert not problems, "\n".join(problems)


# --- Dates, numbers and plurals in German -------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Di., 1. Dez. 2026"), ("en", "Tue 1 Dec 2026")],
)
def test_a_day_in_each_language(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert format_day(date(2026, 12, 1)) == expected


def test_times_are_24_hour_in_the_zone_given(app):
    moment = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    with app.test_request_context(), force_locale("de"):
        assert format_moment(moment, berlin) == "1. Dez. 2026, 14:30"
        assert format_moment(moment, berlin, weekday=True) == "Di., 1. Dez. 2026, 14:30"
        assert format_number(Decimal("1234.5")) == "1.234,5"
    with app.test_request_context(), force_locale("en"):
        assert format_moment(moment, berlin) == "1 Dec 2026, 14:30"
        assert format_number(Decimal("1234.5")) == "1,234.5"


def test_the_german_week_starts_on_monday(app):
    with app.test_request_context(), force_locale("de"):
        assert Locale.parse(current_language()).first_week_day == 0
        assert weekday_names()[0] == "Mo."


def test_the_task_list_counts_tasks_in_german_plurals(client, member, contact):
    login_as(client, member)
    actor = accounts.Actor.for_user(member)
    make = lambda title: task_service.create_task(  # noqa: E731
        actor, {"title": title, "contact_id": str(contact.id), "assignee_id": str(member.id)}
    )
    make("Akte anlegen")
    html = text(client.get("/tasks", headers=GERMAN_BROWSER))
    assert "1 Aufgabe</p>" in html
    make("Frist notieren")
    make("Mandant anrufen")
    html = text(client.get("/tasks", headers=GERMAN_BROWSER))
    assert "3 Aufgaben</p>" in html
    assert "Ohne Fälligkeit" in html  # the heading of tasks without a due date


def test_the_list_shows_german_headings_and_dates(client, member, contact, workspace):
    login_as(client, member)
    actor = accounts.Actor.for_user(member)
    today = schedule.today_in(workspace.zone)
    for title, day in (("Gestern", today - timedelta(days=1)), ("Heute", today),
                       ("Morgen", today + timedelta(days=1))):  # fmt: skip
        task_service.create_task(
            actor,
            {"title": title, "contact_id": str(contact.id), "assignee_id": str(member.id),
             "due_date": day.isoformat()},
        )  # fmt: skip
    html = text(client.get("/tasks", headers=GERMAN_BROWSER))
    headings = re.findall(r'class="due-group__heading"[^>]*>([^<]+)<', html)
    assert [h.strip() for h in headings] == ["Überfällig", "Heute", "Morgen"]
    with client.application.test_request_context(), force_locale("de"):
        assert format_day(today) in html
    # Date inputs keep ISO values whatever the language.
    form = text(client.get("/tasks/new", headers=GERMAN_BROWSER))
    assert 'lang="de"' in form and "Fällig am" in form


# --- Emails go out in the recipient's language -----------------------------------------


def test_an_assignment_email_is_in_the_recipients_language(client, app, member, admin, contact):
    admin.language = "en"
    member.language = "de"
    db.session.commit()
    login_as(client, admin)
    response = client.post(
        "/tasks",
        data={"title": "Schriftsatz prüfen", "contact_id": str(contact.id),
              "assignee_id": str(member.id), "due_date": "2026-12-01"},
        headers=ENGLISH_BROWSER,
    )  # fmt: skip
    assert response.status_code == 303
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.subject == "Ada Admin hat Ihnen „Schriftsatz prüfen“ zugewiesen"
    assert "fällig Di., 1. Dez. 2026" in message.body_text
    assert 'lang="de"' in message.body_html


def test_without_a_setting_emails_follow_the_workspace(client, member, admin, contact, workspace):
    db.session.get(Workspace, workspace.id).language = "de"
    db.session.commit()
    login_as(client, admin)
    client.post(
        "/tasks",
        data={"title": "Akte anlegen", "contact_id": str(contact.id),
              "assignee_id": str(member.id)},
        headers=ENGLISH_BROWSER,
    )  # fmt: skip
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.subject.startswith("Ada Admin hat Ihnen")


def test_the_calendar_feed_is_named_in_the_users_language(client, member, workspace):
    member.language = "de"
    db.session.commit()
    feed = client.get(f"/calendar/{calendar.feed_token(member)}.ics").get_data(as_text=True)
    assert "X-WR-CALNAME:Aufgaben · Acme Sales" in feed
