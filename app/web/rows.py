"""A task's row (templates/tasks/_row.html): what it needs besides the task, computed once
per page rather than once per row.

The task list shows 50 rows, a record page up to 50, and every in-place action answers
with one. Each row has about twenty words, a dozen URLs and a form; looking each up per
row (a translation, `url_for`, `csrf_token()`) cost more than all the rest of the page.
So the words are translated once per page (`ROW_TEXTS`), each URL is built once per page
with a stand-in id that each row replaces with its own (`RowUrls`), and the CSRF token
and the menus' choices are read once.

Even so, rendering a row cost about 0.17 ms, most of a full page's time. So each process
keeps the rows it rendered (`RowCache`, `ROWS_KEPT` of them) under a key holding every
input of the row's HTML, and shows a kept row again instead of rendering it (`render_row`,
docs/tasks.md "Rendered rows").
"""

from __future__ import annotations

import operator
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from jinja2 import Template, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app import kinds
from app.i18n import lazy_gettext as _l
from app.i18n import quoted
from app.models import Task, User
from app.services import accounts, dates, schedule, snooze
from app.services import tasks as task_service
from app.services.tasks import LinkNames
from app.vocabulary import TaskPriority
from app.web.helpers import current_actor, page_url, workspace_zone

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


#: How many rendered rows each process keeps. A row is 5–6 KB, so about 24 MB at most:
#: every row of the pages some dozens of people look at in a day.
ROWS_KEPT = 4_000
#: One task's row, the template `render_row` renders (and keeps).
ROW_TEMPLATE = "tasks/_row.html"
#: What a kept row holds where the page's CSRF token goes (the token differs per session and
#: over time). Random per process, so no title or name can contain it.
_STAND_IN_TOKEN = f"row-csrf-{secrets.token_hex(16)}"
#: What ROW_TEMPLATE reads besides `task` and `row_csrf_token` (and the environment's
#: filters and globals), all from `row_context`: a row is rendered with these alone, so
#: something new the template reads is undefined there until it is listed here and in
#: `_page_key`. Passing these, not the whole page's context, also spares each row a copy
#: of every variable of the page.
ROW_INPUTS = (
    "row_texts",
    "row_urls",
    "due_state",
    "snooze_choices",
    "today",
    "tz",
    "can_write",
    "bulk_selection",
    "return_to",
    "my_id",
    "other_assignees",
    "priority_choices",
)


class RowCache:
    """Rendered rows by key, the least recently shown dropped beyond `size` rows. A row is
    kept as the parts between its CSRF tokens (`render_row` joins them with the page's).

    One per app (`row_cache`), so per process under gunicorn. A lock guards each operation:
    a sync worker answers one request at a time, but tests and threaded servers need not.
    """

    def __init__(self, size: int = ROWS_KEPT) -> None:
        self.size = size
        self._rows: OrderedDict[Hashable, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: Hashable) -> tuple[str, ...] | None:
        with self._lock:
            row = self._rows.get(key)
            if row is not None:
                self._rows.move_to_end(key)
            return row

    def put(self, key: Hashable, row: tuple[str, ...]) -> None:
        with self._lock:
            self._rows[key] = row
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


def row_cache() -> RowCache:
    """This app's kept rows (an app of its own per test: they never share rows)."""
    return current_app.extensions.setdefault("task_rows", RowCache())


class _PageKey:
    """The part of the rows' key that is the same for every row of a page: hashed once."""

    __slots__ = ("_hash", "value")

    def __init__(self, value: tuple) -> None:
        self.value = value
        self._hash = hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _PageKey) and self._hash == other._hash and self.value == other.value
        )


@cache
def _column_readers() -> tuple[Callable[[Any], tuple], Callable[[Any], tuple]]:
    """Two readers of every column of a task, as one tuple (the mapper's columns, so a
    column added later is part of the key without anyone remembering to add it): from the
    instance's dict, where SQLAlchemy keeps each loaded attribute's current value, and
    through the attributes, which load an expired one."""
    names = [column.key for column in Task.__mapper__.column_attrs]
    return operator.itemgetter(*names), operator.attrgetter(*names)


def task_columns(task: Task) -> tuple:
    """The values of every column of `task`, loading any that are not loaded."""
    loaded, through_attributes = _column_readers()
    try:
        return loaded(task.__dict__)
    except KeyError:  # expired by a commit, or never loaded
        return through_attributes(task)


def _page_key(context: Context, template: Template) -> _PageKey:
    """What every row of the page depends on besides its task (see `render_row`)."""
    urls: RowUrlBuilder = context["row_urls"]
    return _PageKey(
        (
            # The template itself: one edited while the server runs (auto-reload) is new.
            template,
            str(get_locale()),
            context["tz"],
            workspace_zone(),
            context["today"],
            context["can_write"],
            context["bulk_selection"],
            context["return_to"],
            context["my_id"],
            tuple((user.id, user.name) for user in context["other_assignees"]),
            tuple(context["priority_choices"]),
            tuple(vars(context["row_texts"]).items()),
            urls.edit,
            tuple(urls.actions.items()),
            tuple(urls.records.items()),
        )
    )


