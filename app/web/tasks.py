"""Tasks in the browser: the list with its filters, the form (new and edit), and the in-place
actions (complete, reopen, delete, undo)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Form, HiddenField, SearchField, SelectField

from app import kinds
from app.extensions import db
from app.i18n import format_moment
from app.i18n import lazy_gettext as _l
from app.models import Task, User
from app.services import accounts, dates, search, snooze, task_versions
from app.services import tasks as task_service
from app.services.accounts import WRITE
from app.services.errors import AmbiguousReference, Candidate, ValidationError
from app.services.tasks import PARENT_FIELD, SUGGESTED_TASK_TYPES, TaskFilters
from app.vocabulary import OPEN_STATUSES, TaskPriority, TaskStatus
from app.web import bp
from app.web.forms import (
    CUSTOM_REMINDER,
    DEFAULT_REMINDER,
    LINKS,
    NAME_FIELDS,
    TaskForm,
    choices,
    combine_due,
    recurrence_fields,
    reminder_choices,
)
from app.web.helpers import (
    current_actor,
    flash_undo,
    form_error_status,
    is_htmx,
    page_url,
    redirect_back,
    safe_next,
    workspace_zone,
)
from app.web.rows import SNOOZE_LABELS, row_context

PAGE_SIZE = 50
#: The list's default: everything not completed.
NOT_COMPLETED = OPEN_STATUSES
#: The view switcher above the list: (value of `?view=`, label). The first is the default.
VIEWS = (
    ("mine", _l("My tasks")),
    ("unassigned", _l("Unassigned")),
    ("everyone", _l("Everyone")),
    ("completed", _l("Completed")),
    ("trash", _l("Trash")),
)
VIEW_NAMES = tuple(name for name, _label in VIEWS)
#: Views whose open tasks are shown under the due headings of `task_service.DUE_GROUPS`.
GROUPED_VIEWS = ("mine", "unassigned", "everyone")
DUE_GROUP_LABELS = {
    "overdue": _l("Overdue"),
    "today": _l("Today"),
    "tomorrow": _l("Tomorrow"),
    "week": _l("This week"),
    "later": _l("Later"),
    "none": _l("No due date"),
}
#: Form fields a service error may name, and the label people know them by.
FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "status": _l("Status"),
    "priority": _l("Priority"),
    "task_type": _l("Type"),
    "due_date": _l("Due date"),
    "due_time": _l("Time"),
    "assignee_id": _l("Assignee"),
    **{name: kind.label for kind in kinds.KINDS for name in kind.payload_fields},
    "created_date": _l("Created date"),
    "reminder": _l("Reminder"),
    "remind_at": _l("Reminder time"),
    "recurrence": _l("Repeat"),
    PARENT_FIELD: _l("Links"),
}
#: Where each error is shown: the combobox of a link collects its id's and its name's errors.
ERROR_SLOTS = {
    **{name: kind.key for kind in kinds.KINDS for name in kind.payload_fields},
    "due_date": "due_date",
    "due_time": "due_date",
    "remind_at": "reminder",
    PARENT_FIELD: "links",
}
#: Which input an error summary links to, per slot.
SLOT_INPUTS = {
    **{kind.key: kind.text_field for kind in kinds.KINDS},
    "links": "contact_name",
}
#: What the form says when a typed name matches several records of a kind.
SEVERAL_MATCH = {
    "contact": _l("Several contacts match this name. Choose one below, or type a more exact name"),
    "company": _l("Several companies match this name. Choose one below, or type a more exact name"),
    "deal": _l("Several deals match this name. Choose one below, or type a more exact name"),
    "event": _l("Several events match this name. Choose one below, or type a more exact name"),
}
#: Fields of the new-task form that `?name=value` fills in (besides the links' ids).
PREFILL_FIELDS = ("title", "priority", "task_type", "due_date", "due_time", "assignee_id")


# ---------------------------------------------------------------------------------------
# The list


#: The assignee filter's first choices (the workspace's people follow).
ASSIGNEE_FILTERS = (("", _l("Anyone")), ("mine", _l("Mine")))


class TaskFilterForm(Form):
    """The list's filters: a plain GET form (no CSRF: it changes nothing), kept in the URL."""

    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("To do")), *TaskStatus.pairs(), ("all", _l("All"))]),
        default="",
    )
    priority = SelectField(
        _l("Priority"),
        # Most urgent first, as people scan for it.
        choices=choices([("", _l("Any")), *reversed(TaskPriority.pairs())]),
    )
    assignee = SelectField(_l("Assignee"), choices=choices(ASSIGNEE_FILTERS))
    due = SelectField(
        _l("Due"),
        choices=choices(
            [
                ("", _l("Any time")),
                ("overdue", DUE_GROUP_LABELS["overdue"]),
                ("today", DUE_GROUP_LABELS["today"]),
                ("week", DUE_GROUP_LABELS["week"]),
                ("none", DUE_GROUP_LABELS["none"]),
            ]
        ),
    )
    q = SearchField(_l("Title contains"))
    view = HiddenField()
    contact_id = HiddenField()
    company_id = HiddenField()
    deal_id = HiddenField()
    event_id = HiddenField()

    @property
    def view_name(self) -> str:
        """The view of the switcher this list shows (`mine` unless the URL names another)."""
        return self.view.data if self.view.data in VIEW_NAMES else VIEW_NAMES[0]

    def task_filters(self, user: User) -> TaskFilters:
        """The service's filters; values that are not one of the choices mean "no filter".

        The view sets the base (whose tasks, which statuses, the trash); the filters narrow
        it. A view that fixes the assignee or the status hides that filter (`hidden_filters`).
        """
        view = self.view_name
        status = self.status.data or ""
        statuses: tuple[str, ...] | None = {"": OPEN_STATUSES, "all": None}.get(status)
        if status in TaskStatus.values():
            statuses = (status,)
        elif status not in ("", "all"):
            statuses = OPEN_STATUSES
        if view == "completed":
            statuses = ("completed",)
        elif view == "trash":
            statuses = None
        assignee = self.assignee.data or ""
        assignee_id = user.id if assignee == "mine" else _uuid(assignee)
        if view in ("mine", "unassigned"):
            assignee_id = user.id if view == "mine" else None
        # Keyword arguments by name (checked by TaskFilters when called): typed Any.
        links: dict[str, Any] = {
            name: _uuid(getattr(self, name).data) for name in task_service.PARENT_LINKS
        }
        return TaskFilters(
            statuses=statuses,
            priority=self.priority.data if self.priority.data in TaskPriority.values() else None,
            assignee_id=assignee_id,
            due=self.due.data if self.due.data in task_service.DUE_FILTERS else None,
            q=(self.q.data or "").strip()[:200] or None,
            unassigned=view == "unassigned",
            in_trash=view == "trash",
            **links,
        )

    def hidden_filters(self) -> tuple[str, ...]:
        """The filters the view fixes, which the form does not offer."""
        return {
            "mine": ("assignee",),
            "unassigned": ("assignee",),
            "completed": ("status",),
            "trash": ("status",),
        }.get(self.view_name, ())


