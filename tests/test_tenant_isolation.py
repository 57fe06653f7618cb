"""docs/rules.md §1: one workspace never sees, resolves or changes another's data — on every route.

Routes are enumerated from the app's URL map, and each must be classified below: a new
route with no probe fails `test_every_route_is_probed`, so none can slip past this matrix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey, Task, User
from app.services import accounts, records, tasks
from tests.conftest import FIXED_NOW
from tests.web_helpers import HTMX, login_as

#: Routes that show or change no workspace data at all.
NO_WORKSPACE_DATA = {
    "static",
    "health.healthz",
    "web.login",
    "web.logout",
    "web.account",
    "web.account_password",
    "web.account_sign_out_everywhere",
    "web.choose_language",
    "web.home",
    "api.openapi_document",
}

SECRET_WORDS = ("Zelda", "Foreignname", "Globex Secret", "zelda@globex.test", "Classified")


@dataclass
class Foreign:
    """Another workspace's records, whose names must never appear in our answers."""

    task: uuid.UUID
    contact: uuid.UUID
    company: uuid.UUID
    deal: uuid.UUID
    event: uuid.UUID
    api_key: uuid.UUID

    def all_ids(self) -> list[str]:
        return [str(v) for v in vars(self).values()]


@pytest.fixture
def foreign(other_workspace) -> Foreign:
    company = records.add_company(other_workspace.id, "Globex Secret Corp", "globex.test")
    contact = records.add_contact(
        other_workspace.id, "Zelda", "Foreignname", "zelda@globex.test", company
    )
    deal = records.add_deal(other_workspace.id, "Globex Secret Deal", "won", company=company)
    event = records.add_event(other_workspace.id, "Globex Secret Summit", FIXED_NOW)
    db.session.commit()
    key, _secret = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "theirs", [accounts.READ, accounts.WRITE]
    )
    task = tasks.create_task(
        accounts.Actor.for_api_key(key),
        {"title": "Classified follow-up", "contact_id": str(contact.id)},
    ).task
    return Foreign(task.id, contact.id, company.id, deal.id, event.id, key.id)


@pytest.fixture
def web(client, admin, contact):
    """Our admin, signed in: the strongest role, so a refusal is the scoping, not the role."""
    return login_as(client, admin)


def assert_reveals_nothing(response, foreign: Foreign, sent: str = "") -> None:
    """No foreign name, email or id in the answer, beyond echoing what the caller `sent`.

    The request's own path counts as sent: every page echoes it (the language switch
    returns you to it), and the caller already knew the id it typed into the URL."""
    body = response.get_data(as_text=True)
    sent = f"{sent} {response.request.full_path}"
    for word in (*SECRET_WORDS, *foreign.all_ids()):
        if word in sent:
            body = body.replace(word, "")
        assert word not in body, f"{response.request.full_path} revealed {word!r}"


def assert_foreign_untouched(app, foreign: Foreign) -> None:
    with app.app_context():
        task = db.session.get(Task, foreign.task)
        assert task.status == "open" and task.deleted_at is None
        assert task.title == "Classified follow-up"
        assert db.session.get(ApiKey, foreign.api_key).revoked_at is None


# --- probes: one per endpoint, each trying the other workspace's ids and names -------------


def probe_record_page(kind):
    def probe(web, api, foreign, app):
        response = web.get(
            f"/{kind}s/{getattr(foreign, kind)}"
            if kind != "company"
            else f"/companies/{foreign.company}"
        )
        assert response.status_code == 404
        assert_reveals_nothing(response, foreign)

    return probe


def probe_task_action(action, data=None):
    def probe(web, api, foreign, app):
        response = web.post(f"/tasks/{foreign.task}/{action}", data=data or {})
        assert response.status_code == 404
        assert_reveals_nothing(response, foreign)
        assert_foreign_untouched(app, foreign)

    return probe


def probe_task_edit(web, api, foreign, app):
    assert web.get(f"/tasks/{foreign.task}/edit").status_code == 404
    response = web.post(f"/tasks/{foreign.task}/edit", data={"title": "hijacked"})
    assert response.status_code == 404
    assert_reveals_nothing(response, foreign)
    assert_foreign_untouched(app, foreign)


def probe_task_list(web, api, foreign, app):
    for field in ("contact_id", "company_id", "deal_id", "event_id"):
        sent = str(getattr(foreign, field[:-3]))
        response = web.get(f"/tasks?{field}={sent}&status=")
        assert response.status_code in (200, 400, 404)
        assert_reveals_nothing(response, foreign, sent)
    assert_reveals_nothing(web.get("/tasks?q=Classified&status="), foreign, sent="Classified")


