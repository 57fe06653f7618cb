"""Managing tasks through the service both doors use: update, complete, reopen, delete,
restore, and the filtered, keyset-paginated list (docs/rules.md §2 and §5, docs/api.md)."""

import json
import random
import uuid
import weakref
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, records
from app.services import tasks as tasks_module
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.tasks import (
    ORPHAN_MESSAGE,
    PAGE_LIMIT_MAX,
    PARENT_FIELD,
    TaskFilters,
    complete_task,
    create_task,
    delete_task,
    get_task,
    list_tasks,
    reopen_task,
    restore_task,
    update_task,
)
from tests.conftest import FIXED_NOW

LATER = FIXED_NOW + timedelta(hours=1)


@pytest.fixture
def link(contact):
    return {"contact_id": str(contact.id)}


@pytest.fixture
def make(actor, link):
    """Create a task of the member's workspace linked to the contact unless told otherwise."""

    def make(title="Task", now=FIXED_NOW, **fields):
        return create_task(actor, {"title": title, **link, **fields}, now=now).task

    return make


@pytest.fixture
def key_actor(workspace):
    """An actor for an API key holding only the scopes asked for."""

    def key_actor(*scopes):
        key, _secret = accounts.create_api_key(
            accounts.Actor.operator(workspace), "scoped", list(scopes)
        )
        return accounts.Actor.for_api_key(key)

    return key_actor


def listed(actor, now=FIXED_NOW, **filters) -> list[str]:
    """Titles of the first page of the list with these filters."""
    page = list_tasks(actor, TaskFilters(**filters), limit=PAGE_LIMIT_MAX, now=now)
    return [task.title for task in page.items]


def fields_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.fields


# --- update_task -------------------------------------------------------------------------


def test_patch_changes_only_given_fields(actor, make):
    task = make("Call back", priority="low", description="keep me")
    updated = update_task(actor, task.id, {"title": " Call again ", "priority": "high"}, now=LATER)
    assert updated.title == "Call again"
    assert updated.priority == "high"
    assert updated.description == "keep me"
    assert updated.updated_at == LATER
    assert updated.created_date == FIXED_NOW


def test_patch_null_clears_an_optional_field(actor, make):
    task = make(priority="low", due_date="2026-03-10T09:00:00Z", task_type="call")
    updated = update_task(actor, task.id, {"priority": None, "due_date": None, "task_type": None})
    assert updated.priority is None and updated.task_type is None
    assert updated.due_date is None and updated.due_at is None


def test_patch_date_only_due_replaces_a_timed_one(actor, make):
    task = make(due_date="2026-03-10T09:00:00Z")
    updated = update_task(actor, task.id, {"due_date": "2026-04-01"})
    assert updated.due_date == date(2026, 4, 1) and updated.due_at is None


@pytest.mark.parametrize("title", [None, "", "   "])
def test_patch_cannot_blank_the_title(actor, make, title):
    task = make()
    assert fields_of(lambda: update_task(actor, task.id, {"title": title})) == {
        "title": "is required"
    }


@pytest.mark.parametrize("status", [None, "done", ""])
def test_patch_status_must_be_a_status(actor, make, status):
    task = make()
    assert "status" in fields_of(lambda: update_task(actor, task.id, {"status": status}))


def test_patch_applies_create_rules(actor, make):
    task = make()
    problems = fields_of(
        lambda: update_task(
            actor,
            task.id,
            {"title": "x" * 256, "priority": "urgent", "due_date": "2026-02-30", "task_type": 5},
        )
    )
    assert set(problems) == {"title", "priority", "due_date", "task_type"}


def test_patch_rejects_created_date_and_unknown_fields(actor, make):
    task = make()
    problems = fields_of(
        lambda: update_task(actor, task.id, {"created_date": "2026-01-01", "titel": "x"})
    )
    assert set(problems) == {"created_date", "titel"}


def test_patch_may_not_remove_the_last_parent_link(actor, make):
    task = make()
    with pytest.raises(ValidationError) as caught:
        update_task(actor, task.id, {"contact_id": None})
    assert caught.value.fields == {PARENT_FIELD: ORPHAN_MESSAGE}
    db.session.refresh(task)
    assert task.contact_id is not None


def test_patch_may_swap_parent_links(actor, make, workspace):
    company = records.add_company(workspace.id, "Initech")
    db.session.commit()
    task = make()
    updated = update_task(actor, task.id, {"contact_id": None, "company_id": str(company.id)})
    assert updated.contact_id is None and updated.company_id == company.id


