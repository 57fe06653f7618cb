"""Every part that maps a kind of record covers every kind of `app.kinds.KINDS`.

Adding a kind is one entry in app/kinds.py plus its model (docs/decisions.md, "Kinds of
record"); these tests name each consumer, so a consumer left behind fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import url_for

from app import kinds
from app.api.openapi import build_document
from app.api.serializers import task_json
from app.api.tasks import LIST_PARAMETERS
from app.extensions import db
from app.models import TASK_PARENT_LINKS, Task
from app.services import quick_add, records, references, search, search_index
from app.services import tasks as task_service
from app.services.tasks import TaskFilters
from app.web.forms import LINKS, TaskForm
from app.web.search import SEARCH_KINDS
from app.web.tasks import ERROR_SLOTS, FIELD_LABELS, SLOT_INPUTS
from tests.web_helpers import login_as

#: A record of each kind, made the way the app makes them.
MAKERS = {
    "contact": lambda ws: records.add_contact(ws, "Kira", "Kindred"),
    "company": lambda ws: records.add_company(ws, "Kindred Works"),
    "deal": lambda ws: records.add_deal(ws, "Kindred renewal", "proposal"),
    "event": lambda ws: records.add_event(ws, "Kindred fair", datetime(2030, 1, 1, tzinfo=UTC)),
}
EVERY_KIND = pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.key)


def test_the_registry_is_consistent():
    keys = [k.key for k in kinds.KINDS]
    assert len(set(keys)) == len(keys)
    assert len({k.segment for k in kinds.KINDS}) == len(keys)
    assert len({k.model for k in kinds.KINDS}) == len(keys)
    assert set(MAKERS) == set(keys), "a new kind needs a maker in this test"


@EVERY_KIND
def test_the_services_cover_every_kind(kind):
    assert references.MODELS[kind.key] is kind.model
    assert search.MODELS[kind.key] is kind.model
    assert search_index.MODELS[kind.key] is kind.model
    assert search_index.KIND_OF[kind.model] == kind.key
    assert task_service.LINK_MODELS[kind.id_field] is kind.model
    assert kind.id_field in TASK_PARENT_LINKS, "the parent-link CHECK names every link column"
    assert set(kind.payload_fields) <= task_service.CREATE_FIELDS
    assert set(kind.payload_fields) <= task_service.UPDATE_FIELDS
    assert kind.key in task_service.ROW_LINKS
    assert hasattr(Task, kind.key) and hasattr(Task, kind.id_field)
    assert hasattr(TaskFilters(), kind.id_field)
    assert kind.key in quick_add.RECORD_KINDS


@EVERY_KIND
def test_the_api_covers_every_kind(app, kind):
    assert kind.id_field in LIST_PARAMETERS
    assert kind.id_field in task_json(Task(title="t"))
    schemas = build_document()["components"]["schemas"]
    assert kind.id_field in schemas["Task"]["properties"]
    assert set(kind.payload_fields) <= set(schemas["TaskCreate"]["properties"])


@EVERY_KIND
def test_the_form_covers_every_kind(app, kind):
    with app.test_request_context():
        form = TaskForm(meta={"csrf": False})
        assert kind.id_field in form and kind.text_field in form
        assert str(form[kind.text_field].label.text) == str(kind.label)
    assert (kind.key, kind.id_field, kind.text_field, kind.segment) in LINKS
    assert all(FIELD_LABELS[name] == kind.label for name in kind.payload_fields)
    assert all(ERROR_SLOTS[name] == kind.key for name in kind.payload_fields)
    assert SLOT_INPUTS[kind.key] == kind.text_field


@EVERY_KIND
def test_every_kind_has_a_record_page_and_a_search_endpoint(client, workspace, member, kind):
    record = MAKERS[kind.key](workspace.id)
    db.session.commit()
    login_as(client, member)
    with client.application.test_request_context():
        url = url_for(kind.page_endpoint, record_id=record.id)
    assert url == f"/{kind.segment}/{record.id}"
    page = client.get(url)
    assert page.status_code == 200
    assert record.display_name in page.get_data(as_text=True)
    assert SEARCH_KINDS[kind.segment] == kind.key
    found = client.get(f"/search/{kind.segment}?q=kindred")
    assert found.status_code == 200
    assert record.display_name in found.get_data(as_text=True)


@EVERY_KIND
def test_a_task_links_to_every_kind_through_the_service(workspace, actor, kind):
    record = MAKERS[kind.key](workspace.id)
    db.session.commit()
    task = task_service.create_task(actor, {"title": "Follow up", kind.id_field: str(record.id)})
    assert getattr(task.task, kind.id_field) == record.id
    page = task_service.list_tasks(actor, TaskFilters(statuses=None, **{kind.id_field: record.id}))
    assert [t.id for t in page.items] == [task.task.id]
