"""axe-core scans of the login page, the task form (also with suggestions open and with
errors) and the task list: nothing serious or critical; the rest is printed."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import (
    NARROW,
    WIDE,
    contact_box,
    follow,
    type_and_wait,
    wait_until_settled,
)

BLOCKING = {"serious", "critical"}


def scan(page, name: str) -> None:
    """Fail on serious or critical violations of `page`; print the minor and moderate ones."""
    wait_until_settled(page)
    results = Axe().run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    print(f"axe {name}: {len(violations)} violation(s), {len(blocking)} serious or critical")
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        print(f"axe {name}: {violation['id']} ({violation['impact']}): {violation['help']}")
        print(f"    at {targets}")
    assert not blocking, f"axe found serious or critical problems on {name}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n  {v['helpUrl']}\n"
        + "\n".join(f"    {node['html']}" for node in v["nodes"][:5])
        for v in blocking
    )


@pytest.mark.parametrize("viewport", ["wide", "narrow"])
def test_login_page(page, problems, viewport):
    page.set_viewport_size(WIDE if viewport == "wide" else NARROW)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    scan(page, f"login ({viewport})")
    problems.allow_refused_form("/login")
    page.get_by_label("Email").fill("mia@acme.test")
    page.get_by_label("Password").fill("wrong password")
    follow(page, page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("alert")).to_be_visible()
    scan(page, f"login with an error ({viewport})")


def test_task_form_empty_with_suggestions_and_with_errors(logged_in_page, problems):
    page = logged_in_page
    page.goto("/tasks/new")
    scan(page, "task form")

    type_and_wait(page, contact_box(page), "han")
    scan(page, "task form with suggestions open")
    contact_box(page).press("ArrowDown")
    scan(page, "task form with a suggestion active")

    problems.allow_refused_form("/tasks")
    contact_box(page).press("Escape")
    contact_box(page).fill("")
    follow(page, page.get_by_role("button", name="Create task"))
    expect(page.get_by_role("alert")).to_be_visible()
    scan(page, "task form with errors")

    type_and_wait(page, contact_box(page), "Anna Schmidt")
    contact_box(page).press("Escape")
    page.get_by_label("Title").fill("Ambiguous")
    follow(page, page.get_by_role("button", name="Create task"))
    expect(page.get_by_role("group", name="Which contact did you mean?")).to_be_visible()
    scan(page, "task form with candidates")


def test_task_list_and_a_record_page(logged_in_page, seeded):
    page = logged_in_page
    scan(page, "task list")
    page.get_by_label("Priority").select_option(label="Low")
    expect(page.get_by_role("link", name="Prepare the Nordwind quote", exact=True)).to_be_visible()
    scan(page, "task list filtered")
    page.goto(f"/contacts/{seeded.contacts['hans']}")
    expect(page.get_by_role("heading", name="Hans Müller")).to_be_visible()
    scan(page, "contact page")
