"""What the browser tests share: the seeded names, and the steps a person takes.

Everything here drives the page by role and label, as a person sees it; ids appear only
where a person sees no name (the hidden `contact_id`, a row found by its task's id).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 360, "height": 780}

TIMEZONE = "Europe/Berlin"
EMAIL = "mia@acme.test"
XSS_NAME = "<img src=x onerror=alert(1)>"


def unique(title: str) -> str:
    """A title no other test uses, so each test finds its own row in the shared database."""
    return f"{title} {uuid.uuid4().hex[:6]}"


def follow(page, target) -> None:
    """Click a link or button that loads a page, and wait until that page has loaded.

    htmx wires up a page once it has loaded: acting on a page seen but not yet loaded
    would race it (a filter changed before its listener exists is never sent).
    """
    with page.expect_navigation():
        target.click()


def log_in(page, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Fill in the login form and send it."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Log in"))


# --- The task form's contact combobox ---------------------------------------------------


def contact_box(page):
    return page.get_by_role("combobox", name="Contact")


def contact_suggestions(page):
    return page.get_by_role("listbox", name="Contact suggestions")


def hidden_contact_id(page):
    return page.locator('input[type="hidden"][name="contact_id"]')


def type_and_wait(page, combobox, text: str) -> None:
    """Type `text` key by key, then wait for the suggestions answered for all of it.

    An answer for the first letters may still be on screen when the keyboard acts; a person
    reads the list first, so the tests wait for the list of what they typed.
    """
    typed = combobox.input_value() + text

    def answers_all_of_it(response) -> bool:
        url = urlsplit(response.url)
        return url.path.startswith("/search/") and parse_qs(url.query).get("q") == [typed]

    with page.expect_response(answers_all_of_it):
        combobox.press_sequentially(text, delay=30)
    expect(page.get_by_role("listbox", name=re.compile("suggestions"))).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")


def pick_by_keyboard(page, combobox, label: str) -> None:
    """ArrowDown through the open suggestions until `label` is the active one, then Enter."""
    listbox = page.get_by_role("listbox", name=re.compile("suggestions"))
    expect(listbox.get_by_role("option").filter(has_text=label).first).to_be_visible()
    for _ in range(10):
        combobox.press("ArrowDown")
        active = combobox.get_attribute("aria-activedescendant")
        assert active, "ArrowDown made no option active"
        option = listbox.locator(f"#{active}")
        expect(option).to_have_attribute("aria-selected", "true")
        if option.get_attribute("data-label") == label:
            combobox.press("Enter")
            return
    raise AssertionError(f"{label!r} is not among the suggestions")


# --- The task list -----------------------------------------------------------------------


def task_row(page, title: str):
    """The list item of the task called `title` (its title paragraph, not an action's name)."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("paragraph").filter(has_text=title)
    )


def task_item(page, task_id: str):
    return page.locator(f"#task-{task_id}")


# --- Waiting and looking -----------------------------------------------------------------


def wait_until_settled(page) -> None:
    """Wait until htmx has no request in flight or swap settling, and no transition runs
    (the list fades while it loads: a contrast check must not measure it half-faded)."""
    page.wait_for_function(
        """() => !document.querySelector(
                   ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
                 && document.getAnimations().every(a => a.playState !== "running")"""
    )


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as screenshots/<name>-<width>.png (git ignores them)."""
    wait_until_settled(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