def test_patch_foreign_link_reads_like_a_missing_one(actor, make, other_workspace):
    foreign = records.add_company(other_workspace.id, "Globex Corp")
    db.session.commit()
    task = make()
    foreign_problem = fields_of(
        lambda: update_task(actor, task.id, {"company_id": str(foreign.id)})
    )
    missing_problem = fields_of(
        lambda: update_task(actor, task.id, {"company_id": str(uuid.uuid4())})
    )
    assert foreign_problem == missing_problem


def test_patch_resolves_names_as_create_does(actor, make, workspace, contact):
    other = records.add_contact(workspace.id, "Greta", "Schön", "greta@example.test")
    db.session.commit()
    task = make()
    assert update_task(actor, task.id, {"contact_name": "schon greta"}).contact_id == other.id
    assert "contact_name" in fields_of(
        lambda: update_task(
            actor, task.id, {"contact_name": "Greta", "contact_id": str(contact.id)}
        )
    )


def test_patch_rejects_nul_characters(actor, make):
    task = make()
    assert fields_of(lambda: update_task(actor, task.id, {"title": "a\x00b"})) == {
        "title": "must not contain NUL characters"
    }


def test_completing_records_completed_at_and_leaving_clears_it(actor, make):
    task = make()
    assert task.completed_at is None
    assert update_task(actor, task.id, {"status": "completed"}, now=LATER).completed_at == LATER
    again = update_task(actor, task.id, {"status": "completed"}, now=LATER + timedelta(days=1))
    assert again.completed_at == LATER, "completing a completed task keeps the first moment"
    assert update_task(actor, task.id, {"status": "in_progress"}).completed_at is None


def test_viewer_cannot_patch(viewer, make):
    task = make()
    with pytest.raises(PermissionDenied):
        update_task(accounts.Actor.for_user(viewer), task.id, {"title": "no"})


def test_write_only_key_can_patch_and_delete(key_actor, make):
    writer = key_actor(accounts.WRITE)
    task = make()
    assert update_task(writer, task.id, {"title": "changed"}).title == "changed"
    complete_task(writer, task.id)
    delete_task(writer, task.id)


# --- the 404-for-foreign rule ---------------------------------------------------------


@pytest.fixture
def foreign_task(other_workspace):
    company = records.add_company(other_workspace.id, "Globex Corp")
    db.session.commit()
    key, _ = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "other", [accounts.READ, accounts.WRITE]
    )
    stranger = accounts.Actor.for_api_key(key)
    return create_task(stranger, {"title": "Not yours", "company_id": str(company.id)}).task


@pytest.fixture
def deleted_task(actor, make):
    task = make("Gone")
    delete_task(actor, task.id)
    return task


@pytest.mark.parametrize("which", ["foreign", "unknown", "deleted"])
@pytest.mark.parametrize(
    "call",
    [
        lambda actor, task_id: get_task(actor, task_id),
        lambda actor, task_id: update_task(actor, task_id, {"title": "x"}),
        lambda actor, task_id: update_task(actor, task_id, {"titel": "invalid too"}),
        lambda actor, task_id: complete_task(actor, task_id),
        lambda actor, task_id: reopen_task(actor, task_id),
        lambda actor, task_id: delete_task(actor, task_id),
    ],
    ids=["get", "update", "update-invalid", "complete", "reopen", "delete"],
)
def test_foreign_unknown_and_deleted_tasks_are_not_found(actor, request, which, call):
    task_id = {
        "foreign": lambda: request.getfixturevalue("foreign_task").id,
        "unknown": uuid.uuid4,
        "deleted": lambda: request.getfixturevalue("deleted_task").id,
    }[which]()
    with pytest.raises(NotFound) as caught:
        call(actor, task_id)
    assert caught.value.message == "Task not found"


def test_foreign_task_cannot_be_restored(actor, foreign_task):
    with pytest.raises(NotFound):
        restore_task(actor, foreign_task.id)


# --- complete, reopen, delete, restore ---------------------------------------------------


def test_complete_and_reopen(actor, make):
    task = make()
    assert complete_task(actor, task.id, now=LATER).completed_at == LATER
    assert complete_task(actor, task.id, now=LATER + timedelta(1)).completed_at == LATER
    reopened = reopen_task(actor, task.id)
    assert reopened.status == "open" and reopened.completed_at is None
    assert reopen_task(actor, task.id).status == "open"


