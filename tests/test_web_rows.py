"""A task's row (templates/tasks/_row.html, app/web/rows.py): one form per row, every
action of it working as a browser without JavaScript submits it and as htmx does, and the
row an in-place action answers with being the row the list shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import url_for

from app.extensions import db
from app.models import Task
from app.services import schedule
from app.services import tasks as task_service
from app.web.rows import ROW_ACTIONS, STAND_IN_ID, RowUrlBuilder
from tests.web_helpers import HTMX, login_as, text

LIST = "/tasks?view=everyone&status=all"
HTMX_ON_LIST = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{LIST}"}


@dataclass
class Form:
    id: str | None
    action: str | None
    hidden: bool
    fields: dict[str, str] = field(default_factory=dict)
    htmx: bool = False


@dataclass
class Button:
    label: str
    owner: Form | None
    formaction: str | None
    name: str | None
    value: str
    attrs: dict[str, str]

    @property
    def url(self) -> str:
        return self.formaction or self.owner.action or ""

    def data(self, **extra: str) -> dict[str, str]:
        """What a browser posts when this button is pressed: its form's fields and its own."""
        posted = dict(self.owner.fields)
        if self.name:
            posted[self.name] = self.value
        return {**posted, **extra}


class RowParser(HTMLParser):
    """The forms of one row and the submit buttons that post them, by visible label."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.buttons: list[Button] = []
        self.inputs: list[dict[str, str]] = []
        self._open_form: Form | None = None
        self._button: tuple[dict[str, str], list[str]] | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            form = Form(a.get("id"), a.get("action"), "hidden" in a, htmx="hx-post" in a)
            self.forms.append(form)
            if form.id:
                self.by_id[form.id] = form
            self._open_form = form
        elif tag == "input":
            self.inputs.append({**a, "_form": a.get("form") or getattr(self._open_form, "id", "")})
            if a.get("type") == "hidden" and self._open_form is not None and "form" not in a:
                self._open_form.fields[a["name"]] = a.get("value", "")
        elif tag == "button":
            self._button = (a, [])
        elif tag == "span" and self._button and "visually-hidden" in a.get("class", ""):
            self._hidden_depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self._open_form = None
        elif tag == "button" and self._button:
            a, words = self._button
            # A button naming its form (`form=`) may come before that form: see `owners`.
            owner = self._open_form if "form" not in a else None
            label = re.sub(r"\s+", " ", "".join(words)).strip()
            self.buttons.append(
                Button(label, owner, a.get("formaction"), a.get("name"), a.get("value", ""), a)
            )
            self._button = None
        elif tag == "span" and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if self._button and not self._hidden_depth:
            self._button[1].append(data)

    def owners(self) -> None:
        """Give each button that names its form (`form=`) that form."""
        for button in self.buttons:
            if "form" in button.attrs:
                button.owner = self.by_id[button.attrs["form"]]
            assert button.owner is not None, f"a button outside any form: {button.attrs}"

    def button(self, label: str) -> Button:
        found = [b for b in self.buttons if b.label == label]
        assert len(found) == 1, (label, [b.label for b in self.buttons])
        return found[0]


def row_html(html: str, task_id) -> str:
    match = re.search(rf'<li [^>]*id="task-{task_id}".*?\n</li>', html, re.S)
    assert match, f"no row for {task_id}"
    return match.group(0)


def parse(html: str) -> RowParser:
    # Forms a row's controls name may lie outside it (the bulk form): parse the row alone,
    # with those forms stubbed.
    parser = RowParser()
    parser.feed('<form id="bulk-form"></form>' + html)
    parser.forms.pop(0)
    parser.owners()
    return parser


def without_token(html: str) -> str:
    """The row with its CSRF token blanked: the token's timestamp may differ between two
    renderings a second apart."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


@pytest.fixture
def day(workspace):
    return schedule.today_in(workspace.zone)


@pytest.fixture
def make(actor, contact, member):
    def make(title="Call", **fields):
        fields.setdefault("assignee_id", str(member.id))
        payload = {"title": title, "contact_id": str(contact.id), **fields}
        return task_service.create_task(actor, payload).task

    return make


