"""The app in German, as a German browser sees it (docs/i18n.md): every page at 360 px and
1280 px without sideways scrolling (German words are longer), axe at zero violations, and a
screenshot of each to look at (tests/browser/screenshots/de-*.png). The language switch at
the foot of the page works without JavaScript and returns to the same page.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.extensions import db
from app.models import ApiKey, User
from app.services import accounts
from tests.browser.conftest import capture_html
from tests.browser.helpers import (
    EMAIL,
    NARROW,
    follow,
    screenshot,
    wait_until_settled,
)
from tests.browser.test_browser_layout import assert_no_sideways_scrolling
from tests.conftest import PASSWORD

WIDTHS = {"360": NARROW, "1280": {"width": 1280, "height": 900}}
ADMIN_EMAIL = "ada@acme.test"


@pytest.fixture
def german(browser, base_url, problems, nu_checker):
    """A page in a browser that asks for German (Accept-Language de-DE)."""
    context = browser.new_context(base_url=base_url, locale="de-DE")
    context.on("requestfinished", capture_html(base_url, problems))
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            problems.console_errors.append(f"{msg.text} ({msg.location.get('url')})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    yield page
    context.close()
    for answer in problems.answers if nu_checker else ():
        problems.markup.extend(nu_checker.problems(answer))
    found = problems.unexpected()
    assert not found, "the page reported problems:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def admin(seeded):
    """An admin of the workspace (for the admin pages), who has chosen no language."""
    with seeded.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        if user is None:
            workspace = db.session.get(accounts.Workspace, seeded.workspace_id)
            user = accounts.create_user(workspace, ADMIN_EMAIL, "Ada Admin", "admin", PASSWORD)
            accounts.create_api_key(
                accounts.Actor.for_user(user), "Kontaktformular", [accounts.READ]
            )
        key_id = db.session.scalar(sa.select(ApiKey.id).where(ApiKey.name == "Kontaktformular"))
        tom = db.session.scalar(sa.select(User.id).where(User.email == "tom@acme.test"))
        db.session.remove()
    return {"key": key_id, "tom": tom}


def log_in_german(page, email: str = EMAIL) -> None:
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Anmelden"))


def assert_no_axe_violations(page, name: str) -> None:
    wait_until_settled(page)
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe on {name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in violations
    )


def check(page, name: str, width: str) -> None:
    """In German, fits the screen, passes axe; saved as de-<name>-<width>.png."""
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_no_sideways_scrolling(page, f"{name} in German")
    assert_no_axe_violations(page, f"{name} in German at {width}")
    screenshot(page, f"de-{name}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_members_pages_in_german(german, seeded, problems, width):
    page = german
    page.set_viewport_size(WIDTHS[width])
    page.goto("/login")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    check(page, "login", width)

    log_in_german(page)
    expect(page.get_by_role("heading", name="Meine Aufgaben", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Überfällig")).to_be_visible()
    check(page, "list", width)

    # A row's menus open: the longest German words live there.
    page.locator("[data-task-row] details[data-menu=snooze] summary").first.click()
    expect(page.get_by_role("button", name="Nächsten Montag").first).to_be_visible()
    assert_no_sideways_scrolling(page, "the snooze menu in German")
    screenshot(page, "de-list-menu")
    page.keyboard.press("Escape")

    page.goto("/tasks?view=everyone")
    check(page, "everyone", width)
    page.goto("/tasks?view=trash")
    expect(
        page.get_by_text("Der Papierkorb ist leer.").or_(page.locator("[data-task-row]").first)
    ).to_be_visible()
    check(page, "trash", width)

    page.goto("/tasks/new")
    expect(page.get_by_role("heading", name="Neue Aufgabe")).to_be_visible()
    with page.expect_response(lambda r: "/search/contacts?q=han" in r.url):
        page.get_by_role("combobox", name="Kontakt").press_sequentially("han", delay=30)
    page.get_by_role("combobox", name="Kontakt").press("ArrowDown")
    expect(page.get_by_role("listbox", name="Vorschläge für Kontakt")).to_be_visible()
    # The script's announcement comes from the page's texts (<body data-texts>), in German.
    expect(page.locator("#contact-status")).to_have_text(
        re.compile(r"^(\d+ Vorschläge|1 Vorschlag)$")
    )
    assert_no_sideways_scrolling(page, "the form with suggestions in German")
    screenshot(page, "de-form-suggestions")
    page.get_by_role("combobox", name="Kontakt").press("Escape")
    page.get_by_role("combobox", name="Kontakt").fill("")

    problems.allow_refused_form("/tasks")
    page.get_by_label("Beschreibung").fill("Fristverlängerung beim Landgericht beantragen.")
    follow(page, page.get_by_role("button", name="Aufgabe anlegen"))
    expect(page.get_by_role("alert")).to_contain_text("nicht gespeichert")
    expect(page.get_by_text("Titel ist erforderlich.").first).to_be_visible()
    check(page, "form-errors", width)

    page.goto(f"/tasks/{seeded.tasks['later']}/edit")
    expect(page.get_by_role("heading", name="Aufgabe bearbeiten")).to_be_visible()
    check(page, "form-edit", width)

    page.goto(f"/contacts/{seeded.contacts['hans']}")
    expect(page.get_by_text("Kontakt", exact=True).first).to_be_visible()
    check(page, "contact", width)
    page.goto(f"/companies/{seeded.companies['nordwind']}")
    check(page, "company", width)

    page.goto("/settings/notifications")
    expect(page.get_by_role("heading", name="Einstellungen", level=1)).to_be_visible()
    check(page, "settings", width)
    page.goto("/account")
    expect(page.get_by_role("heading", name="Ihr Konto")).to_be_visible()
    check(page, "account", width)
    page.goto("/notifications")
    expect(page.get_by_role("heading", name="Benachrichtigungen")).to_be_visible()
    check(page, "notifications", width)

    problems.allowed.append(("Failed to load resource", "status of 404", "/no-such-page)"))
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", name="Nicht gefunden")).to_be_visible()
    check(page, "not-found", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admins_pages_in_german(german, admin, width):
    page = german
    page.set_viewport_size(WIDTHS[width])
    log_in_german(page, ADMIN_EMAIL)
    page.goto("/settings/api-keys")
    expect(page.get_by_role("heading", name="API-Schlüssel", level=1)).to_be_visible()
    check(page, "api-keys", width)
    page.goto(f"/settings/api-keys/{admin['key']}/revoke")
    check(page, "api-key-revoke", width)
    page.goto("/settings/users")
    expect(page.get_by_role("heading", name="Benutzer", level=1)).to_be_visible()
    check(page, "users", width)
    page.goto(f"/settings/users/{admin['tom']}/deactivate")
    check(page, "user-deactivate", width)


def test_the_switch_changes_the_language_and_stays_on_the_page(german, seeded, admin):
    """From German to English and back, without JavaScript's help; for a signed-in user
    the choice is their setting (it then beats the browser's German)."""
    page = german
    log_in_german(page, ADMIN_EMAIL)
    page.goto(f"/contacts/{seeded.contacts['hans']}")
    url = page.url
    follow(page, page.get_by_role("button", name="English"))
    assert page.url == url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("link", name=re.compile("^Tasks"))).to_be_visible()
    try:
        with seeded.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
            assert user.language == "en"
            db.session.remove()
        follow(page, page.get_by_role("button", name="Deutsch"))
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("link", name=re.compile("^Aufgaben"))).to_be_visible()
    finally:
        with seeded.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
            user.language = None
            db.session.commit()
            db.session.remove()