@dataclass
class LinkFilter:
    """A "linked to" filter shown above the list, with the URL that drops it."""

    kind: str
    hit: search.SearchHit
    clear_url: str


@bp.get("/tasks")
def task_list():
    """The workspace's tasks (default: not completed, soonest due first), filtered from the URL.

    The same URL answers the whole page, or, to htmx, only the results, so the filter form
    works without JavaScript and the address bar keeps the filters either way.
    """
    actor = current_actor()
    filter_form = TaskFilterForm(request.args)
    users = accounts.assignable_users(actor)
    filter_form.assignee.choices = choices(
        [*ASSIGNEE_FILTERS] + [(str(u.id), u.name) for u in users if u.id != current_user.id]
    )
    filters = filter_form.task_filters(current_user)
    cursor = request.args.get("cursor") or None
    # Read before the tasks: a change made meanwhile then shows up at the next check.
    version = task_versions.current_version(actor.workspace_id)
    page = task_service.list_tasks(actor, filters, limit=PAGE_SIZE, cursor=cursor, with_links=True)
    link_filters = _link_filters(filters)
    new_task_links: dict[str, Any] = {f"{lf.kind}_id": lf.hit.id for lf in link_filters}
    view = filter_form.view_name
    context = {
        "filter_form": filter_form,
        "page": page,
        "tasks": page.items,
        "view": view,
        "views": [(name, label, _view_url(name)) for name, label in VIEWS],
        "view_label": dict(VIEWS)[view],
        "groups": _due_groups(actor, filters, page, cursor) if _grouped(view, filters) else None,
        "version": version,
        "next_url": _list_url(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": _list_url(cursor=None) if cursor else None,
        "link_filters": link_filters,
        "new_task_url": url_for("web.task_new", next=page_url(), **new_task_links),
        # Bulk snoozing offers what suits every task: no "Later today" (timed tasks only).
        "bulk_snooze_choices": [
            (choice, SNOOZE_LABELS[choice])
            for choice in snooze.SNOOZE_CHOICES
            if choice != "later_today"
        ],
        "filtered": _is_filtered(),
        **row_context(users, page.links),
    }
    template = "tasks/_results.html" if is_htmx() else "tasks/list.html"
    response = make_response(render_template(template, **context))
    response.headers["Vary"] = "HX-Request"
    if is_htmx() and request.headers.get("X-List-Refresh") != "true":
        # The address bar shows only the filters in use, not every empty field of the form.
        response.headers["HX-Push-Url"] = _list_url()
    return response


def _grouped(view: str, filters: TaskFilters) -> bool:
    """Due headings make sense for tasks still to do, soonest first."""
    return (
        view in GROUPED_VIEWS
        and filters.statuses is not None
        and set(filters.statuses) <= set(NOT_COMPLETED)
    )


@dataclass
class DueGroup:
    """One heading of the list: its name, label, how many tasks (all pages), this page's."""

    name: str
    label: str
    count: int
    tasks: list[Task]


def _due_groups(
    actor, filters: TaskFilters, page: task_service.TaskPage, cursor: str | None
) -> list[DueGroup]:
    """The headings this page shows, in order, each with its count over every page.

    The list is in due order and each heading is a stretch of it, so the page holds every
    task of each heading it shows but the first (when an earlier page came before) and
    the last (when a later page follows): only those are counted in the database. The
    last is counted on from the page's end, the page adding the tasks it shows."""
    tz = task_service.actor_zone(actor)
    now = dates.now()
    shown: dict[str, list[Task]] = {}
    for task in page.items:
        shown.setdefault(task_service.due_group(task, now, tz), []).append(task)
    names = list(shown)
    counts = {name: len(tasks) for name, tasks in shown.items()}
    first = {names[0]} if names and cursor else set()
    if names and page.next_cursor and names[-1] not in first:
        later = task_service.count_due_groups(
            actor,
            filters,
            now=now,
            groups={names[-1]},
            after=page.next_cursor,
            shown=counts[names[-1]],
        )
        counts[names[-1]] += later[names[-1]]
    elif names and page.next_cursor:
        first.add(names[-1])  # one heading before, on and after the page: counted whole
    if first:
        counts |= task_service.count_due_groups(actor, filters, now=now, groups=first)
    return [
        DueGroup(name, DUE_GROUP_LABELS[name], counts[name], shown[name])
        for name in task_service.DUE_GROUPS
        if name in shown
    ]


def _view_url(view: str) -> str:
    """The list in another view, keeping the search and the linked-record filters."""
    keep: dict[str, Any] = {
        k: v for k, v in request.args.items() if v and k in ("q", *task_service.PARENT_LINKS)
    }
    if view != VIEW_NAMES[0]:
        keep["view"] = view
    return url_for("web.task_list", **keep)


def _list_url(**changes: Any) -> str:
    """This list's URL with some query values changed (None drops one); empty ones dropped."""
    args: dict[str, Any] = {key: value for key, value in request.args.items() if value}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("web.task_list", **args)


def _is_filtered() -> bool:
    return any(value for key, value in request.args.items() if key not in ("cursor", "view"))


def _link_filters(filters: TaskFilters) -> list[LinkFilter]:
    shown = []
    for kind, id_field, _text, _segment in LINKS:
        record_id = getattr(filters, id_field)
        hit = record_id and search.describe_record(kind, current_user.workspace_id, record_id)
        if hit:
            shown.append(LinkFilter(kind, hit, _list_url(**{id_field: None, "cursor": None})))
    return shown


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------
# In-place actions: htmx gets the row back, a plain POST goes back to the page it came from


def _row_response(task: Task, announcement: str, template: str = "tasks/_one_row.html"):
    """The row again (swapped in place), the live region's announcement and the nav badge."""
    row = render_template(template, task=task, **row_context())
    return row + render_template("_live.html", announcement=announcement)


def acted(task: Task, announcement: str, template: str = "tasks/_one_row.html"):
    """The answer to an in-place action: the row to htmx, else a notice and the page back."""
    if is_htmx():
        return _row_response(task, announcement, template)
    flash(announcement, "success")
    return redirect_back()


@bp.post("/tasks/<uuid:task_id>/complete")
def task_complete(task_id: uuid.UUID):
    """Mark a task completed; htmx swaps the row in place."""
    task = task_service.complete_task(current_actor(), task_id)
    if is_htmx():
        return _row_response(task, _("Completed “%(title)s”.", title=task.title))
    flash_undo(
        _("Completed “%(title)s”.", title=task.title),
        url_for("web.task_reopen", task_id=task.id),
    )
    return redirect_back()


@bp.post("/tasks/<uuid:task_id>/reopen")
def task_reopen(task_id: uuid.UUID):
    """Put a completed task back to open; htmx swaps the row in place."""
    task = task_service.reopen_task(current_actor(), task_id)
    return acted(task, _("Reopened “%(title)s”.", title=task.title))


@bp.post("/tasks/<uuid:task_id>/delete")
def task_delete(task_id: uuid.UUID):
    """Delete a task (softly): the answer offers an Undo, in the row or as a notice."""
    task = task_service.delete_task(current_actor(), task_id)
    if is_htmx():
        return _row_response(
            task,
            _("Deleted “%(title)s”. It stays in the trash for 30 days.", title=task.title),
            "tasks/_deleted_row.html",
        )
    flash_undo(
        _("Deleted “%(title)s”.", title=task.title), url_for("web.task_restore", task_id=task.id)
    )
    return redirect_back()


@bp.post("/tasks/<uuid:task_id>/restore")
def task_restore(task_id: uuid.UUID):
    """Undo a delete."""
    task = task_service.restore_task(current_actor(), task_id)
    return acted(task, _("Restored “%(title)s”.", title=task.title))


# ---------------------------------------------------------------------------------------
# The form


@dataclass
class FormState:
    """What the form template shows besides the fields: errors, picked records, candidates."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)
    message: str | None = None
    chips: dict[str, search.SearchHit] = field(default_factory=dict)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Put a service or form error next to the field it concerns."""
        slot = ERROR_SLOTS.get(name, name)
        if slot not in FIELD_LABELS and slot not in SLOT_INPUTS:
            slot = "form"
        if name == PARENT_FIELD:
            message = _("Link this task to at least one contact, company, deal or event")
        text = readable(FIELD_LABELS.get(name, ""), message)
        self.errors.setdefault(slot, []).append(text)
        self.summary.append((SLOT_INPUTS.get(slot, slot), text))


#: How a service message that says something of its field starts, in each language: it
#: then follows the field's label ("Title is required.", "Titel ist erforderlich.").
PREDICATE_STARTS = (
    "is ",
    "must ",
    "does ",
    "ist ",
    "muss ",
    "darf ",
    "stimmt ",
    "liegt ",
    "braucht ",
    "wird ",
)


def readable(label: str, message: str) -> str:
    """A service message as a sentence: `is required` → `Title is required.`"""
    message = str(message).strip()
    if label and message.startswith(PREDICATE_STARTS):
        message = f"{label} {message}"
    else:
        message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


@bp.get("/tasks/new")
def task_new():
    """The empty form; `?contact_id=` (or company, deal, event) pre-fills that link."""
    current_actor().require(WRITE)
    prefill = {
        id_field: str(record_id)
        for _kind, id_field, _text, _segment in LINKS
        if (record_id := _uuid(request.args.get(id_field)))
    }
    # Quick add's "Open in full form" fills in what the line said (docs/quick_add.md).
    prefill.update({name: request.args[name] for name in PREFILL_FIELDS if request.args.get(name)})
    prefill.setdefault("assignee_id", str(current_user.id))
    form = TaskForm(
        reminder=DEFAULT_REMINDER if current_user.default_reminder else "",
        next=safe_next(request.args.get("next")) or "",
        **prefill,
    )
    return render_task_form(form)


@bp.post("/tasks")
def task_create():
    """Create a task through the service; on any error show the form again, all kept."""
    actor = current_actor()
    actor.require(WRITE)
    form = TaskForm()
    state = FormState()
    if _form_ready(form, state):
        try:
            created = task_service.create_task(actor, form.payload(partial=False))
        except (ValidationError, AmbiguousReference) as error:
            _collect(error, state)
        else:
            task = created.task
            flash(_("Created “%(title)s”.", title=task.title), "success")
            if created.created_date_adjusted:
                flash(
                    _(
                        "The created date you gave lies outside the accepted window "
                        "(%(window)s), so the task was dated now: %(moment)s.",
                        window=dates.CREATED_DATE_WINDOW.describe(),
                        moment=format_moment(task.created_date, workspace_zone()),
                    ),
                    "warning",
                )
            if request.form.get("another"):
                # The next task is often for the same record: keep its links, and the way back.
                links = {name: getattr(task, name) for name in task_service.PARENT_LINKS}
                links = {name: value for name, value in links.items() if value}
                target = url_for("web.task_new", next=safe_next(form.next.data), **links)
                return redirect(target, code=303)
            return redirect(safe_next(form.next.data) or url_for("web.task_list"), code=303)
    return render_task_form(form, state=state, status=form_error_status())


@bp.route("/tasks/<uuid:task_id>/edit", methods=["GET", "POST"])
def task_edit(task_id: uuid.UUID):
    """Edit a task through the same form; only what changed is a change."""
    actor = current_actor()
    actor.require(WRITE)
    task = task_service.get_task(actor, task_id)
    initial = form_values(task)
    if request.method == "GET":
        next_url = safe_next(request.args.get("next")) or ""
        return render_task_form(TaskForm(**initial, next=next_url), task=task)

    form = TaskForm()
    state = FormState()
    if _form_ready(form, state):
        unchanged = {
            "due_date": combine_due(initial["due_date"], initial["due_time"]) or "",
            "assignee_id": initial["assignee_id"],
            "_reminder": TaskForm(formdata=None, **initial).reminder_values(),
            "_recurrence": task.recurrence,
        }
        payload = form.payload(partial=True, unchanged=unchanged)
        payload.pop("created_date", None)  # fixed once set (the form shows it read-only)
        try:
            task = task_service.update_task(actor, task_id, payload)
        except (ValidationError, AmbiguousReference) as error:
            _collect(error, state)
        else:
            flash(_("Saved “%(title)s”.", title=task.title), "success")
            return redirect(safe_next(form.next.data) or url_for("web.task_list"), code=303)
    return render_task_form(form, task=task, state=state, status=form_error_status())


def _form_ready(form: TaskForm, state: FormState) -> bool:
    """Whether the form can go to the service: its CSRF token is good, its parts combine."""
    if not form.validate_on_submit():
        state.message = _("The form expired. Check your entries and save again.")
        return False
    for name, message in form.form_problems().items():
        state.add(name, message)
    if state.errors:
        state.message = _("The task was not saved. Check the fields marked below.")
        return False
    return True


def _collect(error: ValidationError | AmbiguousReference, state: FormState) -> None:
    """Turn a service error into messages beside the fields (and candidates to pick from)."""
    db.session.rollback()
    state.message = _("The task was not saved. Check the fields marked below.")
    if isinstance(error, AmbiguousReference):
        kind = error.kind
        state.candidates[kind] = error.candidates
        state.add(
            error.field,
            str(SEVERAL_MATCH[kind]),
        )
        return
    if not error.fields:
        state.add("form", error.message)
    for name, message in error.fields.items():
        state.add(name, message)


def form_values(task: Task) -> dict[str, str]:
    """A saved task as the form shows it (dates and times in the workspace's zone)."""
    tz = workspace_zone()
    due_time = ""
    if task.due_at is not None:
        due_time = task.due_at.astimezone(tz).strftime("%H:%M")  # an <input type="time"> value
    reminder = task.remind_rule or (CUSTOM_REMINDER if task.remind_at else "")
    remind_at = task.remind_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if task.remind_at else ""
    return {
        "title": task.title,
        "description": task.description or "",
        "status": task.status,
        "priority": task.priority or "",
        "task_type": task.task_type or "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "due_time": due_time,
        "assignee_id": str(task.assignee_id) if task.assignee_id else "",
        "reminder": reminder,
        "remind_at": remind_at if reminder == CUSTOM_REMINDER else "",
        **recurrence_fields(task.recurrence),
        "contact_id": str(task.contact_id) if task.contact_id else "",
        "company_id": str(task.company_id) if task.company_id else "",
        "deal_id": str(task.deal_id) if task.deal_id else "",
        "event_id": str(task.event_id) if task.event_id else "",
    }


def render_task_form(
    form: TaskForm, *, task: Task | None = None, state: FormState | None = None, status: int = 200
):
    """The form page: each link shows its picked record as a chip, or its text field.

    A hidden id that names no record of the workspace is dropped (and its error shown), so
    nobody saves a link they cannot see.
    """
    state = state or FormState()
    users = accounts.assignable_users(current_actor())
    assignee = task.assignee if task is not None else None
    if assignee is not None and not assignee.active:
        users.append(assignee)
    form.set_assignees(users)
    form.reminder.choices = reminder_choices(None if task else current_user.default_reminder)
    for kind, id_field, _text, _segment in LINKS:
        record_id = _uuid(getattr(form, id_field).data)
        hit = record_id and search.describe_record(kind, current_user.workspace_id, record_id)
        if hit:
            state.chips[kind] = hit
        else:
            getattr(form, id_field).data = ""
    context = {
        "form": form,
        "task": task,
        "state": state,
        "links": LINKS,
        "name_fields": NAME_FIELDS,
        "suggested_task_types": SUGGESTED_TASK_TYPES,
        "inactive_assignee": assignee if assignee is not None and not assignee.active else None,
    }
    return render_template("tasks/form.html", **context), status
