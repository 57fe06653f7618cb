"""docs/rules.md §3: resolving a human name to one record of the workspace."""

import pytest

from app.extensions import db
from app.services import records
from app.services.errors import AmbiguousReference, ValidationError
from app.services.references import ACCEPT_THRESHOLD, CLEAR_MARGIN, MAX_CANDIDATES, resolve_name
from app.services.text import fold_name, name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("muller", "Müller"),
        ("MÜLLER", "Müller"),
        ("Strasse", "Straße"),
        ("  Hans   Müller ", "hans muller"),
        ("José Ñúñez", "jose nunez"),
        ("Łukasz Żółć", "lukasz zolc"),
        ("Søren Ærø", "soren aero"),
        ("O'Brien", "obrien"),
    ],
)
def test_folding(a, b):
    assert fold_name(a) == fold_name(b)


def test_word_order_is_ignored_by_the_key():
    assert name_key("Müller Hans") == name_key("hans MULLER")


def test_constants_are_sane():
    assert 0 < CLEAR_MARGIN < 100 - ACCEPT_THRESHOLD + CLEAR_MARGIN
    assert MAX_CANDIDATES == 10


@pytest.fixture
def people(workspace):
    """A small directory with the traps of real data."""
    acme = records.add_company(workspace.id, "Acme Logistics")
    initech = records.add_company(workspace.id, "Initech")
    made = {
        "hans": records.add_contact(workspace.id, "Hans", "Müller", "hans@acme.test", acme),
        "hanna": records.add_contact(workspace.id, "Hanna", "Meier", "hanna@acme.test", acme),
        "anna1": records.add_contact(workspace.id, "Anna", "Schmidt", "anna@acme.test", acme),
        "anna2": records.add_contact(workspace.id, "Anna", "Schmidt", "a.s@initech.test", initech),
        "jon": records.add_contact(workspace.id, "John", "Smith", "john@initech.test", initech),
        "joan": records.add_contact(workspace.id, "Joan", "Smith", "joan@initech.test", initech),
        "strauss": records.add_contact(workspace.id, "Lena", "Strauß", None, None),
    }
    db.session.commit()
    return made


def resolve(query, workspace, kind="contact"):
    return resolve_name(f"{kind}_name", kind, query, workspace.id)


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Hans Müller", "hans"),
        ("hans muller", "hans"),
        ("HANS MÜLLER", "hans"),
        ("Müller Hans", "hans"),
        ("  hans   müller  ", "hans"),
        ("Lena Strauss", "strauss"),
        ("strauss lena", "strauss"),
    ],
)
def test_outcome_1_exact_normalised_name_resolves(people, workspace, query, who):
    assert resolve(query, workspace) == people[who].id


def test_outcome_1_exact_wins_even_with_similar_names(people, workspace):
    # "John Smith" and "Joan Smith" are one letter apart; the exact one still resolves.
    assert resolve("John Smith", workspace) == people["jon"].id


def test_outcome_2_same_normalised_name_is_ambiguous(people, workspace):
    with pytest.raises(AmbiguousReference) as caught:
        resolve("anna schmidt", workspace)
    error = caught.value
    assert error.field == "contact_name"
    assert {c.id for c in error.candidates} == {str(people["anna1"].id), str(people["anna2"].id)}
    assert {c.email for c in error.candidates} == {"anna@acme.test", "a.s@initech.test"}
    assert {c.company for c in error.candidates} == {"Acme Logistics", "Initech"}


@pytest.mark.parametrize("query", ["Hans Muler", "Hans Mueller", "Hnas Müller", "Muller Hans"])
def test_outcome_3_one_typo_resolves_when_nothing_else_is_close(people, workspace, query):
    assert resolve(query, workspace) == people["hans"].id


def test_outcome_3_lone_unique_surname_resolves(people, workspace):
    assert resolve("Strauss", workspace) == people["strauss"].id


def test_outcome_4_close_candidates_are_ambiguous(people, workspace):
    with pytest.raises(AmbiguousReference) as caught:
        resolve("Jon Smith", workspace)
    names = [c.name for c in caught.value.candidates]
    assert set(names[:2]) == {"John Smith", "Joan Smith"}
    scores = [c.score for c in caught.value.candidates]
    assert scores == sorted(scores, reverse=True), "best first"


def test_outcome_4_candidates_capped_at_ten(workspace):
    for i in range(14):
        records.add_contact(workspace.id, "Maria", f"Garcia{chr(97 + i)}", f"m{i}@x.test")
    db.session.commit()
    with pytest.raises(AmbiguousReference) as caught:
        resolve("Maria Garcia", workspace)
    assert len(caught.value.candidates) == MAX_CANDIDATES


@pytest.mark.parametrize("query", ["Zebedee Quux", "xy", "Hxxx Mxxxxx"])
def test_outcome_5_nothing_clears_threshold(people, workspace, query):
    with pytest.raises(ValidationError) as caught:
        resolve(query, workspace)
    assert "no contact matches" in caught.value.fields["contact_name"]


def test_short_fragment_does_not_resolve_to_a_longer_name(people, workspace):
    # The autocomplete offers the Annas for "an" (their names begin so): resolution takes
    # neither, and lists what the autocomplete offers first instead of "no match".
    with pytest.raises(AmbiguousReference) as caught:
        resolve("an", workspace)
    names = [c.name for c in caught.value.candidates]
    assert "Anna Schmidt" in names
    assert len(names) > 1


def test_blank_name_is_a_validation_error(people, workspace):
    with pytest.raises(ValidationError):
        resolve("   ", workspace)


def test_other_workspace_is_never_searched(people, workspace, other_workspace):
    records.add_contact(other_workspace.id, "Zelda", "Fitzgerald")
    db.session.commit()
    with pytest.raises(ValidationError):
        resolve("Zelda Fitzgerald", workspace)


def test_company_names_resolve_with_folding(people, workspace):
    assert resolve("acme logistics", workspace, "company") is not None
    with pytest.raises(ValidationError):
        resolve("Umbrella", workspace, "company")


def test_company_candidates_have_no_contact_fields(workspace):
    records.add_company(workspace.id, "Nordwind GmbH")
    records.add_company(workspace.id, "Nordwind AG")
    db.session.commit()
    with pytest.raises(AmbiguousReference) as caught:
        resolve("Nordwind", workspace, "company")
    assert set(caught.value.candidates[0].as_dict("company")) == {"id", "name", "score"}
