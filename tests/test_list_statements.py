"""A list page costs the same number of SQL statements whatever the number of its rows.

Each row shows the names of its contact, company, deal, event and assignee. The service
reads them for the whole page (`list_tasks(with_links=True)`: one statement per
relationship); loading the records row by row would cost up to five statements per row.
Counted on the engine, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task, User
from app.services import accounts, records
from app.services import tasks as task_service
from app.services.tasks import TaskFilters
from tests.web_helpers import HTMX, login_as, text


class StatementCounter:
    """The SQL statements the app's engine sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __len__(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def counting() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)


@pytest.fixture
def shared_company(workspace):
    company = records.add_company(workspace.id, "Shared Holdings")
    db.session.commit()
    return company


def add_linked_tasks(workspace, company, users, count: int) -> None:
    """`count` tasks, each with its own contact, deal and event, and an assignee."""
    due = datetime(2030, 1, 1, tzinfo=UTC).date()
    for n in range(count):
        contact = records.add_contact(workspace.id, f"Person{n}", "Example", company=company)
        deal = records.add_deal(workspace.id, f"Deal {n}", "proposal", company=company)
        event = records.add_event(workspace.id, f"Event {n}", datetime(2030, 1, 1, tzinfo=UTC))
        db.session.flush()
        db.session.add(
            Task(
                workspace_id=workspace.id,
                title=f"Task {n}",
                status="open",
                due_date=due + timedelta(days=n),
                assignee_id=users[n % len(users)].id,
                contact_id=contact.id,
                company_id=company.id,
                deal_id=deal.id,
                event_id=event.id,
            )
        )
    db.session.commit()


@pytest.fixture
def team(workspace, member):
    others = [
        accounts.create_user(workspace, f"user{n}@acme.test", f"User {n}", "member", "password1")
        for n in range(3)
    ]
    return [member, *others]


def statements_for(client, url: str, headers=None, rows: int | None = None) -> int:
    with counting() as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    if rows is not None:
        assert text(response).count("data-task-row") == rows
    return len(counter)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_task_list_statements_do_not_grow_with_rows(
    client, workspace, member, team, shared_company, htmx
):
    login_as(client, member)
    headers = HTMX if htmx else None
    add_linked_tasks(workspace, shared_company, team, 3)
    # Everyone's tasks: the default view shows only the signed-in user's.
    few = statements_for(client, "/tasks?view=everyone", headers, rows=3)
    add_linked_tasks(workspace, shared_company, team, 37)
    many = statements_for(client, "/tasks?view=everyone", headers, rows=40)
    assert many == few


def test_record_page_statements_do_not_grow_with_rows(
    client, workspace, member, team, shared_company
):
    login_as(client, member)
    url = f"/companies/{shared_company.id}"
    add_linked_tasks(workspace, shared_company, team, 3)
    few = statements_for(client, url, rows=3)
    add_linked_tasks(workspace, shared_company, team, 37)
    many = statements_for(client, url, rows=40)
    assert many == few


def test_api_list_statements_do_not_grow_with_rows(client, workspace, team, shared_company, auth):
    client.get("/v1/tasks", headers=auth)  # notes the key's first use (once a minute)
    add_linked_tasks(workspace, shared_company, team, 3)
    few = statements_for(client, "/v1/tasks", auth)
    add_linked_tasks(workspace, shared_company, team, 37)
    many = statements_for(client, "/v1/tasks", auth)
    assert many == few


def after_the_page(statements: list[str]) -> list[str]:
    """The statements issued after the page's own (which reads `task`, or its merged
    status ranges `page`); what comes before it (the actor's user, workspace) is per call."""
    first = next(
        n for n, s in enumerate(statements) if s.startswith(("SELECT task.", "SELECT page."))
    )
    return statements[first + 1 :]


def touch_links(page: task_service.TaskPage) -> None:
    """Every row's names of its linked records and assignee, as the row shows them."""
    assert set(page.links) == {task.id for task in page.items}
    for task in page.items:
        names = page.links[task.id]
        assert set(names) == set(task_service.ROW_LINKS) and None not in names.values()
        assert names == task_service.names_of_links(task)


