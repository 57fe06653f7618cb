"""Every task list is an index range scan: the query plans, pinned on both databases.

For each list query the service builds (`tasks.list_statement`), the database's own
planner is asked how it would run it: SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
`EXPLAIN (FORMAT JSON)`. The plan must read the expected list index and never sort more
than one page of rows per status range.

SQLite plans here are the real ones (its planner has no statistics to lean on). A test
database is tiny, so PostgreSQL would rightly scan it whole; its plans are taken with
sequential scans, bitmap scans and sorts priced out, so they show whether an index
serves the filter *and* the order: without one the plan falls back to a sort or to
another index, and the test fails (the last tests drop an index to prove it). How the
planner chooses with real statistics at 1,000,000 tasks is what `make bench` measures.
"""

from __future__ import annotations

import json
import uuid
import weakref
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import accounts, records, task_versions, tasks
from app.services.tasks import TaskFilters, list_statement

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
LINKS = ("contact_id", "company_id", "deal_id", "event_id")


@pytest.fixture
def ids(workspace):
    """A user, a record of each kind, and a few tasks so the tables are not empty."""
    user = accounts.create_user(workspace, "ana@acme.test", "Ana", "member", "pw-long-enough")
    company = records.add_company(workspace.id, "Müller Logistik GmbH")
    contact = records.add_contact(workspace.id, "Hans", "Müller", company=company)
    deal = records.add_deal(workspace.id, "Müller – Renewal", company=company)
    event = records.add_event(workspace.id, "Webinar", NOW + timedelta(days=3))
    db.session.commit()
    links = [("contact_id", contact.id), ("company_id", company.id), ("deal_id", deal.id),
             ("event_id", event.id)]  # fmt: skip
    rows = [
        {
            "workspace_id": workspace.id,
            "title": f"Call Hans Müller {n}",
            "status": ("open", "in_progress", "completed")[n % 3],
            "priority": (None, "low", "medium", "high")[n % 4],
            "assignee_id": user.id if n % 10 == 1 else None,
            "due_date": date(2026, 3, 1) + timedelta(days=n % 20) if n % 5 else None,
            "created_date": NOW - timedelta(days=n),
            "updated_at": NOW,
            links[n % 4][0]: links[n % 4][1],
        }
        for n in range(400)
    ]
    if db.engine.dialect.name == "postgresql":
        # As in a real workspace, a team's tasks outnumber one person's, and a person's
        # own tasks far outnumber those of one record of theirs. PostgreSQL's planner
        # weighs an assignee's range against a record's range of that assignee by their
        # sizes; with a handful of each, its pick changed with what earlier tests left.
        elsewhere = records.add_contact(workspace.id, "Jana", "Nowak")
        team = [user.id] + [
            accounts.create_user(workspace, f"colleague{n}@acme.test", f"Colleague {n}",
                                 "member", "pw-long-enough").id
            for n in range(3)
        ]  # fmt: skip
        db.session.commit()
        rows += [
            {
                "workspace_id": workspace.id,
                "title": f"Write to Jana Nowak {n}",
                "status": ("open", "in_progress")[n % 2],
                "assignee_id": team[n % len(team)],
                "due_date": date(2026, 3, 1) + timedelta(days=n % 60),
                "created_date": NOW - timedelta(days=n % 300),
                "updated_at": NOW,
                "contact_id": elsewhere.id,
            }
            for n in range(2_000)
        ]
    tasks.insert_many_tasks(rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does after such a load; earlier tests' deleted rows would
        # otherwise weigh on the estimates of this small table.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                sa.text("VACUUM ANALYZE task")
            )
    return {
        "workspace": workspace.id,
        "user": user.id,
        "contact_id": contact.id,
        "company_id": company.id,
        "deal_id": deal.id,
        "event_id": event.id,
    }


