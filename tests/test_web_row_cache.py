"""The rows each process keeps (app/web/rows.py `render_row`, docs/tasks.md "Rendered
rows"): a kept row is, byte for byte, the row rendered afresh, and any change of what a row
shows makes a new one, so a page never shows a stale row."""

from __future__ import annotations

import contextvars
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user
from jinja2 import meta, nodes
from markupsafe import escape

from app.extensions import db
from app.models import Task, User
from app.services import accounts, dates, records, schedule
from app.services import tasks as task_service
from app.web.rows import ROW_INPUTS, ROW_TEMPLATE, ROWS_KEPT, RowCache, row_cache, row_context
from tests.conftest import PASSWORD
from tests.test_web_rows import row_html, without_token
from tests.web_helpers import login_as, text

LIST = "/tasks?view=everyone&status=all"
#: How the pages rendered a row before it was kept, and how they render one now.
AFRESH = '{% include "tasks/_row.html" %}'
KEPT = "{{ render_row(task) }}"


@pytest.fixture
def renders(monkeypatch):
    """How many rows were rendered (and kept) rather than taken from the kept ones."""
    counted = []
    put = RowCache.put

    def counting_put(self, key, row):
        counted.append(key)
        put(self, key, row)

    monkeypatch.setattr(RowCache, "put", counting_put)
    return counted


@pytest.fixture
def links(workspace, contact):
    company = records.add_company(workspace.id, "Globex & Söhne", None)
    deal = records.add_deal(workspace.id, "Renewal <2027>", company=company)
    event = records.add_event(workspace.id, "Trade fair", datetime(2026, 5, 4, 9, tzinfo=UTC))
    db.session.commit()
    return {"contact": contact, "company": company, "deal": deal, "event": event}


@pytest.fixture
def tasks_of_every_kind(actor, links, member, admin, workspace):
    """One task of each kind a row shows differently."""
    tz = workspace.zone
    today = schedule.today_in(tz)
    local_now = dates.now().astimezone(tz)
    contact_id = str(links["contact"].id)

    def make(title, **fields):
        fields.setdefault("contact_id", contact_id)
        return task_service.create_task(actor, {"title": title, **fields}).task.id

    made = [
        make("Plain, undated", assignee_id=str(member.id)),
        make("Done", status="completed", priority="high", due_date=today.isoformat()),
        make(
            "Overdue, linked to everything",
            status="in_progress",
            due_date=(today - timedelta(days=3)).isoformat(),
            company_id=str(links["company"].id),
            deal_id=str(links["deal"].id),
            event_id=str(links["event"].id),
            task_type="call",
            description="A long description. " * 20,
        ),
        make("Today", due_date=today.isoformat(), priority="low", task_type="site_visit"),
        make(
            "Timed, tomorrow, weekly",
            due_date=(local_now + timedelta(days=1))
            .replace(hour=9, minute=30, second=0, microsecond=0)
            .isoformat(),
            recurrence="FREQ=WEEKLY;BYDAY=MO,WE",
            assignee_id=str(admin.id),
        ),
        make(
            "Timed, overdue",
            due_date=(local_now - timedelta(days=1))
            .replace(hour=10, minute=0, second=0, microsecond=0)
            .isoformat(),
        ),
        make('<b>"Q&A"</b> with ‘quotes’', assignee_id=str(admin.id), priority="medium"),
    ]
    trashed = make("Trashed", due_date=today.isoformat())
    task_service.delete_task(actor, trashed)
    return [*made, trashed]


def rows_in_a_request(app, user_id, task_id, path):
    """In a request of its own, as a server gets them (own app context, session and CSRF
    token): the task's row rendered afresh, as the pages did before rows were kept, and
    through `render_row`; and the page's CSRF token."""

    def run():
        with app.test_request_context(path):
            login_user(db.session.get(User, user_id))
            task = db.session.get(Task, task_id)
            # As a list reads its rows' names (with the page), and as a row alone does.
            context = row_context(links=task_service.link_names([task]))
            names = task_service.names_of_links(task)
            afresh = render_template_string(AFRESH, task=task, links=names, **context)
            kept = render_template_string(KEPT, task=task, **context)
            return afresh, kept, context["row_csrf_token"]

    return contextvars.Context().run(run)


