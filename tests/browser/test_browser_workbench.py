"""The workbench in real Chromium: My tasks under its due headings, row actions in place,
bulk selection with shift-click and one Undo, keyboard shortcuts with focus that follows,
the trash, a list that stays current, the combobox's Enter, and axe on each of them.

Every test makes its own tasks (unique titles) in the shared database, so the counts it
checks are differences, never absolute numbers other tests could change.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import (
    NARROW,
    contact_box,
    task_item,
    type_and_wait,
    unique,
    wait_until_settled,
)
from tests.browser.helpers import screenshot as capture
from tests.browser.test_browser_accessibility import scan as scan_blocking

DESKTOP = {"width": 1280, "height": 900}


def scan(page, name: str) -> None:
    """axe, stricter than the shared scan: these pages must have no violation at all."""
    scan_blocking(page, name)
    violations = Axe().run(page).response["violations"]
    assert violations == [], f"axe on {name}: " + ", ".join(v["id"] for v in violations)


def mark_document(page) -> None:
    page.evaluate("window.__marker = 1")


def same_document(page) -> bool:
    return page.evaluate("window.__marker === 1")


def live_region(page):
    return page.locator("#live-region")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def group_count(page, heading: str) -> int:
    text = page.locator(f"#group-{heading} .due-group__count").inner_text()
    return int(re.match(r"\d+", text).group())


def open_menu(row, name: str) -> None:
    """Open a row's menu by its summary (Snooze, Assign, Priority), as a click would."""
    row.locator(f'[data-menu="{name}"] > summary').click()


@pytest.fixture
def day(seeded):
    return seeded.today


def test_my_tasks_groups_by_when_due_with_counts_and_a_badge(
    logged_in_page, make_task, seeded, day
):
    page = logged_in_page
    before = {name: 0 for name in ("overdue", "today", "tomorrow")}
    for name in before:
        if page.locator(f"#group-{name}").count():
            before[name] = group_count(page, name)
    badge_before = int(page.locator("#nav-badge").inner_text().split()[0] or 0)
    link = {"contact_id": seeded.contacts["hanna"]}
    titles = {
        "overdue": unique("Chase the invoice"),
        "today": unique("Call the printer"),
        "tomorrow": unique("Send the agenda"),
        "nobody": unique("Unclaimed lead"),
    }
    make_task(title=titles["overdue"], due_date=(day - timedelta(days=1)).isoformat(), **link)
    make_task(title=titles["today"], due_date=day.isoformat(), **link)
    make_task(title=titles["tomorrow"], due_date=(day + timedelta(days=1)).isoformat(), **link)
    make_task(title=titles["nobody"], assignee_id=None, due_date=day.isoformat(), **link)
    page.reload()
    expect(page.get_by_role("heading", name="My tasks", level=1)).to_be_visible()
    for name in before:
        section = page.locator(f"#group-{name}")
        expect(section).to_be_visible()
        assert group_count(page, name) == before[name] + 1
    overdue = page.get_by_role("region", name=re.compile("^Overdue"))
    expect(overdue.locator(".task-row__title", has_text=titles["overdue"])).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("^Today"))).to_contain_text(titles["today"])
    expect(page.locator(".task-row__title", has_text=titles["nobody"])).to_have_count(0)
    badge = page.locator("#nav-badge")
    expect(badge).to_contain_text(str(badge_before + 2))
    expect(badge).to_contain_text("overdue or due today")

    # The view switcher: Unassigned shows the unclaimed task, saying so.
    views = page.get_by_role("navigation", name="Task views")
    views.get_by_role("link", name="Unassigned").click()
    expect(page.get_by_role("heading", name="Unassigned", level=1)).to_be_visible()
    row = page.get_by_role("listitem").filter(has_text=titles["nobody"])
    expect(row).to_contain_text("Unassigned")
    expect(views.get_by_role("link", name="Unassigned")).to_have_attribute("aria-current", "page")

    for size, label in ((DESKTOP, "1280"), (NARROW, "360")):
        page.set_viewport_size(size)
        page.goto("/tasks")
        expect(page.locator("#group-overdue")).to_be_visible()
        scan(page, f"my tasks ({label})")
        capture(page, "workbench-my-tasks")


