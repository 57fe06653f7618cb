"""docs/quick_add.md: the Quick add field of the task list, with htmx and without JavaScript."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import records
from tests.web_helpers import HTMX, login_as, text


@pytest.fixture
def people(workspace):
    acme = records.add_company(workspace.id, "Acme Logistics")
    made = {
        "hans": records.add_contact(workspace.id, "Hans", "Müller", "hans@acme.test", acme),
        "anna1": records.add_contact(workspace.id, "Anna", "Schmidt", "anna@acme.test", acme),
        "anna2": records.add_contact(workspace.id, "Anna", "Schmidt", "as@initech.test", None),
    }
    db.session.commit()
    return made


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


def tasks():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Task)))


def visible(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_list_has_the_field_for_writers_only(member_client, client, viewer):
    page = text(member_client.get("/tasks"))
    assert 'id="quick-add-text"' in page and 'aria-keyshortcuts="q"' in page
    assert "<kbd>q</kbd>" in page  # in the shortcuts dialog
    member_client.post("/logout")
    login_as(client, viewer)
    assert 'id="quick-add-text"' not in text(client.get("/tasks"))


def test_the_preview_shows_chips_and_the_title(member_client, people):
    response = member_client.post(
        "/tasks/quick-add/preview",
        data={"text": "Call Hans Müller tomorrow 10:00 !high #call"},
        headers=HTMX,
    )
    assert response.status_code == 200
    shown = visible(text(response))
    assert "Title Call Hans Müller" in shown
    for chip in ("Contact Hans Müller", "Priority High", "Type Call"):
        assert chip in shown
    assert "<html" not in text(response)  # a fragment
    assert tasks() == []


def test_enter_saves_through_htmx_and_refreshes_the_list(member_client, people):
    response = member_client.post(
        "/tasks/quick-add", data={"text": "Call Hans Müller tomorrow !high"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "tasks-changed"
    assert "Created “Call Hans Müller”" in visible(text(response))
    (task,) = tasks()
    assert task.contact_id == people["hans"].id and task.priority == "high"
    assert 'value=""' in text(response)  # the line is empty for the next task


def test_without_javascript_the_form_posts_and_redirects(member_client, people):
    response = member_client.post(
        "/tasks/quick-add", data={"text": "Call Hans Müller", "next": "/tasks?view=everyone"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/tasks?view=everyone")
    assert [t.title for t in tasks()] == ["Call Hans Müller"]


def test_without_javascript_the_preview_is_a_page(member_client, people):
    response = member_client.post(
        "/tasks/quick-add", data={"text": "Call Hans Müller !low", "action": "preview"}
    )
    assert response.status_code == 200
    assert "<h1>Quick add</h1>" in text(response)
    assert "Priority Low" in visible(text(response))
    assert tasks() == []


def test_an_ambiguous_name_keeps_the_text_and_offers_candidates(member_client, people):
    line = "Call Anna Schmidt tomorrow"
    response = member_client.post("/tasks/quick-add", data={"text": line}, headers=HTMX)
    assert tasks() == []
    page = text(response)
    assert f'value="{line}"' in page
    chosen = f"contact:{people['anna2'].id}"
    assert f'value="{chosen}"' in page and "None of these" in page

    picked = member_client.post(
        "/tasks/quick-add/preview", data={"text": line, "pick": chosen}, headers=HTMX
    )
    assert f'name="choice_contact" value="{people["anna2"].id}"' in text(picked)
    assert "Contact Anna Schmidt" in visible(text(picked))

    saved = member_client.post(
        "/tasks/quick-add",
        data={"text": line, "choice_contact": str(people["anna2"].id)},
        headers=HTMX,
    )
    assert saved.headers.get("HX-Trigger") == "tasks-changed"
    (task,) = tasks()
    assert task.contact_id == people["anna2"].id


def test_a_line_without_a_link_says_so_and_keeps_the_text(member_client, people):
    response = member_client.post("/tasks/quick-add", data={"text": "Buy coffee tomorrow"})
    assert response.status_code == 400
    assert 'value="Buy coffee tomorrow"' in text(response)
    assert "Name a contact, company, deal or event" in visible(text(response))
    assert tasks() == []


def test_open_in_full_form_fills_in_the_form(member_client, people, member):
    response = member_client.post(
        "/tasks/quick-add/preview",
        data={"text": "Call Hans Müller tomorrow 10:00 !high #call"},
        headers=HTMX,
    )
    link = unescape(re.search(r'href="(/tasks/new\?[^"]+)"', text(response)).group(1))
    query = parse_qs(urlsplit(link).query)
    assert query["title"] == ["Call Hans Müller"]
    assert query["contact_id"] == [str(people["hans"].id)]
    assert query["priority"] == ["high"] and query["task_type"] == ["call"]
    assert query["due_time"] == ["10:00"] and len(query["due_date"][0]) == 10
    form = text(member_client.get(link))
    assert 'value="Call Hans Müller"' in form
    assert 'value="10:00"' in form
    assert re.search(r'<option selected value="high">|<option value="high" selected', form)


def test_the_page_language_decides_slash_dates(member_client, people, member):
    member.language = "de"
    db.session.commit()
    response = member_client.post(
        "/tasks/quick-add/preview", data={"text": "Hans Müller 3/12 anrufen"}, headers=HTMX
    )
    assert "3. Dez." in visible(text(response))