def probe_task_new(web, api, foreign, app):
    for field in ("contact_id", "company_id", "deal_id", "event_id"):
        response = web.get(f"/tasks/new?{field}={getattr(foreign, field[:-3])}")
        assert response.status_code in (200, 404)
        assert_reveals_nothing(response, foreign)


def probe_task_create(web, api, foreign, app):
    attempts = [
        {"contact_id": str(foreign.contact)},
        {"company_id": str(foreign.company)},
        {"deal_id": str(foreign.deal)},
        {"event_id": str(foreign.event)},
        {"contact_name": "Zelda Foreignname"},
        {"company_name": "Globex Secret Corp"},
    ]
    for link in attempts:
        response = web.post("/tasks", data={"title": "steal", **link})
        assert response.status_code in (200, 400), link
        assert_reveals_nothing(response, foreign, sent=str(link))
    assert_no_task_titled(app, "steal")


def probe_search(web, api, foreign, app):
    for segment, query in [
        ("contacts", "Zelda"),
        ("contacts", "zelda@globex.test"),
        ("companies", "Globex"),
        ("deals", "Globex Secret"),
        ("events", "Globex Secret Summit"),
    ]:
        response = web.get(f"/search/{segment}?q={query}")
        assert response.status_code == 200
        assert_reveals_nothing(response, foreign)


def probe_api_keys(web, api, foreign, app):
    response = web.get("/settings/api-keys")
    assert response.status_code == 200
    assert "theirs" not in response.get_data(as_text=True)
    assert_reveals_nothing(response, foreign)


def probe_api_key_revoke(web, api, foreign, app):
    confirm = web.get(f"/settings/api-keys/{foreign.api_key}/revoke")
    assert confirm.status_code == 404
    assert_reveals_nothing(confirm, foreign)
    response = web.post(f"/settings/api-keys/{foreign.api_key}/revoke")
    assert response.status_code == 404
    assert_foreign_untouched(app, foreign)


def probe_api_list(web, api, foreign, app):
    for field in ("contact_id", "company_id", "deal_id", "event_id"):
        response = api.get(f"/v1/tasks?{field}={getattr(foreign, field[:-3])}")
        assert response.status_code == 200 and response.get_json()["data"] == []
    assert api.get("/v1/tasks?q=Classified").get_json()["data"] == []


def probe_api_task(method):
    def probe(web, api, foreign, app):
        kwargs = {"json": {"title": "hijacked"}} if method == "patch" else {}
        response = getattr(api, method)(f"/v1/tasks/{foreign.task}", **kwargs)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        unknown = getattr(api, method)(f"/v1/tasks/{uuid.uuid4()}", **kwargs)
        assert unknown.get_json()["error"]["message"] == response.get_json()["error"]["message"]
        assert_reveals_nothing(response, foreign)
        assert_foreign_untouched(app, foreign)

    return probe


def probe_api_parse(web, api, foreign, app):
    """Quick add reads names: another workspace's records and people are never offered."""
    for text in (
        "Call Zelda Foreignname tomorrow",
        "Send the offer to Globex Secret Corp @Zelda",
        f"Follow up {foreign.contact} re {foreign.deal}",
    ):
        response = api.post("/v1/tasks/parse", json={"text": text})
        assert response.status_code == 200, text
        data = response.get_json()["data"]
        assert not {"contact_id", "company_id", "deal_id", "event_id", "assignee_id"} & set(
            data["fields"]
        ), text
        assert all(not q["candidates"] for q in data["questions"]), text
        assert_reveals_nothing(response, foreign, sent=text)


def probe_quick_add(path):
    """The browser's quick add: foreign names are never linked or offered, and foreign ids
    sent as a pick or a kept choice link nothing (nothing is saved without a parent)."""

    def probe(web, api, foreign, app):
        attempts = [
            {"text": "steal Zelda Foreignname tomorrow"},
            {"text": "steal Globex Secret Corp re Globex Secret Deal @Zelda"},
            {"text": "steal Zelda", "pick": f"contact:{foreign.contact}"},
            {
                "text": "steal Zelda",
                "choice_contact": str(foreign.contact),
                "choice_company": str(foreign.company),
                "choice_deal": str(foreign.deal),
                "choice_event": str(foreign.event),
            },
        ]
        for data in attempts:
            for headers in ({}, HTMX):
                response = web.post(path, data=data, headers=headers)
                assert response.status_code in (200, 400), data
                assert_reveals_nothing(response, foreign, sent=str(data))
        with app.app_context():
            stolen = db.session.scalars(sa.select(Task).where(Task.title.like("steal%"))).all()
            assert stolen == []

    return probe