@pytest.mark.parametrize(
    "filters",
    [TaskFilters(), TaskFilters(statuses=("open",))],
    ids=["merged status ranges", "one status range"],
)
def test_service_reads_link_names_with_the_rows(actor, workspace, team, shared_company, filters):
    add_linked_tasks(workspace, shared_company, team, 12)
    db.session.expunge_all()
    with counting() as counter:
        page = task_service.list_tasks(actor, filters, with_links=True)
    assert len(page.items) == 12
    # After the page, one statement for the names of all its rows' links.
    assert len(after_the_page(counter.statements)) == 1
    # Names, not records: none of the linked records is loaded into the session.
    assert not [held for held in db.session.identity_map.values() if not isinstance(held, Task)]
    touch_links(page)


def test_link_names_are_what_the_database_holds(actor, workspace, team, shared_company):
    """Names are read with the page, never taken from a record the session holds expired
    (which would be refreshed one by one) nor from one it holds at all."""
    add_linked_tasks(workspace, shared_company, team, 12)
    db.session.execute(sa.update(User).values(name=User.name + " (renamed)"))
    db.session.commit()
    db.session.expire_all()  # the team and the company the fixtures hold
    with counting() as counter:
        page = task_service.list_tasks(actor, TaskFilters(), with_links=True)
    names = {links["assignee"] for links in page.links.values()}
    assert names == {user.name for user in team}
    assert all(name.endswith(" (renamed)") for name in names)
    assert len(after_the_page(counter.statements)) == 1


def test_the_counter_sees_row_by_row_loading(actor, workspace, team, shared_company):
    """Without eager loading the rows' links cost statements per row: the count can fail."""
    add_linked_tasks(workspace, shared_company, team, 12)
    db.session.expunge_all()
    with counting() as counter:
        for task in task_service.list_tasks(actor).items:
            assert task.contact and task.company and task.deal and task.event and task.assignee
    # One per contact, deal and event, one per assignee; the company is
    # shared, so it is loaded once.
    assert len(after_the_page(counter.statements)) == 12 * 3 + len(team) + 1


def test_a_title_search_asks_the_trigram_index_once_per_page(
    client, workspace, member, team, shared_company
):
    """The page and its headings search the same text: on SQLite the trigram index's
    candidates are read once (their number picks the way to the page; a few are the
    page's candidates), not once for each statement. The first search of a trigram also
    counts how many titles hold it, once per process (`tasks._trigram_counts`); the same
    search again, no task changed since, reads neither (`tasks._kept_matches`)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite reads the trigram index's candidates first")
    login_as(client, member)
    add_linked_tasks(workspace, shared_company, team, 5)
    for searches_expected in (2, 0):
        with counting() as counter:
            response = client.get("/tasks?view=everyone&q=task")
        assert text(response).count("data-task-row") == 5
        searches = [s for s in counter.statements if "task_title_fts" in s]
        assert len(searches) == searches_expected


@pytest.mark.parametrize(
    "q", ["sk", "Task 1"], ids=["a walk testing each title", "the few matches by key"]
)
def test_a_title_search_keeps_its_statements_where_the_query_alone_decides_them(
    actor, workspace, team, shared_company, monkeypatch, q
):
    """A query too short for trigrams walks the list testing each title: the statements
    depend on the query alone and are built once. A few matches are read ahead and given
    to the statements as one parameter: those are built once too, and run with the keys
    read again once a task is written."""
    add_linked_tasks(workspace, shared_company, team, 3)
    built: list[str] = []
    for name in ("list_statement", "due_group_counts_statement"):
        real = getattr(task_service, name)

        def building(*args, _real=real, _name=name, **kwargs):
            built.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(task_service, name, building)
    filters = TaskFilters(q=q)
    first = task_service.list_tasks(actor, filters)
    task_service.count_due_groups(actor, filters)
    # A title written since matches both: a kept statement finds it as a new one would.
    db.session.add(
        Task(
            workspace_id=workspace.id,
            title="Task 1 (ask)",
            status="open",
            contact_id=first.items[0].contact_id,
        )
    )
    db.session.commit()
    again = task_service.list_tasks(actor, filters)
    counts = task_service.count_due_groups(actor, filters)
    assert len(again.items) == len(first.items) + 1
    assert counts["none"] == 1
    assert built == ["list_statement", "due_group_counts_statement"]