def test_reopen_keeps_in_progress(actor, make):
    task = make(status="in_progress")
    assert reopen_task(actor, task.id).status == "in_progress"


def test_delete_is_soft_and_restore_undoes_it(actor, make):
    task = make("Undo me")
    delete_task(actor, task.id, now=LATER)
    assert db.session.get(Task, task.id).deleted_at == LATER
    assert listed(actor) == []
    restore_task(actor, task.id, now=LATER)
    assert get_task(actor, task.id).title == "Undo me"
    assert listed(actor) == ["Undo me"]


def test_viewer_cannot_delete(viewer, make):
    task = make()
    with pytest.raises(PermissionDenied):
        delete_task(accounts.Actor.for_user(viewer), task.id)


# --- list_tasks: order and filters -------------------------------------------------------


def test_list_is_soonest_due_first_timed_before_date_only_undated_last(actor, make):
    make("undated")
    make("mar 10 date", due_date="2026-03-10")
    make("mar 10 09:00", due_date="2026-03-10T09:00:00+01:00")
    make("mar 2", due_date="2026-03-02")
    make("mar 10 date, created later", now=LATER, due_date="2026-03-10")
    assert listed(actor) == [
        "mar 2",
        "mar 10 09:00",
        "mar 10 date",
        "mar 10 date, created later",
        "undated",
    ]


def test_list_shows_only_own_live_tasks(actor, make, foreign_task, deleted_task):
    make("mine")
    assert listed(actor) == ["mine"]


def test_list_needs_read(key_actor, make):
    with pytest.raises(PermissionDenied):
        list_tasks(key_actor(accounts.WRITE))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("open",), ["o"]),
        (("in_progress",), ["p"]),
        (("completed",), ["c"]),
        (("open", "in_progress"), ["o", "p"]),
        ((), []),
    ],
)
def test_filter_by_status(actor, make, statuses, expected):
    for title, status in [("o", "open"), ("p", "in_progress"), ("c", "completed")]:
        make(title, status=status)
    assert sorted(listed(actor, statuses=statuses)) == expected


@pytest.mark.parametrize("statuses", [("done",), ("open", "OPEN"), ("",)])
def test_filter_by_unknown_status_is_a_validation_error(actor, statuses):
    assert "status" in fields_of(lambda: list_tasks(actor, TaskFilters(statuses=statuses)))


def test_filter_by_priority(actor, make):
    make("hi", priority="high")
    make("lo", priority="low")
    make("none")
    assert listed(actor, priority="high") == ["hi"]
    assert "priority" in fields_of(lambda: list_tasks(actor, TaskFilters(priority="urgent")))


def test_filter_by_assignee(actor, make, member, admin):
    make("mia's", assignee_id=str(member.id))
    make("ada's", assignee_id=str(admin.id))
    make("nobody's")
    assert listed(actor, assignee_id=member.id) == ["mia's"]
    assert listed(actor, assignee_id=uuid.uuid4()) == []


@pytest.mark.parametrize("field", ["contact_id", "company_id", "deal_id", "event_id"])
def test_filter_by_each_linked_record(actor, workspace, field):
    def records_of_each_kind():
        company = records.add_company(workspace.id, f"Company {uuid.uuid4().hex[:6]}")
        return {
            "contact_id": records.add_contact(workspace.id, "Ann", uuid.uuid4().hex[:6]),
            "company_id": company,
            "deal_id": records.add_deal(workspace.id, f"Deal {uuid.uuid4().hex[:6]}"),
            "event_id": records.add_event(workspace.id, "Fair", FIXED_NOW),
        }

    wanted, other = records_of_each_kind(), records_of_each_kind()
    db.session.commit()
    for title, chosen in [("wanted", wanted), ("other", other)]:
        create_task(actor, {"title": title, field: str(chosen[field].id)})
    assert listed(actor, **{field: wanted[field].id}) == ["wanted"]