def probe_api_create(web, api, foreign, app):
    for link in (
        {"contact_id": str(foreign.contact)},
        {"company_id": str(foreign.company)},
        {"deal_id": str(foreign.deal)},
        {"event_id": str(foreign.event)},
        {"contact_name": "Zelda Foreignname"},
        {"company_name": "Globex Secret Corp"},
    ):
        response = api.post("/v1/tasks", json={"title": "steal", **link})
        assert response.status_code == 400, link
        assert response.get_json()["error"]["code"] == "validation_error"
        assert_reveals_nothing(response, foreign, sent=str(link))
    missing = api.post("/v1/tasks", json={"title": "steal", "contact_id": str(uuid.uuid4())})
    theirs = api.post("/v1/tasks", json={"title": "steal", "contact_id": str(foreign.contact)})
    assert missing.get_json()["error"]["fields"] == theirs.get_json()["error"]["fields"]
    assert_no_task_titled(app, "steal")


def probe_own_pages(method, path):
    """Pages about the signed-in user only: nothing of the other workspace on them."""

    def probe(web, api, foreign, app):
        response = getattr(web, method)(path)
        assert response.status_code in (200, 303)
        assert_reveals_nothing(response, foreign)
        assert_foreign_untouched(app, foreign)

    return probe


def probe_token_pages(web, api, foreign, app):
    """Feed and unsubscribe answer 404 to any token that is not one of ours."""
    for token in (foreign.task.hex * 2, str(foreign.task), "x"):
        assert api.get(f"/calendar/{token}.ics").status_code == 404
        assert api.post(f"/notifications/unsubscribe/{token}").status_code == 404
    from app.models import User
    from app.services import calendar

    with app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
        url = calendar.feed_url(admin)
    response = api.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert response.status_code == 200
    assert_reveals_nothing(response, foreign)


def probe_bulk(web, api, foreign, app):
    ours = web.post("/tasks", data={"title": "ours", "company_id": str(our_company(app))})
    assert ours.status_code == 303
    with app.app_context():
        own = db.session.scalar(sa.select(Task.id).where(Task.title == "ours"))
    for action, extra in (
        ("complete", {}),
        ("snooze", {"until": "tomorrow"}),
        ("assign", {"assignee_id": ""}),
        ("delete", {}),
    ):
        for ids in ([str(foreign.task)], [str(own), str(foreign.task)]):
            response = web.post("/tasks/bulk", data={"action": action, "task_ids": ids, **extra})
            assert response.status_code == 404, (action, ids)
            assert_reveals_nothing(response, foreign)
    assert_foreign_untouched(app, foreign)
    with app.app_context():
        assert db.session.get(Task, own).status == "open"


def probe_bulk_undo(web, api, foreign, app):
    from app.models import Task as TaskModel
    from app.services import bulk

    with app.app_context():
        theirs = db.session.get(TaskModel, foreign.task)
        signed = bulk._serializer()
        snapshot = [str(foreign.task), "completed", None, None, None, None, None, None]
        tokens = [
            # Signed for their workspace: refused whatever it names.
            signed.dumps({"workspace": str(theirs.workspace_id), "tasks": [snapshot]}),
            # Signed for ours but naming their task: that task is not found in ours.
            signed.dumps({"workspace": str(our_workspace(app)), "tasks": [snapshot]}),
        ]
    for token in tokens:
        response = web.post("/tasks/bulk/undo", data={"token": token})
        assert response.status_code in (303, 404)
        assert_reveals_nothing(response, foreign)
    assert_foreign_untouched(app, foreign)


def probe_list_version(web, api, foreign, app):
    response = web.get("/tasks/version?v=0")
    assert response.status_code in (200, 204)
    assert_reveals_nothing(response, foreign)


def probe_api_restore(web, api, foreign, app):
    with app.app_context():  # in their trash: still not ours to restore
        task = db.session.get(Task, foreign.task)
        task.deleted_at = FIXED_NOW
        db.session.commit()
    response = api.post(f"/v1/tasks/{foreign.task}/restore")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    unknown = api.post(f"/v1/tasks/{uuid.uuid4()}/restore")
    assert unknown.get_json()["error"]["message"] == response.get_json()["error"]["message"]
    assert_reveals_nothing(response, foreign)
    with app.app_context():
        task = db.session.get(Task, foreign.task)
        assert task.deleted_at is not None
        task.deleted_at = None
        db.session.commit()
    assert_foreign_untouched(app, foreign)


def our_workspace(app) -> uuid.UUID:
    from app.models import Workspace

    with app.app_context():
        return db.session.scalar(sa.select(Workspace.id).where(Workspace.name == "Acme Sales"))


