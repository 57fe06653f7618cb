"""No English slips through: every page, fragment, email and feed text in German comes from
the catalog (docs/i18n.md).

A sentinel catalog, compiled here from the German one, wraps every translation in ⟦…⟧. The
app renders each page in German with it; every visible text (and every label a screen
reader reads) must then be inside ⟦…⟧, or be data this test put there itself (names,
titles, e-mail addresses), a date or a number. Text that is not marked for translation
shows up outside the brackets and fails the test, naming it.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.services import accounts, calendar, notifications, records
from app.services import tasks as task_service
from tests.conftest import PASSWORD, _empty_tables

ROOT = Path(__file__).resolve().parent.parent
GERMAN_PO = ROOT / "app" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/tasks", **GERMAN}

#: Words that are data or names, never translated: what this test seeds, the brand, the
#: language names of the switch, and what the app shows as written (scopes, time zones).
SEEDED = {
    "Kanzlei Berg",
    "Ada Admin",
    "Mia Member",
    "Vic Viewer",
    "Anrufen Müller",
    "Schriftsatz prüfen",
    "Akte anlegen",
    "Frist notieren",
    "Vertrag senden",
    "Erledigte Sache",
    "Gelöschte Sache",
    "Hans Müller",
    "Müller GmbH",
    "Berger AG",
    "Erbsache Schmidt",
    "Mandantenabend",
    "Anbahnung",
    "Hall 4",
    "mueller.example",
    "Website",
    "Telefonat",
    "Rückruf vereinbart",
    # What the quick-add lines typed (the preview shows the title as typed).
    "anrufen",
    "Hans",
    "Akte",
}
ALLOWED_WORDS = {
    "crm",
    "tasks",
    "crmtasks",
    "Deutsch",
    "English",
    "UTC",
    "Europe",
    "Berlin",
    "wbk",
    "activities",
    "read",
    "write",
    "Outlook",  # product names inside translated sentences are inside ⟦⟧; here for titles
}
# Day and month names come from Babel's German locale data, not the catalog.
_de = Locale.parse("de")
for _width in ("abbreviated", "wide"):
    for _names in (_de.days["format"][_width], _de.months["format"][_width]):
        ALLOWED_WORDS.update(name.rstrip(".") for name in _names.values())
#: Elements whose text is not prose: code, keys, and the time zone list (IANA names).
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd"}
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-none", "data-one")
WORD = re.compile(r"[^\W\d_]{2,}")
BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")


def sentinel_catalog(directory: Path) -> Path:
    """The German catalog with every translation replaced by ⟦msgid⟧ (plurals too)."""
    with GERMAN_PO.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            message.string = (f"⟦{singular}⟧", f"⟦{plural}⟧")
        else:
            message.string = f"⟦{message.id}⟧"
    target = directory / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return directory


#: Tags inside a sentence: their text runs on with the text around them.
INLINE = {"a", "mark", "strong", "em", "b", "i", "span", "time", "abbr", "small", "label"}


class VisibleText(HTMLParser):
    """Text and read-aloud attributes, one stretch per block; no code, keys or zone list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._current: list[str] = []
        self._skip: list[str] = []

    def _flush(self) -> None:
        if "".join(self._current).strip():
            self.texts.append("".join(self._current))
        self._current = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._skip:
            if tag not in ("input", "br", "meta", "link", "option"):
                self._skip.append(tag)
            return
        if tag not in INLINE:
            self._flush()
        if (
            tag in SKIPPED_ELEMENTS
            or attributes.get("id") in ("timezone",)
            or ("mono" in (attributes.get("class") or "").split())
        ):
            if tag not in ("input", "br", "meta", "link"):
                self._skip.append(tag)
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self._skip:
            if self._skip[-1] == tag:
                self._skip.pop()
            return
        if tag not in INLINE:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._current.append(data)

    def close(self):
        super().close()
        self._flush()


