"""docs/rules.md §5: the task form, the list with its filters, the in-place actions."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, records, schedule
from app.services import tasks as task_service
from tests.web_helpers import HTMX, login_as, text


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


def all_tasks() -> list[Task]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Task).order_by(Task.created_date)))


def today(workspace):
    return schedule.today_in(workspace.zone)


def make_task(actor, contact, title, **fields):
    payload = {"title": title, "contact_id": str(contact.id), **fields}
    return task_service.create_task(actor, payload).task


def selected(html: str, name: str) -> str | None:
    """The selected option's value of select `name` in `html`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(r'<option selected value="([^"]*)"', select) or re.search(
        r'<option value="([^"]*)" selected', select
    )
    return match.group(1) if match else None


# --- the form ---------------------------------------------------------------------------


def test_form_has_every_field_under_the_apis_names(member_client, member, viewer):
    html = text(member_client.get("/tasks/new"))
    for name in (
        "title", "description", "status", "priority", "task_type", "due_date", "due_time",
        "assignee_id", "contact_id", "contact_name", "company_id", "company_name", "deal_id",
        "event_id", "created_date",
    ):  # fmt: skip
        assert f'name="{name}"' in html, name
    assert 'type="date"' in html and 'type="time"' in html and 'type="datetime-local"' in html
    assert 'list="task-types"' in html
    for value in ("call", "email", "meeting", "follow_up", "todo"):
        assert f'<option value="{value}" label="' in html  # labelled in the page's language
    # The assignee select offers the workspace's active users, the signed-in one chosen.
    assert selected(html, "assignee_id") == str(member.id)
    assert "Vic Viewer" in html
    # Deal and event text fields search only: their names are not the service's.
    assert 'name="deal_query"' in html and 'name="event_query"' in html


def test_comboboxes_follow_the_aria_pattern(member_client):
    html = text(member_client.get("/tasks/new"))
    for kind, segment in [
        ("contact", "contacts"),
        ("company", "companies"),
        ("deal", "deals"),
        ("event", "events"),
    ]:
        box = re.search(
            rf'<input type="text" id="\w+"[^>]*aria-controls="{kind}-listbox"[^>]*>', html, re.S
        )
        assert box, kind
        tag = box.group(0)
        assert 'role="combobox"' in tag and 'aria-expanded="false"' in tag
        assert 'aria-autocomplete="list"' in tag
        assert f'hx-get="/search/{segment}"' in tag
        assert 'hx-trigger="input changed delay:200ms"' in tag and 'hx-sync="this:replace"' in tag
        assert f'id="{kind}-listbox" role="listbox"' in html