TO_DO = ("open", "in_progress")
#: (case, filters given the ids fixture, the index each status range must read)
CASES = [
    ("default list (to do)", lambda i: TaskFilters(statuses=TO_DO), "ix_task_list"),
    ("open only", lambda i: TaskFilters(statuses=("open",)), "ix_task_list"),
    ("completed", lambda i: TaskFilters(statuses=("completed",)), "ix_task_list"),
    ("every status", lambda i: TaskFilters(), "ix_task_list"),
    ("overdue", lambda i: TaskFilters(statuses=TO_DO, due="overdue"), "ix_task_list"),
    ("due today", lambda i: TaskFilters(statuses=TO_DO, due="today"), "ix_task_list"),
    ("due this week", lambda i: TaskFilters(statuses=TO_DO, due="week"), "ix_task_list"),
    ("no due date", lambda i: TaskFilters(statuses=TO_DO, due="none"), "ix_task_list"),
    (
        "due between",
        lambda i: TaskFilters(due_after=date(2026, 3, 1), due_before=date(2026, 3, 31)),
        "ix_task_list",
    ),
    ("priority", lambda i: TaskFilters(statuses=TO_DO, priority="high"), "ix_task_list_priority"),
    (
        "assignee (mine)",
        lambda i: TaskFilters(statuses=TO_DO, assignee_id=i["user"]),
        "ix_task_list_assignee",
    ),
    (
        "my tasks due this week",
        lambda i: TaskFilters(statuses=TO_DO, assignee_id=i["user"], due="week"),
        "ix_task_list_assignee",
    ),
    ("unassigned", lambda i: TaskFilters(statuses=TO_DO, unassigned=True), "ix_task_list_assignee"),
    *[
        (f"{link} (record page: every status)", lambda i, link=link: TaskFilters(**{link: i[link]}),
         f"ix_task_list_{link.removesuffix('_id')}")
        for link in LINKS
    ],
    *[
        (f"{link}, to do", lambda i, link=link: TaskFilters(statuses=TO_DO, **{link: i[link]}),
         f"ix_task_list_{link.removesuffix('_id')}")
        for link in LINKS
    ],
    # A link filter on My tasks (`/tasks?company_id=…`), on someone's tasks in any status,
    # and on the unassigned view: the link's own index with the assignee.
    *[
        (f"{link}, mine, {name}",
         lambda i, link=link, statuses=statuses: TaskFilters(
             statuses=statuses, assignee_id=i["user"], **{link: i[link]}),
         f"ix_task_list_{link.removesuffix('_id')}_assignee")
        for link in LINKS
        for name, statuses in (("to do", TO_DO), ("every status", None),
                               ("completed", ("completed",)))
    ],
    *[
        (f"{link}, unassigned",
         lambda i, link=link: TaskFilters(statuses=TO_DO, unassigned=True, **{link: i[link]}),
         f"ix_task_list_{link.removesuffix('_id')}_assignee")
        for link in LINKS
    ],
    (
        "company_id, mine, due this week",
        lambda i: TaskFilters(statuses=TO_DO, assignee_id=i["user"], company_id=i["company_id"],
                              due="week"),
        "ix_task_list_company_assignee",
    ),
]  # fmt: skip
CASE_NAMES = [case[0] for case in CASES]
SCANS = ("Index Scan", "Index Only Scan")


def statement_for(ids, filters: TaskFilters, *, cursor: str | None = None) -> sa.Select:
    return list_statement(ids["workspace"], filters, limit=51, cursor=cursor, now=NOW)


def compiled(statement: sa.Select) -> str:
    return str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))


def plan_problems(statement: sa.Select, index: str) -> list[str]:
    """What is wrong with the plan of `statement`: [] when each range reads `index` in order."""
    if db.engine.dialect.name == "sqlite":
        return sqlite_problems(statement, index)
    return postgres_problems(statement, index)


def sqlite_plan(statement: sa.Select) -> list[str]:
    """The detail column of SQLite's EXPLAIN QUERY PLAN, one line per step."""
    # A fresh comment each time: the driver's statement cache would otherwise answer
    # with the plan prepared before an index was dropped.
    sql = f"EXPLAIN QUERY PLAN /* {uuid.uuid4()} */ {compiled(statement)}"
    return [row[-1] for row in db.session.execute(sa.text(sql))]


#: How SQLite fetches a row by its primary key.
SQLITE_BY_ID = "SEARCH task USING INDEX sqlite_autoindex_task_1 (id=?)"


def sqlite_problems(statement: sa.Select, index: str) -> list[str]:
    lines = sqlite_plan(statement)
    problems = []
    # The page's rows, fetched by primary key once the ranges have given their ids.
    by_id = [
        line
        for before, line in zip(lines, lines[1:], strict=False)
        if before == "SCAN page" and line == SQLITE_BY_ID
    ]
    reads = [line for line in lines if line.startswith(("SCAN task ", "SEARCH task "))]
    if not reads:
        problems.append("the plan does not read task")
    for line in reads[: len(reads) - len(by_id)]:
        if not line.startswith(f"SEARCH task USING INDEX {index} (") and not line.startswith(
            f"SEARCH task USING COVERING INDEX {index} ("
        ):
            problems.append(f"reads task otherwise than by {index}: {line}")
    for before, line in zip(lines, lines[1:], strict=False):
        # Sorting what one status range gave (at most a page: "SCAN status_N") merges the
        # ranges; any other sort is a sort of every match.
        if line.startswith("USE TEMP B-TREE") and not before.startswith(
            ("SCAN status_", SQLITE_BY_ID)
        ):
            problems.append(f"sorts the matches: {before} / {line}")
    return problems