def _render_alone(template: Template, variables: dict[str, Any]) -> str:
    """`template.render(variables)` without the environment's globals (`new_context`,
    `shared`): the row reads none of them, and copying them into a context of its own took
    an eighth of the time of rendering a row."""
    try:
        context = template.new_context(variables, shared=True)
        return template.environment.concat(template.root_render_func(context))
    except Exception:
        return template.environment.handle_exception()


def _row_renderer() -> Callable[..., Markup]:
    """A page's `render_row` (one per `row_context`, so per page)."""
    page: dict[str, Any] = {}

    @pass_context
    def render_row(context: Context, task: Task) -> Markup:
        """One task's row (ROW_TEMPLATE), rendered once and then taken from `row_cache`
        for as long as nothing it shows changes.

        The key holds every input of the row's HTML, read from the same context the row is
        rendered with, so a kept row is only ever shown where a fresh one would be the same:

        - the task: every column (`task_columns`: title, description, status, priority,
          task_type, due_date, due_at, recurrence, deleted_at, the links' and the
          assignee's ids, updated_at …);
        - the names it shows of its linked records and assignee (`links`: the page's
          `row_links`, read with its rows, else read through the task's relationships);
        - what the clock decides: `due_state(task)`, `snooze_choices(task)` (with their
          words), `today` (the snooze date's minimum);
        - the page (`_page_key`, once per page): the row template; the locale (the
          filters nice_date, clock, status_label, priority_label, task_type_label,
          recurrence_label, local_datetime; `t.quoted`); the zones: `tz` (`clock`) and
          the workspace's (`local_datetime` of deleted_at); `can_write`; `bulk_selection`;
          `return_to` (the `next` fields); `my_id` ("To me"); the ids and names of
          `other_assignees`; `priority_choices`; the words `row_texts`; the URLs `row_urls`
          builds from (they hold the script root and `return_to`).

        The CSRF token is the one input that differs per session: a row is rendered with a
        stand-in and kept as the parts around it, joined with the page's `row_csrf_token`
        on the way out.
        """
        if not page:
            page["template"] = context.environment.get_template(ROW_TEMPLATE)
            page["key"] = _page_key(context, page["template"])
            page["cache"] = row_cache()
            page["token"] = str(escape(context["row_csrf_token"]))
            page["due_state"] = context["due_state"]
            page["snooze_choices"] = context["snooze_choices"]
            page["inputs"] = {name: context[name] for name in ROW_INPUTS}
            page["links"] = context["row_links"]
        links = page["links"].get(task.id) or task_service.names_of_links(task)
        key = (
            page["key"],
            task_columns(task),
            tuple(links.values()),
            page["due_state"](task),
            page["snooze_choices"](task),
        )
        kept: RowCache = page["cache"]
        parts = kept.get(key)
        if parts is None:
            variables = {
                **page["inputs"],
                "task": task,
                "links": links,
                "row_csrf_token": _STAND_IN_TOKEN,
            }
            parts = tuple(_render_alone(page["template"], variables).split(_STAND_IN_TOKEN))
            kept.put(key, parts)
        return Markup(page["token"].join(parts))

    return render_row


def row_context(
    users: list[User] | None = None, links: dict[uuid.UUID, LinkNames] | None = None
) -> dict[str, Any]:
    """What the row partial needs besides the task: the clock, the zone, the page's URL,
    the snooze choices each task allows, the people tasks can be assigned to (`users`,
    when the page has them already), the names of the rows' links (`links`: a page's
    `TaskPage.links`), and the row's words, URLs and CSRF token (see the module's
    docstring); and `render_row(task)`, which the pages call for each row."""
    actor = current_actor()
    tz = task_service.actor_zone(actor)
    now = dates.now()
    return_to = page_url()
    if users is None:
        users = accounts.assignable_users(actor)
    snooze_words = {choice: str(label) for choice, label in SNOOZE_LABELS.items()}

    @cache
    def snooze_menu(choices: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        # The menu's buttons with their words: the same few menus for every row of a page.
        return tuple((choice, snooze_words[choice]) for choice in choices if choice != "date")

    return {
        "due_state": lambda task: schedule.due_state(task, now, tz),
        "snooze_choices": lambda task: snooze_menu(snooze.available_choices(task, now, tz)),
        "today": now.astimezone(tz).date(),
        "tz": tz,
        "return_to": return_to,
        # Rows of the task list take part in its bulk selection; a record page's do not.
        "bulk_selection": urlsplit(return_to).path == url_for("web.task_list"),
        "suggested_task_types": task_service.SUGGESTED_TASK_TYPES,
        "assignable_users": users,
        # The assign menu's "To me": the signed-in user; then the other people.
        "my_id": actor.user_id,
        "other_assignees": [user for user in users if user.id != actor.user_id],
        "priority_choices": [(value, str(label)) for value, label in PRIORITY_CHOICES],
        "row_texts": SimpleNamespace(
            **{name: str(text) for name, text in ROW_TEXTS.items()}, quoted=quoted("%(title)s")
        ),
        "row_urls": RowUrlBuilder(return_to),
        "row_csrf_token": generate_csrf(),
        "row_links": links or {},
        "render_row": _row_renderer(),
    }