@pytest.mark.parametrize("page", ["list", "record"])
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("who", ["member", "viewer"])
def test_a_kept_row_is_the_row_rendered_afresh(
    app, request, tasks_of_every_kind, contact, renders, page, language, who
):
    user = request.getfixturevalue(who)
    accounts.set_language(user, language)
    path = LIST if page == "list" else f"/contacts/{contact.id}"
    for task_id in tasks_of_every_kind:
        # Rendered, then kept; then taken from the kept rows in another session.
        first, kept_first, token_first = rows_in_a_request(app, user.id, task_id, path)
        again, kept_again, token_again = rows_in_a_request(app, user.id, task_id, path)
        assert kept_first == first
        assert kept_again == again
        assert f'id="task-{task_id}"' in again
        if who == "member":
            # Each session's own token, in both of the row's forms where it has two.
            assert token_first != token_again
            assert kept_again.count(token_again) == first.count(token_first) >= 1
            assert token_first not in kept_again
        else:
            assert "<form" not in kept_again
    assert len(renders) == len(tasks_of_every_kind)
    # The words are the language's: a kept row of one is not shown in the other.
    assert ("Heute fällig" in "".join(row_cache_rows(app))) == (language == "de")


def row_cache_rows(app):
    with app.app_context():
        kept = row_cache()
        return ["".join(parts) for parts in kept._rows.values()]


# --- a page shows kept rows, and a new row for anything that changed -------------------


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


@pytest.fixture
def make(actor, contact, member):
    def make(title="Call", **fields):
        fields.setdefault("assignee_id", str(member.id))
        payload = {"title": title, "contact_id": str(contact.id), **fields}
        return task_service.create_task(actor, payload).task

    return make


def listed_row(client, task_id, path=LIST) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return row_html(text(response), task_id)


def test_a_list_shown_again_renders_no_row(member_client, make, renders):
    tasks = [make(f"Call {n}") for n in range(3)]
    first = text(member_client.get(LIST))
    assert len(renders) == 3
    again = text(member_client.get(LIST))
    assert len(renders) == 3
    for task in tasks:
        assert without_token(row_html(again, task.id)) == without_token(row_html(first, task.id))


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"title": "Call back"}, "Call back"),
        ({"status": "in_progress"}, "badge--status-in_progress"),
        ({"status": "completed"}, "toggle--done"),
        ({"priority": "high"}, "badge--priority-high"),
        ({"description": "Ask about the offer"}, "Ask about the offer"),
        ({"recurrence": "FREQ=DAILY", "due_date": "2030-01-07"}, "badge--repeat"),
    ],
)
def test_an_edited_task_is_a_new_row(member_client, make, actor, change, shown):
    task = make()
    assert shown not in listed_row(member_client, task.id)
    task_service.update_task(actor, task.id, change)
    assert shown in listed_row(member_client, task.id)


def test_a_column_changed_without_updated_at_is_a_new_row(member_client, make):
    """The key holds every column, not a version: a title written by a migration or by
    hand, which leaves updated_at alone, still shows."""
    task = make()
    listed_row(member_client, task.id)
    db.session.execute(
        sa.update(Task)
        .where(Task.id == task.id)
        .values(title="Renamed by hand", updated_at=task.updated_at)
    )
    db.session.commit()
    assert db.session.get(Task, task.id).updated_at == task.updated_at
    assert "Renamed by hand" in listed_row(member_client, task.id)


@pytest.mark.parametrize("kind", ["contact", "company", "deal", "event"])
def test_a_renamed_linked_record_is_a_new_row(member_client, make, links, kind):
    record = links[kind]
    task = make(**{f"{kind}_id": str(record.id)})
    before = listed_row(member_client, task.id)
    assert escape(record.display_name) in before
    if kind == "contact":
        record.first_name = "Johanna"
    elif kind == "event":
        record.title = "Johanna's fair"
    else:
        record.name = "Johanna AG"
    record.refresh_folded_name()
    db.session.commit()
    after = listed_row(member_client, task.id)
    assert "Johanna" in after and "Johanna" not in before
    # On the record's own page as well.
    assert "Johanna" in listed_row(member_client, task.id, f"/{record_segment(kind)}/{record.id}")