def postgres_problems(statement: sa.Select, index: str) -> list[str]:
    with db.session.begin_nested():
        # A test table is small enough for scanning all of it to look cheapest; what a
        # large one gets is what remains with those ways off.
        off = ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_hashjoin")
        for setting in (*off, "enable_mergejoin"):
            db.session.execute(sa.text(f"SET LOCAL {setting} = off"))
        plan = db.session.execute(sa.text("EXPLAIN (FORMAT JSON) " + compiled(statement))).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    nodes = list(walk(plan[0]["Plan"]))
    problems = []
    # The page's rows, fetched by primary key for the ids the ranges gave.
    by_id = [
        node["Plans"][1]
        for node in nodes
        if node["Node Type"] == "Nested Loop" and fetches_a_page_by_id(node)
    ]
    reads = [n for n in nodes if n.get("Relation Name") == "task" and n not in by_id]
    if not reads:
        problems.append("the plan does not read task")
    for node in reads:
        if (
            node["Node Type"] not in ("Index Scan", "Index Only Scan")
            or node.get("Index Name") != index
        ):
            problems.append(f"reads task by {node['Node Type']} {node.get('Index Name', '')}")
    for node in nodes:
        # Sorting what the status ranges gave (each cut at a page by its Limit) merges
        # them; a sort over anything else sorts every match.
        if node["Node Type"] in ("Sort", "Incremental Sort") and not all(
            bounded(child) for child in node.get("Plans", [])
        ):
            problems.append(f"sorts: {node.get('Sort Key')}")
    return problems


def bounded(node: dict) -> bool:
    """Whether every row under `node` comes through a Limit (at most a page per range)."""
    if node["Node Type"] == "Limit":
        return True
    if node["Node Type"] == "Nested Loop":
        return fetches_a_page_by_id(node)
    merging = ("Append", "Merge Append", "Subquery Scan", "Result")
    return node["Node Type"] in merging and all(bounded(c) for c in node.get("Plans", []))


def fetches_a_page_by_id(loop: dict) -> bool:
    """Whether a nested loop looks up, by primary key, each row of a bounded page."""
    outer, inner = loop["Plans"]
    return (
        bounded(outer)
        and inner["Node Type"] == "Index Scan"
        and inner.get("Relation Name") == "task"
        and inner.get("Index Name") == "task_pkey"
    )


def walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


@pytest.mark.parametrize(("case", "make_filters", "index"), CASES, ids=[c[0] for c in CASES])
def test_each_list_reads_its_index_in_order(ids, case, make_filters, index):
    assert plan_problems(statement_for(ids, make_filters(ids)), index) == []