def test_row_actions_work_in_place_and_focus_moves_on(logged_in_page, make_task, seeded, day):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    first_title, next_title = unique("Reschedule the demo"), unique("Book the venue")
    link = {"contact_id": seeded.contacts["hanna"]}
    first = make_task(title=first_title, due_date=(day - timedelta(days=30)).isoformat(), **link)
    second = make_task(title=next_title, due_date=(day - timedelta(days=30)).isoformat(), **link)
    # Everyone's tasks: this one stays listed when it is given to Tom below.
    page.goto("/tasks?view=everyone")
    mark_document(page)
    row = task_item(page, first)

    # Snooze: a small menu of choices; "Tomorrow" moves it and focus goes to the next row.
    open_menu(row, "snooze")
    menu = row.locator('[data-menu="snooze"] .menu__panel')
    expect(menu.get_by_role("button", name="Tomorrow")).to_be_visible()
    expect(menu.get_by_role("button", name="Next Monday")).to_be_visible()
    expect(menu.get_by_role("button", name="Next week")).to_be_visible()
    expect(menu.get_by_label("Pick a date…")).to_be_visible()
    expect(menu.get_by_role("button", name="Later today")).to_have_count(0)  # date-only task
    scan(page, "snooze menu open")
    capture(page, "workbench-snooze-menu")
    menu.get_by_role("button", name="Tomorrow").click()
    tomorrow = day + timedelta(days=1)
    expect(row.locator("time")).to_have_attribute("datetime", tomorrow.isoformat())
    expect(live_region(page)).to_contain_text(f"Snoozed “{first_title}”")
    expect(task_item(page, second)).to_be_focused()

    # Assign to someone else, then back to nobody; priority; start.
    row = task_item(page, first)
    open_menu(row, "assign")
    row.get_by_role("button", name="Tom Teammate").click()
    expect(row).to_contain_text("Assigned to Tom Teammate")
    expect(live_region(page)).to_contain_text("Assigned")
    open_menu(row, "priority")
    row.get_by_role("button", name="High").click()
    expect(row.locator(".badge--priority-high")).to_be_visible()
    row.get_by_role("button", name=f"Start “{first_title}”").click()
    expect(row.locator(".badge--status-in_progress")).to_be_visible()
    # Completing and reopening brings it back in progress, not open.
    row.get_by_role("button", name=f"Complete “{first_title}”").click()
    row.get_by_role("button", name=f"Reopen “{first_title}”").click()
    expect(row.locator(".badge--status-in_progress")).to_be_visible()
    assert same_document(page), "a row action loaded a whole page"

    # Picking a date: its button, or Enter in the field (which must snooze, not press the
    # row's first button, the toggle).
    open_menu(row, "snooze")
    picked = day + timedelta(days=12)
    row.get_by_label("Pick a date…").fill(picked.isoformat())
    row.get_by_role("button", name="Snooze to this date").click()
    expect(row.locator("time")).to_have_attribute("datetime", picked.isoformat())
    open_menu(row, "snooze")
    picked = day + timedelta(days=14)
    row.get_by_label("Pick a date…").fill(picked.isoformat())
    row.get_by_label("Pick a date…").press("Enter")
    expect(row.locator("time")).to_have_attribute("datetime", picked.isoformat())
    expect(row.locator(".badge--status-in_progress")).to_be_visible()


def test_row_actions_work_without_javascript(browser, base_url, make_task, seeded, day):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill("mia@acme.test")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()
        title = unique("Post the parcel")
        task_id = make_task(
            title=title, due_date=day.isoformat(), contact_id=seeded.contacts["hanna"]
        )
        page.goto("/tasks")
        row = task_item(page, task_id)
        open_menu(row, "snooze")  # <details> opens without JavaScript
        row.get_by_role("button", name="Next week").click()
        expect(page.get_by_text(f"Snoozed “{title}”")).to_be_visible()
        row = task_item(page, task_id)
        expect(row.locator("time")).to_have_attribute(
            "datetime", (day + timedelta(days=7)).isoformat()
        )
        # Each of the row form's buttons posts to its own action; Enter in the date field
        # submits the date's form, not the row's first button.
        open_menu(row, "priority")
        row.get_by_role("button", name="High").click()
        expect(task_item(page, task_id).locator(".badge--priority-high")).to_be_visible()
        row = task_item(page, task_id)
        open_menu(row, "snooze")
        row.get_by_label("Pick a date…").fill((day + timedelta(days=9)).isoformat())
        row.get_by_label("Pick a date…").press("Enter")
        expect(page.get_by_text(f"Snoozed “{title}”")).to_be_visible()
        row = task_item(page, task_id)
        expect(row.locator("time")).to_have_attribute(
            "datetime", (day + timedelta(days=9)).isoformat()
        )
        # Bulk without JavaScript: the checkboxes belong to the bulk form.
        row.get_by_role("checkbox", name=f"Select “{title}”").check()
        page.get_by_role("button", name="Complete selected").click()
        expect(page.get_by_text("Completed 1 task.")).to_be_visible()
        expect(task_item(page, task_id)).to_have_count(0)
        page.get_by_role("button", name="Undo").click()
        expect(task_item(page, task_id)).to_be_visible()
    finally:
        context.close()