def test_create_with_a_picked_contact(member_client, contact):
    response = member_client.post(
        "/tasks", data={"title": "Call back", "status": "open", "contact_id": str(contact.id)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks"
    (task,) = all_tasks()
    assert task.title == "Call back" and task.contact_id == contact.id
    assert "Created “Call back”." in text(member_client.get("/tasks"))


def test_a_typed_name_is_resolved_by_the_service(member_client, contact):
    response = member_client.post(
        "/tasks", data={"title": "Send offer", "contact_name": "muller hans", "contact_id": ""}
    )
    assert response.status_code == 303
    (task,) = all_tasks()
    assert task.contact_id == contact.id


def test_a_picked_id_wins_over_leftover_text(member_client, contact):
    response = member_client.post(
        "/tasks",
        data={"title": "x", "contact_id": str(contact.id), "contact_name": "someone else"},
    )
    assert response.status_code == 303
    assert all_tasks()[0].contact_id == contact.id


def test_all_fields_reach_the_service(member_client, member, contact, workspace):
    company = contact.company
    deal = records.add_deal(workspace.id, "Renewal", "proposal", None, company)
    db.session.commit()
    response = member_client.post(
        "/tasks",
        data={
            "title": "  Prepare meeting ",
            "description": "Agenda first",
            "status": "in_progress",
            "priority": "high",
            "task_type": "meeting",
            "due_date": "2026-03-10",
            "due_time": "09:30",
            "assignee_id": str(member.id),
            "company_id": str(company.id),
            "deal_id": str(deal.id),
            "deal_query": "",
            "event_query": "",
        },
    )
    assert response.status_code == 303, text(response)
    (task,) = all_tasks()
    assert (task.title, task.description, task.status, task.priority, task.task_type) == (
        "Prepare meeting", "Agenda first", "in_progress", "high", "meeting",
    )  # fmt: skip
    # 09:30 in the workspace's zone (Europe/Berlin, UTC+1 in March).
    assert task.due_date.isoformat() == "2026-03-10"
    assert task.due_at == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    assert (task.assignee_id, task.company_id, task.deal_id) == (member.id, company.id, deal.id)


def test_orphan_task_shows_the_error_at_the_links_and_keeps_everything(member_client, member):
    data = {
        "title": "Follow <up>",
        "description": "Line one\nLine two",
        "status": "in_progress",
        "priority": "medium",
        "task_type": "my_type",
        "due_date": "2026-04-01",
        "due_time": "14:15",
        "assignee_id": str(member.id),
        "contact_id": "",
        "contact_name": "",
        "created_date": "2026-02-01T10:00",
    }
    response = member_client.post("/tasks", data=data)
    assert response.status_code == 400
    html = text(response)
    assert "Link this task to at least one contact, company, deal or event." in html
    assert 'id="links-error"' in html
    assert 'value="Follow &lt;up&gt;"' in html
    assert "Line one\nLine two</textarea>" in html
    assert selected(html, "status") == "in_progress"
    assert selected(html, "priority") == "medium"
    assert selected(html, "assignee_id") == str(member.id)
    for value in ("my_type", "2026-04-01", "14:15", "2026-02-01T10:00"):
        assert f'value="{value}"' in html
    assert all_tasks() == []


def test_form_errors_answer_200_to_htmx(member_client):
    response = member_client.post("/tasks", data={"title": "x"}, headers=HTMX)
    assert response.status_code == 200
    assert "Link this task" in text(response)


def test_missing_title_is_shown_at_the_title(member_client, contact):
    html = text(member_client.post("/tasks", data={"title": "  ", "contact_id": str(contact.id)}))
    assert 'id="title-error"' in html and "Title is required." in html
    assert 'aria-invalid="true"' in html
    # The picked contact stays picked.
    assert 'aria-label="Remove Hans Müller"' in html
    assert f'name="contact_id" id="contact_id" value="{contact.id}"' in html


def test_bad_due_date_is_shown_at_the_due_date(member_client, contact):
    html = text(
        member_client.post(
            "/tasks", data={"title": "x", "due_date": "2026-02-30", "contact_id": str(contact.id)}
        )
    )
    assert 'id="due_date-error"' in html and "2026-02-30 is not a real date." in html


def test_a_time_without_a_date_is_an_error(member_client, contact):
    response = member_client.post(
        "/tasks", data={"title": "x", "due_time": "10:00", "contact_id": str(contact.id)}
    )
    assert response.status_code == 400
    assert "Give a due date for this time" in text(response)
    assert all_tasks() == []


def test_a_deal_typed_but_not_picked_is_an_error_not_dropped(member_client, contact):
    response = member_client.post(
        "/tasks", data={"title": "x", "contact_id": str(contact.id), "deal_query": "Big deal"}
    )
    assert response.status_code == 400
    html = text(response)
    assert "Choose a deal from the suggestions" in html
    assert 'value="Big deal"' in html


def test_unknown_typed_name_says_nothing_matched(member_client, contact):
    html = text(member_client.post("/tasks", data={"title": "x", "contact_name": "Zzyzx"}))
    assert 'id="contact-error"' in html
    assert "No contact matches &#39;Zzyzx&#39;." in html
    assert 'value="Zzyzx"' in html


def test_a_foreign_id_is_refused_and_not_kept_hidden(member_client, other_workspace):
    foreign = records.add_contact(other_workspace.id, "Otto", "Other", None, None)
    db.session.commit()
    response = member_client.post("/tasks", data={"title": "x", "contact_id": str(foreign.id)})
    assert response.status_code == 400
    html = text(response)
    assert "No contact with this id in your workspace." in html
    assert "Otto" not in html
    assert 'name="contact_id" id="contact_id" value=""' in html


@pytest.fixture
def two_annas(workspace):
    acme = records.add_company(workspace.id, "Acme", None)
    first = records.add_contact(workspace.id, "Anna", "Schmidt", "anna@one.example", acme)
    second = records.add_contact(workspace.id, "Anna", "Schmidt", "anna@two.example", None)
    db.session.commit()
    return first, second


def test_an_ambiguous_name_offers_the_candidates_then_saves_the_choice(member_client, two_annas):
    first, second = two_annas
    response = member_client.post(
        "/tasks", data={"title": "Meet Anna", "contact_name": "anna schmidt", "priority": "low"}
    )
    assert response.status_code == 400
    html = text(response)
    assert "Several contacts match this name." in html
    assert "Which contact did you mean?" in html
    for candidate in (first, second):
        assert 'type="radio" name="contact_id" id="contact-candidate-' in html
        assert f'value="{candidate.id}"' in html
        assert candidate.email in html
    assert "Acme" in html
    # The hidden id field is disabled, so only the chosen radio button sends contact_id.
    assert re.search(
        r'name="contact_id" id="contact_id" value=""\s+data-combobox-value disabled', html
    )
    assert 'value="Meet Anna"' in html and selected(html, "priority") == "low"
    assert all_tasks() == []

    response = member_client.post(
        "/tasks",
        data={"title": "Meet Anna", "contact_name": "anna schmidt", "contact_id": str(second.id)},
    )
    assert response.status_code == 303
    (task,) = all_tasks()
    assert task.contact_id == second.id


def test_an_ambiguous_company_offers_company_radios(member_client, workspace):
    one = records.add_company(workspace.id, "Nordwind", "nordwind.de")
    records.add_company(workspace.id, "Nordwind", "nordwind.at")
    db.session.commit()
    html = text(member_client.post("/tasks", data={"title": "x", "company_name": "nordwind"}))
    assert 'type="radio" name="company_id"' in html and f'value="{one.id}"' in html


def test_a_replaced_created_date_is_noticed_after_saving(member_client, contact):
    response = member_client.post(
        "/tasks",
        data={"title": "Old", "contact_id": str(contact.id), "created_date": "1999-01-01T10:00"},
        follow_redirects=True,
    )
    html = text(response)
    assert "The created date you gave lies outside the accepted window" in html
    assert all_tasks()[0].created_date.year >= 2025


def test_a_kept_created_date_gives_no_notice(member_client, contact, workspace):
    given = (datetime.now(UTC) - timedelta(days=3)).astimezone(workspace.zone)
    response = member_client.post(
        "/tasks",
        data={
            "title": "x",
            "contact_id": str(contact.id),
            "created_date": given.strftime("%Y-%m-%dT%H:%M"),
        },
        follow_redirects=True,
    )
    assert "outside the accepted window" not in text(response)
    assert all_tasks()[0].created_date == given.replace(second=0, microsecond=0).astimezone(UTC)


def test_new_task_link_prefills_the_record(member_client, contact):
    html = text(member_client.get(f"/tasks/new?contact_id={contact.id}"))
    assert f'name="contact_id" id="contact_id" value="{contact.id}"' in html
    assert 'aria-label="Remove Hans Müller"' in html
    assert "hans@mueller.example · Müller GmbH" in html


def test_prefill_ignores_foreign_and_malformed_ids(member_client, other_workspace):
    foreign = records.add_company(other_workspace.id, "Secret Corp", None)
    db.session.commit()
    html = text(member_client.get(f"/tasks/new?company_id={foreign.id}&contact_id=nope"))
    assert "Secret Corp" not in html
    assert 'name="company_id" id="company_id" value=""' in html


def test_edit_shows_the_task_and_saves_changes(member_client, actor, contact, workspace):
    task = make_task(
        actor, contact, "Call", priority="high", due_date="2026-03-10T09:30", description="d"
    )
    html = text(member_client.get(f"/tasks/{task.id}/edit"))
    assert 'value="Call"' in html and selected(html, "priority") == "high"
    assert 'value="2026-03-10"' in html and 'value="09:30"' in html
    assert 'aria-label="Remove Hans Müller"' in html
    assert 'name="created_date"' not in html  # fixed once set: shown, not editable

    form = {
        "title": "Call again",
        "description": "",
        "status": "open",
        "priority": "",
        "task_type": "",
        "due_date": "2026-03-10",
        "due_time": "09:30",
        "assignee_id": "",
        "contact_id": str(contact.id),
        "company_id": "",
        "deal_id": "",
        "event_id": "",
    }
    response = member_client.post(f"/tasks/{task.id}/edit", data=form)
    assert response.status_code == 303, text(response)
    (saved,) = all_tasks()
    assert (saved.title, saved.description, saved.priority) == ("Call again", None, None)
    assert saved.due_at == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)


def test_edit_keeps_the_due_instant_when_the_due_date_is_untouched(member_client, actor, contact):
    task = make_task(actor, contact, "Call", due_date="2026-03-10T09:30:45+01:00")
    form = {"title": "Call", "status": "open", "due_date": "2026-03-10", "due_time": "09:30",
            "contact_id": str(contact.id)}  # fmt: skip
    assert member_client.post(f"/tasks/{task.id}/edit", data=form).status_code == 303
    assert all_tasks()[0].due_at == datetime(2026, 3, 10, 8, 30, 45, tzinfo=UTC)


def test_edit_cannot_remove_the_last_link(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    response = member_client.post(
        f"/tasks/{task.id}/edit", data={"title": "Call", "status": "open", "contact_id": ""}
    )
    assert response.status_code == 400
    assert "Link this task to at least one" in text(response)
    assert all_tasks()[0].contact_id == contact.id


def test_edit_of_another_workspaces_task_is_404(member_client, other_workspace):
    stranger = accounts.create_user(other_workspace, "o@globex.test", "O", "member", "password123")
    other_contact = records.add_contact(other_workspace.id, "X", "Y", None, None)
    db.session.commit()
    task = make_task(accounts.Actor.for_user(stranger), other_contact, "Secret")
    assert member_client.get(f"/tasks/{task.id}/edit").status_code == 404
    assert member_client.post(f"/tasks/{task.id}/complete").status_code == 404
    assert member_client.post(f"/tasks/{task.id}/delete").status_code == 404
    assert all_tasks()[0].status == "open" and all_tasks()[0].deleted_at is None


# --- viewers ----------------------------------------------------------------------------


def test_viewer_reads_but_cannot_create_or_change(client, viewer, actor, contact):
    task = make_task(actor, contact, "Visible to viewers")
    login_as(client, viewer)
    html = text(client.get("/tasks?view=everyone"))
    assert "Visible to viewers" in html
    assert "New task" not in html and "Complete “" not in html and "Delete" not in html
    assert client.get("/tasks/new").status_code == 403
    response = client.post("/tasks", data={"title": "x", "contact_id": str(contact.id)})
    assert response.status_code == 403
    assert "Not allowed" in text(response)
    assert client.post(f"/tasks/{task.id}/complete").status_code == 403
    assert client.post(f"/tasks/{task.id}/delete").status_code == 403
    assert client.get(f"/tasks/{task.id}/edit").status_code == 403
    assert [t.title for t in all_tasks()] == ["Visible to viewers"]
    assert all_tasks()[0].status == "open"


# --- the list ---------------------------------------------------------------------------


@pytest.fixture
def listed(actor, contact, workspace, member, admin):
    """Tasks around today in the workspace's zone, one of each kind the list tells apart."""
    day = today(workspace)

    def due(days: int) -> str:
        return (day + timedelta(days=days)).isoformat()

    someday = {"title": "Someday", "company_id": str(contact.company.id)}
    return {
        "overdue": make_task(
            actor, contact, "Overdue call", due_date=due(-2), priority="high",
            assignee_id=str(member.id),
        ),
        "today": make_task(
            actor, contact, "Today meeting", due_date=due(0), assignee_id=str(admin.id)
        ),
        "later": make_task(actor, contact, "Later email", due_date=due(30), priority="low"),
        "undated": task_service.create_task(accounts.Actor.for_user(admin), someday).task,
        "done": make_task(actor, contact, "Finished", status="completed"),
    }  # fmt: skip


def titles(html: str) -> list[str]:
    return re.findall(r'class="task-row__title">\s*(?:<a [^>]*>)?([^<]+)', html)


def test_everyone_hides_completed_and_puts_soonest_due_first(member_client, listed):
    html = text(member_client.get("/tasks?view=everyone"))
    assert titles(html) == ["Overdue call", "Today meeting", "Later email", "Someday"]


def test_overdue_and_today_are_marked(member_client, listed):
    html = text(member_client.get("/tasks?view=everyone"))
    overdue = html.split(f'id="task-{listed["overdue"].id}"')[1].split("</li>")[0]
    assert '<span class="badge badge--overdue">Overdue</span>' in overdue
    due_today = html.split(f'id="task-{listed["today"].id}"')[1].split("</li>")[0]
    assert '<span class="badge badge--today">Due today</span>' in due_today
    later = html.split(f'id="task-{listed["later"].id}"')[1].split("</li>")[0]
    assert "badge--overdue" not in later and "badge--today" not in later


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=completed", ["Finished"]),
        ("status=all", ["Overdue call", "Today meeting", "Later email", "Someday", "Finished"]),
        ("priority=high", ["Overdue call"]),
        ("assignee=mine", ["Overdue call"]),
        ("due=overdue", ["Overdue call"]),
        ("due=today", ["Today meeting"]),
        ("due=none", ["Someday"]),
        ("q=MEET", ["Today meeting"]),
        (
            "status=bogus&priority=urgent&due=soon&assignee=x",
            ["Overdue call", "Today meeting", "Later email", "Someday"],
        ),
    ],
)
def test_filters(member_client, listed, query, expected):
    assert titles(text(member_client.get(f"/tasks?view=everyone&{query}"))) == expected