def our_company(app) -> uuid.UUID:
    from app.models import Company

    with app.app_context():
        return db.session.scalar(
            sa.select(Company.id).where(Company.workspace_id == our_workspace(app))
        )


def assert_no_task_titled(app, title: str) -> None:
    with app.app_context():
        assert db.session.scalar(sa.select(Task).where(Task.title == title)) is None


def foreign_user(app) -> uuid.UUID:
    """A user of the other workspace, signed in somewhere (generation 0)."""
    with app.app_context():
        workspace = accounts.find_workspace("Globex")
        user = accounts.create_user(
            workspace, "zelda@globex.test", "Zelda Foreignname", "member", "password123"
        )
        return user.id


def assert_user_untouched(app, user_id: uuid.UUID) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.active and user.session_generation == 0


def probe_users(web, api, foreign, app):
    foreign_user(app)
    response = web.get("/settings/users")
    assert response.status_code == 200 and "Ada Admin" in response.get_data(as_text=True)
    assert_reveals_nothing(response, foreign)


def probe_user_deactivate(web, api, foreign, app):
    user_id = foreign_user(app)
    confirm = web.get(f"/settings/users/{user_id}/deactivate")
    assert confirm.status_code == 404
    assert_reveals_nothing(confirm, foreign)
    assert web.post(f"/settings/users/{user_id}/deactivate").status_code == 404
    assert_user_untouched(app, user_id)


def probe_user_activate(web, api, foreign, app):
    user_id = foreign_user(app)
    with app.app_context():
        accounts.set_user_active(db.session.get(User, user_id), False)
    assert web.post(f"/settings/users/{user_id}/activate").status_code == 404
    with app.app_context():
        assert db.session.get(User, user_id).active is False


PROBES = {
    "web.users": probe_users,
    "web.user_deactivate": probe_user_deactivate,
    "web.user_activate": probe_user_activate,
    "web.contact_page": probe_record_page("contact"),
    "web.company_page": probe_record_page("company"),
    "web.deal_page": probe_record_page("deal"),
    "web.event_page": probe_record_page("event"),
    "web.task_complete": probe_task_action("complete"),
    "web.task_reopen": probe_task_action("reopen"),
    "web.task_delete": probe_task_action("delete"),
    "web.task_restore": probe_task_action("restore"),
    "web.task_snooze": probe_task_action("snooze", {"until": "tomorrow"}),
    "web.task_assign": probe_task_action("assign", {"assignee_id": ""}),
    "web.task_priority": probe_task_action("priority", {"priority": "high"}),
    "web.task_start": probe_task_action("start"),
    "web.task_bulk": probe_bulk,
    "web.task_bulk_undo": probe_bulk_undo,
    "web.task_list_version": probe_list_version,
    "web.task_edit": probe_task_edit,
    "web.task_list": probe_task_list,
    "web.task_new": probe_task_new,
    "web.task_create": probe_task_create,
    "web.search": probe_search,
    "web.api_keys": probe_api_keys,
    "web.api_key_revoke": probe_api_key_revoke,
    "api.list_tasks": probe_api_list,
    "api.get_task": probe_api_task("get"),
    "api.update_task": probe_api_task("patch"),
    "api.delete_task": probe_api_task("delete"),
    "api.restore_task": probe_api_restore,
    "api.create_task": probe_api_create,
    "api.parse_task": probe_api_parse,
    "web.quick_add_preview": probe_quick_add("/tasks/quick-add/preview"),
    "web.quick_add_save": probe_quick_add("/tasks/quick-add"),
    "web.notification_settings": probe_own_pages("get", "/settings/notifications"),
    "web.calendar_reset": probe_own_pages("post", "/settings/notifications/calendar/reset"),
    "web.notification_list": probe_own_pages("get", "/notifications"),
    "web.notifications_read": probe_own_pages("post", "/notifications/read"),
    "web.calendar_feed": probe_token_pages,
    "web.unsubscribe": probe_token_pages,
}


class BearerClient:
    """Our API key on every request."""

    def __init__(self, client, secret: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def __getattr__(self, method):
        def call(path, **kwargs):
            return getattr(self.client, method)(path, headers=self.headers, **kwargs)

        return call


def test_every_route_is_probed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = endpoints - set(PROBES) - NO_WORKSPACE_DATA
    assert not unclassified, f"add a tenant-isolation probe for: {sorted(unclassified)}"
    assert not (set(PROBES) - endpoints), "a probe names a route that no longer exists"


@pytest.mark.parametrize("endpoint", sorted(PROBES))
def test_other_workspace_stays_invisible(endpoint, app, web, api_key, foreign):
    api = BearerClient(app.test_client(), api_key)
    PROBES[endpoint](web, api, foreign, app)
