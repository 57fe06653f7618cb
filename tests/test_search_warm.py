"""Search indexes built when a worker starts (app/services/search_warm.py, gunicorn.conf.py)."""

from __future__ import annotations

import json
import time

import pytest

from app.extensions import db
from app.services import records, search_index
from app.services.search import search
from app.services.search_warm import warm
from tests.live import LiveServer, prepare_database
from tests.live_databases import fresh_database


@pytest.fixture
def two_workspaces(workspace, other_workspace):
    for first in ("Hans", "Hanna", "Jürgen"):
        records.add_contact(workspace.id, first, "Müller")
    records.add_contact(other_workspace.id, "Anna", "Schmidt")
    records.add_company(workspace.id, "Müller Logistik GmbH")
    records.add_company(workspace.id, "Nordlicht Software AG")
    db.session.commit()
    # warm() ends its session (a worker starts with none): keep the ids, not the rows.
    return workspace.id, other_workspace.id


def test_warm_builds_the_largest_workspaces_and_kinds_first(app, two_workspaces):
    workspace, _other = two_workspaces
    warmed = warm(min_records=2)
    assert [(w.workspace_id, w.kind, w.records) for w in warmed] == [
        (workspace, "contact", 3),
        (workspace, "company", 2),
    ]
    held = search_index.indexes().held()
    assert sorted(held, key=str) == sorted(
        [(workspace, "contact"), (workspace, "company")], key=str
    )


def test_the_first_search_after_warming_uses_the_warm_index(app, two_workspaces):
    workspace, _other = two_workspaces
    warm(min_records=1)
    built = search_index.indexes().snapshot(workspace, "contact")
    assert built is not None
    assert [h.label for h in search("contact", workspace, "jurgen")] == ["Jürgen Müller"]
    assert search_index.indexes().snapshot(workspace, "contact") is built


def test_warm_builds_no_more_than_the_app_keeps(app, two_workspaces):
    app.config["SEARCH_INDEX_MAX_INDEXES"] = 1
    search_index.indexes().clear()
    app.extensions.pop("search_index", None)
    warmed = warm(min_records=1)
    assert [(w.kind, w.records) for w in warmed] == [("contact", 3)]


def test_warm_is_off_at_zero_and_skips_small_workspaces(app, two_workspaces):
    assert warm(min_records=0) == []
    assert warm(min_records=4) == []
    app.config["SEARCH_INDEX_WARM"] = 0
    assert warm() == []
    assert search_index.indexes().held() == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_gunicorn_worker_warms_its_indexes_before_its_first_request(backend, tmp_path):
    """gunicorn reads gunicorn.conf.py from the project directory: the worker logs what it
    built before /healthz answers."""
    with fresh_database(backend, tmp_path) as url:
        facts = prepare_database(url)
        log = tmp_path / "gunicorn.log"
        server = LiveServer(url, workers=1, env={"SEARCH_INDEX_WARM": "1"}).start(log)
        try:
            deadline = time.monotonic() + 10
            lines: list[dict] = []
            while not lines and time.monotonic() < deadline:
                lines = [
                    json.loads(line)
                    for line in log.read_text().splitlines()
                    if '"search_index_warm"' in line
                ]
                time.sleep(0.1)
        finally:
            server.stop()
    assert len(lines) == 1
    built = {(i["workspace_id"], i["kind"], i["records"]) for i in lines[0]["indexes"]}
    assert (str(facts["workspace_id"]), "contact", 1) in built


def test_a_gunicorn_worker_freezes_what_it_holds_before_its_first_request(tmp_path):
    """After warming, the worker moves everything it holds out of the cycle collector's
    reach (gunicorn.conf.py), so full collections no longer walk the app and its indexes."""
    with fresh_database("sqlite", tmp_path) as url:
        prepare_database(url)
        log = tmp_path / "gunicorn.log"
        server = LiveServer(url, workers=1, env={"SEARCH_INDEX_WARM": "1"}).start(log)
        server.stop()
    lines = [json.loads(line) for line in log.read_text().splitlines() if '"heap_frozen"' in line]
    assert len(lines) == 1
    # The app, its modules and SQLAlchemy alone are far more than this many objects.
    assert lines[0]["objects"] > 50_000
