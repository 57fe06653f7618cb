"""docs/rules.md §5: the autocomplete endpoints and the ranked search behind them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.services import records
from app.services.search import fold_with_offsets, search
from app.services.text import fold_name
from tests.web_helpers import login_as, option_labels, text

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def member_client(client, member):
    return login_as(client, member)


@pytest.fixture
def people(workspace, contact):
    """Hans Müller (the conftest contact) and others around him."""
    acme = records.add_company(workspace.id, "Acme Corp", "acme.example")
    records.add_contact(workspace.id, "Anna", "Hansen", "anna@acme.example", acme)
    records.add_contact(workspace.id, "Johann", "Muller", "johann@acme.example", acme)
    records.add_contact(workspace.id, "Hannah", "Schmidt", None, None)
    records.add_contact(workspace.id, "Peter", "Parker", "peter@acme.example", acme)
    db.session.commit()
    return contact


def labels(kind, workspace, query, **kwargs):
    return [hit.label for hit in search(kind, workspace.id, query, **kwargs)]


def test_prefix_matches_come_first_then_word_prefixes_then_fuzzy(people, workspace):
    found = labels("contact", workspace, "han")
    # Names starting with "han", then names with a word starting with it ("Anna Hansen"),
    # then names containing it elsewhere ("Johann Muller").
    assert found[:2] == ["Hannah Schmidt", "Hans Müller"]
    assert found[2] == "Anna Hansen"
    assert found[3:] == ["Johann Muller"]


def test_accents_and_case_are_ignored(people, workspace):
    assert labels("contact", workspace, "MÜL") == labels("contact", workspace, "mul")
    assert labels("contact", workspace, "mul")[:2] == ["Hans Müller", "Johann Muller"]


def test_a_typo_finds_the_name_by_fuzzy_match(people, workspace):
    hits = search("contact", workspace.id, "parkr")
    assert [h.label for h in hits] == ["Peter Parker"]
    assert hits[0].match == "fuzzy"


def test_empty_or_blank_query_finds_nothing(people, workspace):
    assert search("contact", workspace.id, "") == []
    assert search("contact", workspace.id, "  -- ") == []


def test_at_most_ten_hits(workspace):
    for i in range(15):
        records.add_contact(workspace.id, "Sam", f"Sample{i:02}", None, None)
    db.session.commit()
    assert len(search("contact", workspace.id, "sam")) == 10
    assert len(search("contact", workspace.id, "sam", limit=3)) == 3


def test_other_workspaces_records_are_never_found(people, workspace, other_workspace):
    records.add_contact(other_workspace.id, "Hans", "Other", "hans@globex.example", None)
    records.add_company(other_workspace.id, "Hans Holdings", None)
    db.session.commit()
    assert "Hans Other" not in labels("contact", workspace, "hans")
    assert "Hans Other" not in labels("contact", workspace, "hans otr")
    assert labels("company", workspace, "hans") == []
    assert labels("contact", other_workspace, "hans") == ["Hans Other"]


def test_highlight_marks_the_matched_part_of_the_original_label(people, workspace):
    (hit,) = [h for h in search("contact", workspace.id, "mu") if h.label == "Hans Müller"]
    assert hit.parts == ("Hans ", "Mü", "ller")


def test_highlight_across_folded_letters(workspace):
    records.add_company(workspace.id, "Großmann Straße AG", None)
    db.session.commit()
    (hit,) = search("company", workspace.id, "strasse")
    assert hit.parts == ("Großmann ", "Straße", " AG")


@pytest.mark.parametrize(
    "label", ["Hans Müller", "  Straße-Nord  ", "O'Brien & Söhne", "Mu\u0308ller", "Łódź__Co"]
)
def test_fold_with_offsets_folds_like_fold_name(label):
    folded, origin = fold_with_offsets(label)
    assert folded == fold_name(label)
    assert len(origin) == len(folded)


def test_context_per_kind(people, workspace):
    company = records.find_or_add_company(workspace.id, "Müller GmbH")
    records.add_deal(workspace.id, "Müller renewal", "proposal", None, company)
    records.add_event(
        workspace.id, "Müller trade fair", datetime(2026, 3, 10, 8, 0, tzinfo=UTC), "Hall 4"
    )
    db.session.commit()
    contact = search("contact", workspace.id, "hans mu")[0]
    assert contact.context == "hans@mueller.example · Müller GmbH"
    (company_hit,) = search("company", workspace.id, "müller")
    assert company_hit.context == "mueller.example"
    (deal,) = search("deal", workspace.id, "mull")
    assert deal.context == "proposal · Müller GmbH"
    (event,) = search("event", workspace.id, "trade")
    # The workspace is in Europe/Berlin: 08:00 UTC is 09:00 there.
    assert event.context == "Tue 10 Mar 2026, 09:00 · Hall 4"


# --- the endpoints ---------------------------------------------------------------------


def test_fragment_lists_options_with_context_and_highlight(member_client, people):
    response = member_client.get("/search/contacts?q=mü", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = text(response)
    assert 'role="option"' in html
    assert "Hans <mark>Mü</mark>ller" in html
    assert "hans@mueller.example · Müller GmbH" in html
    assert f'id="contact-option-{people.id}"' in html
    assert f'data-id="{people.id}"' in html
    assert option_labels(html)[:2] == ["Hans Müller", "Johann Muller"]
    assert "<html" not in html  # a fragment, not a page


@pytest.mark.parametrize(
    ("segment", "make", "query", "expected"),
    [
        (
            "companies",
            lambda ws: records.add_company(ws, "Müller GmbH", "m.example"),
            "mul",
            "m.example",
        ),
        ("deals", lambda ws: records.add_deal(ws, "Big renewal", "won"), "big", "won"),
        (
            "events",
            lambda ws: records.add_event(ws, "Expo", datetime(2026, 5, 1, 10, tzinfo=UTC)),
            "exp",
            "Fri 1 May 2026, 12:00",
        ),
    ],
)
def test_each_kind_has_an_endpoint(member_client, workspace, segment, make, query, expected):
    make(workspace.id)
    db.session.commit()
    html = text(member_client.get(f"/search/{segment}?q={query}"))
    assert expected in html
    assert html.count('role="option"') == 1


def test_no_matches_says_so(member_client, people):
    html = text(member_client.get("/search/contacts?q=zzzzqqq"))
    assert "No matches" in html
    assert 'aria-disabled="true"' in html
    assert "data-id" not in html


def test_empty_query_answers_no_options(member_client, people):
    html = text(member_client.get("/search/contacts?q="))
    assert 'role="option"' not in html


def test_at_most_ten_options(member_client, workspace):
    for i in range(12):
        records.add_company(workspace.id, f"Alpha {i:02}", None)
    db.session.commit()
    assert text(member_client.get("/search/companies?q=alp")).count('role="option"') == 10


def test_names_are_escaped_never_markup(member_client, workspace):
    records.add_contact(workspace.id, XSS, "", 'x@evil.example"><script>', None)
    db.session.commit()
    html = text(member_client.get("/search/contacts?q=img"))
    assert "<img" not in html and "<script>" not in html
    assert "&lt;<mark>img</mark> src=x onerror=alert(1)&gt;" in html
    assert 'data-label="&lt;img src=x onerror=alert(1)&gt;"' in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_query_is_escaped_in_the_answer(member_client, people):
    html = text(member_client.get("/search/contacts?q=" + XSS))
    assert "<img" not in html


def test_foreign_workspace_never_returned(member_client, people, other_workspace):
    records.add_contact(other_workspace.id, "Hans", "Fremd", "fremd@globex.example", None)
    db.session.commit()
    html = text(member_client.get("/search/contacts?q=hans"))
    assert "Fremd" not in html and "globex" not in html


def test_unknown_kind_is_404(member_client):
    assert member_client.get("/search/users?q=a").status_code == 404


def test_viewer_can_search(client, viewer, people):
    login_as(client, viewer)
    assert "Hans" in text(client.get("/search/contacts?q=hans"))