def test_bulk_selection_with_shift_click_and_one_undo(logged_in_page, make_task, seeded, day):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    due = (day - timedelta(days=60)).isoformat()  # first in the list, in this order
    titles = [unique(f"Bulk task {n}") for n in range(4)]
    ids = [
        make_task(title=t, due_date=due, company_id=seeded.companies["nordwind"]) for t in titles
    ]
    page.reload()
    boxes = [page.get_by_role("checkbox", name=f"Select “{t}”") for t in titles]
    boxes[0].click()
    boxes[2].click(modifiers=["Shift"])
    for box, on in zip(boxes, (True, True, True, False), strict=True):
        expect(box).to_be_checked(checked=on)
    bar = page.get_by_role("form", name="Bulk actions")
    expect(bar).to_contain_text("3 tasks selected")
    scan(page, "bulk selection")
    capture(page, "workbench-bulk")
    bar.get_by_role("button", name="Complete selected").click()
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(page.locator("#bulk-notice")).to_contain_text("Completed 3 tasks.")
    for task_id in ids[:3]:
        expect(task_item(page, task_id)).to_have_count(0)
    expect(task_item(page, ids[3])).to_be_visible()
    undo.click()
    expect(page.locator("#bulk-notice")).to_contain_text("Undone: 3 tasks as before.")
    for task_id in ids:
        expect(task_item(page, task_id)).to_be_visible()

    # Select all on this page, then unselect: the count follows.
    page.get_by_label("Select all on this page").check()
    expect(boxes[3]).to_be_checked()
    page.get_by_label("Select all on this page").uncheck()
    expect(bar).to_contain_text("Select tasks to act on several at once")

    # Snooze and delete the batch, and undo the delete.
    for box in boxes[:2]:
        box.check()
    bar.get_by_label("Snooze until").select_option(label="Next week")
    bar.get_by_role("button", name="Snooze selected").click()
    expect(page.locator("#bulk-notice")).to_contain_text("Snoozed 2 tasks to")
    expect(task_item(page, ids[0]).locator("time")).to_have_attribute(
        "datetime", (day + timedelta(days=7)).isoformat()
    )
    for box in boxes:
        box.check()
    bar.get_by_role("button", name="Delete selected").click()
    expect(page.locator("#bulk-notice")).to_contain_text("Deleted 4 tasks.")
    for task_id in ids:
        expect(task_item(page, task_id)).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    for task_id in ids:
        expect(task_item(page, task_id)).to_be_visible()