def test_sqlite_merges_the_status_ranges_as_it_reads_them(ids):
    """SQLite reads the ranges of several statuses as one ordered merge that stops after a
    page (about a page of rows in all), not a page from each range sorted afterwards."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL cuts each range at a page (see list_statement)")
    lines = sqlite_plan(statement_for(ids, TaskFilters(statuses=TO_DO)))
    assert "MERGE (UNION ALL)" in lines, lines
    assert not any(line.startswith("SCAN status_") for line in lines), lines


def test_the_next_page_starts_inside_the_index_range(ids, actor_for):
    actor = actor_for(ids)
    page = tasks.list_tasks(actor, TaskFilters(statuses=TO_DO), limit=5, now=NOW)
    assert page.next_cursor
    statement = statement_for(ids, TaskFilters(statuses=TO_DO), cursor=page.next_cursor)
    assert plan_problems(statement, "ix_task_list") == []
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(
            row[-1]
            for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + compiled(statement)))
        )
        assert "(due_sort,created_date,id)>(?,?,?)" in plan.replace(" ", "")


def _read_ahead(ids, filters: TaskFilters) -> tuple[sa.Select, list[str]]:
    """The page statement of `filters`, and the plan of what `_matched` read ahead while
    it was built (the matches in list order): SQLite's plan lines, or the index names in
    PostgreSQL's (its tiny table's planner told to keep off sequential scans)."""
    db.session.info.pop(tasks._TITLE_CANDIDATES, None)
    ran: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        ran.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = statement_for(ids, filters)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    (ahead, parameters), *_more = [(sql, params) for sql, params in ran if "ORDER BY" in sql]
    assert not _more, _more
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + ahead, parameters)
        return page, [row[-1] for row in plan]
    with db.session.begin_nested():
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        found = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + ahead, parameters).scalar()
    found = json.loads(found) if isinstance(found, str) else found
    return page, sorted({str(n.get("Index Name")) for n in walk(found[0]["Plan"])})


def test_a_title_search_with_few_matches_starts_from_the_trigram_index(ids, monkeypatch):
    """The few matches are read ahead in list order from the trigram index (on SQLite, the
    candidates it gave once for the session, `_title_candidates`, read by rowid); the
    first page then reads its own rows by key, searching the index no more."""
    monkeypatch.setattr(tasks, "_MATCHED", weakref.WeakKeyDictionary())
    page, ahead = _read_ahead(ids, TaskFilters(q="hans müller 1"))
    if db.engine.dialect.name == "sqlite":
        assert not any("task_title_fts" in line for line in ahead), ahead
        reads = [line for line in ahead if line.startswith(("SCAN task ", "SEARCH task "))]
        assert reads == ["SEARCH task USING INTEGER PRIMARY KEY (rowid=?)"], ahead
        lines = sqlite_plan(page)
        reads = [line for line in lines if line.startswith(("SCAN task ", "SEARCH task "))]
        assert reads == ["SEARCH task USING INTEGER PRIMARY KEY (rowid=?)"], lines
    else:
        assert "ix_task_title_trgm" in ahead, ahead
        with db.session.begin_nested():
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = db.session.execute(sa.text("EXPLAIN (FORMAT JSON) " + compiled(page))).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        used = {n.get("Index Name") for n in walk(plan[0]["Plan"])}
        assert used - {None} == {"task_pkey"}, used


@pytest.fixture
def actor_for():
    def make(ids):
        return accounts.Actor(
            workspace_id=ids["workspace"],
            scopes=frozenset({accounts.READ, accounts.WRITE}),
            user_id=ids["user"],
        )

    return make


@pytest.mark.parametrize(
    ("dropped", "case"),
    [
        ("ix_task_list_contact", 13),
        ("ix_task_list", 0),
        ("ix_task_list_assignee", 10),
        *[
            (f"ix_task_list_{link.removesuffix('_id')}_assignee", CASE_NAMES.index(case))
            for link in LINKS
            for case in (f"{link}, mine, to do", f"{link}, unassigned")
        ],
    ],
)
def test_without_its_index_a_list_plan_fails_the_check(ids, dropped, case):
    """The checks above can fail: drop the index one of them needs and they do."""
    _name, make_filters, index = CASES[case]
    assert index == dropped
    statement = statement_for(ids, make_filters(ids))
    assert plan_problems(statement, index) == []
    target = next(i for i in Task.__table__.indexes if i.name == dropped)
    db.session.commit()
    with db.engine.begin() as connection:
        target.drop(connection)
    try:
        db.session.expire_all()
        problems = plan_problems(statement, index)
        assert problems != []
    finally:
        db.session.rollback()
        with db.engine.begin() as connection:
            target.create(connection)


def _task_schema() -> list[tuple]:
    return db.session.execute(
        sa.text(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'task'"
            " AND type IN ('index', 'trigger') ORDER BY type, name"
        )
    ).all()


def _bulk_rows(workspace_id, contact_id, count: int, fail_at: int | None = None):
    for n in range(count):
        if n == fail_at:
            raise RuntimeError("the producer failed half-way")
        yield {
            "workspace_id": workspace_id,
            "title": f"Bulk Ärger {n}",
            "status": "open",
            "contact_id": contact_id,
            "created_date": NOW,
            "updated_at": NOW,
        }


#: Rows prepared in this process, or in a forked child while this one writes.
PIPELINE_MINS = pytest.mark.parametrize("pipeline_min", [10**9, 10], ids=["inline", "pipelined"])


@PIPELINE_MINS
def test_a_large_sqlite_load_rebuilds_indexes_and_title_search_as_they_were(
    ids, actor_for, monkeypatch, pipeline_min
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the index rebuild is SQLite's bulk path")
    monkeypatch.setattr(tasks, "BULK_REBUILD_MIN", 10)
    monkeypatch.setattr(tasks, "PIPELINE_MIN", pipeline_min)
    before = _task_schema()
    # Several batches: each batch's titles go into the title index as it is written.
    rows = _bulk_rows(ids["workspace"], ids["contact_id"], 500)
    tasks.insert_many_tasks(rows, expected=500, chunk_size=64)
    db.session.commit()
    assert _task_schema() == before
    db.session.execute(
        sa.text("INSERT INTO task_title_fts(task_title_fts, rank) VALUES ('integrity-check', 1)")
    )
    # The index merges its segments as often as before the load.
    automerge = "SELECT v FROM task_title_fts_config WHERE k = 'automerge'"
    assert db.session.scalar(sa.text(automerge)) == tasks.FTS5_DEFAULT_AUTOMERGE
    actor = actor_for(ids)
    found = tasks.list_tasks(actor, TaskFilters(q="arger 49"), limit=200, now=NOW)
    assert sorted(t.title for t in found.items) == [
        "Bulk Ärger 49",
        *(f"Bulk Ärger {n}" for n in range(490, 500)),
    ]
    # The triggers are back: a task written afterwards is found too.
    created = tasks.create_task(
        actor, {"title": "Später Ärger", "contact_id": str(ids["contact_id"])}
    )
    assert [t.id for t in tasks.list_tasks(actor, TaskFilters(q="spater"), now=NOW).items] == [
        created.task.id
    ]
    assert plan_problems(statement_for(ids, TaskFilters(statuses=TO_DO)), "ix_task_list") == []


@PIPELINE_MINS
def test_a_failed_sqlite_load_leaves_indexes_and_triggers_in_place(ids, monkeypatch, pipeline_min):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the index rebuild is SQLite's bulk path")
    monkeypatch.setattr(tasks, "BULK_REBUILD_MIN", 10)
    monkeypatch.setattr(tasks, "PIPELINE_MIN", pipeline_min)
    before = _task_schema()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Task))
    with pytest.raises(RuntimeError):
        tasks.insert_many_tasks(
            _bulk_rows(ids["workspace"], ids["contact_id"], 500, fail_at=300), expected=500
        )
    db.session.rollback()
    assert _task_schema() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == count


def test_the_navigation_badge_reads_one_range_of_the_assignee_index(ids):
    """The badge on every page counts my tasks due by today from an index range, capped."""
    statement = tasks.due_by_today_statement(ids["workspace"], ids["user"], NOW.date())
    assert plan_problems(statement, "ix_task_list_assignee") == []
    assert f"LIMIT {tasks.COUNT_CAP + 1}" in compiled(statement)


@pytest.mark.parametrize("after", [False, True], ids=["from the start", "after a page"])
def test_each_heading_count_of_my_tasks_reads_one_bounded_range(ids, after):
    """The grouped list's headings: a capped count per heading, each an index range; a
    heading counted on from a page's end enters the same range at the page's last row."""
    filters = TaskFilters(statuses=TO_DO, assignee_id=ids["user"])
    statement = tasks.due_group_counts_statement(ids["workspace"], filters, NOW, UTC, after=after)
    limit = tasks.COUNT_CAP + 1
    if after:
        limit = 60
        last = {"after_due_sort": 0, "after_created_date": NOW, "after_id": uuid.UUID(int=0)}
        statement = statement.params(**last, count_limit=limit)
    problems = plan_problems(statement, "ix_task_list_assignee")
    # PostgreSQL may read a heading from the status index instead, the assignee as a filter:
    # still an index range (no sort, no sequential scan), cut at the cap by its LIMIT.
    by_status_index = {f"reads task by {scan} ix_task_list" for scan in SCANS}
    if db.engine.dialect.name == "postgresql":
        problems = [problem for problem in problems if problem not in by_status_index]
    assert problems == []
    assert compiled(statement).count(f"LIMIT {limit}") == len(tasks.DUE_GROUPS)


@PIPELINE_MINS
def test_bulk_rows_are_stored_alike_whichever_process_prepares_them(ids, monkeypatch, pipeline_min):
    monkeypatch.setattr(tasks, "PIPELINE_MIN", pipeline_min)
    rows = list(_bulk_rows(ids["workspace"], ids["contact_id"], 300))
    version = task_versions.current_version(ids["workspace"])
    assert tasks.insert_many_tasks(iter(rows), expected=300, chunk_size=64) == 300
    db.session.commit()
    # Open lists (and searches kept under the version) learn of rows written without the ORM.
    assert task_versions.current_version(ids["workspace"]) > version
    stored = db.session.execute(
        sa.select(Task.title, Task.title_folded, Task.status, Task.contact_id, Task.due_sort).where(
            Task.title.like("Bulk %")
        )
    ).all()
    assert sorted(stored) == sorted(
        ("Bulk Ärger " + str(n), "bulk arger " + str(n), "open", ids["contact_id"], stored[0][4])
        for n in range(300)
    )


@pytest.mark.parametrize("link", LINKS)
def test_the_heading_counts_of_my_tasks_for_a_record_read_the_links_index(ids, link):
    """`/tasks?company_id=…` on My tasks: each heading a capped range of the link's index."""
    for filters in (
        TaskFilters(statuses=TO_DO, assignee_id=ids["user"], **{link: ids[link]}),
        TaskFilters(statuses=TO_DO, unassigned=True, **{link: ids[link]}),
    ):
        statement = tasks.due_group_counts_statement(ids["workspace"], filters, NOW, UTC)
        kind = link.removesuffix("_id")
        problems = plan_problems(statement, f"ix_task_list_{kind}_assignee")
        if db.engine.dialect.name == "postgresql":
            # Its planner may take a heading from the link's index without the assignee (the
            # record's range, the assignee checked on each row): still a bounded range.
            problems = [
                problem
                for problem in problems
                if problem not in {f"reads task by {scan} ix_task_list_{kind}" for scan in SCANS}
            ]
        assert problems == []


