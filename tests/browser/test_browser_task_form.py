"""The task form: picking a contact from suggestions, errors that keep what was typed, and
choosing among the candidates of an ambiguous name."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.helpers import (
    XSS_NAME,
    contact_box,
    contact_suggestions,
    follow,
    hidden_contact_id,
    pick_by_keyboard,
    screenshot,
    task_row,
    type_and_wait,
    unique,
)


def test_three_letters_suggest_contacts_and_the_keyboard_picks_one(logged_in_page, seeded):
    page = logged_in_page
    title = unique("Send Hans the revised offer")
    follow(page, page.get_by_role("link", name="New task").first)
    expect(page.get_by_role("heading", name="New task")).to_be_visible()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Due date").fill((seeded.today + timedelta(days=3)).isoformat())

    box = contact_box(page)
    expect(box).to_have_attribute("aria-expanded", "false")
    type_and_wait(page, box, "mül")
    suggestions = contact_suggestions(page)
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    hans = suggestions.get_by_role("option").filter(has_text="Hans Müller")
    expect(hans).to_be_visible()
    # Each suggestion carries its context: email and company.
    expect(hans).to_contain_text("hans@mueller.example")
    expect(hans).to_contain_text("Müller GmbH")
    # The typed letters are highlighted, whatever their accents.
    expect(hans.locator("mark")).to_have_text(re.compile("^Mül", re.I))

    pick_by_keyboard(page, box, "Hans Müller")

    chip = page.get_by_role("group", name="Contact")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("Hans Müller")
    expect(chip).to_contain_text("Müller GmbH")
    # After a pick, focus moves on to the next field (not to the chip's remove button).
    expect(page.get_by_role("combobox", name="Company")).to_be_focused()
    expect(page.get_by_role("button", name="Remove Hans Müller")).to_be_visible()
    expect(hidden_contact_id(page)).to_have_value(seeded.contacts["hans"])
    expect(suggestions).to_be_hidden()

    follow(page, page.get_by_role("button", name="Create task"))
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.get_by_role("status")).to_contain_text(f"Created “{title}”")
    row = task_row(page, title)
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Contact: Hans Müller")).to_have_attribute(
        "href", f"/contacts/{seeded.contacts['hans']}"
    )


def test_han_suggests_every_contact_with_han_in_a_name_and_escape_closes_the_list(
    logged_in_page,
):
    page = logged_in_page
    page.goto("/tasks/new")
    box = contact_box(page)
    type_and_wait(page, box, "han")
    suggestions = contact_suggestions(page)
    expect(suggestions).to_be_visible()
    labels = suggestions.get_by_role("option").evaluate_all(
        "options => options.map(o => o.dataset.label)"
    )
    assert {"Hans Müller", "Hanna Meier"} <= set(labels), labels
    assert len(labels) <= 10

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile("^contact-option-"))
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(box).to_have_value("han")  # Escape closes; it never throws away what was typed
    expect(box).to_be_focused()
    expect(hidden_contact_id(page)).to_have_value("")

    # Typing on opens the list again; a name with no match says so.
    type_and_wait(page, box, "zzq")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_text(["No matches"])


def test_saving_without_a_link_shows_the_error_by_the_links_and_keeps_everything_typed(
    logged_in_page, seeded, problems
):
    problems.allow_refused_form("/tasks")
    page = logged_in_page
    page.goto("/tasks/new")
    due = (seeded.today + timedelta(days=5)).isoformat()
    values = {
        "Title": "Book the meeting room",
        "Description": "Second floor, with a projector.\nTen people.",
        "Type": "meeting",
        "Due date": due,
        "Time (optional)": "09:30",
    }
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Assignee").select_option(label="Tom Teammate")
    follow(page, page.get_by_role("button", name="Create task"))

    expect(page.get_by_role("alert")).to_contain_text("The task was not saved")
    links = page.get_by_role("group", name="Linked to")
    error = links.get_by_text("Link this task to at least one contact, company, deal or event.")
    expect(error).to_be_visible()
    # The error is part of the group's description, so screen readers hear it there.
    expect(links).to_have_attribute("aria-describedby", re.compile(r"\blinks-error\b"))
    expect(page.locator("#links-error")).to_contain_text("Link this task")
    # The summary's link leads to the first link field.
    summary_link = page.get_by_role("alert").get_by_role("link", name=re.compile("Link this task"))
    expect(summary_link).to_have_attribute("href", "#contact_name")

    for label, value in values.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_label("Status")).to_have_value("in_progress")
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(page.get_by_label("Assignee").locator("option:checked")).to_have_text("Tom Teammate")

    # Linking it now saves it, with everything typed before.
    type_and_wait(page, contact_box(page), "hanna")
    pick_by_keyboard(page, contact_box(page), "Hanna Meier")
    follow(page, page.get_by_role("button", name="Create task"))
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.get_by_text("Created “Book the meeting room”.")).to_be_visible()
    # It is Tom's task: it shows under Everyone, not under Mia's own.
    page.get_by_role("navigation", name="Task views").get_by_role("link", name="Everyone").click()
    row = task_row(page, "Book the meeting room")
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("09:30")
    expect(row).to_contain_text("Assigned to Tom Teammate")
    expect(row.get_by_role("link", name="Contact: Hanna Meier")).to_be_visible()


def test_an_ambiguous_typed_name_offers_its_candidates_to_choose_from(
    logged_in_page, seeded, problems
):
    problems.allow_refused_form("/tasks")
    page = logged_in_page
    title = unique("Invite Anna to the trade fair")
    page.goto("/tasks/new")
    page.get_by_label("Title").fill(title)
    box = contact_box(page)
    type_and_wait(page, box, "Anna Schmidt")
    box.press("Escape")  # typed, not picked
    follow(page, page.get_by_role("button", name="Create task"))

    expect(page.get_by_role("alert")).to_contain_text("The task was not saved")
    expect(page.locator("#contact-error")).to_contain_text("Several contacts match this name")
    candidates = page.get_by_role("group", name="Which contact did you mean?")
    expect(candidates).to_be_visible()
    radios = candidates.get_by_role("radio")
    expect(radios).to_have_count(2)
    nordwind = candidates.get_by_role("radio", name=re.compile("Nordwind AG"))
    expect(nordwind).to_have_accessible_name(
        re.compile(r"Anna Schmidt.*a\.schmidt@nordwind\.example.*Nordwind AG")
    )
    expect(
        candidates.get_by_role("radio", name=re.compile("Schmidt & Partner"))
    ).to_have_accessible_name(re.compile(r"anna@schmidt-partner\.example"))
    expect(page.get_by_label("Title")).to_have_value(title)
    screenshot(page, "form-candidates")

    nordwind.check()
    follow(page, page.get_by_role("button", name="Create task"))
    expect(page).to_have_url(re.compile(r"/tasks$"))
    row = task_row(page, title)
    expect(row.get_by_role("link", name="Contact: Anna Schmidt")).to_have_attribute(
        "href", f"/contacts/{seeded.contacts['anna_nordwind']}"
    )


def test_a_contact_named_like_markup_shows_as_text_and_runs_nothing(
    logged_in_page, seeded, problems
):
    page = logged_in_page
    title = unique("Check the odd contact")
    page.goto("/tasks/new")
    page.get_by_label("Title").fill(title)
    box = contact_box(page)
    type_and_wait(page, box, "<img")
    suggestions = contact_suggestions(page)
    option = suggestions.get_by_role("option").filter(has_text=XSS_NAME)
    expect(option).to_be_visible()
    expect(option.locator(".option__label")).to_have_text(f"{XSS_NAME} Probe")
    expect(suggestions.locator("img")).to_have_count(0)

    pick_by_keyboard(page, box, f"{XSS_NAME} Probe")
    expect(page.get_by_role("group", name="Contact")).to_contain_text(f"{XSS_NAME} Probe")
    follow(page, page.get_by_role("button", name="Create task"))

    expect(page).to_have_url(re.compile(r"/tasks$"))
    row = task_row(page, title)
    link = row.get_by_role("link", name=f"Contact: {XSS_NAME} Probe")
    expect(link).to_have_text(f"Contact: {XSS_NAME} Probe")
    expect(page.locator("main img")).to_have_count(0)

    follow(page, link)  # its own page shows the name as text too
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{XSS_NAME} Probe")
    expect(page.locator("main img")).to_have_count(0)
    assert problems.dialogs == []


def test_a_mouse_click_picks_too_and_the_chip_removes_the_pick(logged_in_page, seeded):
    page = logged_in_page
    page.goto("/tasks/new")
    box = contact_box(page)
    type_and_wait(page, box, "hans")
    contact_suggestions(page).get_by_role("option").filter(has_text="Hans Müller").click()
    expect(page.get_by_role("group", name="Contact")).to_contain_text("Hans Müller")
    expect(hidden_contact_id(page)).to_have_value(seeded.contacts["hans"])
    expect(box).to_be_hidden()

    page.get_by_role("button", name="Remove Hans Müller").click()
    expect(hidden_contact_id(page)).to_have_value("")
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    expect(box).to_have_value("")
