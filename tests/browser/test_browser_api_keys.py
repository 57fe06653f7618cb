"""The API keys page as an admin uses it: create a key, copy it, page through, revoke."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Workspace
from app.services import accounts
from tests.browser.helpers import NARROW, WIDE, follow, log_in, screenshot
from tests.browser.test_browser_accessibility import scan
from tests.conftest import PASSWORD


@pytest.fixture
def admin_email(seeded) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@acme.test"
    with seeded.app.app_context():
        workspace = db.session.get(Workspace, seeded.workspace_id)
        accounts.create_user(workspace, email, "Ada Admin", "admin", PASSWORD)
        db.session.remove()
    return email


def test_create_copy_and_revoke_a_key(page, context, admin_email):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/login")
    log_in(page, admin_email)
    follow(page, page.get_by_role("link", name="API keys"))
    page.get_by_label("Name").fill("Website form")
    follow(page, page.get_by_role("button", name="Create key"))
    secret = page.get_by_label("Secret")
    value = secret.input_value()
    assert value.startswith("wbk_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == value
    for size, name in ((NARROW, "narrow"), (WIDE, "wide")):
        page.set_viewport_size(size)
        screenshot(page, "api-keys-new")
        scan(page, f"api keys with a new key ({name})")

    follow(page, page.get_by_role("link", name="Revoke… “Website form”"))
    expect(page.get_by_role("heading", name="Revoke the key “Website form”?")).to_be_visible()
    screenshot(page, "api-key-revoke")
    scan(page, "revoke confirmation")
    follow(page, page.get_by_role("link", name="Cancel"))
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    follow(page, page.get_by_role("link", name="Revoke… “Website form”"))
    follow(page, page.get_by_role("button", name="Revoke the key"))
    expect(page.get_by_text("Revoked the key “Website form”.")).to_be_visible()