def untranslated(text: str, seeded=SEEDED) -> list[str]:
    """Stretches of text outside ⟦…⟧ that hold words other than seeded data, names, dates
    or numbers."""
    while BRACKETED.search(text):
        text = BRACKETED.sub(" ", text)
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    for value in sorted(seeded, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+", " ", text)
    leaks = []
    for stretch in text.split(SEPARATOR):
        words = [word for word in WORD.findall(stretch) if word not in ALLOWED_WORDS]
        if words:
            leaks.append(f"{' '.join(words)!r} in {' '.join(stretch.split())[:120]!r}")
    return leaks


#: Between two texts of a page; a translation with markup spans several, so the page's texts
#: are checked as one, brackets matched across them.
SEPARATOR = "\u2029"


def leaks_in_html(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return untranslated(SEPARATOR.join(parser.texts))


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def sentinel_app(database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "API_RATE_LIMIT": "0",
            "LOGIN_FAILURE_LIMIT": "0",
            "API_KEY_CREATE_LIMIT": "0",
            "BABEL_TRANSLATION_DIRECTORIES": str(sentinel_catalog(tmp_path / "translations")),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(sentinel_app):
    """A workspace with a German admin, tasks under every heading, and records of each kind."""
    workspace = accounts.create_workspace("Kanzlei Berg", "Europe/Berlin", "de")
    admin = accounts.create_user(workspace, "ada@berg.test", "Ada Admin", "admin", PASSWORD)
    member = accounts.create_user(workspace, "mia@berg.test", "Mia Member", "member", PASSWORD)
    accounts.create_user(workspace, "vic@berg.test", "Vic Viewer", "viewer", PASSWORD)
    company = records.add_company(workspace.id, "Müller GmbH", "mueller.example")
    records.add_company(workspace.id, "Berger AG", "berger.example")
    contact = records.add_contact(workspace.id, "Hans", "Müller", "hans@mueller.example", company)
    deal = records.add_deal(workspace.id, "Erbsache Schmidt", "Anbahnung", 12500, company)
    event = records.add_event(
        workspace.id, "Mandantenabend", datetime(2030, 3, 10, 8, 0, tzinfo=UTC), "Hall 4"
    )
    db.session.commit()
    actor = accounts.Actor.for_user(admin)
    today = datetime.now(UTC).date()

    def make(title, **fields):
        payload = {"title": title, "contact_id": str(contact.id), **fields}
        return task_service.create_task(actor, payload).task

    tasks = {
        "overdue": make(
            "Anrufen Müller",
            due_date=(today - timedelta(days=3)).isoformat(),
            priority="high",
            task_type="Telefonat",
            assignee_id=str(admin.id),
            recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5",
        ),
        "today": make(
            "Schriftsatz prüfen",
            due_date=f"{today.isoformat()}T23:30",
            assignee_id=str(admin.id),
            deal_id=str(deal.id),
            reminder="1h_before",
        ),
        "tomorrow": make(
            "Akte anlegen",
            due_date=(today + timedelta(days=1)).isoformat(),
            assignee_id=str(admin.id),
            company_id=str(company.id),
        ),
        "later": make(
            "Frist notieren",
            due_date=(today + timedelta(days=40)).isoformat(),
            assignee_id=str(admin.id),
            event_id=str(event.id),
            status="in_progress",
            task_type="call",
        ),
        "none": make("Vertrag senden", assignee_id=str(admin.id)),
        "done": make("Erledigte Sache", status="completed"),
        "deleted": make("Gelöschte Sache"),
    }
    task_service.delete_task(actor, tasks["deleted"].id)
    member_actor = accounts.Actor.for_user(member)
    task_service.assign_task(member_actor, tasks["none"].id, admin.id)
    accounts.create_api_key(actor, "Website", [accounts.READ])
    db.session.commit()
    return {
        "workspace": workspace,
        "admin": admin,
        "member": member,
        "contact": contact,
        "company": company,
        "deal": deal,
        "event": event,
        "tasks": tasks,
    }


def german_client(app, user=None):
    client = app.test_client()
    if user is not None:
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, headers=GERMAN
        )
        assert response.status_code == 303
    return client


def assert_all_german(pages: dict[str, str]) -> None:
    problems = {name: leaks for name, html in pages.items() if (leaks := leaks_in_html(html))}
    assert not problems, "English outside the catalog:\n" + "\n".join(
        f"{name}: {leak}" for name, leaks in problems.items() for leak in leaks
    )


def get(client, url, status=200, headers=GERMAN):
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def post(client, url, data, status=200, headers=HTMX):
    response = client.post(url, data=data, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    return response.get_data(as_text=True)


def test_the_sentinel_finds_unmarked_text():
    """The checker itself: English outside the brackets is found, data and dates are not."""
    assert leaks_in_html("<p>⟦Aufgaben⟧ Hello there</p>") == ["'Hello there' in 'Hello there'"]
    assert not leaks_in_html('<p>⟦Siehe <a href="/x">hier</a> (danach)⟧</p>')
    assert leaks_in_html('<button aria-label="Close it">⟦x⟧</button>')
    assert not leaks_in_html("<p>⟦Fällig⟧ Di. 1. Dez. 2026, 14:30 · Hans Müller</p>")
    assert not leaks_in_html("<p>⟦⟦Priorität⟧: ⟦Hoch⟧⟧</p><code>POST /v1/tasks</code>")


def test_signed_out_pages_are_all_german(sentinel_app, world):
    client = german_client(sentinel_app)
    pages = {"login": get(client, "/login")}
    pages["login failed"] = post(
        client, "/login", {"email": "ada@berg.test", "password": "wrong"}, 400, GERMAN
    )
    pages["login asked for a page"] = get(
        client, get_location(client.get("/tasks", headers=GERMAN)), headers=GERMAN
    )
    token = notifications.unsubscribe_token(world["admin"].id, "digest")
    pages["unsubscribe"] = get(client, f"/notifications/unsubscribe/{token}")
    pages["unsubscribed"] = post(client, f"/notifications/unsubscribe/{token}", {}, 200, GERMAN)
    pages["not found"] = get(client, "/no-such-page", 404)
    assert_all_german(pages)


def get_location(response) -> str:
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]


def test_every_page_of_a_signed_in_user_is_german(sentinel_app, world):
    client = german_client(sentinel_app, world["admin"])
    ids = {k: t.id for k, t in world["tasks"].items()}
    pages = {}
    for view in ("", "?view=unassigned", "?view=everyone", "?view=completed", "?view=trash"):
        pages[f"list {view}"] = get(client, f"/tasks{view}")
    pages["filtered, nothing"] = get(client, "/tasks?q=zzzz&priority=low")
    pages["linked filter"] = get(client, f"/tasks?contact_id={world['contact'].id}&status=all")
    pages["results fragment"] = get(client, "/tasks?view=everyone", headers=HTMX)
    pages["new"] = get(client, "/tasks/new")
    pages["edit"] = get(client, f"/tasks/{ids['overdue']}/edit")
    pages["edit timed"] = get(client, f"/tasks/{ids['today']}/edit")
    pages["form errors"] = post(
        client,
        "/tasks",
        {"title": "", "due_time": "10:00", "deal_query": "Erb", "reminder": "custom"},
        400,
        GERMAN,
    )
    pages["service errors"] = post(
        client,
        "/tasks",
        {"title": "", "contact_name": "Zzyzx Qwv", "due_date": "2026-02-30", "repeat": "WEEKLY"},
        400,
        GERMAN,
    )
    records.add_contact(world["workspace"].id, "Hans", "Müller", "hans2@mueller.example")
    db.session.commit()
    pages["ambiguous name"] = post(
        client, "/tasks", {"title": "Telefonat", "contact_name": "Hans Müller"}, 400, GERMAN
    )
    for segment, query in (("contacts", "müll"), ("companies", "mül"), ("deals", "erb")):
        pages[f"search {segment}"] = get(client, f"/search/{segment}?q={query}", headers=HTMX)
    pages["search events"] = get(client, "/search/events?q=mandant", headers=HTMX)
    pages["search, no matches"] = get(client, "/search/contacts?q=qqqq", headers=HTMX)
    for kind in ("contact", "company", "deal", "event"):
        pages[f"{kind} page"] = get(
            client, f"/{'companies' if kind == 'company' else kind + 's'}/{world[kind].id}"
        )
    empty = records.add_company(world["workspace"].id, "Berger AG 2")
    db.session.commit()
    pages["record without tasks"] = get(client, f"/companies/{empty.id}")
    pages["settings"] = get(client, "/settings/notifications")
    pages["api keys"] = get(client, "/settings/api-keys")
    pages["api key created"] = post(
        client,
        "/settings/api-keys",
        {"name": "Website", "scopes": ["activities:read"]},
        200,
        GERMAN,
    )
    key = db.session.scalars(db.select(accounts.ApiKey)).first()
    pages["revoke key"] = get(client, f"/settings/api-keys/{key.id}/revoke")
    pages["users"] = get(client, "/settings/users")
    pages["deactivate"] = get(client, f"/settings/users/{world['member'].id}/deactivate")
    pages["notifications"] = get(client, "/notifications")
    pages["account"] = get(client, "/account")
    pages["account errors"] = post(
        client,
        "/account/password",
        {"current_password": "x", "new_password": "short", "confirm_password": "other"},
        400,
        GERMAN,
    )
    pages["missing task"] = get(client, f"/tasks/{uuid.uuid4()}/edit", 404)
    # In-place actions (htmx fragments) and the notices that follow plain posts.
    pages["complete"] = post(client, f"/tasks/{ids['tomorrow']}/complete", {})
    pages["reopen"] = post(client, f"/tasks/{ids['tomorrow']}/reopen", {})
    pages["snooze"] = post(client, f"/tasks/{ids['tomorrow']}/snooze", {"until": "next_week"})
    pages["snooze timed"] = post(client, f"/tasks/{ids['today']}/snooze", {"until": "tomorrow"})
    pages["assign"] = post(
        client, f"/tasks/{ids['tomorrow']}/assign", {"assignee_id": str(world["member"].id)}
    )
    pages["unassign"] = post(client, f"/tasks/{ids['tomorrow']}/assign", {"assignee_id": ""})
    pages["priority"] = post(client, f"/tasks/{ids['tomorrow']}/priority", {"priority": "low"})
    pages["no priority"] = post(client, f"/tasks/{ids['tomorrow']}/priority", {"priority": ""})
    pages["start"] = post(client, f"/tasks/{ids['none']}/start", {})
    pages["delete"] = post(client, f"/tasks/{ids['none']}/delete", {})
    pages["restore"] = post(client, f"/tasks/{ids['none']}/restore", {})
    pages["refused snooze"] = post(client, f"/tasks/{ids['none']}/snooze", {"until": "when"})
    selection = {"task_ids": [str(ids["tomorrow"]), str(ids["later"])]}
    for action, extra in (
        ("complete", {}),
        ("snooze", {"until": "next_week"}),
        ("assign", {"assignee_id": ""}),
        ("delete", {}),
        ("nothing", {}),
    ):
        pages[f"bulk {action}"] = post(
            client, "/tasks/bulk", {**selection, "action": action, **extra}
        )
    # Quick add: the preview as htmx asks for it and as a page without JavaScript, a saved
    # line, an ambiguous name and an empty line.
    line = "Hans Müller morgen 10:00 anrufen !hoch"
    pages["quick add preview"] = post(client, "/tasks/quick-add/preview", {"text": line})
    pages["quick add page"] = post(client, "/tasks/quick-add/preview", {"text": line}, 200, GERMAN)
    pages["quick add preview, two dates"] = post(
        client, "/tasks/quick-add/preview", {"text": "Akte morgen übermorgen"}
    )
    pages["quick add saved"] = post(client, "/tasks/quick-add", {"text": "Frist notieren morgen"})
    pages["quick add empty"] = post(client, "/tasks/quick-add", {"text": "  "}, 200)
    pages["quick add ambiguous"] = post(client, "/tasks/quick-add", {"text": "Hans Müller anrufen"})
    client.post(f"/tasks/{ids['tomorrow']}/complete", headers=GERMAN)  # a flash with Undo
    pages["notice with undo"] = get(client, "/tasks")
    client.post(
        "/tasks",
        data={
            "title": "Rückruf vereinbart",
            "contact_id": str(world["contact"].id),
            "created_date": "2001-01-01T10:00",
        },
        headers=GERMAN,
    )
    pages["created, date replaced"] = get(client, "/tasks")
    client.post("/settings/notifications/calendar/reset", headers=GERMAN)
    pages["calendar link reset"] = get(client, "/settings/notifications")
    assert_all_german(pages)
    assert 'lang="de"' in pages["new"]


def test_a_viewer_and_a_member_see_german_refusals(sentinel_app, world):
    viewer = db.session.scalar(
        db.select(accounts.User).where(accounts.User.email == "vic@berg.test")
    )
    client = german_client(sentinel_app, viewer)
    pages = {"viewer list": get(client, "/tasks"), "viewer form": get(client, "/tasks/new", 403)}
    member_client = german_client(sentinel_app, world["member"])
    pages["member on admin page"] = get(member_client, "/settings/users", 403)
    assert_all_german(pages)


def test_emails_and_the_calendar_feed_are_german(sentinel_app, world):
    admin, task = world["admin"], world["tasks"]["today"]
    texts = {}
    for kind, context in (
        ("reminder", {"task": task}),
        ("assignment", {"task": task, "by": "Mia Member"}),
        ("assignment", {"task": world["tasks"]["none"], "by": None}),
        (
            "digest",
            {
                "digest": notifications.Digest(
                    overdue=[world["tasks"]["overdue"]], today=[task], tomorrow=[task]
                ),
                "day": datetime.now(UTC).date(),
            },
        ),
    ):
        subject, text, html = notifications._render_email(kind, admin, **context)
        texts[f"{kind} subject"] = f"<p>{subject}</p>"
        texts[f"{kind} text"] = f"<pre>{text}</pre>"
        texts[f"{kind} html"] = html
    assert_all_german(texts)
    assert 'lang="de"' in texts["reminder html"]
    feed = calendar.feed_ics(admin).decode()
    calname = re.search(r"X-WR-CALNAME:(.*)", feed).group(1).strip()
    assert calname == "⟦Tasks⟧ · Kanzlei Berg"