def test_filter_due_before_and_after_are_inclusive_days(actor, make):
    for day in ("2026-03-01", "2026-03-05", "2026-03-10"):
        make(day, due_date=day)
    make("timed on the 5th", due_date="2026-03-05T22:30:00Z")  # 23:30 in Berlin: the 5th
    make("undated")
    assert listed(actor, due_before=date(2026, 3, 5)) == [
        "2026-03-01",
        "timed on the 5th",
        "2026-03-05",
    ]
    assert listed(actor, due_after=date(2026, 3, 5)) == [
        "timed on the 5th",
        "2026-03-05",
        "2026-03-10",
    ]
    between = listed(actor, due_after=date(2026, 3, 2), due_before=date(2026, 3, 9))
    assert between == ["timed on the 5th", "2026-03-05"]
    assert listed(actor, due_after=date(2026, 3, 9), due_before=date(2026, 3, 2)) == []


def test_filter_overdue_uses_the_workspace_day_and_the_due_instant(actor, make):
    # FIXED_NOW is 2026-03-01 12:00 UTC, 13:00 in the workspace's Europe/Berlin.
    make("yesterday", due_date="2026-02-28")
    make("today, date only", due_date="2026-03-01")
    make("today 12:30 Berlin", due_date="2026-03-01T12:30:00")
    make("today 14:00 Berlin", due_date="2026-03-01T14:00:00")
    make("completed last week", due_date="2026-02-20", status="completed")
    make("undated")
    assert listed(actor, due="overdue") == ["yesterday", "today 12:30 Berlin"]


def test_a_title_search_finds_a_task_written_after_the_same_search(actor, make):
    """The title index's candidates are read once per session, until it writes."""
    make("Call Hans about the offer")
    assert listed(actor, q="offer") == ["Call Hans about the offer"]
    make("Send the offer")
    assert sorted(listed(actor, q="offer")) == ["Call Hans about the offer", "Send the offer"]


def test_filter_q_searches_titles_case_insensitively(actor, make):
    make("Call Hans about the Offer")
    make("Send offer_v2")
    make("100% done?")
    make("Lunch")
    assert sorted(listed(actor, q="offer")) == ["Call Hans about the Offer", "Send offer_v2"]
    assert sorted(listed(actor, q="  OFFER ")) == ["Call Hans about the Offer", "Send offer_v2"]
    assert listed(actor, q="offer_") == ["Send offer_v2"], "_ is not a wildcard"
    assert listed(actor, q="100%") == ["100% done?"], "% is not a wildcard"
    assert listed(actor, q="nothing like it") == []


def test_filter_q_folds_accents_and_case_both_ways(actor, make):
    make("Call Hans Müller")
    make("Łukasz: Straße 5")
    make("MÜLLER LOGISTIK renewal", status="completed")
    make("Mull it over")
    assert sorted(listed(actor, q="muller")) == ["Call Hans Müller", "MÜLLER LOGISTIK renewal"]
    assert listed(actor, q="Müller logistik") == ["MÜLLER LOGISTIK renewal"]
    assert listed(actor, q="lukasz: strasse") == ["Łukasz: Straße 5"]


@pytest.mark.parametrize("query", ["mü", "ß", "5"])
def test_filter_q_of_one_or_two_characters_still_finds_titles(actor, make, query):
    make("Call Hans Müller")
    make("Straße 5")
    make("Lunch")
    expected = {"mü": ["Call Hans Müller"], "ß": ["Straße 5"], "5": ["Straße 5"]}
    assert listed(actor, q=query) == expected[query]


@pytest.mark.parametrize(("few", "some"), [(100, 1000), (2, 1000), (1, 2)])
def test_filter_q_gives_one_answer_whichever_way_it_reads(actor, make, monkeypatch, few, some):
    # SQLite reads few matches from the title index, some by walking the list index
    # keeping their ids, many by walking it testing titles: the same page every way.
    monkeypatch.setattr(tasks_module, "FEW_TITLE_MATCHES", few)
    monkeypatch.setattr(tasks_module, "SOME_TITLE_MATCHES", some)
    for day in (3, 1, 2):
        make(f"Call Müller {day}", due_date=f"2026-03-0{day}")
    make("Lunch", due_date="2026-03-01")
    make("Ruller mule: every trigram, not the word", due_date="2026-03-01")
    assert listed(actor, q="MULLER") == ["Call Müller 1", "Call Müller 2", "Call Müller 3"]