def test_filter_by_assignee_id_and_linked_record(member_client, listed, admin, contact):
    assert titles(text(member_client.get(f"/tasks?view=everyone&assignee={admin.id}"))) == [
        "Today meeting"
    ]
    html = text(member_client.get(f"/tasks?view=everyone&company_id={contact.company.id}"))
    assert titles(html) == ["Someday"]
    # The linked-record filter shows what it is, with a way to drop it.
    assert "Stop filtering by Müller GmbH" in html
    new_task = re.search(r'<a class="button button--primary" href="([^"]+)"', html).group(1)
    assert new_task.startswith("/tasks/new?") and f"company_id={contact.company.id}" in new_task


def test_filter_form_is_a_get_form_that_keeps_its_values(member_client, listed, contact):
    html = text(member_client.get(f"/tasks?status=completed&due=week&contact_id={contact.id}"))
    form = html.split('<form id="task-filters"')[1].split("</form>")[0]
    assert 'method="get"' in form and 'action="/tasks"' in form
    assert 'hx-get="/tasks"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#task-results"' in form
    assert selected(form, "status") == "completed" and selected(form, "due") == "week"
    assert f'name="contact_id" type="hidden" value="{contact.id}"' in form


def test_htmx_gets_only_the_results_and_the_page_varies_on_it(member_client, listed):
    full = member_client.get("/tasks")
    assert "<html" in text(full) and "HX-Request" in full.headers["Vary"]
    partial = member_client.get("/tasks?priority=high", headers=HTMX)
    assert "HX-Request" in partial.headers["Vary"]
    html = text(partial)
    assert "<html" not in html and 'id="task-filters"' not in html
    assert titles(html) == ["Overdue call"]
    restore = member_client.get("/tasks", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_next_page_follows_the_cursor(member_client, actor, contact):
    for i in range(53):
        make_task(actor, contact, f"Task {i:02}", due_date=f"2026-01-{1 + i % 28:02}")
    html = text(member_client.get("/tasks?view=everyone&priority="))
    assert len(titles(html)) == 50
    next_url = re.search(r'<a class="button" href="([^"]+)"[^>]*rel="next">Next page</a>', html)
    assert next_url
    url = next_url.group(1).replace("&amp;", "&")
    assert "cursor=" in url and "priority" not in url  # empty filters dropped
    second = text(member_client.get(url))
    assert len(titles(second)) == 3
    assert set(titles(second)).isdisjoint(titles(html))
    assert "Next page" not in second and "First page" in second


def test_bad_cursor_is_a_clear_400(member_client):
    response = member_client.get("/tasks?cursor=forged")
    assert response.status_code == 400


def test_empty_list_says_so(member_client):
    html = text(member_client.get("/tasks"))
    assert "No tasks to do." in html


def test_titles_are_escaped_in_the_list(member_client, actor, contact):
    make_task(actor, contact, "<img src=x onerror=alert(1)>")
    html = text(member_client.get("/tasks?view=everyone"))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- in-place actions -------------------------------------------------------------------


def test_complete_and_reopen_in_place(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    response = member_client.post(f"/tasks/{task.id}/complete", headers=HTMX)
    assert response.status_code == 200
    row = text(response)
    assert re.match(
        rf'<li class="task-row[^"]* task-row--completed[^"]*"\s+id="task-{task.id}"', row.lstrip()
    )
    assert "Reopen “Call”" in row and f'formaction="/tasks/{task.id}/reopen"' in row
    assert all_tasks()[0].status == "completed" and all_tasks()[0].completed_at is not None

    row = text(member_client.post(f"/tasks/{task.id}/reopen", headers=HTMX))
    assert "Complete “Call”" in row and f'formaction="/tasks/{task.id}/complete"' in row
    assert all_tasks()[0].status == "open" and all_tasks()[0].completed_at is None


def test_complete_without_javascript_goes_back(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    response = member_client.post(
        f"/tasks/{task.id}/complete", data={"next": "/tasks?priority=high"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/tasks?priority=high"
    response = member_client.post(
        f"/tasks/{task.id}/reopen", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/tasks"


def test_row_forms_remember_the_page_they_are_on(member_client, actor, contact):
    make_task(actor, contact, "Call")
    html = text(member_client.get("/tasks?q=call"))
    assert 'name="next" value="/tasks?q=call"' in html
    row = text(
        member_client.post(
            f"/tasks/{all_tasks()[0].id}/complete",
            headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/tasks?due=today"},
        )
    )
    assert 'name="next" value="/tasks?due=today"' in row


def test_delete_offers_undo_in_place(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    row = text(member_client.post(f"/tasks/{task.id}/delete", headers=HTMX))
    assert "Deleted “Call”." in row
    assert f'hx-post="/tasks/{task.id}/restore"' in row and ">Undo<" in row
    assert all_tasks()[0].deleted_at is not None
    assert "Call" not in titles(text(member_client.get("/tasks")))

    row = text(member_client.post(f"/tasks/{task.id}/restore", headers=HTMX))
    assert f'id="task-{task.id}"' in row and "Complete “Call”" in row
    assert all_tasks()[0].deleted_at is None


def test_delete_without_javascript_flashes_an_undo(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    response = member_client.post(f"/tasks/{task.id}/delete", follow_redirects=True)
    html = text(response)
    assert "Deleted “Call”." in html
    assert f'action="/tasks/{task.id}/restore"' in html
    response = member_client.post(f"/tasks/{task.id}/restore", follow_redirects=True)
    assert "Restored “Call”." in text(response)
    assert titles(text(member_client.get("/tasks?view=everyone"))) == ["Call"]


def test_edit_page_delete_goes_to_the_list(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    assert f'action="/tasks/{task.id}/delete"' in text(member_client.get(f"/tasks/{task.id}/edit"))
    response = member_client.post(f"/tasks/{task.id}/delete")
    assert response.headers["Location"] == "/tasks"


def test_unknown_task_is_404(member_client):
    assert member_client.post(f"/tasks/{uuid.uuid4()}/complete").status_code == 404


def test_complete_without_javascript_offers_an_undo(member_client, actor, contact):
    task = make_task(actor, contact, "Call")
    html = text(member_client.post(f"/tasks/{task.id}/complete", follow_redirects=True))
    assert "Completed “Call”." in html
    assert f'action="/tasks/{task.id}/reopen"' in html
