"""The account page: change the password (other browsers are signed out), sign out everywhere."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Workspace
from app.services import accounts
from tests.browser.helpers import NARROW, WIDE, follow, log_in, screenshot
from tests.browser.test_browser_accessibility import scan
from tests.conftest import PASSWORD

NEW_PASSWORD = "another good passphrase"


@pytest.fixture
def account_email(seeded) -> str:
    """A user of its own, so ending their sessions touches no other test's login."""
    email = f"acc-{uuid.uuid4().hex[:8]}@acme.test"
    with seeded.app.app_context():
        workspace = db.session.get(Workspace, seeded.workspace_id)
        accounts.create_user(workspace, email, "Ada Account", "member", PASSWORD)
        db.session.remove()
    return email


def signed_in(context, email: str, password: str = PASSWORD):
    page = context.new_page()
    page.goto("/login")
    log_in(page, email, password)
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    return page


def test_change_password_signs_out_the_other_browser(
    page, browser, base_url, account_email, problems
):
    other = browser.new_context(base_url=base_url)
    try:
        phone = signed_in(other, account_email)
        page.goto("/login")
        log_in(page, account_email)
        follow(page, page.get_by_role("link", name=re.compile("Ada Account")))
        expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
        for size, name in ((NARROW, "narrow"), (WIDE, "wide")):
            page.set_viewport_size(size)
            screenshot(page, "account")
            scan(page, f"account ({name})")

        problems.allow_refused_form("/account/password")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password, again").fill(NEW_PASSWORD + "?")
        follow(page, page.get_by_role("button", name="Change password"))
        expect(page.get_by_text("does not match the new password")).to_be_visible()
        expect(page.get_by_label("New password, again")).to_have_attribute("aria-invalid", "true")
        screenshot(page, "account-error")
        scan(page, "account with an error")

        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password, again").fill(NEW_PASSWORD)
        follow(page, page.get_by_role("button", name="Change password"))
        expect(page.get_by_text("Every other session of yours has ended")).to_be_visible()

        phone.goto("/tasks")
        expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
        page.goto("/tasks")
        expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    finally:
        other.close()


def test_sign_out_everywhere(page, browser, base_url, account_email):
    other = browser.new_context(base_url=base_url)
    try:
        phone = signed_in(other, account_email)
        page.goto("/login")
        log_in(page, account_email)
        page.goto("/account")
        follow(page, page.get_by_role("button", name="Sign out everywhere"))
        expect(page.get_by_text("You are signed out everywhere")).to_be_visible()
        for each in (page, phone):
            each.goto("/tasks")
            expect(each.get_by_role("heading", name="Log in")).to_be_visible()
    finally:
        other.close()


def test_an_admin_deactivates_a_signed_in_user(page, browser, base_url, seeded, account_email):
    admin_email = f"boss-{uuid.uuid4().hex[:8]}@acme.test"
    with seeded.app.app_context():
        workspace = db.session.get(Workspace, seeded.workspace_id)
        accounts.create_user(workspace, admin_email, "Bo Boss", "admin", PASSWORD)
        db.session.remove()
    other = browser.new_context(base_url=base_url)
    try:
        victim = signed_in(other, account_email)
        page.goto("/login")
        log_in(page, admin_email)
        follow(page, page.get_by_role("link", name="Users"))
        expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
        for size, name in ((NARROW, "narrow"), (WIDE, "wide")):
            page.set_viewport_size(size)
            screenshot(page, "users")
            scan(page, f"users ({name})")
        follow(page, page.get_by_role("link", name=f"Deactivate… Ada Account ({account_email})"))
        expect(page.get_by_role("heading", name="Deactivate Ada Account?")).to_be_visible()
        scan(page, "deactivate confirmation")
        follow(page, page.get_by_role("button", name="Deactivate Ada Account"))
        expect(
            page.get_by_text("Deactivated Ada Account: every session of theirs has ended.")
        ).to_be_visible()
        victim.goto("/tasks")
        expect(victim.get_by_role("heading", name="Log in")).to_be_visible()
    finally:
        other.close()
