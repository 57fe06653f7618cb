"""A page per contact, company, deal and event: the record, its tasks, and "New task"."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, render_template, url_for

from app import kinds
from app.services import search
from app.services import tasks as task_service
from app.services.accounts import READ
from app.services.tasks import TaskFilters
from app.web import bp
from app.web.helpers import current_actor
from app.web.rows import row_context

#: How many of a record's tasks its page lists; the task list shows the rest.
RECORD_TASKS = 50


def record_page(kind: str, record_id: uuid.UUID):
    """The record of the signed-in user's workspace, or 404 (also for another workspace's)."""
    actor = current_actor()
    actor.require(READ)
    record = search.get_record(kind, actor.workspace_id, record_id)
    if record is None:
        abort(404)
    # The record's link as keyword arguments (`contact_id=…`), for the filters and the URLs.
    link: dict[str, Any] = {kinds.BY_KEY[kind].id_field: record.id}
    page = task_service.list_tasks(actor, TaskFilters(**link), limit=RECORD_TASKS, with_links=True)
    return render_template(
        "records/show.html",
        kind=kind,
        record=record,
        tasks=page.items,
        more_url=url_for("web.task_list", status="all", **link) if page.next_cursor else None,
        list_url=url_for("web.task_list", **link),
        new_task_url=url_for("web.task_new", **link),
        **row_context(links=page.links),
    )


def _page_of(kind: str):
    def page(record_id: uuid.UUID):
        return record_page(kind, record_id)

    return page


# /contacts/<id>, /companies/<id>, …: one page per kind of record (app/kinds.py), each with
# its endpoint `web.<kind>_page`.
for _kind in kinds.KINDS:
    bp.add_url_rule(
        f"/{_kind.segment}/<uuid:record_id>",
        endpoint=f"{_kind.key}_page",
        view_func=_page_of(_kind.key),
        methods=["GET"],
    )
del _kind