def fresh(task_id) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


# --- the shape -------------------------------------------------------------------------


def test_an_open_row_is_one_form_and_the_snooze_date_its_own(member_client, make, day):
    task = make(due_date=day.isoformat())
    row = parse(row_html(text(member_client.get(LIST)), task.id))
    actions, date_form = row.forms
    assert actions.id == f"actions-{task.id}" and actions.htmx and not actions.hidden
    assert date_form.id == f"snooze-{task.id}" and date_form.hidden and date_form.htmx
    # One CSRF token and one way back per form, where there used to be seven of each.
    for form in row.forms:
        assert form.fields["next"] == LIST and "csrf_token" in form.fields
    assert date_form.fields["until"] == "date" and date_form.action == f"/tasks/{task.id}/snooze"
    # Every button of the row form names its own action; the toggle joins it from outside.
    for button in row.buttons:
        if button.owner is actions:
            action = button.formaction.rsplit("/", 1)[1]
            assert button.formaction == f"/tasks/{task.id}/{action}" and action in ROW_ACTIONS
    assert row.button("").attrs["form"] == actions.id  # the toggle (its words are hidden)
    # The date field and its button belong to the date's form; `required` blocks nothing else.
    (date,) = [i for i in row.inputs if i.get("type") == "date"]
    assert date["_form"] == date_form.id and "required" in date
    assert row.button("Snooze").owner is date_form
    assert {b.label for b in row.buttons if b.owner is actions} >= {
        "Start",
        "Tomorrow",
        "To me",
        "Nobody",
        "High",
        "No priority",
        "Delete",
    }


@pytest.mark.parametrize(
    ("state", "forms", "labels"),
    [
        ("completed", 1, {"✓", "To me", "High", "Delete"}),
        ("trashed", 1, {"Restore"}),
    ],
)
def test_completed_and_trashed_rows_have_one_form(member_client, make, actor, state, forms, labels):
    task = make(status="completed" if state == "completed" else "open")
    if state == "trashed":
        task_service.delete_task(actor, task.id)
    html = text(member_client.get(LIST if state == "completed" else "/tasks?view=trash"))
    row = parse(row_html(html, task.id))
    assert len(row.forms) == forms
    assert labels <= {b.label for b in row.buttons}
    assert "Start" not in {b.label for b in row.buttons}


def test_a_viewers_row_has_no_form(client, viewer, make):
    task = make()
    html = text(login_as(client, viewer).get(LIST))
    row = row_html(html, task.id)
    assert "<form" not in row and "<button" not in row and "hx-target" not in row


def test_the_row_urls_are_the_routes(app, member, make):
    """Built once per page with a stand-in id, they are what url_for says for each row,
    even where the page's own URL holds the stand-in."""
    task = make()
    tricky = f"/tasks?contact_id={STAND_IN_ID}&q=a b&view=trash"
    with app.test_request_context("/tasks"):
        urls = RowUrlBuilder(tricky)(task)
        assert urls.id == str(task.id)
        for action in ROW_ACTIONS:
            assert getattr(urls, action) == url_for(f"web.task_{action}", task_id=task.id)
        assert urls.edit == url_for("web.task_edit", task_id=task.id, next=tricky)
        assert str(STAND_IN_ID) in urls.edit  # the page's own, left as it was
        assert urls.records == {"contact": url_for("web.contact_page", record_id=task.contact_id)}


# --- every action, as a browser without JavaScript and as htmx --------------------------


def press(client, button: Button, *, htmx: bool, **extra: str):
    headers = HTMX_ON_LIST if htmx else {}
    return client.post(button.url, data=button.data(**extra), headers=headers)


