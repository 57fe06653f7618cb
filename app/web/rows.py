"""A task's row (templates/tasks/_row.html): what it needs besides the task, computed once
per page rather than once per row.

The task list shows 50 rows, a record page up to 50, and every in-place action answers
with one. Each row has about twenty words, a dozen URLs and a form; looking each up per
row (a translation, `url_for`, `csrf_token()`) cost more than all the rest of the page.
So the words are translated once per page (`ROW_TEXTS`), each URL is built once per page
with a stand-in id that each row replaces with its own (`RowUrls`), and the CSRF token
and the menus' choices are read once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask import url_for
from flask_wtf.csrf import generate_csrf

from app import kinds
from app.i18n import lazy_gettext as _l
from app.i18n import quoted
from app.models import Task, User
from app.services import accounts, dates, schedule, snooze
from app.services import tasks as task_service
from app.vocabulary import TaskPriority
from app.web.helpers import current_actor, page_url

#: The snooze menu's words for `snooze.SNOOZE_CHOICES` ("date" has its own date field).
SNOOZE_LABELS = {
    "later_today": _l("Later today"),
    "tomorrow": _l("Tomorrow"),
    "next_monday": _l("Next Monday"),
    "next_week": _l("Next week"),
    "date": _l("Pick a date…"),
}
#: The row menu's priorities, most urgent first, then none.
PRIORITY_CHOICES = (*reversed(TaskPriority.pairs()), ("", _l("No priority")))

#: The row's words. `%(title)s` and the like are filled in per row (and the whole escaped).
ROW_TEXTS = {
    "select": _l("Select “%(title)s”"),
    "reopen": _l("Reopen"),
    "reopen_title": _l("Reopen “%(title)s”"),
    "complete": _l("Mark complete"),
    "complete_title": _l("Complete “%(title)s”"),
    "overdue": _l("Overdue"),
    "due_today": _l("Due today"),
    "due": _l("Due"),
    "no_due_date": _l("No due date"),
    "priority": _l("Priority"),
    "repeats": _l("Repeats"),
    "deleted": _l("Deleted %(moment)s"),
    "contact": _l("Contact:"),
    "company": _l("Company:"),
    "deal": _l("Deal:"),
    "event": _l("Event:"),
    "assigned_to": _l("Assigned to %(name)s"),
    "unassigned": _l("Unassigned"),
    "restore": _l("Restore"),
    "start": _l("Start"),
    "snooze": _l("Snooze"),
    "pick_date": SNOOZE_LABELS["date"],
    "to_this_date": _l("to this date"),
    "assign": _l("Assign"),
    "to_me": _l("To me"),
    "nobody": _l("Nobody"),
    "priority_of": _l("of “%(title)s”"),
    "edit": _l("Edit"),
    "delete": _l("Delete"),
}

#: The id each row URL is built with once per page; each row puts its own in its place.
STAND_IN_ID = uuid.UUID(int=0)
_STAND_IN = str(STAND_IN_ID)
#: The row's actions and the endpoints that take them (`web.task_<action>`).
ROW_ACTIONS = ("complete", "reopen", "start", "snooze", "assign", "priority", "delete", "restore")


@dataclass(frozen=True, slots=True)
class RowUrls:
    """One row's id and URLs: its actions', its edit page's, and its linked records'."""

    id: str
    edit: str
    complete: str
    reopen: str
    start: str
    snooze: str
    assign: str
    priority: str
    delete: str
    restore: str
    #: The page of each linked record, by kind ("contact": "/contacts/<id>"); linked only.
    records: dict[str, str]


class RowUrlBuilder:
    """Builds `RowUrls` for any task from URLs built once, with `STAND_IN_ID`, by `url_for`.

    The stand-in is replaced once, in the path (a query such as the edit page's `next` comes
    after it and keeps whatever it says), so the routes stay the one place that says them.
    """

    def __init__(self, return_to: str) -> None:
        self.edit = url_for("web.task_edit", task_id=STAND_IN_ID, next=return_to)
        self.actions = {
            action: url_for(f"web.task_{action}", task_id=STAND_IN_ID) for action in ROW_ACTIONS
        }
        self.records = {
            kind.key: (kind.id_field, url_for(f"web.{kind.key}_page", record_id=STAND_IN_ID))
            for kind in kinds.KINDS
        }

    def __call__(self, task: Task) -> RowUrls:
        task_id = str(task.id)
        actions = {name: url.replace(_STAND_IN, task_id, 1) for name, url in self.actions.items()}
        records = {
            key: url.replace(_STAND_IN, str(record_id), 1)
            for key, (id_field, url) in self.records.items()
            if (record_id := getattr(task, id_field)) is not None
        }
        return RowUrls(
            id=task_id, edit=self.edit.replace(_STAND_IN, task_id, 1), records=records, **actions
        )


def row_context(users: list[User] | None = None) -> dict[str, Any]:
    """What the row partial needs besides the task: the clock, the zone, the page's URL,
    the snooze choices each task allows, the people tasks can be assigned to (`users`,
    when the page has them already), and the row's words, URLs and CSRF token (see the
    module's docstring)."""
    actor = current_actor()
    tz = task_service.actor_zone(actor)
    now = dates.now()
    return_to = page_url()
    if users is None:
        users = accounts.assignable_users(actor)
    snooze_words = {choice: str(label) for choice, label in SNOOZE_LABELS.items()}
    return {
        "due_state": lambda task: schedule.due_state(task, now, tz),
        "snooze_choices": lambda task: [
            (choice, snooze_words[choice])
            for choice in snooze.available_choices(task, now, tz)
            if choice != "date"
        ],
        "today": now.astimezone(tz).date(),
        "tz": tz,
        "return_to": return_to,
        # Rows of the task list take part in its bulk selection; a record page's do not.
        "bulk_selection": urlsplit(return_to).path == url_for("web.task_list"),
        "suggested_task_types": task_service.SUGGESTED_TASK_TYPES,
        "assignable_users": users,
        # The assign menu's people after "To me" (the signed-in user).
        "other_assignees": [user for user in users if user.id != actor.user_id],
        "priority_choices": [(value, str(label)) for value, label in PRIORITY_CHOICES],
        "row_texts": SimpleNamespace(
            **{name: str(text) for name, text in ROW_TEXTS.items()}, quoted=quoted("%(title)s")
        ),
        "row_urls": RowUrlBuilder(return_to),
        "row_csrf_token": generate_csrf(),
    }
