"""The bell and the notification settings in Chromium: what a person sees and does, at
360 px and 1280 px, with screenshots and an axe scan that must find nothing at all."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services import accounts
from app.services import tasks as task_service
from tests.browser.helpers import EMAIL, NARROW, follow, screenshot, unique, wait_until_settled
from tests.browser.test_browser_layout import assert_no_sideways_scrolling

WIDTHS = {"360": NARROW, "1280": {"width": 1280, "height": 900}}


def assert_no_axe_violations(page, name: str) -> None:
    wait_until_settled(page)
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe on {name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in violations
    )


def _assign_to_mia(seeded, title: str) -> None:
    """Tom assigns Mia a task, as he would from his own browser."""
    with seeded.app.app_context():
        tom = db.session.scalar(sa.select(User).where(User.email == "tom@acme.test"))
        mia = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        task_service.create_task(
            accounts.Actor.for_user(tom),
            {"title": title, "contact_id": seeded.contacts["hans"], "assignee_id": str(mia.id)},
        )
        db.session.remove()


def _restore_mia(seeded) -> None:
    with seeded.app.app_context():
        mia = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        mia.timezone, mia.default_reminder, mia.notify_digest = None, None, True
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width", WIDTHS)
def test_bell_shows_unread_assignments_and_clears(logged_in_page, seeded, width):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    title = unique("Draft the settlement letter")
    _assign_to_mia(seeded, title)
    page.reload()
    bell = page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$"))
    expect(bell).to_be_visible()
    assert_no_sideways_scrolling(page, "the task list with the bell")
    screenshot(page, "bell")
    follow(page, bell)
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_text(f"Tom Teammate assigned you {title}")).to_be_visible()
    assert_no_sideways_scrolling(page, "the notification list")
    screenshot(page, "notifications")
    assert_no_axe_violations(page, f"notifications at {width}")
    follow(page, page.get_by_role("button", name="Mark all as read"))
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_text("unread")).to_have_count(0)
    follow(page, page.get_by_role("link", name=title))
    expect(page.get_by_role("heading", name="Edit task")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_settings_page_saves_choices_and_resets_the_calendar_link(logged_in_page, seeded, width):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    try:
        follow(page, page.get_by_role("link", name="Settings"))
        expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
        assert_no_sideways_scrolling(page, "the settings page")
        screenshot(page, "settings")
        assert_no_axe_violations(page, f"settings at {width}")

        page.get_by_label("Time zone").select_option("Pacific/Auckland")
        page.get_by_label("Morning digest at 08:00").uncheck()
        page.get_by_label("Default reminder for new tasks").select_option(label="1 hour before")
        follow(page, page.get_by_role("button", name="Save settings"))
        expect(page.get_by_text("Saved your notification settings.")).to_be_visible()
        expect(page.get_by_label("Time zone")).to_have_value("Pacific/Auckland")
        expect(page.get_by_label("Morning digest at 08:00")).not_to_be_checked()
        expect(page.get_by_text("now Pacific/Auckland")).to_be_visible()

        old = page.get_by_label("Your calendar link").input_value()
        assert re.search(r"/calendar/[0-9a-f]{64}\.ics$", old)
        follow(page, page.get_by_role("button", name="Reset link"))
        expect(page.get_by_text("The old one no longer works.")).to_be_visible()
        new = page.get_by_label("Your calendar link").input_value()
        assert new != old
        assert page.request.get(old).status == 404
        assert page.request.get(new).status == 200

        page.goto("/tasks/new")
        expect(page.get_by_label("Reminder", exact=True)).to_have_value("default")
        expect(page.get_by_label("Reminder", exact=True).locator("option:checked")).to_have_text(
            "My default (1 hour before)"
        )
    finally:
        _restore_mia(seeded)