def record_segment(kind: str) -> str:
    return {"contact": "contacts", "company": "companies", "deal": "deals", "event": "events"}[kind]


def test_a_renamed_assignee_or_colleague_is_a_new_row(member_client, make, member, admin):
    task = make()
    before = listed_row(member_client, task.id)
    assert "Assigned to Mia Member" in before and ">Ada Admin</button>" in before
    member.name = "Mia Renamed"
    db.session.commit()
    assert "Assigned to Mia Renamed" in listed_row(member_client, task.id)
    admin.name = "Ada Renamed"
    db.session.commit()
    assert ">Ada Renamed</button>" in listed_row(member_client, task.id)


def test_a_new_colleague_is_a_new_row(member_client, make, workspace):
    task = make()
    assert "Nina New" not in listed_row(member_client, task.id)
    accounts.create_user(workspace, "nina@acme.test", "Nina New", "member", PASSWORD)
    assert ">Nina New</button>" in listed_row(member_client, task.id)


def test_the_clock_passing_a_timed_tasks_moment_is_a_new_row(
    member_client, make, workspace, monkeypatch
):
    """A timed task turns overdue at its moment, with nothing of it changing."""
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: "Later today" offered
    monkeypatch.setattr(dates, "now", lambda: start)
    task = make(due_date="2026-03-10T12:00:00+01:00")
    before = listed_row(member_client, task.id)
    assert "task-row--today" in before and "task-row--overdue" not in before
    assert 'value="later_today"' in before
    monkeypatch.setattr(dates, "now", lambda: start + timedelta(hours=2, minutes=1))
    after = listed_row(member_client, task.id)
    assert "task-row--overdue" in after and "task-row--today" not in after
    # The evening: too late for "Later today"; the next day: the snooze date's minimum moves.
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 10, 21, 30, tzinfo=UTC))
    evening = listed_row(member_client, task.id)
    assert 'value="later_today"' not in evening and 'min="2026-03-10"' in evening
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 11, 8, 0, tzinfo=UTC))
    assert 'min="2026-03-11"' in listed_row(member_client, task.id)


def test_a_date_only_task_turns_overdue_at_midnight(member_client, make, monkeypatch):
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 10, 22, 0, tzinfo=UTC))
    task = make(due_date="2026-03-10")
    assert "task-row--overdue" not in listed_row(member_client, task.id)
    # 23:30 UTC is 00:30 of the next day in Berlin.
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    assert "task-row--overdue" in listed_row(member_client, task.id)


def test_another_language_is_a_new_row(member_client, make, member):
    task = make()
    assert "Contact:" in listed_row(member_client, task.id)
    accounts.set_language(member, "de")
    row = listed_row(member_client, task.id)
    assert "Kontakt:" in row and "Contact:" not in row


def test_another_zone_is_a_new_row(member_client, make, member, monkeypatch):
    """The time of a timed task is shown in the person's zone."""
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    task = make(due_date="2026-03-12T12:00:00+01:00")
    assert ", 12:00" in listed_row(member_client, task.id)
    member.timezone = "America/New_York"
    db.session.commit()
    assert ", 07:00" in listed_row(member_client, task.id)


def test_the_workspaces_zone_is_part_of_the_row(
    member_client, make, actor, member, workspace, monkeypatch
):
    """When a task was deleted is shown in the workspace's zone, whatever the person's."""
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    member.timezone = "Europe/Berlin"
    task = make()
    task_service.delete_task(actor, task.id)
    assert "Deleted 10 Mar 2026, 10:00" in listed_row(member_client, task.id, "/tasks?view=trash")
    workspace.timezone = "America/New_York"
    db.session.commit()
    assert "Deleted 10 Mar 2026, 05:00" in listed_row(member_client, task.id, "/tasks?view=trash")


