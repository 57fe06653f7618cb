"""The layout at 360 px and 1440 px: no sideways scrolling, and screenshots to look at.

Screenshots land in tests/browser/screenshots/ (git ignores it): login, list, form with
open suggestions and form with errors, each at both widths.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    NARROW,
    WIDE,
    contact_box,
    follow,
    log_in,
    screenshot,
    type_and_wait,
)

WIDTHS = {"360": NARROW, "1440": WIDE}


def assert_no_sideways_scrolling(page, what: str) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """width => [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                       + (el.className ? "." + String(el.className).split(" ").join(".") : ""))""",
        width,
    )
    assert scroll_width <= width, (
        f"{what} scrolls sideways at {width} px: {scroll_width} px wide; {wide}"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_and_are_captured(page, problems, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_no_sideways_scrolling(page, "the login page")
    screenshot(page, "login")

    log_in(page)
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    expect(page.locator("#task-results [data-task-row]").first).to_be_visible()
    assert_no_sideways_scrolling(page, "the task list")
    screenshot(page, "list")

    page.goto("/tasks/new")
    assert_no_sideways_scrolling(page, "the empty task form")
    type_and_wait(page, contact_box(page), "han")
    contact_box(page).press("ArrowDown")
    assert_no_sideways_scrolling(page, "the task form with suggestions open")
    screenshot(page, "form-suggestions")

    problems.allow_refused_form("/tasks")
    contact_box(page).press("Escape")
    contact_box(page).fill("")
    page.get_by_label("Description").fill("Ask about the delivery dates for the spring order.")
    page.get_by_label("Priority").select_option(label="High")
    follow(page, page.get_by_role("button", name="Create task"))
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_sideways_scrolling(page, "the task form with errors")
    screenshot(page, "form-errors")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_row_menu_opens_inside_the_screen(page, problems, width):
    """Snooze, Assign and Priority open within the screen's width wherever their button sits
    (at 360 px a panel hanging off its button went past the left edge)."""
    page.set_viewport_size(WIDTHS[width])
    page.goto("/login")
    log_in(page)
    row = page.locator("#task-results [data-task-row]").first
    expect(row).to_be_visible()
    screen = WIDTHS[width]["width"]
    for name in ("snooze", "assign", "priority"):
        menu = row.locator(f'[data-menu="{name}"]')
        menu.locator("summary").click()
        panel = menu.locator(".menu__panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= screen, (name, box, screen)
        menu.locator("summary").click()  # closes it again