ACTIONS = [
    # (button label, what the task is before, what must be true after)
    ("", {}, lambda t, admin, day: t.status == "completed"),
    ("Start", {}, lambda t, admin, day: t.status == "in_progress"),
    ("Tomorrow", {}, lambda t, admin, day: t.due_date == day + timedelta(days=1)),
    ("Snooze", {}, lambda t, admin, day: t.due_date == day + timedelta(days=9)),
    ("Ada Admin", {}, lambda t, admin, day: t.assignee_id == admin.id),
    ("Nobody", {}, lambda t, admin, day: t.assignee_id is None),
    ("High", {}, lambda t, admin, day: t.priority == "high"),
    ("No priority", {"priority": "low"}, lambda t, admin, day: t.priority is None),
    ("Delete", {}, lambda t, admin, day: t.deleted_at is not None),
    ("✓", {"status": "completed"}, lambda t, admin, day: t.status != "completed"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(("label", "before", "check"), ACTIONS)
def test_each_row_action_works(app, member_client, make, admin, day, htmx, label, before, check):
    task = make(due_date=day.isoformat(), **before)
    row = parse(row_html(text(member_client.get(LIST)), task.id))
    button = row.button(label)
    # The browser sends the form's token: check it with CSRF protection on.
    app.config["WTF_CSRF_ENABLED"] = True
    extra = {"day": (day + timedelta(days=9)).isoformat()} if button.owner.hidden else {}
    response = press(member_client, button, htmx=htmx, **extra)
    if htmx:
        assert response.status_code == 200
        assert f'id="task-{task.id}"' in text(response)
    else:
        assert response.status_code == 303 and response.headers["Location"] == LIST
    assert check(fresh(task.id), admin, day)


def test_restore_works_from_the_trash(app, member_client, make, actor):
    task = make()
    task_service.delete_task(actor, task.id)
    row = parse(row_html(text(member_client.get("/tasks?view=trash")), task.id))
    app.config["WTF_CSRF_ENABLED"] = True
    response = member_client.post(row.button("Restore").url, data=row.button("Restore").data())
    assert response.status_code == 303 and response.headers["Location"] == "/tasks?view=trash"
    assert fresh(task.id).deleted_at is None


def test_the_snooze_date_is_required_only_by_its_own_form(member_client, make, day):
    """Without a date (a browser that ignores `required`), it says so and changes nothing."""
    task = make(due_date=day.isoformat())
    row = parse(row_html(text(member_client.get(LIST)), task.id))
    response = press(member_client, row.button("Snooze"), htmx=True, day="")
    assert response.headers["HX-Reswap"] == "none" and "Pick a real date" in text(response)
    assert fresh(task.id).due_date == day


# --- the answered row is the listed row -------------------------------------------------


@pytest.mark.parametrize(
    ("label", "before"),
    [
        ("", {}),
        ("✓", {"status": "completed"}),
        ("Start", {}),
        ("Tomorrow", {}),
        ("Ada Admin", {}),
        ("High", {}),
    ],
)
def test_an_answered_row_is_the_row_the_list_shows(member_client, make, admin, day, label, before):
    task = make(due_date=day.isoformat(), priority="low", **before)
    row = parse(row_html(text(member_client.get(LIST)), task.id))
    answer = text(press(member_client, row.button(label), htmx=True))
    listed = row_html(text(member_client.get(LIST)), task.id)
    assert without_token(row_html(answer, task.id)) == without_token(listed)


def test_a_restored_row_is_the_row_the_list_shows(member_client, make, actor):
    task = make()
    task_service.delete_task(actor, task.id)
    answer = text(member_client.post(f"/tasks/{task.id}/restore", headers=HTMX))
    listed = row_html(text(member_client.get("/tasks")), task.id)
    assert without_token(row_html(answer, task.id)) == without_token(listed)


def test_a_record_pages_rows_are_the_lists_rows_without_the_selection(member_client, make, contact):
    task = make()
    page = f"/contacts/{contact.id}"
    on_record = row_html(text(member_client.get(page)), task.id)
    answer = text(
        member_client.post(
            f"/tasks/{task.id}/priority",
            data={"priority": ""},
            headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}"},
        )
    )
    assert without_token(row_html(answer, task.id)) == without_token(on_record)
    assert "data-select-task" not in on_record and f'value="{page}"' in on_record