def test_filter_q_asks_the_title_index_for_its_rarest_trigrams(actor, make, monkeypatch):
    """SQLite: the candidates are the titles holding the query's two rarest trigrams; the
    title test then keeps the real matches (here one holds every trigram but not the word)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner chooses how to use its trigram index")
    for n in range(5):
        make(f"Mandate review {n}")
    make("Mandate 42 renewal")
    make("42 mandates")
    counts = tasks_module._trigram_counts(["man", " 42"])
    assert counts == {"man": 7, " 42": 1}
    assert listed(actor, q="mandate 42") == ["Mandate 42 renewal"]
    read = db.session.info[tasks_module._TITLE_CANDIDATES]
    assert [key for key in read if isinstance(key, str)] == ['" 42" AND "e 4"']
    # Only rare trigrams are asked for: not a common one, whatever its place in the query.
    common = tasks_module.FEW_TITLE_MATCHES + 1
    db.session.info.pop(tasks_module._TITLE_CANDIDATES)
    monkeypatch.setattr(tasks_module, "_MATCHED", weakref.WeakKeyDictionary())  # kept ones
    monkeypatch.setattr(
        tasks_module,
        "_trigram_counts",
        lambda grams: {g: 1 if g == " 42" else common for g in grams},
    )
    assert listed(actor, q="mandate 42") == ["Mandate 42 renewal"]
    read = db.session.info[tasks_module._TITLE_CANDIDATES]
    assert [key for key in read if isinstance(key, str)] == ['" 42"']


def test_filter_q_remembers_for_a_while_that_a_query_has_many_matches(actor, make, monkeypatch):
    """SQLite: a query found to have more than FEW_TITLE_MATCHES candidates reads none the
    next times (for TITLE_STATS_SECONDS), and still finds every match, new ones too."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner estimates the matches")
    monkeypatch.setattr(tasks_module, "FEW_TITLE_MATCHES", 2)
    for n in range(4):
        make(f"Call Anna {n}")
    make("Email Bernd")
    expected = [f"Call Anna {n}" for n in range(4)]
    assert sorted(listed(actor, q="call")) == expected
    assert db.session.info[tasks_module._TITLE_CANDIDATES]
    db.session.info.pop(tasks_module._TITLE_CANDIDATES)
    make("Call Anna 4")
    assert sorted(listed(actor, q="call")) == [*expected, "Call Anna 4"]
    read = db.session.info.get(tasks_module._TITLE_CANDIDATES, {})
    assert not [key for key in read if isinstance(key, str)]  # no candidates
    # Once that is older than TITLE_STATS_SECONDS, the candidates are read again.
    monkeypatch.setattr(tasks_module, "TITLE_STATS_SECONDS", -1)
    assert sorted(listed(actor, q="call")) == [*expected, "Call Anna 4"]
    assert db.session.info[tasks_module._TITLE_CANDIDATES]
    # A query with few matches is never remembered: its candidates are the page's rows.
    monkeypatch.setattr(tasks_module, "TITLE_STATS_SECONDS", 600)
    db.session.info.pop(tasks_module._TITLE_CANDIDATES)
    assert listed(actor, q="bernd") == ["Email Bernd"]
    db.session.info.pop(tasks_module._TITLE_CANDIDATES)
    assert listed(actor, q="bernd") == ["Email Bernd"]
    assert db.session.info[tasks_module._TITLE_CANDIDATES]


def test_filter_q_with_other_filters_reads_its_few_matches_once_for_page_and_headings(
    actor, make, member, admin
):
    """Few title matches and filters that keep some of them (My tasks): the tasks meeting
    them all are read once per session; the page and its heading counts then read only
    those, and find exactly what they found before."""
    mine = {"assignee_id": str(member.id)}
    for n in range(3):
        make(
            f"Call Müller {n}", due_date=(FIXED_NOW.date() + timedelta(days=n)).isoformat(), **mine
        )
    make("Call Müller done", status="completed", **mine)
    make("Call Müller for Ada", assignee_id=str(admin.id))
    make("Call Bernd", **mine)
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=member.id, q="muller")
    page = list_tasks(actor, filters, limit=2, now=FIXED_NOW)
    assert [task.title for task in page.items] == ["Call Müller 0", "Call Müller 1"]
    read = db.session.info[tasks_module._TITLE_CANDIDATES]
    assert [key for key in read if key[0] == "matched"] == [
        ("matched", actor.workspace_id, filters)
    ]
    counts = tasks_module.count_due_groups(actor, filters, now=FIXED_NOW)
    assert sum(counts.values()) == 3
    rest = list_tasks(actor, filters, limit=2, cursor=page.next_cursor, now=FIXED_NOW)
    assert [task.title for task in rest.items] == ["Call Müller 2"]


