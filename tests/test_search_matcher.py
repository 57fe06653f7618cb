"""The word-by-word matcher (app/services/matching.py) and what it gives the autocomplete and
name resolution: records found by any of their words, and a name the autocomplete offers
first is never refused on save (docs/search.md, docs/rules.md §3)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from app.extensions import db
from app.services import records
from app.services.errors import AmbiguousReference, ValidationError
from app.services.matching import words_score
from app.services.references import ACCEPT_THRESHOLD, resolve_name
from app.services.search import search
from app.services.text import fold_name


def score(typed: str, name: str, kind_has_legal_forms: bool = True) -> float:
    return words_score(fold_name(typed), fold_name(name), legal_forms=kind_has_legal_forms)


# --- the scorer on its own -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("training wisla media package", "Wisła Media – Training package"),  # any order
        ("mueller logistik gmbh", "Müller Logistik GmbH"),  # umlaut written out
        ("Müller Consulting", "Mueller Consulting AG"),  # ... and back
        ("hauptstrasse immobilien", "Hauptstraße Immobilien"),
        ("Müller Logistik", "Müller Logistik GmbH"),  # legal form left off
        ("Nordlicht GmbH & Co KG", "Nordlicht GmbH & Co. KG"),
        ("Nordlicht GmbH und Co. KG", "Nordlicht GmbH & Co. KG"),
        ("Wisła Robotics spółka z o.o.", "Wisła Robotics sp. z o.o."),
        ("Atlas Capital SA", "Atlas Capital S.A."),
        ("Thames Analytics Limited", "Thames Analytics Ltd."),
        ("Stöckl Logistik Aktiengesellschaft", "Stöckl Logistik AG"),
    ],
)
def test_the_same_name_written_otherwise_scores_near_the_top(typed, name):
    assert score(typed, name) >= 97


def test_a_subset_of_the_words_scores_above_acceptance_and_below_the_whole():
    whole = score("wisla media training package", "Wisła Media – Training package")
    subset = score("wisla training", "Wisła Media – Training package")
    assert ACCEPT_THRESHOLD < subset < whole


def test_one_typo_in_each_word_still_matches_and_numbers_must_be_exact():
    name = "Webinar Arbeitsrecht München 2026"
    assert score("webinr arbeitsrcht munchn 2026", name) >= ACCEPT_THRESHOLD
    assert score("webinar arbeitsrecht münchen 2025", name) < 75
    assert score("webinar arbeitsrecht münchen 2026", name) == 100


def test_a_different_legal_form_costs_more_than_one_left_off():
    left_off = score("Pomorze Energia", "Pomorze Energia S.A.")
    other = score("Pomorze Energia sp. z o.o.", "Pomorze Energia S.A.")
    assert other < left_off < 100


def test_legal_forms_are_optional_only_for_companies_and_deals():
    # A person's "S." is an initial, not a legal form ("société anonyme").
    assert score("Jan S", "Jan Kowalski", kind_has_legal_forms=False) < score(
        "Jan S", "Jan Kowalski S", kind_has_legal_forms=False
    )


def test_the_word_being_typed_may_be_the_start_of_a_word():
    typing = words_score("wisla train", "wisla media training package", prefix=True)
    assert typing > 90
    assert words_score("wisla train", "wisla media training package") < typing - 5


# --- through the autocomplete and resolution ------------------------------------------------


@pytest.fixture
def firm(workspace):
    ids = {}
    for name in (
        "Müller Logistik GmbH",
        "Nordlicht Software AG",
        "Dupont Robotics SARL",
        "Wisła Media sp. z o.o.",
        "Mueller Consulting AG",
    ):
        ids[name] = records.add_company(workspace.id, name).id
    for name in (
        "Wisła Media – Training package",
        "Müller Logistik GmbH – Due Diligence 2026",
        "Müller Logistik GmbH – Due Diligence 2025",
    ):
        ids[name] = records.add_deal(workspace.id, name).id
    start = datetime(2026, 3, 10, 9, tzinfo=UTC)
    for name in (
        "Webinar – Dupont Robotics SARL",
        "Webinar Arbeitsrecht München 2026",
        "Webinar Arbeitsrecht München 2025",
        "Seminar Arbeitsrecht Köln 2026",
    ):
        ids[name] = records.add_event(workspace.id, name, start).id
    db.session.commit()
    return ids


@pytest.mark.parametrize(
    ("kind", "query", "meant"),
    [
        ("deal", "wisla training", "Wisła Media – Training package"),
        ("event", "dupont webinar", "Webinar – Dupont Robotics SARL"),
        ("event", "webinar robotics", "Webinar – Dupont Robotics SARL"),
        ("company", "mueller logistik", "Müller Logistik GmbH"),
        ("company", "muller consulting", "Mueller Consulting AG"),
        ("company", "Müller Consulting", "Mueller Consulting AG"),
        ("deal", "due diligence 2025 muller", "Müller Logistik GmbH – Due Diligence 2025"),
        ("event", "arbeitsrecht 2026 muenchen", "Webinar Arbeitsrecht München 2026"),
        ("event", "Seminr Arbeitsrcht Koln", "Seminar Arbeitsrecht Köln 2026"),
    ],
)
def test_records_are_found_and_resolved_by_any_of_their_words(firm, workspace, kind, query, meant):
    hits = search(kind, workspace.id, query)
    assert hits and hits[0].label == meant
    assert resolve_name(f"{kind}_name", kind, query, workspace.id) == firm[meant]


def test_the_year_typed_decides_between_two_names_a_letter_apart(firm, workspace):
    query = "Webinr Arbeitsrecht München 2025"
    meant = "Webinar Arbeitsrecht München 2025"
    assert search("event", workspace.id, query)[0].label == meant
    assert resolve_name("event_name", "event", query, workspace.id) == firm[meant]


def test_a_lone_year_of_two_deals_is_ambiguous_not_refused(firm, workspace):
    with pytest.raises(AmbiguousReference) as caught:
        resolve_name("deal_name", "deal", "muller due diligence", workspace.id)
    assert {c.name for c in caught.value.candidates} >= {
        "Müller Logistik GmbH – Due Diligence 2026",
        "Müller Logistik GmbH – Due Diligence 2025",
    }


# --- the property: what the autocomplete offers first is never refused -----------------------

FIRST = ["Hans", "Hanna", "Jürgen", "Łukasz", "Ayşe", "Zoé", "Anna", "Jan", "Jana", "Émile"]
LAST = ["Müller", "Mueller", "Weiß", "Nowak", "Yılmaz", "Lefèvre", "Schmidt", "Kowalski"]
STEMS = ["Müller", "Nordlicht", "Wisła", "Boğaziçi", "Lumière", "Thames", "Weiß", "Atlas"]
TRADES = ["Logistik", "Software", "Media", "Robotics", "Analytics", "Bau", "Energia"]
FORMS = ["GmbH", "AG", "GmbH & Co. KG", "SARL", "S.A.", "sp. z o.o.", "Ltd.", "B.V.", "e.K."]
MATTERS = ["Due Diligence 2026", "Due Diligence 2025", "Training package", "Kartellrecht"]
EVENTS = ["Webinar", "Seminar", "Workshop"]
TOPICS = ["Arbeitsrecht", "Datenschutz", "Steuerrecht"]
CITIES = ["München", "Köln", "Kraków", "Paris"]


@pytest.fixture
def random_records(workspace):
    rng = random.Random(41)
    names: dict[str, list[str]] = {"contact": [], "company": [], "deal": [], "event": []}
    for _ in range(60):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        records.add_contact(workspace.id, first, last)
        names["contact"].append(f"{first} {last}")
    for _ in range(40):
        name = f"{rng.choice(STEMS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        records.add_company(workspace.id, name)
        names["company"].append(name)
    for _ in range(40):
        name = f"{rng.choice(names['company'])} – {rng.choice(MATTERS)}"
        records.add_deal(workspace.id, name)
        names["deal"].append(name)
    start = datetime(2026, 3, 10, 9, tzinfo=UTC)
    for _ in range(30):
        year = rng.randint(2025, 2027)
        name = f"{rng.choice(EVENTS)} {rng.choice(TOPICS)} {rng.choice(CITIES)} {year}"
        records.add_event(workspace.id, name, start)
        names["event"].append(name)
    db.session.commit()
    return workspace.id, names


def _mangle(name: str, how: str, rng: random.Random) -> str:
    words = name.replace("–", " ").split()
    if how == "reorder":
        rng.shuffle(words)
    elif how == "subset" and len(words) > 1:
        words = rng.sample(words, rng.randint(1, len(words) - 1))
    elif how == "typo":
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 2:
            at = rng.randrange(1, len(word))
            words[i] = word[:at] + rng.choice("aeiouxz") + word[at + 1 :]
    elif how == "umlauts":
        words = [w.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae") for w in words]
    elif how == "fragment":
        return name[: rng.randint(1, len(name))]
    return " ".join(words)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(["contact", "company", "deal", "event"]),
    pick=st.integers(min_value=0, max_value=10_000),
    how=st.sampled_from(["as is", "reorder", "subset", "typo", "umlauts", "fragment", "noise"]),
    seed=st.integers(min_value=0, max_value=10_000),
    noise=st.text(alphabet="abcdeklmnoprstuüöäßłşé 2026", min_size=1, max_size=12),
)
def test_what_the_autocomplete_offers_first_is_never_refused_on_save(
    random_records, kind, pick, how, seed, noise
):
    workspace_id, names = random_records
    rng = random.Random(seed)
    name = names[kind][pick % len(names[kind])]
    query = noise if how == "noise" else _mangle(name, how, rng)
    if not fold_name(query):
        return
    hits = search(kind, workspace_id, query)
    try:
        resolved = resolve_name(f"{kind}_name", kind, query, workspace_id)
    except AmbiguousReference as error:
        if hits:
            assert str(hits[0].id) in {c.id for c in error.candidates}, (query, hits[0].label)
    except ValidationError:
        assert not hits, f"{query!r}: offered {hits[0].label!r} first, refused on save"
    else:
        if hits:
            assert resolved == hits[0].id, (query, hits[0].label)
    finally:
        db.session.rollback()


def test_three_letters_in_two_words_are_answered(random_records):
    """ "a c" once made a down-weighted scorer ask rapidfuzz for a cutoff above 100."""
    workspace_id, _names = random_records
    assert isinstance(search("contact", workspace_id, "a c"), list)
    assert isinstance(search("company", workspace_id, "m l"), list)
