"""The task list: completing in place, and filters that update the list and the address bar."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.helpers import task_item, unique


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def mark_document(page) -> None:
    """Leave a marker in this document: it survives only if no page load happens."""
    page.evaluate("window.__marker = 1")


def same_document(page) -> bool:
    return page.evaluate("window.__marker === 1")


def test_completing_and_reopening_a_task_happens_in_place(logged_in_page, make_task, seeded):
    title = unique("Confirm the catering order")
    task_id = make_task(
        title=title,
        due_date=(seeded.today + timedelta(days=1)).isoformat(),
        company_id=seeded.companies["mueller"],
    )
    page = logged_in_page
    page.reload()
    row = task_item(page, task_id)
    expect(row).to_contain_text(title)
    expect(row).not_to_contain_text("Completed")  # open tasks carry no status badge
    url = page.url
    mark_document(page)

    row.get_by_role("button", name=f"Complete “{title}”").click()
    expect(row.get_by_role("button", name=f"Reopen “{title}”")).to_be_visible()
    expect(row).to_have_class(re.compile(r"\btask-row--completed\b"))
    expect(row).to_contain_text("Completed")
    assert same_document(page), "completing the task loaded a new page"
    assert page.url == url

    row.get_by_role("button", name=f"Reopen “{title}”").click()
    expect(row.get_by_role("button", name=f"Complete “{title}”")).to_be_visible()
    expect(row).not_to_have_class(re.compile(r"\btask-row--completed\b"))
    expect(row).not_to_contain_text("Completed")
    assert same_document(page), "reopening the task loaded a new page"

    # The change was stored: a fresh load shows the task open, still in the list.
    page.reload()
    expect(
        task_item(page, task_id).get_by_role("button", name=f"Complete “{title}”")
    ).to_be_visible()


def test_deleting_a_task_offers_an_undo_in_place(logged_in_page, make_task, seeded):
    title = unique("Order new business cards")
    task_id = make_task(title=title, contact_id=seeded.contacts["hanna"])
    page = logged_in_page
    page.reload()
    row = task_item(page, task_id)
    mark_document(page)

    row.get_by_role("button", name=f"Delete “{title}”").click()
    expect(row.get_by_role("status")).to_have_text(f"Deleted “{title}”.")
    row.get_by_role("button", name=f"Undo deleting “{title}”").click()
    expect(row.get_by_role("button", name=f"Complete “{title}”")).to_be_visible()
    assert same_document(page), "deleting or undoing loaded a whole page"
    page.reload()
    expect(task_item(page, task_id)).to_contain_text(title)


def test_overdue_and_due_today_are_marked(logged_in_page, seeded):
    page = logged_in_page
    overdue = task_item(page, seeded.tasks["overdue"])
    expect(overdue).to_contain_text("Overdue")
    expect(overdue).to_have_class(re.compile(r"\btask-row--overdue\b"))
    expect(task_item(page, seeded.tasks["today"])).to_contain_text("Due today")
    # Soonest due first: the overdue task comes before today's, today's before later ones.
    ids = page.locator("#task-results [data-task-row]").evaluate_all("rows => rows.map(r => r.id)")
    order = [ids.index(f"task-{seeded.tasks[k]}") for k in ("overdue", "today", "later")]
    assert order == sorted(order), ids


def expect_filters(page, **filters: str) -> None:
    """Wait until the address bar holds exactly these filters (the rest empty or absent)."""
    wanted = {name: filters.get(name, "") for name in FILTERS}
    try:
        page.wait_for_function(
            """wanted => {
              const params = new URLSearchParams(location.search);
              return Object.entries(wanted)
                .every(([name, value]) => (params.get(name) || "") === value);
            }""",
            arg=wanted,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the address bar shows {page.url}, not the filters {filters}"
        ) from None


FILTERS = ("q", "status", "priority", "assignee", "due")


def test_filters_update_the_list_in_place_and_the_back_button_restores_them(logged_in_page, seeded):
    page = logged_in_page
    page.goto("/tasks?view=everyone")  # the view where every filter is offered
    rows = page.locator("#task-results [data-task-row]")
    high, medium, low = (task_item(page, seeded.tasks[k]) for k in ("overdue", "today", "later"))
    expect(high).to_be_visible()
    expect(low).to_be_visible()
    mark_document(page)

    page.get_by_label("Priority").select_option(label="High")
    expect_filters(page, priority="high")
    expect(low).to_have_count(0)
    expect(high).to_be_visible()
    for badge in rows.locator('[class*="badge--priority-"]').all():
        expect(badge).to_have_text(re.compile("High$"))

    page.get_by_label("Due", exact=True).select_option(label="Today")
    expect_filters(page, priority="high", due="today")
    expect(page.get_by_text("No tasks match these filters.")).to_be_visible()

    page.get_by_label("Priority").select_option(label="Any")
    expect_filters(page, due="today")
    expect(medium).to_be_visible()
    expect(high).to_have_count(0)

    page.get_by_label("Assignee").select_option(label="Mine")
    expect_filters(page, due="today", assignee="mine")
    expect(medium).to_be_visible()

    page.get_by_label("Title contains").fill("hanna")
    expect_filters(page, due="today", assignee="mine", q="hanna")
    expect(medium).to_be_visible()
    assert same_document(page), "a filter change loaded a whole page"

    # Back, step by step: each press restores the filters before it, in the form and list,
    # still without loading a page. Each restore is awaited before the next press.
    page.go_back()
    expect_filters(page, due="today", assignee="mine")
    expect(page.get_by_label("Title contains")).to_have_value("")
    expect(page.get_by_label("Assignee")).to_have_value("mine")
    expect(medium).to_be_visible()
    page.go_back()
    expect_filters(page, due="today")
    expect(page.get_by_label("Assignee")).to_have_value("")
    expect(page.get_by_label("Priority")).to_have_value("")
    page.go_back()
    expect_filters(page, due="today", priority="high")
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(page.get_by_label("Due", exact=True)).to_have_value("today")
    expect(page.get_by_text("No tasks match these filters.")).to_be_visible()
    page.go_back()
    expect_filters(page, priority="high")
    expect(page.get_by_label("Due", exact=True)).to_have_value("")
    expect(high).to_be_visible()
    expect(low).to_have_count(0)
    assert same_document(page), "the back button loaded a whole page"

    # A reload keeps the filters: they live in the URL.
    page.reload()
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(high).to_be_visible()
    expect(low).to_have_count(0)


def test_an_action_on_a_task_deleted_elsewhere_says_so(logged_in_page, make_task, seeded, problems):
    """htmx does not swap error answers: the page must still tell the person what happened."""
    title = unique("Chase the unsigned NDA")
    task_id = make_task(
        title=title,
        due_date=(seeded.today + timedelta(days=2)).isoformat(),
        company_id=seeded.companies["mueller"],
    )
    page = logged_in_page
    page.reload()
    row = task_item(page, task_id)
    expect(row).to_contain_text(title)
    with seeded.app.app_context():  # another tab deletes it
        from app.extensions import db
        from app.models import Task

        db.session.get(Task, uuid.UUID(task_id)).deleted_at = datetime.now(UTC)
        db.session.commit()
        db.session.remove()
    # Chromium and htmx both log the expected 404 to the console.
    problems.allowed.append(("Failed to load resource", "status of 404"))
    problems.allowed.append(("Response Status Error Code 404", "/complete"))
    row.get_by_role("button", name=f"Complete “{title}”").click()
    expect(page.locator("#notices")).to_contain_text("no longer exists")