def _title_index_reads(statement) -> int:
    """How many times `statement` searches the title index: SQLite's plan of it, or (the
    planner of a tiny PostgreSQL table rightly preferring other ways) the conditions the
    trigram index answers in its text."""
    if db.engine.dialect.name == "sqlite":
        return sum("task_title_fts VIRTUAL TABLE" in line for line in sqlite_plan(statement))
    return compiled(statement).count("task.title_folded LIKE ")


def test_a_title_search_with_few_matches_searches_the_title_index_once_per_statement(ids):
    """A title with few matches: the tasks meeting the search and the filters are read
    once for the page and its heading counts, before either (`_matched`), not once per
    status range and once per heading; neither statement searches the title index."""
    for filters in (
        TaskFilters(q="hans müller 1"),
        TaskFilters(statuses=TO_DO, assignee_id=ids["user"], q="hans müller 1"),
    ):
        page = statement_for(ids, filters)
        counts = tasks.due_group_counts_statement(ids["workspace"], filters, NOW, UTC)
        assert _title_index_reads(page) == 0
        assert _title_index_reads(counts) == 0


def test_a_postgres_title_search_with_many_matches_walks_the_list_in_order(ids, monkeypatch):
    """When PostgreSQL expects many matches, the title test is one the trigram index cannot
    answer, so each status range and heading walks its list index in order."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite counts the matches instead (tested through the service)")
    filters = TaskFilters(statuses=TO_DO, assignee_id=ids["user"], q="call hans")
    # Few: read ahead (`_matched`), so the page reads them by id, not the title index.
    assert _title_index_reads(statement_for(ids, TaskFilters(q="call hans"))) == 0
    monkeypatch.setattr(tasks, "FEW_TITLE_MATCHES", 0)
    monkeypatch.setattr(tasks, "SOME_TITLE_MATCHES", 0)
    assert plan_problems(statement_for(ids, filters), "ix_task_list_assignee") == []
    counts = tasks.due_group_counts_statement(ids["workspace"], filters, NOW, UTC)
    assert _title_index_reads(counts) == 0


def test_a_postgres_estimate_near_the_few_matches_bound_is_replaced_by_a_count(ids, monkeypatch):
    """PostgreSQL's estimate of a title's matches picks the way to a page when it is far
    from FEW_TITLE_MATCHES; near it the matches are counted (up to that bound), so a page
    does not take the slower way because ANALYZE sampled the table one way or another."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite counts the candidates always")
    monkeypatch.setattr(tasks, "FEW_TITLE_MATCHES", 20)
    monkeypatch.setattr(tasks, "_TITLE_STATS", weakref.WeakKeyDictionary())
    monkeypatch.setattr(tasks, "_planned_rows", lambda condition: 30.0)  # near 20: unsure
    assert tasks._title_search("hans müller 12").drive  # 11 titles
    assert not tasks._title_search("hans müller 1").drive  # 111 titles
    monkeypatch.setattr(tasks, "_planned_rows", lambda condition: 5.0)  # far below: trusted
    assert tasks._title_search("hans müller 3").drive  # 111 titles, not counted
