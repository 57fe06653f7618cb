"""Quick add in real Chromium (docs/quick_add.md): type a line, see the chips, Enter saves a
linked task; an ambiguous name is picked by keyboard; Escape clears; it works without
JavaScript; axe finds nothing at 360 and 1280 px."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Task
from tests.browser.helpers import NARROW, task_row, wait_until_settled
from tests.browser.helpers import screenshot as capture
from tests.browser.test_browser_workbench import DESKTOP, scan


def stored(seeded, title: str) -> Task:
    with seeded.app.app_context():
        task = db.session.scalar(sa.select(Task).where(Task.title == title))
        assert task is not None, f"no task {title!r}"
        db.session.expunge(task)
        return task


def line(page):
    return page.get_by_label("Quick add")


def preview(page):
    return page.locator("#quick-add-preview")


def capture_box(page, name: str) -> None:
    """The page, and the quick-add box alone (to look at it closely), at this width."""
    path = capture(page, name)
    page.locator("#quick-add").screenshot(path=str(path.with_name(path.stem + "-box.png")))


def test_type_see_the_chips_and_enter_saves_a_linked_task(logged_in_page, seeded):
    page = logged_in_page
    word = uuid.uuid4().hex[:6]
    page.keyboard.press("q")
    expect(line(page)).to_be_focused()
    page.keyboard.type(f"Call Hans Müller about offer {word} tomorrow 10:00 !high #call")
    chips = preview(page).locator(".quick-chip")
    expect(chips.filter(has_text="Contact")).to_contain_text("Hans Müller")
    expect(chips.filter(has_text="Priority")).to_contain_text("High")
    expect(chips.filter(has_text="Type")).to_contain_text("Call")
    expect(chips.filter(has_text="Due")).to_contain_text("10:00")
    title = f"Call Hans Müller about offer {word}"
    expect(preview(page).locator(".quick-add__title")).to_contain_text(title)
    for width, size in (("1280", DESKTOP), ("360", NARROW)):
        page.set_viewport_size(size)
        capture_box(page, "quick-add-preview")
        scan(page, f"quick add preview at {width}")
    page.set_viewport_size(DESKTOP)

    line(page).press("Enter")
    expect(preview(page)).to_contain_text(f"Created “{title}”")
    expect(line(page)).to_have_value("")
    expect(line(page)).to_be_focused()
    expect(task_row(page, title)).to_be_visible()  # the list fetched itself again
    task = stored(seeded, title)
    assert str(task.contact_id) == seeded.contacts["hans"]
    assert task.priority == "high" and task.task_type == "call"
    assert task.due_at is not None


def test_an_ambiguous_name_is_picked_by_keyboard(logged_in_page, seeded):
    page = logged_in_page
    word = uuid.uuid4().hex[:6]
    page.keyboard.press("q")
    page.keyboard.type(f"Email Anna Schmidt the draft {word}")
    question = preview(page).locator(".quick-question")
    expect(question).to_contain_text("Which one do you mean?")
    expect(question.get_by_role("button")).to_have_count(3)  # two Annas and "None of these"
    for width, size in (("1280", DESKTOP), ("360", NARROW)):
        page.set_viewport_size(size)
        capture_box(page, "quick-add-question")
        scan(page, f"quick add question at {width}")
    page.set_viewport_size(DESKTOP)

    line(page).press("Enter")  # not yet: the question blocks saving, the text stays
    expect(preview(page)).to_contain_text("Choose what you mean below")
    expect(line(page)).to_have_value(f"Email Anna Schmidt the draft {word}")

    # The answer to Enter has been swapped in (htmx marks a request in flight).
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    nordwind = question.get_by_role("button", name="Nordwind")
    for _ in range(2):  # ↓ reaches the first candidate, another ↓ the next
        page.keyboard.press("ArrowDown")
        if nordwind.evaluate("button => button === document.activeElement"):
            break
    expect(nordwind).to_be_focused()
    page.keyboard.press("Enter")
    expect(preview(page).locator(".quick-chip").filter(has_text="Contact")).to_contain_text(
        "Anna Schmidt"
    )
    expect(preview(page).locator(".quick-question")).to_have_count(0)
    expect(line(page)).to_be_focused()
    page.keyboard.press("Enter")
    title = f"Email Anna Schmidt the draft {word}"
    expect(preview(page)).to_contain_text(f"Created “{title}”")
    assert str(stored(seeded, title).contact_id) == seeded.contacts["anna_nordwind"]


def test_escape_clears_and_the_full_form_is_one_click_away(logged_in_page, seeded):
    page = logged_in_page
    page.keyboard.press("q")
    page.keyboard.type("Call Hans Müller tomorrow !low")
    expect(preview(page).locator(".quick-chip")).to_have_count(3)
    page.keyboard.press("Escape")
    expect(line(page)).to_have_value("")
    expect(preview(page).locator(".quick-chip")).to_have_count(0)

    page.keyboard.type("Call Hans Müller tomorrow !low")
    expect(preview(page).locator(".quick-chip")).to_have_count(3)
    preview(page).get_by_role("link", name="Open in full form").click()
    expect(page.get_by_label("Title")).to_have_value("Call Hans Müller")
    expect(page.get_by_label("Priority")).to_have_value("low")
    expect(page.locator('input[name="contact_id"]')).to_have_value(seeded.contacts["hans"])


def test_quick_add_works_without_javascript(browser, base_url, seeded):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill("mia@acme.test")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()
        word = uuid.uuid4().hex[:6]
        title = f"Visit Müller GmbH {word}"
        line(page).fill(f"{title} on Friday")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Quick add", level=1)).to_be_visible()
        expect(preview(page).locator(".quick-chip").filter(has_text="Company")).to_contain_text(
            "Müller GmbH"
        )
        page.get_by_role("button", name="Add task").click()
        expect(page.get_by_text(f"Created “{title}”")).to_be_visible()
        assert str(stored(seeded, title).company_id) == seeded.companies["mueller"]
        wait_until_settled(page)
    finally:
        context.close()