def test_losing_the_right_to_write_is_a_new_row(member_client, make, member):
    task = make()
    assert "<form" in listed_row(member_client, task.id)
    member.role = "viewer"
    db.session.commit()
    row = listed_row(member_client, task.id)
    assert "<form" not in row and "<button" not in row


def test_another_person_gets_their_own_row(client, app, make, member, admin, viewer):
    task = make()
    mine = listed_row(login_as(client, member), task.id)
    assert f'value="{member.id}" class="menu__item" data-action="assign-me"' in mine
    theirs = listed_row(login_as(app.test_client(), admin), task.id)
    assert f'value="{admin.id}" class="menu__item" data-action="assign-me"' in theirs
    assert ">Mia Member</button>" in theirs and ">Ada Admin</button>" not in theirs
    # A viewer, after people who may write, gets rows without any form.
    read_only = listed_row(login_as(app.test_client(), viewer), task.id)
    assert "<form" not in read_only and "<button" not in read_only


def test_another_page_is_a_new_row(member_client, make, contact):
    """The way back (`next`) is the page's; the task list's rows are selectable."""
    task = make()
    on_list = listed_row(member_client, task.id)
    on_record = listed_row(member_client, task.id, f"/contacts/{contact.id}")
    assert f'name="next" value="{escape(LIST)}"' in on_list and "data-select-task" in on_list
    assert f'name="next" value="/contacts/{contact.id}"' in on_record
    assert "data-select-task" not in on_record


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', html))


def test_each_session_gets_its_own_csrf_token(app, client, make, member, renders):
    """A row kept from one session carries the other session's token, which its actions
    then pass CSRF protection with."""
    task = make()
    first = login_as(client, member)
    second = login_as(app.test_client(), member)
    first_row = listed_row(first, task.id)
    second_row = listed_row(second, task.id)
    assert len(renders) == 1  # the second session's row was a kept one
    (first_token,) = csrf_tokens(first_row)
    (second_token,) = csrf_tokens(second_row)
    assert first_token != second_token
    assert second_row.replace(second_token, first_token) == first_row
    app.config["WTF_CSRF_ENABLED"] = True
    answer = second.post(f"/tasks/{task.id}/start", data={"csrf_token": second_token, "next": LIST})
    assert answer.status_code == 303
    assert db.session.get(Task, task.id).status == "in_progress"


def test_an_answered_row_is_kept_for_the_list(member_client, make, renders):
    """An in-place action's answer is rendered through the same cache: the list shown
    after it renders nothing again."""
    task = make()
    answer = member_client.post(
        f"/tasks/{task.id}/priority",
        data={"priority": "high"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{LIST}"},
    )
    assert "badge--priority-high" in row_html(text(answer), task.id)
    rendered = len(renders)
    assert "badge--priority-high" in listed_row(member_client, task.id)
    assert len(renders) == rendered


# --- the cache itself -----------------------------------------------------------------


def test_the_cache_keeps_the_most_recently_shown_rows():
    kept = RowCache(size=2)
    kept.put("a", ("A",))
    kept.put("b", ("B",))
    assert kept.get("a") == ("A",)  # now the most recent
    kept.put("c", ("C",))
    assert kept.get("b") is None and kept.get("a") == ("A",) and kept.get("c") == ("C",)
    assert len(kept) == 2


def test_each_app_keeps_rows_of_its_own(app):
    with app.app_context():
        assert row_cache() is row_cache() and row_cache().size == ROWS_KEPT


def test_the_row_template_reads_only_the_row_inputs(app):
    """A row is rendered with ROW_INPUTS alone (not the page's context), and each of them
    is part of its key: the template reads no other name, and every one listed."""
    source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, ROW_TEMPLATE)
    tree = app.jinja_env.parse(source)
    # Less what it sets itself (Jinja counts one set inside an `if` as read from outside).
    its_own = {name.name for name in tree.find_all(nodes.Name) if name.ctx == "store"}
    read = meta.find_undeclared_variables(tree) - its_own
    assert read == {*ROW_INPUTS, "task", "links", "row_csrf_token"}
