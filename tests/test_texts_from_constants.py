"""Texts that state a rule are generated from the constants of that rule, so they cannot drift.

The created_date window's sentence (form hint, API description, notice), the statuses and
priorities with their labels (models, forms, filters, rows, OpenAPI), and the `maxlength`
of every input whose value the service limits.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from app.api.openapi import build_document
from app.extensions import db
from app.models import TASK_PRIORITIES, TASK_STATUSES, ApiKey, Task
from app.services import accounts, search
from app.services import tasks as task_service
from app.services.dates import CREATED_DATE_WINDOW, CreatedDateWindow
from app.services.errors import ValidationError
from app.vocabulary import TaskPriority, TaskStatus
from tests.web_helpers import login_as, text

# --- the created_date window ------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "words"),
    [
        (CreatedDateWindow(), "the last 5 years up to 24 hours ahead"),
        (CreatedDateWindow(3, timedelta(hours=2)), "the last 3 years up to 2 hours ahead"),
        (CreatedDateWindow(1, timedelta(minutes=90)), "the last 1 year up to 90 minutes ahead"),
        (CreatedDateWindow(2, timedelta(seconds=45)), "the last 2 years up to 45 seconds ahead"),
        (CreatedDateWindow(5, timedelta(hours=1)), "the last 5 years up to 1 hour ahead"),
    ],
)
def test_the_window_in_words_follows_its_constants(window, words):
    assert window.describe() == words


def window_words() -> str:
    """What the texts must say, computed from the constants, not copied from a text."""
    ahead_hours = CREATED_DATE_WINDOW.ahead // timedelta(hours=1)
    return f"the last {CREATED_DATE_WINDOW.years_back} years up to {ahead_hours} hours ahead"


def test_the_form_hint_states_the_window(client, member):
    html = text(login_as(client, member).get("/tasks/new"))
    hint = re.search(r'<p class="hint" id="created_date-hint">(.*?)</p>', html, re.S).group(1)
    assert window_words() in unescape(hint)
    assert CREATED_DATE_WINDOW.describe() in unescape(hint)


def test_the_api_description_states_the_window():
    schema = build_document()["components"]["schemas"]
    descriptions = [
        field["description"]
        for body in schema.values()
        for name, field in body.get("properties", {}).items()
        if name == "created_date" and "description" in field
    ]
    assert descriptions and all(window_words() in d for d in descriptions)


def test_the_notice_of_a_replaced_date_states_the_window(client, member, contact):
    response = login_as(client, member).post(
        "/tasks",
        data={"title": "Old", "contact_id": str(contact.id), "created_date": "1999-01-01T10:00"},
        follow_redirects=True,
    )
    assert f"outside the accepted window ({window_words()})" in unescape(text(response))


# --- statuses and priorities -------------------------------------------------------------


def select_options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(
        r'<option(?: selected)? value="([^"]*)"(?: selected)?>(.*?)</option>', select
    )
    return [(value, unescape(label)) for value, label in options]


def test_models_take_their_values_from_the_one_definition():
    assert TASK_STATUSES == ("open", "in_progress", "completed") == TaskStatus.values()
    assert TASK_PRIORITIES == ("low", "medium", "high") == TaskPriority.values()
    assert Task.__table__.c.status.default.arg == TaskStatus.OPEN


def test_the_form_offers_every_status_and_priority_with_its_label(client, member):
    html = text(login_as(client, member).get("/tasks/new"))
    assert select_options(html, "status") == [
        ("open", "Open"),
        ("in_progress", "In progress"),
        ("completed", "Completed"),
    ]
    assert select_options(html, "status") == TaskStatus.pairs()
    assert select_options(html, "priority") == [("", "No priority"), *TaskPriority.pairs()]


def test_the_list_filters_offer_every_status_and_priority(client, member):
    html = text(login_as(client, member).get("/tasks"))
    assert select_options(html, "status") == [("", "To do"), *TaskStatus.pairs(), ("all", "All")]
    assert select_options(html, "priority") == [
        ("", "Any"),
        ("high", "High"),
        ("medium", "Medium"),
        ("low", "Low"),
    ]


def test_rows_show_the_labels(client, member, actor, contact):
    task_service.create_task(
        actor,
        {
            "title": "Call",
            "contact_id": str(contact.id),
            "status": "in_progress",
            "priority": "high",
        },
    )
    html = text(login_as(client, member).get("/tasks?view=everyone"))
    assert f">{TaskStatus.IN_PROGRESS.label}</span>" in html
    assert f"{TaskPriority.HIGH.label}</span>" in html


@pytest.mark.parametrize("enum_class", [TaskStatus, TaskPriority])
def test_labels_are_shown_for_known_values_and_unknown_ones_as_they_are(enum_class):
    for member in enum_class:
        assert enum_class.label_of(member.value) == member.label
    assert enum_class.label_of("archived") == "archived"
    assert enum_class.label_of(None) == ""


def test_the_api_documents_the_same_values():
    schemas = build_document()["components"]["schemas"]
    assert tuple(schemas["TaskStatus"]["enum"]) == TaskStatus.values()
    assert tuple(schemas["TaskPriority"]["enum"]) == TaskPriority.values()


def test_the_service_names_every_allowed_value(actor, contact):
    with pytest.raises(ValidationError) as caught:
        task_service.create_task(
            actor, {"title": "x", "contact_id": str(contact.id), "status": "x", "priority": "x"}
        )
    assert caught.value.fields == {
        "status": "must be one of " + ", ".join(TaskStatus.values()),
        "priority": "must be one of " + ", ".join(TaskPriority.values()),
    }


# --- maxlength -----------------------------------------------------------------------------


def maxlength(html: str, name: str) -> int:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return int(re.search(r'maxlength="(\d+)"', tag).group(1))


def test_the_task_forms_inputs_are_as_long_as_the_service_allows(client, member):
    html = text(login_as(client, member).get("/tasks/new"))
    assert maxlength(html, "title") == task_service.TITLE_MAX == 255
    assert maxlength(html, "task_type") == task_service.TASK_TYPE_MAX == 50
    assert maxlength(html, "contact_name") == task_service.NAME_QUERY_MAX
    assert maxlength(html, "company_name") == task_service.NAME_QUERY_MAX
    assert maxlength(html, "deal_query") == search.QUERY_MAX
    assert maxlength(html, "event_query") == search.QUERY_MAX


def test_the_limits_fit_the_columns():
    assert Task.__table__.c.title.type.length == task_service.TITLE_MAX
    assert Task.__table__.c.task_type.type.length == task_service.TASK_TYPE_MAX
    assert ApiKey.__table__.c.name.type.length == accounts.API_KEY_NAME_MAX


def test_the_api_key_name_input_is_as_long_as_the_service_allows(client, admin):
    html = text(login_as(client, admin).get("/settings/api-keys"))
    assert maxlength(html, "name") == accounts.API_KEY_NAME_MAX


def test_a_longer_api_key_name_is_refused_and_nothing_is_written(admin):
    actor = accounts.Actor.for_user(admin)
    longest = "k" * accounts.API_KEY_NAME_MAX
    assert accounts.create_api_key(actor, longest, [accounts.READ])[0].name == longest
    with pytest.raises(ValidationError) as caught:
        accounts.create_api_key(actor, longest + "k", [accounts.READ])
    assert caught.value.fields == {
        "name": f"must be at most {accounts.API_KEY_NAME_MAX} characters"
    }
    db.session.rollback()
    assert [k.name for k in accounts.list_api_keys(accounts.admin_actor(admin))] == [longest]
