"""The workbench in the browser app, through the Flask test client: the views and due
headings, the navigation badge, in-place snooze / assign / priority / start, bulk actions
with one Undo, the trash, forms that return where they came from, and the version check."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import dates, schedule, task_versions
from app.services import tasks as task_service
from tests.web_helpers import HTMX, login_as, text


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


@pytest.fixture
def day(workspace):
    return schedule.today_in(workspace.zone)


@pytest.fixture
def make(actor, contact, member):
    """A task of the workspace, assigned to the signed-in member unless told otherwise."""

    def make(title, **fields):
        fields.setdefault("assignee_id", str(member.id))
        payload = {"title": title, "contact_id": str(contact.id), **fields}
        return task_service.create_task(actor, payload).task

    return make


def titles(html: str) -> list[str]:
    found = re.findall(r'class="task-row__title">\s*(?:<a [^>]*>)?([^<]+)', html)
    return [unescape(title).strip() for title in found]


def headings(html: str) -> list[tuple[str, str]]:
    found = re.findall(
        r'<h2 class="due-group__heading"[^>]*>([^<]+)<span class="due-group__count">(\d+\+?)', html
    )
    return [(name.strip(), count) for name, count in found]


def fresh(task_id) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


def test_my_tasks_is_the_landing_page_grouped_by_when_due(member_client, make, day, admin):
    def due(days):
        return (day + timedelta(days=days)).isoformat()

    make("Late", due_date=due(-1))
    make("Also late", due_date=due(-3))
    make("Now", due_date=due(0))
    make("Next", due_date=due(1))
    make("Someday", due_date=due(40))
    make("Undated")
    make("Admin's", due_date=due(0), assignee_id=str(admin.id))
    make("Done", due_date=due(0), status="completed")
    response = member_client.get("/", follow_redirects=True)
    html = text(response)
    assert "<h1>My tasks</h1>" in html
    groups = dict(headings(html))
    assert groups["Overdue"] == "2" and groups["Today"] == "1" and groups["Tomorrow"] == "1"
    assert groups["Later"] == "1" and groups["No due date"] == "1"
    assert "Admin's" not in titles(html) and "Done" not in titles(html)
    assert titles(html)[:2] == ["Also late", "Late"]
    # The badge: my overdue plus today's.
    assert re.search(r'id="nav-badge"[^>]*>3<span class="visually-hidden"> overdue', html)


def test_headings_count_every_page_whichever_page_is_shown(member_client, make, day, monkeypatch):
    """A page counts in the database only the headings that may go on before or after it
    (the last from the page's end on); the others it holds whole. Each heading says the
    same number on every page."""
    from app.web import tasks as web_tasks

    monkeypatch.setattr(web_tasks, "PAGE_SIZE", 3)
    asked: list[tuple[set[str], bool]] = []
    count = task_service.count_due_groups

    def counted(*args, groups, after=None, **kwargs):
        asked.append((set(groups), after is not None))
        return count(*args, groups=groups, after=after, **kwargs)

    monkeypatch.setattr(task_service, "count_due_groups", counted)
    for n in range(2):
        make(f"Late {n}", due_date=(day - timedelta(days=1 + n)).isoformat())
    for n in range(3):
        make(f"Today {n}", due_date=day.isoformat())
    for n in range(4):
        make(f"Undated {n}")
    first = text(member_client.get("/tasks"))
    assert headings(first) == [("Overdue", "2"), ("Today", "3")]
    assert asked == [({"today"}, True)]  # the one "Today" task after the page
    cursor = re.search(r'href="([^"]*cursor=[^"]*)"', first).group(1)
    second = text(member_client.get(unescape(cursor)))
    assert headings(second) == [("Today", "3"), ("No due date", "4")]
    assert asked[1:] == [({"none"}, True), ({"today"}, False)]
    third = text(
        member_client.get(unescape(re.search(r'href="([^"]*cursor=[^"]*)"', second).group(1)))
    )
    assert headings(third) == [("No due date", "4")]
    # A heading begun on an earlier page: counted whole.
    assert asked[3:] == [({"none"}, False)]
    monkeypatch.setattr(web_tasks, "PAGE_SIZE", 50)
    whole = text(member_client.get("/tasks"))
    assert headings(whole) == [("Overdue", "2"), ("Today", "3"), ("No due date", "4")]
    assert len(asked) == 4


def test_the_badge_stops_counting_past_its_cap(member_client, member, contact, workspace, day):
    """A neglected list shows "99+" in the badge and the heading: counts stop at the cap."""
    cap = task_service.COUNT_CAP
    task_service.insert_many_tasks(
        {
            "workspace_id": workspace.id,
            "title": f"Late {n}",
            "status": "open",
            "assignee_id": member.id,
            "contact_id": contact.id,
            "due_date": day - timedelta(days=1 + n % 30),
            "created_date": dates.now() - timedelta(days=40),
            "updated_at": dates.now(),
        }
        for n in range(cap + 5)
    )
    db.session.commit()
    html = text(member_client.get("/tasks"))
    assert re.search(rf'id="nav-badge"[^>]*>{cap}\+<span class="visually-hidden"> overdue', html)
    assert dict(headings(html))["Overdue"] == f"{cap}+"


def test_view_switcher_and_unassigned_rows(member_client, make, admin):
    make("Mine")
    make("Nobody's", assignee_id=None)
    make("Admin's", assignee_id=str(admin.id))
    make("Finished", status="completed")
    views = {
        "": ["Mine"],
        "?view=unassigned": ["Nobody's"],
        "?view=everyone": ["Mine", "Nobody's", "Admin's"],
        "?view=completed": ["Finished"],
    }
    for query, expected in views.items():
        html = text(member_client.get(f"/tasks{query}"))
        assert sorted(titles(html)) == sorted(expected), query
    html = text(member_client.get("/tasks?view=unassigned"))
    assert 'aria-current="page">Unassigned</a>' in html
    assert 'task-row__assignee--none">Unassigned</span>' in html
    assert 'id="filter-assignee"' not in html  # the view fixes it
    # The existing filters stay, inside a view.
    assert titles(text(member_client.get("/tasks?view=everyone&q=admin"))) == ["Admin's"]


def test_trash_lists_deleted_tasks_and_restores_them(member_client, make, actor):
    task = make("Binned")
    task_service.delete_task(actor, task.id)
    html = text(member_client.get("/tasks?view=trash"))
    assert titles(html) == ["Binned"]
    assert f'action="/tasks/{task.id}/restore"' in html and "Restore" in html
    response = member_client.post(f"/tasks/{task.id}/restore", data={"next": "/tasks?view=trash"})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks?view=trash"
    assert fresh(task.id).deleted_at is None
    assert "The trash is empty." in text(member_client.get("/tasks?view=trash"))


def test_snooze_in_place_and_without_javascript(member_client, make, day):
    task = make("Call", due_date=day.isoformat())
    response = member_client.post(
        f"/tasks/{task.id}/snooze", data={"until": "tomorrow"}, headers=HTMX
    )
    assert response.status_code == 200
    html = text(response)
    assert f'id="task-{task.id}"' in html
    assert 'id="live-region"' in html and "Snoozed “Call” to" in html
    assert 'id="nav-badge"' in html and 'hx-swap-oob="true"' in html
    assert fresh(task.id).due_date == day + timedelta(days=1)
    response = member_client.post(
        f"/tasks/{task.id}/snooze",
        data={"until": "date", "day": (day + timedelta(days=20)).isoformat(), "next": "/tasks"},
    )
    assert response.status_code == 303
    assert fresh(task.id).due_date == day + timedelta(days=20)
    # A bad choice changes nothing and says why.
    bad = member_client.post(
        f"/tasks/{task.id}/snooze", data={"until": "date", "day": "2026-02-30"}, headers=HTMX
    )
    assert bad.status_code == 200 and bad.headers["HX-Reswap"] == "none"
    assert "Pick a real date" in text(bad)
    assert fresh(task.id).due_date == day + timedelta(days=20)


def test_snooze_menu_offers_later_today_only_for_timed_tasks(member_client, make, day):
    make("Date only", due_date=(day + timedelta(days=1)).isoformat())
    html = text(member_client.get("/tasks"))
    assert 'value="tomorrow"' in html and 'value="next_monday"' in html
    assert 'value="later_today"' not in html


def test_assign_priority_and_start_in_place(member_client, make, admin):
    task = make("Call")
    html = text(
        member_client.post(
            f"/tasks/{task.id}/assign", data={"assignee_id": str(admin.id)}, headers=HTMX
        )
    )
    assert "Assigned “Call” to Ada Admin." in html and "Assigned to Ada Admin" in html
    html = text(
        member_client.post(f"/tasks/{task.id}/assign", data={"assignee_id": ""}, headers=HTMX)
    )
    assert "Unassigned" in html and fresh(task.id).assignee_id is None
    member_client.post(f"/tasks/{task.id}/priority", data={"priority": "high"}, headers=HTMX)
    assert fresh(task.id).priority == "high"
    html = text(member_client.post(f"/tasks/{task.id}/start", headers=HTMX))
    assert "Started “Call”." in html and fresh(task.id).status == "in_progress"
    # Reopening after completing brings it back in progress.
    member_client.post(f"/tasks/{task.id}/complete", headers=HTMX)
    member_client.post(f"/tasks/{task.id}/reopen", headers=HTMX)
    assert fresh(task.id).status == "in_progress"


def test_viewers_get_no_actions(client, viewer, make):
    task = make("Call")
    login_as(client, viewer)
    html = text(client.get("/tasks?view=everyone"))
    assert "Snooze" not in html and 'id="bulk-form"' not in html
    assert client.post(f"/tasks/{task.id}/snooze", data={"until": "tomorrow"}).status_code == 403
    assert (
        client.post(
            "/tasks/bulk", data={"action": "complete", "task_ids": [str(task.id)]}
        ).status_code
        == 403
    )


def test_bulk_complete_with_one_undo_without_javascript(member_client, make):
    a, b, c = make("A"), make("B"), make("C")
    response = member_client.post(
        "/tasks/bulk",
        data={"action": "complete", "task_ids": [str(a.id), str(b.id)], "next": "/tasks"},
        follow_redirects=True,
    )
    html = text(response)
    assert "Completed 2 tasks." in html and titles(html) == ["C"]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = member_client.post(
        "/tasks/bulk/undo", data={"token": token, "next": "/tasks"}, follow_redirects=True
    )
    assert "Undone: 2 tasks as before." in text(response)
    assert {fresh(t.id).status for t in (a, b, c)} == {"open"}


def test_bulk_over_htmx_asks_the_list_to_refresh(member_client, make, admin):
    a, b = make("A"), make("B")
    response = member_client.post(
        "/tasks/bulk",
        data={"action": "assign", "assignee_id": str(admin.id), "task_ids": [str(a.id), str(b.id)]},
        headers=HTMX,
    )
    assert response.headers["HX-Trigger"] == "tasks-changed"
    assert "Assigned 2 tasks to Ada Admin." in text(response) and "data-undo" in text(response)
    assert 'id="live-region"' in text(response) and 'id="nav-badge"' in text(response)
    response = member_client.post(
        "/tasks/bulk",
        data={"action": "snooze", "until": "next_week", "task_ids": [str(a.id)]},
        headers=HTMX,
    )
    assert "Snoozed 1 task to" in text(response)
    response = member_client.post(
        "/tasks/bulk", data={"action": "delete", "task_ids": [str(a.id), str(b.id)]}, headers=HTMX
    )
    assert "Deleted 2 tasks." in text(response)
    assert fresh(a.id).deleted_at and fresh(b.id).deleted_at


def test_bulk_with_nothing_selected_or_a_foreign_id_changes_nothing(
    member_client, make, other_workspace
):
    a = make("A")
    response = member_client.post("/tasks/bulk", data={"action": "complete"}, headers=HTMX)
    assert "Select at least one task" in text(response) and "HX-Trigger" not in response.headers
    response = member_client.post(
        "/tasks/bulk",
        data={
            "action": "complete",
            "task_ids": [str(a.id), "00000000-0000-0000-0000-000000000001"],
        },
    )
    assert response.status_code == 404
    assert fresh(a.id).status == "open"


def test_forms_return_where_they_came_from(member_client, make, contact):
    task = make("Call")
    back = "/tasks?view=everyone&q=call"
    html = text(member_client.get("/tasks?view=everyone&q=call"))
    edit_link = re.search(rf'href="(/tasks/{task.id}/edit\?[^"]+)"', html).group(1)
    assert parse_qs(urlsplit(unescape(edit_link)).query)["next"] == [back]
    form = text(
        member_client.get(f"/tasks/{task.id}/edit?next=/tasks%3Fview%3Deveryone%26q%3Dcall")
    )
    assert f'name="next" type="hidden" value="{back.replace("&", "&amp;")}"' in form
    response = member_client.post(
        f"/tasks/{task.id}/edit",
        data={"title": "Call back", "status": "open", "contact_id": str(contact.id), "next": back},
    )
    assert response.headers["Location"] == back


def test_save_and_add_another_keeps_the_links_and_the_way_back(member_client, contact):
    new_form = text(
        member_client.get(f"/tasks/new?contact_id={contact.id}&next=/contacts/{contact.id}")
    )
    assert "Save and add another" in new_form
    # "Created" sits after the buttons, under "More options".
    assert new_form.index("Save and add another") < new_form.index(
        "<summary>More options</summary>"
    )
    assert new_form.index("<summary>More options</summary>") < new_form.index('name="created_date"')
    response = member_client.post(
        "/tasks",
        data={"title": "First", "contact_id": str(contact.id), "another": "1",
              "next": f"/contacts/{contact.id}"},
    )  # fmt: skip
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/tasks/new?") and f"contact_id={contact.id}" in location
    assert f"next=/contacts/{contact.id}" in location
    html = text(member_client.get(location))
    assert "Created “First”." in html and "Hans Müller" in html


def test_version_check_answers_204_until_a_task_changes(member_client, make, workspace, app):
    make("A")
    version = task_versions.current_version(workspace.id)
    html = text(member_client.get("/tasks"))
    assert f"/tasks/version?v={version}" in html
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = member_client.get(f"/tasks/version?v={version}", headers=HTMX)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 204 and response.get_data() == b""
    assert not [s for s in statements if re.search(r"\bFROM task\b", s)], statements
    assert len(statements) <= 2, statements  # the session's user, the workspace's version
    make("B")  # as another tab or the API would
    response = member_client.get(f"/tasks/version?v={version}", headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "tasks-changed"
