"""Browser tests: Playwright for Python driving Debian's Chromium against a real server.

The folder skips, with a message saying how to enable it, when Chromium is not installed;
CI sets REQUIRE_BROWSER=1, which turns that skip into a failure. `CHROMIUM_PATH` points at
another browser binary (and `CHROMIUM_PATH=/nonexistent` shows the skip). Playwright never
downloads a browser here.

One gunicorn server (two workers) serves a fresh SQLite database for the whole session;
each test gets a fresh browser context and page. A page fails its test when a JavaScript
dialog opens, a script throws, or the console reports an error — Chromium reports a
Content-Security-Policy violation there, and an init script reports each one again.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import expect, sync_playwright

from app import create_app
from app.extensions import db
from app.models import User
from app.services import accounts, records
from app.services import tasks as task_service
from tests.browser.helpers import EMAIL, TIMEZONE, WIDE, XSS_NAME, log_in
from tests.browser.markup import Answer, NuChecker
from tests.conftest import PASSWORD
from tests.live import LiveServer, free_port

HERE = Path(__file__).resolve().parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SKIP_MESSAGE = (
    f"browser tests skipped: {CHROMIUM_PATH} not found — apt-get install chromium, then make test"
)
#: Playwright waits this long for a locator or an expectation before failing (ms).
TIMEOUT_MS = 7_000


def browser_available() -> bool:
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by markers
def pytest_collection_modifyitems(config, items):
    """Mark this folder's tests `browser`; skip them when there is no Chromium to drive.

    Under pytest-xdist (`--dist loadgroup`) they all run on one worker, so one gunicorn
    server and one Chromium serve the folder instead of one per worker.
    """
    skip = None if browser_available() or browser_required() else pytest.mark.skip(SKIP_MESSAGE)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
            if skip is not None:
                item.add_marker(skip)


# ---------------------------------------------------------------------------------------
# The server and its data


@dataclass
class Seeded:
    """What the tests know about the database: ids of records people will pick.

    `app` is a Flask app on the same database, for setting up data as another tab would.
    """

    url: str
    app: Flask
    workspace_id: uuid.UUID
    today: date
    contacts: dict[str, str] = field(default_factory=dict)
    companies: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)


def _seed(database_url: str) -> Seeded:
    """Migrate a fresh database and give it a workspace people can work in."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "browser-seed",
            # Logging in checks whatever method hashed the password: keep the login cheap.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
        workspace = accounts.create_workspace("Acme Sales", TIMEZONE)
        member = accounts.create_user(workspace, EMAIL, "Mia Member", "member", PASSWORD)
        accounts.create_user(workspace, "tom@acme.test", "Tom Teammate", "member", PASSWORD)
        ws = workspace.id
        mueller = records.add_company(ws, "Müller GmbH", "mueller.example")
        schmidt_partner = records.add_company(ws, "Schmidt & Partner", "schmidt-partner.example")
        nordwind = records.add_company(ws, "Nordwind AG", "nordwind.example")
        hans = records.add_contact(ws, "Hans", "Müller", "hans@mueller.example", mueller)
        anna_sp = records.add_contact(
            ws, "Anna", "Schmidt", "anna@schmidt-partner.example", schmidt_partner
        )
        anna_nw = records.add_contact(ws, "Anna", "Schmidt", "a.schmidt@nordwind.example", nordwind)
        hanna = records.add_contact(ws, "Hanna", "Meier", "hanna.meier@example.test")
        xss = records.add_contact(ws, XSS_NAME, "Probe", "probe@example.test")
        records.add_deal(ws, "Müller GmbH renewal", "proposal", None, mueller, hans)
        records.add_event(
            ws, "Trade fair Berlin", datetime.now(UTC) + timedelta(days=20), "Messe Berlin"
        )
        db.session.commit()

        today = datetime.now(ZoneInfo(TIMEZONE)).date()
        seeded = Seeded(database_url, app, ws, today)
        seeded.contacts = {
            "hans": str(hans.id),
            "anna_schmidt_partner": str(anna_sp.id),
            "anna_nordwind": str(anna_nw.id),
            "hanna": str(hanna.id),
            "xss": str(xss.id),
        }
        seeded.companies = {"mueller": str(mueller.id), "nordwind": str(nordwind.id)}
        actor = accounts.Actor.for_user(member)
        for key, payload in {
            "overdue": {
                "title": "Send the signed contract back",
                "priority": "high",
                "due_date": (today - timedelta(days=2)).isoformat(),
                "contact_id": str(hans.id),
                "assignee_id": str(member.id),
            },
            "today": {
                "title": "Call Hanna about the workshop",
                "priority": "medium",
                "task_type": "call",
                "due_date": today.isoformat(),
                "contact_id": str(hanna.id),
                "assignee_id": str(member.id),
            },
            "later": {
                "title": "Prepare the Nordwind quote",
                "priority": "low",
                "due_date": (today + timedelta(days=9)).isoformat(),
                "company_id": str(nordwind.id),
                "description": "Volume discount from 50 seats; ask finance first.",
                "assignee_id": str(member.id),
            },
        }.items():
            seeded.tasks[key] = str(task_service.create_task(actor, payload).task.id)
        db.session.remove()
    return seeded


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Iterator[Seeded]:
    """A fresh, migrated SQLite database with the workspace every test works in."""
    if not browser_available():
        if browser_required():
            pytest.fail(
                f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM_PATH}: "
                "apt-get install chromium (or point CHROMIUM_PATH at one)"
            )
        pytest.skip(SKIP_MESSAGE)
    folder = tmp_path_factory.mktemp("browser-db")
    facts = _seed(f"sqlite:///{folder / 'browser.sqlite3'}")
    yield facts
    with facts.app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(seeded, tmp_path_factory) -> Iterator[LiveServer]:
    """gunicorn with two workers on the seeded database, as in production."""
    server = LiveServer(seeded.url, workers=2)
    log = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"
    server.start(log)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return f"http://127.0.0.1:{live_server.port}"