def test_filter_q_first_page_reads_only_its_rows_of_the_kept_matches(actor, make):
    """Few title matches, any filters (here the API's default: every status, anyone's):
    the matches are read ahead in list order, so a first page reads only its own rows
    (the `limit` + 1 first of them) instead of reading and sorting every match; the next
    page, and a task written since, come out as without them."""
    day = FIXED_NOW.date()
    for n in range(6):
        make(f"Call Müller {n}", due_date=(day + timedelta(days=6 - n)).isoformat())
    make("Call Bernd")
    filters = TaskFilters(q="muller")
    executed: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        executed.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = list_tasks(actor, filters, limit=2, now=FIXED_NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert [task.title for task in page.items] == ["Call Müller 5", "Call Müller 4"]
    statement, parameters = executed[-1]  # the page's own statement
    values = list(parameters.values() if isinstance(parameters, dict) else parameters)
    if db.engine.dialect.name == "sqlite":
        (listed_rowids,) = [v for v in values if isinstance(v, str) and v.startswith("[")]
        assert len(json.loads(listed_rowids)) == 3
    else:
        (listed_ids,) = [v for v in values if isinstance(v, list)]  # one array
        assert len(listed_ids) == 3
    rest = list_tasks(actor, filters, limit=2, cursor=page.next_cursor, now=FIXED_NOW)
    assert [task.title for task in rest.items] == ["Call Müller 3", "Call Müller 2"]
    db.session.commit()
    make("Call Müller first", due_date=day.isoformat())
    db.session.rollback()  # as a new request's session starts afresh
    again = list_tasks(actor, filters, limit=2, now=FIXED_NOW)
    assert [task.title for task in again.items] == ["Call Müller first", "Call Müller 5"]


def test_filter_q_with_other_filters_keeps_its_matches_until_a_task_changes(actor, make, member):
    """What a title search with few matches and other filters read (`_matched`) is kept
    per process under the workspace's task version: the same search in a later session
    reads neither the title index nor the candidates, a task committed since shows, and
    what a session wrote and rolled back is never kept."""
    mine = {"assignee_id": str(member.id)}
    make("Call Müller 0", **mine)
    make("Call Müller 1", **mine)
    bernd = make("Call Bernd", **mine)
    filters = TaskFilters(statuses=("open", "in_progress"), assignee_id=member.id, q="muller")

    def search(*, new_session: bool = True) -> tuple[list[str], list[str]]:
        if new_session:
            db.session.rollback()  # as a new request's session starts afresh
        statements: list[str] = []

        def seen(_conn, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            page = list_tasks(actor, filters, limit=50, now=FIXED_NOW)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
        title_reads = [
            statement
            for statement in statements
            if any(part in statement for part in ("task_title_fts", " LIKE ", "strpos", "instr"))
        ]
        return sorted(task.title for task in page.items), title_reads

    titles, reads = search()
    assert titles == ["Call Müller 0", "Call Müller 1"] and reads
    assert search() == (titles, [])
    make("Call Müller 2", **mine)
    titles, reads = search()
    assert titles == ["Call Müller 0", "Call Müller 1", "Call Müller 2"] and reads
    # Written, searched and rolled back: gone, even once the version comes round again.
    db.session.rollback()
    db.session.get(Task, bernd.id).title = "Call Müller 9"
    db.session.flush()
    assert "Call Müller 9" in search(new_session=False)[0]
    db.session.rollback()
    make("Email Ada", **mine)  # the version the rolled-back write had
    assert search()[0] == ["Call Müller 0", "Call Müller 1", "Call Müller 2"]


@pytest.fixture
def mandates(make):
    """PostgreSQL only: titles of which "mandate 42" matches two."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite asks its index for the rarest trigrams instead")
    make("Mandate 42 renewal")
    make("42 mandates")
    make("Mandate 420")
    return ["Mandate 42 renewal", "Mandate 420"]


def mandate_42_condition(monkeypatch, estimates: dict[str, float]) -> str:
    """The title condition of "Mandate 42" with the planner's estimates given, as SQL."""
    monkeypatch.setattr(tasks_module, "_estimated_rows", lambda _c, key: estimates[key])
    condition = tasks_module._title_search("Mandate 42").condition
    return str(condition.compile(db.engine, compile_kwargs={"literal_binds": True}))


def test_filter_q_asks_the_postgres_trigram_index_for_its_rarest_word(
    actor, make, mandates, monkeypatch
):
    """PostgreSQL, few matches: the index is asked for the titles holding the query's rarest
    word (with the separator before it), then the whole query is tested on those."""
    for n in range(5):
        make(f"Mandate review {n}")
    text = mandate_42_condition(monkeypatch, {"mandate 42": 1.0, "mandate": 6.0, " 42": 2.0})
    assert "LIKE '%% 42%%'" in text and "strpos" in text, text
    assert sorted(listed(actor, q="mandate 42")) == mandates
    # No word rare enough: the whole query, as the index answers it.
    unsure = float(tasks_module.FEW_TITLE_MATCHES * tasks_module.UNSURE_ESTIMATE)
    text = mandate_42_condition(monkeypatch, {"mandate 42": 1.0, "mandate": unsure, " 42": unsure})
    assert "LIKE '%%mandate 42%%'" in text and "strpos" not in text, text
    assert sorted(listed(actor, q="mandate 42")) == mandates


def test_filter_q_counts_a_words_matches_where_the_estimate_is_unsure(actor, mandates, monkeypatch):
    """An estimate near FEW_TITLE_MATCHES is not trusted for a word of the query either:
    its matches are counted (here three), and the word is asked for after all."""
    estimates = {"mandate 42": 1.0, "mandate": 6_000.0, " 42": 3_000.0}
    text = mandate_42_condition(monkeypatch, estimates)
    assert "LIKE '%% 42%%'" in text and "strpos" in text, text
    assert sorted(listed(actor, q="mandate 42")) == mandates


def test_filter_q_finds_every_match_whatever_the_trigram_counts_say(actor, make, monkeypatch):
    """The counts only choose which trigrams the index is asked for: stale ones (here every
    trigram said to be held by no title, or by one) change no answer."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's title index only")
    for day in (3, 1, 2):
        make(f"Call Müller {day}", due_date=f"2026-03-0{day}")
    make("Lunch", due_date="2026-03-01")
    expected = ["Call Müller 1", "Call Müller 2", "Call Müller 3"]
    for said in (0, 1):
        monkeypatch.setattr(
            tasks_module, "_trigram_counts", lambda grams, said=said: dict.fromkeys(grams, said)
        )
        assert listed(actor, q="muller") == expected
    monkeypatch.setattr(tasks_module, "FEW_TITLE_MATCHES", 1)
    assert listed(actor, q="muller") == expected


def test_filter_q_rejects_nul(actor):
    assert fields_of(lambda: list_tasks(actor, TaskFilters(q="a\x00"))) == {
        "q": "must not contain NUL characters"
    }


def test_filters_combine(actor, make, member):
    make("match", priority="high", status="open", assignee_id=str(member.id))
    make("wrong priority", priority="low", status="open", assignee_id=str(member.id))
    make("wrong status", priority="high", status="completed", assignee_id=str(member.id))
    make("unassigned", priority="high", status="open")
    filters = {"priority": "high", "statuses": ("open",), "assignee_id": member.id}
    assert listed(actor, **filters) == ["match"]


# --- list_tasks: limit and cursor --------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1, PAGE_LIMIT_MAX + 1])
def test_limit_out_of_bounds(actor, limit):
    assert "limit" in fields_of(lambda: list_tasks(actor, limit=limit))


@pytest.mark.parametrize("limit", [1, PAGE_LIMIT_MAX])
def test_limit_bounds_accepted(actor, make, limit):
    make("a")
    make("b")
    page = list_tasks(actor, limit=limit)
    assert len(page.items) == min(limit, 2)
    assert (page.next_cursor is not None) == (limit == 1)


def test_last_page_has_no_cursor(actor, make):
    for n in range(3):
        make(f"t{n}")
    assert list_tasks(actor, limit=3).next_cursor is None


def tamper(cursor: str) -> str:
    body, _, signature = cursor.rpartition(".")
    flipped = "A" if signature[0] != "A" else "B"
    return f"{body}.{flipped}{signature[1:]}"


@pytest.mark.parametrize(
    "bad",
    [tamper, lambda c: "x" + c, lambda c: c[:-3], lambda c: "garbage", lambda c: "a.b.c"],
    ids=["signature", "prefix", "truncated", "garbage", "dots"],
)
def test_tampered_cursor_is_a_validation_error(actor, make, bad):
    make("a")
    make("b")
    cursor = list_tasks(actor, limit=1).next_cursor
    assert fields_of(lambda: list_tasks(actor, limit=1, cursor=bad(cursor))) == {
        "cursor": "is not a cursor this server gave out"
    }


def test_cursor_signed_by_another_secret_is_refused(actor, make, app):
    make("a")
    make("b")
    cursor = list_tasks(actor, limit=1).next_cursor
    app.config["SECRET_KEY"] = "rotated"
    assert "cursor" in fields_of(lambda: list_tasks(actor, limit=1, cursor=cursor))


def sort_key(task: Task) -> tuple:
    return (
        task.due_date or date.max,
        task.due_at or datetime.max.replace(tzinfo=UTC),
        task.created_date,
        task.id,
    )


def test_paging_to_the_end_while_tasks_are_added(actor, make, workspace):
    """Every task that exists throughout is seen exactly once, in order, however the
    tasks added between pages sort: before the cursor, after it, or on its very key."""
    rng = random.Random(4)
    days = [None, "2026-03-01", "2026-03-02", "2026-03-02T08:00:00Z", "2026-03-05"]

    def add(title):
        # Many tasks share a due date and even a created_date: the id breaks those ties.
        created = FIXED_NOW - timedelta(minutes=rng.choice([0, 0, 5]))
        return make(title, now=created, due_date=rng.choice(days), status="open")

    original = {add(f"original {n}").id for n in range(23)}
    seen: list[Task] = []
    cursor = None
    for page_number in range(100):
        page = list_tasks(actor, limit=4, cursor=cursor)
        seen.extend(page.items)
        for n in range(2):
            add(f"added on page {page_number} #{n}")
        cursor = page.next_cursor
        if cursor is None:
            break
    ids = [task.id for task in seen]
    assert len(ids) == len(set(ids)), "no task is shown twice"
    assert original <= set(ids), "no task that existed all along is skipped"
    assert [sort_key(t) for t in seen] == sorted(sort_key(t) for t in seen)


def test_paging_with_filters_keeps_them(actor, make):
    for n in range(7):
        make(f"high {n}", priority="high")
        make(f"low {n}", priority="low")
    titles, cursor = [], None
    while True:
        page = list_tasks(actor, TaskFilters(priority="high"), limit=3, cursor=cursor)
        titles += [task.title for task in page.items]
        if not (cursor := page.next_cursor):
            break
    assert sorted(titles) == [f"high {n}" for n in range(7)]


def test_paging_works_with_count_of_rows_equal_to_limit(actor, make):
    for n in range(4):
        make(f"t{n}")
    first = list_tasks(actor, limit=2)
    second = list_tasks(actor, limit=2, cursor=first.next_cursor)
    assert len(second.items) == 2 and second.next_cursor is None


def test_stored_instants_survive_the_round_trip(actor, make):
    """The cursor compares instants the way they are stored (naive UTC on both backends)."""
    make("a", due_date="2026-03-02T08:00:00+05:00")
    make("b", due_date="2026-03-02T08:00:00+05:00")
    first = list_tasks(actor, limit=1)
    second = list_tasks(actor, limit=1, cursor=first.next_cursor)
    assert {first.items[0].title, second.items[0].title} == {"a", "b"}
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Task))
    assert count == 2


def test_cursor_is_independent_of_the_database_session_time_zone(actor, make):
    """PostgreSQL compares a `timestamp` with a zoned parameter in the session's zone:
    the cursor must bind its instants the way the columns store them."""
    make("early", due_date="2026-03-02T08:00:00Z", now=FIXED_NOW)
    make("late", due_date="2026-03-02T08:00:00Z", now=FIXED_NOW + timedelta(seconds=1))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL TIME ZONE 'America/New_York'"))
    first = list_tasks(actor, limit=1)
    second = list_tasks(actor, limit=1, cursor=first.next_cursor)
    assert [first.items[0].title, second.items[0].title] == ["early", "late"]
    db.session.rollback()


def test_every_refused_list_value_is_named_at_once(actor):
    filters = TaskFilters(statuses=("done",), priority="urgent", q="\x00", due="someday")
    assert set(fields_of(lambda: list_tasks(actor, filters, limit=0))) == {
        "status",
        "priority",
        "q",
        "due",
        "limit",
    }
