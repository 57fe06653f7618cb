"""Logging in and out, as a person does it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import EMAIL, follow, log_in, task_row
from tests.conftest import PASSWORD


def test_a_wrong_password_shows_a_clear_error_and_the_right_one_opens_the_task_list(page, problems):
    problems.allow_refused_form("/login")
    page.goto("/tasks")
    # Asked for the list without a session: the login page, which remembers where to go.
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)tasks$"))
    expect(page.get_by_text("Please log in to see that page.")).to_be_visible()

    log_in(page, EMAIL, "not the password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Wrong email or password. Check both and try again.")
    expect(page.get_by_label("Email")).to_have_value(EMAIL)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Password")).to_be_focused()

    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Log in"))
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    expect(task_row(page, "Call Hanna about the workshop")).to_be_visible()

    follow(page, page.get_by_role("button", name="Log out"))
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/tasks")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