@pytest.fixture
def make_task(seeded) -> Callable[..., str]:
    """Create a task through the service (as another tab would) and return its id.

    It is Mia's unless the payload says otherwise (`assignee_id=None`: nobody's), so it
    shows on her landing page, My tasks.
    """

    def make(**payload) -> str:
        with seeded.app.app_context():
            member = db.session.scalar(sa.select(User).where(User.email == EMAIL))
            payload.setdefault("assignee_id", str(member.id))
            task = task_service.create_task(accounts.Actor.for_user(member), payload).task
            task_id = str(task.id)
            db.session.remove()
        return task_id

    return make


# ---------------------------------------------------------------------------------------
# The browser

#: Reports every CSP violation to the console as an error, with what was blocked.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
                + ` at ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="session")
def browser(live_server):
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong in the page while a test drove it."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    #: Console errors a test expects, each given by substrings that must all appear.
    allowed: list[tuple[str, ...]] = field(default_factory=list)
    #: Every HTML page and htmx fragment the app sent this test's browser.
    answers: list[Answer] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)

    def allow_refused_form(self, path: str) -> None:
        """Expect the 400 of a form that was refused: Chromium logs every 4xx page load."""
        self.allowed.append(("Failed to load resource", "status of 400", f"{path})"))

    def unexpected(self) -> list[str]:
        console = [
            m
            for m in self.console_errors
            if not any(all(part in m for part in parts) for parts in self.allowed)
        ]
        return (
            [f"dialog: {m}" for m in self.dialogs]
            + [f"console error: {m}" for m in console]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"invalid HTML: {m}" for m in self.markup]
        )


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture(scope="session")
def nu_checker(tmp_path_factory, request) -> Iterator[NuChecker | None]:
    """The Nu HTML checker, as a local service for the session (tests/browser/markup.py).

    Without Java or vnu.jar the markup goes unchecked, with a warning, unless
    REQUIRE_BROWSER=1 (CI), where that is a failure.
    """
    problem = NuChecker.missing()
    if problem:
        if browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but {problem}")
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"browser tests: HTML not checked: {problem}")
        yield None
        return
    checker = NuChecker(free_port())
    checker.start(tmp_path_factory.mktemp("vnu") / "vnu.log")
    yield checker
    checker.stop()


def capture_html(base_url: str, problems: PageProblems):
    """A `requestfinished` listener keeping each HTML answer of the app for the checker."""

    def capture(request) -> None:
        response = request.response()
        if response is None or not request.url.startswith(base_url):
            return
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        try:
            html = response.text()
        except Exception:  # noqa: BLE001 - a page navigated away from may drop its body
            return
        # htmx asks for fragments, but some of its requests (a history restore) get pages.
        fragment = not html.lstrip()[:15].lower().startswith("<!doctype")
        if html.strip():
            problems.answers.append(Answer(request.url, html, fragment))

    return capture


@pytest.fixture
def context(browser, base_url, problems):
    context = browser.new_context(base_url=base_url, viewport=WIDE, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("requestfinished", capture_html(base_url, problems))
    yield context
    context.close()


@pytest.fixture
def page(context, problems, nu_checker):
    """A fresh page that fails its test on a dialog, a script error, a console error, or
    HTML the Nu checker finds fault with (in any page or fragment the context loaded)."""
    page = context.new_page()

    def on_dialog(dialog):
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
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
    for answer in problems.answers if nu_checker else ():
        problems.markup.extend(nu_checker.problems(answer))
    found = problems.unexpected()
    assert not found, "the page reported problems:\n" + "\n".join(found)


@pytest.fixture
def logged_in_page(page):
    """A page signed in as Mia Member (through the real login form), on the task list."""
    page.goto("/login")
    log_in(page)
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    return page