def test_keyboard_shortcuts(logged_in_page, make_task, seeded, day):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    due = (day - timedelta(days=90)).isoformat()  # the first rows of the list
    titles = [unique(f"Keyboard task {n}") for n in range(3)]
    ids = [make_task(title=t, due_date=due, contact_id=seeded.contacts["hans"]) for t in titles[:2]]
    ids.append(
        make_task(
            title=titles[2], due_date=due, contact_id=seeded.contacts["hans"], assignee_id=None
        )
    )
    page.goto("/tasks?view=everyone")
    mark_document(page)
    body = page.locator("body")
    body.press("j")
    expect(task_item(page, ids[0])).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(task_item(page, ids[1])).to_be_focused()
    page.keyboard.press("k")
    expect(task_item(page, ids[0])).to_be_focused()

    # x completes; focus moves to the next row; the live region says what happened.
    page.keyboard.press("x")
    expect(task_item(page, ids[0])).to_have_class(re.compile(r"\btask-row--completed\b"))
    expect(task_item(page, ids[1])).to_be_focused()
    expect(live_region(page)).to_have_text(f"Completed “{titles[0]}”.")

    # s opens the snooze menu on its first choice; Enter picks it (Tomorrow).
    page.keyboard.press("s")
    tomorrow_button = task_item(page, ids[1]).get_by_role("button", name="Tomorrow")
    expect(tomorrow_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(task_item(page, ids[1]).locator("time")).to_have_attribute(
        "datetime", (day + timedelta(days=1)).isoformat()
    )
    expect(task_item(page, ids[2])).to_be_focused()

    # a assigns to me (nobody's task becomes mine)...
    page.keyboard.press("a")
    expect(live_region(page)).to_contain_text(f"Assigned “{titles[2]}” to Mia Member.")
    # ... Escape closes an open menu; # deletes, focus lands on the Undo.
    page.keyboard.press("s")
    page.keyboard.press("Escape")
    expect(task_item(page, ids[2]).locator('[data-menu="snooze"]')).not_to_have_attribute(
        "open", ""
    )
    task_item(page, ids[2]).focus()
    page.keyboard.press("#")
    expect(page.get_by_role("button", name=f"Undo deleting “{titles[2]}”")).to_be_focused()
    page.keyboard.press("Enter")
    expect(task_item(page, ids[2])).to_contain_text(titles[2])
    expect(task_item(page, ids[2])).to_be_focused()
    assert same_document(page)

    # / focuses the search; typing there never fires a shortcut.
    page.keyboard.press("/")
    search = page.get_by_label("Title contains")
    expect(search).to_be_focused()
    search.press_sequentially("xj", delay=20)
    expect(search).to_have_value("xj")
    # Wait for the search's answer before clearing it (a newer search cancels an older).
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'xj'")
    wait_until_settled(page)
    search.fill("")
    page.wait_for_function("() => !new URLSearchParams(location.search).get('q')")
    wait_until_settled(page)
    task_item(page, ids[1]).focus()

    # ? opens the list of shortcuts.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for words in ("Next task", "Complete", "Snooze", "Assign the task to me", "Search"):
        expect(dialog).to_contain_text(words)
    scan(page, "keyboard shortcuts dialog")
    capture(page, "workbench-shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # e edits the focused row; n opens a new task.
    task_item(page, ids[1]).focus()
    page.keyboard.press("e")
    expect(page.get_by_role("heading", name="Edit task")).to_be_visible()
    page.go_back()
    page.locator("body").press("n")
    expect(page.get_by_role("heading", name="New task")).to_be_visible()


def test_trash_restores_a_deleted_task(logged_in_page, make_task, seeded):
    page = logged_in_page
    title = unique("Throw away the draft")
    task_id = make_task(title=title, contact_id=seeded.contacts["hanna"])
    page.reload()
    task_item(page, task_id).get_by_role("button", name=f"Delete “{title}”").click()
    expect(task_item(page, task_id)).to_contain_text(f"Deleted “{title}”.")
    page.reload()
    expect(task_item(page, task_id)).to_have_count(0)  # gone after a reload...
    page.get_by_role("navigation", name="Task views").get_by_role("link", name="Trash").click()
    row = task_item(page, task_id)  # ... but in the trash
    expect(row).to_contain_text("Deleted")
    for size, label in ((DESKTOP, "1280"), (NARROW, "360")):
        page.set_viewport_size(size)
        scan(page, f"trash ({label})")
        capture(page, "workbench-trash")
    row.get_by_role("button", name=f"Restore “{title}”").click()
    expect(live_region(page)).to_contain_text(f"Restored “{title}”.")
    page.get_by_role("navigation", name="Task views").get_by_role("link", name="My tasks").click()
    expect(task_item(page, task_id)).to_be_visible()


def test_the_list_stays_current_keeping_focus_and_selection(logged_in_page, make_task, seeded, day):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    due = (day - timedelta(days=120)).isoformat()
    kept = make_task(title=unique("Keep me selected"), due_date=due, **_hans(seeded))
    page.reload()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/tasks" in r.url else None)
    row = task_item(page, kept)
    row.get_by_role("checkbox").check()
    row.focus()
    started = time.monotonic()
    title = unique("Created over the API")
    new_id = make_task(title=title, due_date=due, **_hans(seeded))  # as another client would
    expect(task_item(page, new_id)).to_be_visible(timeout=20_000)
    waited = time.monotonic() - started
    assert waited <= 17, f"the new task took {waited:.1f} s to show"
    expect(task_item(page, kept).get_by_role("checkbox")).to_be_checked()
    expect(task_item(page, kept)).to_be_focused()
    version_checks = [u for u in requests if "/tasks/version" in u]
    assert version_checks, requests
    print(f"new task shown after {waited:.1f} s; requests: {requests}")


def _hans(seeded) -> dict[str, str]:
    return {"contact_id": seeded.contacts["hans"]}


def test_combobox_enter_picks_the_first_suggestion_and_moves_on(logged_in_page):
    page = logged_in_page
    page.goto("/tasks/new")
    box = contact_box(page)
    type_and_wait(page, box, "hanna")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    box.press("Enter")
    expect(page.get_by_role("group", name="Contact")).to_contain_text("Hanna Meier")
    expect(page.get_by_role("combobox", name="Company")).to_be_focused()


def test_save_and_add_another_and_more_options(logged_in_page, seeded):
    page = logged_in_page
    page.goto(f"/tasks/new?contact_id={seeded.contacts['hanna']}")
    created = page.get_by_label("Created (optional)")
    expect(created).to_be_hidden()  # under "More options", out of the Tab order
    page.get_by_label("Title").fill(first := unique("First of two"))
    page.get_by_role("button", name="Save and add another").click()
    expect(page.get_by_role("heading", name="New task")).to_be_visible()
    expect(page.get_by_text(f"Created “{first}”.")).to_be_visible()
    expect(page.get_by_role("group", name="Contact")).to_contain_text("Hanna Meier")
    page.get_by_text("More options").click()
    expect(created).to_be_visible()
    wait_until_settled(page)
    scan(page, "task form with more options")
