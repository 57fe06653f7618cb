"""docs/quick_add.md: the quick-add parser as a service and as POST /v1/tasks/parse."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, quick_add, records
from app.services.errors import AmbiguousReference, ValidationError
from tests.api_helpers import assert_envelope

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


@pytest.fixture
def people(workspace):
    acme = records.add_company(workspace.id, "Acme Logistics")
    made = {
        "hans": records.add_contact(workspace.id, "Hans", "Müller", "hans@acme.test", acme),
        "anna1": records.add_contact(workspace.id, "Anna", "Schmidt", "anna@acme.test", acme),
        "anna2": records.add_contact(workspace.id, "Anna", "Schmidt", "as@initech.test", None),
        "acme": acme,
    }
    db.session.commit()
    return made


def stored_tasks():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task))


def test_parse_explains_each_part_with_its_span(actor, people):
    text = "Call Hans Müller tomorrow 10:00 !high #call"
    parsed = quick_add.parse(actor, text, now=NOW)
    assert parsed.fields == {
        "title": "Call Hans Müller",
        "contact_id": str(people["hans"].id),
        "due_date": "2026-12-01T10:00:00+01:00",
        "priority": "high",
        "task_type": "call",
    }
    spans = {span.kind: text[span.start : span.end] for span in parsed.spans}
    assert spans == {
        "contact": "Hans Müller",
        "due_date": "tomorrow",
        "due_time": "10:00",
        "priority": "!high",
        "task_type": "#call",
    }
    assert parsed.questions == []
    assert parsed.timezone == "Europe/Berlin"


def test_the_users_zone_comes_before_the_workspaces(member, people):
    member.timezone = "Pacific/Auckland"
    db.session.commit()
    parsed = quick_add.parse(accounts.Actor.for_user(member), "Call Hans Müller today", now=NOW)
    assert parsed.fields["due_date"] == "2026-11-30"  # 21:00 on the 30th in Auckland
    later = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 01:00 on 1 Dec in Auckland
    parsed = quick_add.parse(accounts.Actor.for_user(member), "Call Hans Müller today", now=later)
    assert parsed.fields["due_date"] == "2026-12-01"


def test_create_saves_the_task_as_the_form_would(actor, people):
    parsed, created = quick_add.create(actor, "Call Hans Müller tomorrow 10:00 !high", now=NOW)
    task = created.task
    assert task.title == "Call Hans Müller"
    assert task.contact_id == people["hans"].id
    assert task.due_date.isoformat() == "2026-12-01"
    assert task.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert task.priority == "high"


def test_a_date_only_due_date_is_the_calendar_day_typed(actor, people):
    _parsed, created = quick_add.create(actor, "Call Hans Müller 29 Feb", now=NOW)
    assert created.task.due_date.isoformat() == "2028-02-29"
    assert created.task.due_at is None


def test_an_ambiguous_name_is_asked_and_blocks_saving_until_chosen(actor, people):
    parsed = quick_add.parse(actor, "Call Anna Schmidt tomorrow", now=NOW)
    (question,) = parsed.questions
    assert question.kind == "contact" and question.reason == "ambiguous"
    assert {c.value for c in question.candidates} == {
        str(people["anna1"].id),
        str(people["anna2"].id),
    }
    assert "contact_id" not in parsed.fields
    with pytest.raises(AmbiguousReference) as raised:
        quick_add.create(actor, "Call Anna Schmidt tomorrow", now=NOW)
    assert len(raised.value.candidates) == 2
    assert stored_tasks() == 0

    chosen = str(people["anna2"].id)
    _parsed, created = quick_add.create(
        actor, "Call Anna Schmidt tomorrow", choices={"contact": chosen}, now=NOW
    )
    assert str(created.task.contact_id) == chosen


def test_a_choice_that_is_no_candidate_is_ignored(actor, people):
    parsed = quick_add.parse(
        actor, "Call Anna Schmidt", choices={"contact": str(people["hans"].id)}, now=NOW
    )
    assert "contact_id" not in parsed.fields and parsed.questions


def test_a_lone_first_name_is_a_weak_match_offered_not_linked(actor, people):
    parsed = quick_add.parse(actor, "Call Hans about the offer", now=NOW)
    (question,) = parsed.questions
    assert question.reason == "partial"
    assert [c.value for c in question.candidates] == [str(people["hans"].id)]
    assert "contact_id" not in parsed.fields


def test_a_time_the_clocks_skip_is_asked(actor, people):
    spring = datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    text = "Call Hans Müller on Sunday at 2:30"
    parsed = quick_add.parse(actor, text, now=spring)
    (question,) = parsed.questions
    assert question.reason == "nonexistent_time"
    assert [c.value for c in question.candidates] == ["2027-03-28T03:30:00+02:00"]
    with pytest.raises(ValidationError):
        quick_add.create(actor, text, now=spring)
    parsed = quick_add.parse(
        actor, text, now=spring, choices={"due_date": "2027-03-28T03:30:00+02:00"}
    )
    assert parsed.fields["due_date"] == "2027-03-28T03:30:00+02:00"


def test_a_time_the_clocks_repeat_offers_both(actor, people):
    autumn = datetime(2027, 10, 29, 8, 0, tzinfo=UTC)
    parsed = quick_add.parse(actor, "Call Hans Müller on Sunday at 2:30", now=autumn)
    (question,) = parsed.questions
    assert question.reason == "repeated_time"
    assert [c.value for c in question.candidates] == [
        "2027-10-31T02:30:00+02:00",
        "2027-10-31T02:30:00+01:00",
    ]


def test_two_dates_are_asked_with_each_as_a_candidate(actor, people):
    text = "Call Hans Müller tomorrow or Friday at 10:00"
    parsed = quick_add.parse(actor, text, now=NOW)
    (question,) = parsed.questions
    assert question.reason == "several_dates"
    assert [c.value for c in question.candidates] == [
        "2026-12-01T10:00:00+01:00",  # in the line's order: tomorrow, then Friday
        "2026-12-04T10:00:00+01:00",
    ]
    assert "due_date" not in parsed.fields
    chosen = quick_add.parse(
        actor, text, now=NOW, choices={"due_date": "2026-12-04T10:00:00+01:00"}
    )
    assert chosen.fields["due_date"] == "2026-12-04T10:00:00+01:00"
    assert chosen.questions == [] and chosen.title == "Call Hans Müller"


@pytest.mark.parametrize(
    ("text", "timezone", "locale", "field"),
    [
        ("", None, None, "text"),
        ("   ", None, None, "text"),
        ("x" * (quick_add.TEXT_MAX + 1), None, None, "text"),
        ("Call\x00 Hans", None, None, "text"),
        ("Call Hans", "Mars/Olympus", None, "timezone"),
        ("Call Hans", None, "fr", "locale"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(actor, text, timezone, locale, field):
    with pytest.raises(ValidationError) as raised:
        quick_add.parse(actor, text, timezone=timezone, locale=locale)
    assert field in raised.value.fields


def test_a_line_without_a_record_is_not_saved(actor, people):
    with pytest.raises(ValidationError) as raised:
        quick_add.create(actor, "Buy coffee tomorrow", now=NOW)
    assert "parent_link" in raised.value.fields
    assert stored_tasks() == 0


def test_records_of_another_workspace_are_never_found(actor, people, other_workspace):
    records.add_contact(other_workspace.id, "Olga", "Fremd", None, None)
    db.session.commit()
    parsed = quick_add.parse(actor, "Call Olga Fremd", now=NOW)
    assert "contact_id" not in parsed.fields and parsed.questions == []


def test_a_viewer_may_parse_but_not_create(viewer, people):
    actor = accounts.Actor.for_user(viewer)
    assert quick_add.parse(actor, "Call Hans Müller", now=NOW).fields["contact_id"]
    with pytest.raises(Exception) as raised:
        quick_add.create(actor, "Call Hans Müller", now=NOW)
    assert type(raised.value).__name__ == "PermissionDenied"


# --- POST /v1/tasks/parse


def test_api_parses_without_saving(client, auth, people):
    response = client.post(
        "/v1/tasks/parse",
        json={"text": "Call Hans Müller tomorrow 10:00 !high", "timezone": "UTC"},
        headers=auth,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["data"]
    assert data["fields"]["contact_id"] == str(people["hans"].id)
    assert data["fields"]["due_date"].endswith("T10:00:00+00:00")
    assert data["fields"]["priority"] == "high"
    assert data["timezone"] == "UTC"
    assert {span["kind"] for span in data["spans"]} == {
        "contact", "due_date", "due_time", "priority",
    }  # fmt: skip
    assert stored_tasks() == 0


def test_api_reports_candidates_of_an_ambiguous_name(client, auth, people):
    response = client.post("/v1/tasks/parse", json={"text": "Call Anna Schmidt"}, headers=auth)
    (question,) = response.get_json()["data"]["questions"]
    assert question["kind"] == "contact" and len(question["candidates"]) == 2
    assert "contact_id" not in response.get_json()["data"]["fields"]


def test_api_parse_and_create_agree(client, auth, people):
    text = "Call Hans Müller am 12.3. um 10 Uhr !hoch"
    parsed = client.post(
        "/v1/tasks/parse", json={"text": text, "locale": "de"}, headers=auth
    ).get_json()["data"]
    created = client.post("/v1/tasks", json=parsed["fields"], headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    task = created.get_json()["data"]
    assert task["title"] == "Call Hans Müller"
    assert task["due_date"] == "2027-03-12T09:00:00Z"
    assert task["priority"] == "high"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Call", "titel": "x"}, "titel"),
        ({"text": 5}, "text"),
        ({"text": "Call", "timezone": "Nowhere/Else"}, "timezone"),
        ({"text": "Call", "timezone": 3}, "timezone"),
        ({"text": "Call", "locale": "xx"}, "locale"),
    ],
)
def test_api_refuses_bad_bodies_naming_the_field(client, auth, body, field):
    error = assert_envelope(
        client.post("/v1/tasks/parse", json=body, headers=auth), 400, "validation_error"
    )
    assert field in error["fields"]


def test_api_refuses_a_body_that_is_not_an_object(client, auth):
    assert_envelope(
        client.post("/v1/tasks/parse", json=["x"], headers=auth), 400, "validation_error"
    )


def test_api_needs_a_key(client):
    response = client.post("/v1/tasks/parse", json={"text": "Call Hans"})
    assert_envelope(response, 401, "unauthorized")
