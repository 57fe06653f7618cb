"""The in-memory search index (docs/search.md): what it finds, that it is never stale, and
its bounds.

"Another worker" is a second `create_app()` on the same database: its own session, its own
engine and its own indexes, as a second gunicorn worker or another machine would have.
"""

from __future__ import annotations

import random
import threading
import uuid

import pytest
import sqlalchemy as sa
from rapidfuzz import process

from app import create_app
from app.extensions import db
from app.models import Contact, SearchTombstone, SearchVersion
from app.services import records, search_index
from app.services.errors import AmbiguousReference, ValidationError
from app.services.references import ACCEPT_THRESHOLD, NAME_SCORERS, resolve_name
from app.services.search import (
    FUZZY_SCORERS,
    FUZZY_SCORERS_SEVERAL_WORDS,
    search,
    whole_name_score,
)
from app.services.search_index import Snapshot, current_version, index_for, indexes
from app.services.text import fold_name, name_key

# --- the index on its own (no database) -------------------------------------------------

FIRST = ["Hans", "Hanna", "Jürgen", "José", "Łukasz", "Søren", "Anna", "Jan", "Jana", "Zoé"]
LAST = ["Müller", "Mueller", "Meier", "García", "Nowak", "Jørgensen", "Schmidt", "O'Brien"]
MADE_UP = ["Brandhof", "Steinmann", "Kowalczyk", "Lindqvist", "Fontaine", "Yılmaz", "Đặng"]


def corpus(size: int, seed: int = 7) -> list[tuple[bytes, str]]:
    """(id, folded name) pairs with duplicates, double names and accents."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(size):
        first = rng.choice(FIRST)
        last = rng.choice(LAST + MADE_UP) + rng.choice(["", "", "", "sen", "ski", "er"])
        if rng.random() < 0.1:
            last += " " + rng.choice(LAST)
        pairs.append((uuid.uuid4().bytes, fold_name(f"{first} {last}")))
    return pairs


def brute_prefix(pairs, query: str, limit: int) -> list[tuple[uuid.UUID, float]]:
    """What `search` always answered for prefixes: SQL `LIKE 'q%'`, then `LIKE '% q%'`."""
    starts = sorted((n, rid) for rid, n in pairs if n.startswith(query))
    words = sorted((n, rid) for rid, n in pairs if not n.startswith(query) and f" {query}" in n)
    ranked = [(uuid.UUID(bytes=rid), 100.0) for _n, rid in starts]
    ranked += [(uuid.UUID(bytes=rid), 95.0) for _n, rid in words]
    return ranked[:limit]


def brute_fuzzy(pairs, query: str, scorers, cutoff: float, limit: int, tiebreak=None):
    """Every name scored, best first, equal scores by `tiebreak`, name, then id."""
    tiebreak = tiebreak or (lambda _q, _n: 0.0)
    names = [n for _rid, n in pairs]
    best: dict[int, float] = {}
    for scorer, weight, query_inside_only in scorers:
        for _n, score, i in process.extract(query, names, scorer=scorer, limit=None):
            if query_inside_only and len(names[i]) < len(query):
                continue
            if weight * score >= cutoff:
                best[i] = max(best.get(i, 0.0), weight * score)
    ranked = sorted(
        (-s, -tiebreak(query, names[i]), names[i], pairs[i][0]) for i, s in best.items()
    )
    return [(uuid.UUID(bytes=rid), -s) for s, _t, _n, rid in ranked[:limit]]


@pytest.fixture(scope="module")
def pairs():
    return corpus(3_000)


@pytest.fixture(scope="module")
def snapshot(pairs):
    return Snapshot.build(1, pairs)


@pytest.mark.parametrize(
    "query", ["h", "ha", "han", "hans", "hans m", "hans mu", "mu", "mul", "nowak", "o", "zz", "j"]
)
def test_prefix_step_equals_the_sql_it_replaced(pairs, snapshot, query):
    assert snapshot.prefix(query, 10) == brute_prefix(pairs, query, 10)
    assert snapshot.prefix(query, 500) == brute_prefix(pairs, query, 500)


def some_queries(pairs, count=60, seed=3):
    """Full names, typos (one edit), reordered names and lone words from the corpus."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        name = rng.choice(pairs)[1]
        words = name.split()
        i = rng.randrange(1, len(name) - 1)
        queries += [
            name,
            name[:i] + name[i + 1 :],  # a letter missing
            name[:i] + name[i + 1] + name[i] + name[i + 2 :],  # two letters swapped
            " ".join(reversed(words)),
            words[-1],
        ]
    return [q for q in queries if q.strip()]


def test_resolution_ranking_equals_scoring_every_name(pairs, snapshot):
    """docs/rules.md §3 unchanged: the same matches as scoring every name with the same rules."""
    for query in some_queries(pairs):
        got = snapshot.fuzzy(query, NAME_SCORERS, ACCEPT_THRESHOLD, 10, partial=False)
        want = brute_fuzzy(pairs, query, NAME_SCORERS, ACCEPT_THRESHOLD, 10)
        assert [s for _i, s in got] == [s for _i, s in want], query
        assert got == want, query


def test_autocomplete_fuzzy_step_keeps_the_best_matches(pairs, snapshot):
    for query in some_queries(pairs):
        scorers = FUZZY_SCORERS_SEVERAL_WORDS if " " in query else FUZZY_SCORERS
        got = snapshot.fuzzy(query, scorers, 75.0, 10, partial=True, tiebreak=whole_name_score)
        want = brute_fuzzy(pairs, query, scorers, 75.0, 10, whole_name_score)
        # The index scores only candidate names: the best ones are always among them.
        assert got[:3] == want[:3], query


def test_exact_step_ignores_word_order(pairs, snapshot):
    name = pairs[0][1]
    reordered = " ".join(reversed(name.split()))
    expected = sorted(uuid.UUID(bytes=rid) for rid, n in pairs if name_key(n) == name_key(name))
    assert sorted(snapshot.exact(name_key(reordered))) == expected


def test_changes_overlay_the_base_until_compacted(pairs, monkeypatch):
    base = Snapshot.build(1, pairs[:100])
    gone, renamed = pairs[0][0], pairs[1][0]
    added = uuid.uuid4().bytes
    changed = base.with_changes(2, [gone], [(renamed, "zelda zebra"), (added, "zelda zimmer")])
    assert changed.base is base.base, "applied incrementally, not rebuilt"
    assert [u for u, _s in changed.prefix("zelda", 10)] == [
        uuid.UUID(bytes=renamed),
        uuid.UUID(bytes=added),
    ]
    old_name = pairs[0][1]
    assert uuid.UUID(bytes=gone) not in [u for u, _s in changed.prefix(old_name, 100)]
    monkeypatch.setattr(search_index.index, "COMPACT_MIN", 2)
    compacted = changed.with_changes(3, [], [(uuid.uuid4().bytes, "zelda zorro")])
    assert compacted.base is not base.base and not compacted.changes
    assert [s for _u, s in compacted.prefix("zelda", 10)] == [100.0] * 3


# --- through the services, on each database -----------------------------------------------


@pytest.fixture
def people(workspace):
    made = {
        "hans": records.add_contact(workspace.id, "Hans", "Müller", "hans@example.de"),
        "hanna": records.add_contact(workspace.id, "Hanna", "Meier"),
        "jurgen": records.add_contact(workspace.id, "Jürgen", "Weiß"),
        "jose": records.add_contact(workspace.id, "José", "García"),
        "lukasz": records.add_contact(workspace.id, "Łukasz", "Nowak"),
        "soren": records.add_contact(workspace.id, "Søren", "Jørgensen"),
        "siobhan": records.add_contact(workspace.id, "Siobhán", "O'Brien"),
    }
    rng = random.Random(11)
    for _ in range(300):  # people around them, with the same first and family names
        records.add_contact(workspace.id, rng.choice(FIRST), rng.choice(MADE_UP))
    db.session.commit()
    return made


def top3(workspace, query) -> list[str]:
    return [hit.label for hit in search("contact", workspace.id, query)[:3]]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("mül", "Hans Müller"),  # prefix of a later word
        ("nowa", "Łukasz Nowak"),
        ("Hans Muler", "Hans Müller"),  # one typo
        ("Jose Garica", "José García"),
        ("Lukasz Nowka", "Łukasz Nowak"),
        ("Jurgen Weiss", "Jürgen Weiß"),  # accent-free
        ("soren jorgensen", "Søren Jørgensen"),
        ("Siobhan OBrien", "Siobhán O'Brien"),
        ("Müller Hans", "Hans Müller"),  # surname first
        ("Garcia Jose", "José García"),
        ("Hans M", "Hans Müller"),  # first name and initial
        ("jorgen", "Søren Jørgensen"),
    ],
)
def test_search_finds_the_intended_name_in_the_top_three(people, workspace, query, label):
    assert label in top3(workspace, query)


@pytest.fixture
def other_app(app, database_url):
    """A second app on the same database: another gunicorn worker, or another machine."""
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def labels_in(app, workspace_id, query) -> list[str]:
    with app.app_context():
        return [hit.label for hit in search("contact", workspace_id, query)]


def resolve_in(app, workspace_id, query):
    with app.app_context():
        return resolve_name("contact_name", "contact", query, workspace_id)


def base_in(app, workspace_id):
    with app.app_context():
        return indexes().snapshot(workspace_id, "contact").base


def test_a_record_created_in_one_worker_is_found_by_the_next_search_in_another(
    people, workspace, other_app
):
    assert labels_in(other_app, workspace.id, "wisn") == []  # the other worker built its index
    base = base_in(other_app, workspace.id)

    created = records.add_contact(workspace.id, "Zofia", "Wiśniewska")
    db.session.commit()

    assert labels_in(other_app, workspace.id, "wisn") == ["Zofia Wiśniewska"]
    assert resolve_in(other_app, workspace.id, "Zofia Wisniewska") == created.id
    assert resolve_in(other_app, workspace.id, "Zofia Wisniewksa") == created.id  # a typo
    assert base_in(other_app, workspace.id) is base, "caught up incrementally, not rebuilt"


def test_a_rename_in_one_worker_is_seen_by_the_next_search_in_another(people, workspace, other_app):
    hans = people["hans"]
    assert resolve_in(other_app, workspace.id, "Hans Müller") == hans.id

    hans.last_name = "Schmidtke"  # the session hook refolds the name and stamps the row
    db.session.commit()

    assert "Hans Müller" not in labels_in(other_app, workspace.id, "hans m")
    assert labels_in(other_app, workspace.id, "schmidtk") == ["Hans Schmidtke"]
    assert resolve_in(other_app, workspace.id, "Schmidtke Hans") == hans.id
    with pytest.raises(ValidationError):
        resolve_in(other_app, workspace.id, "Hans Müller")


def test_a_delete_in_one_worker_is_seen_by_the_next_search_in_another(people, workspace, other_app):
    jose = people["jose"]
    assert labels_in(other_app, workspace.id, "garcia") == ["José García"]

    db.session.delete(jose)
    db.session.commit()

    assert labels_in(other_app, workspace.id, "garcia") == []
    with pytest.raises(ValidationError):
        resolve_in(other_app, workspace.id, "Jose Garcia")


def test_a_bulk_insert_in_one_worker_is_found_by_the_next_search_in_another(
    people, workspace, other_app
):
    assert labels_in(other_app, workspace.id, "quincy") == []
    records.insert_many(
        Contact,
        [
            {"workspace_id": workspace.id, "first_name": "Quincy", "last_name": f"Bulk{i}"}
            for i in range(3)
        ],
    )
    db.session.commit()
    assert labels_in(other_app, workspace.id, "quincy") == [
        "Quincy Bulk0",
        "Quincy Bulk1",
        "Quincy Bulk2",
    ]


def test_a_same_name_created_elsewhere_makes_resolution_ambiguous(people, workspace, other_app):
    assert resolve_in(other_app, workspace.id, "Hanna Meier") == people["hanna"].id
    records.add_contact(workspace.id, "Hanna", "Meier", "other.hanna@example.de")
    db.session.commit()
    with pytest.raises(AmbiguousReference):
        resolve_in(other_app, workspace.id, "hanna meier")


def test_a_company_rename_shows_in_contact_context_at_once(workspace, other_app):
    company = records.add_company(workspace.id, "Acme Logistics")
    records.add_contact(workspace.id, "Rita", "Roth", "rita@acme.example", company)
    db.session.commit()
    with other_app.app_context():
        assert search("contact", workspace.id, "rita")[0].context.endswith("Acme Logistics")
    company.name = "Acme Freight"
    db.session.commit()
    with other_app.app_context():
        assert search("contact", workspace.id, "rita")[0].context.endswith("Acme Freight")


# --- versions: raised and stamped in the writing transaction ------------------------------


def test_a_committed_create_raises_the_version_once_and_stamps_the_row(workspace):
    before = current_version(workspace.id, "contact")
    first = records.add_contact(workspace.id, "Ada", "One")
    db.session.flush()
    second = records.add_contact(workspace.id, "Bea", "Two")
    db.session.commit()
    after = current_version(workspace.id, "contact")
    assert after == before + 1, "one raise per transaction"
    assert first.search_version == second.search_version == after
    assert current_version(workspace.id, "company") == 0, "other kinds untouched"


def test_a_rolled_back_write_leaves_no_version_raise(workspace):
    records.add_contact(workspace.id, "Ada", "One")
    db.session.commit()
    before = current_version(workspace.id, "contact")
    records.add_contact(workspace.id, "Temp", "Person")
    db.session.flush()
    assert current_version(workspace.id, "contact") == before + 1  # inside the transaction
    db.session.rollback()
    assert current_version(workspace.id, "contact") == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_a_rolled_back_savepoint_does_not_reuse_its_version(workspace):
    before = current_version(workspace.id, "contact")
    with db.session.begin_nested() as savepoint:
        records.add_contact(workspace.id, "Gone", "Again")
        db.session.flush()
        savepoint.rollback()
    kept = records.add_contact(workspace.id, "Kept", "Person")
    db.session.commit()
    assert kept.search_version == current_version(workspace.id, "contact") == before + 1


def test_a_delete_leaves_a_tombstone_with_its_version(workspace):
    contact = records.add_contact(workspace.id, "Del", "Eted")
    db.session.commit()
    contact_id = contact.id
    db.session.delete(contact)
    db.session.commit()
    tombstone = db.session.scalars(sa.select(SearchTombstone)).one()
    assert (tombstone.record_id, tombstone.kind) == (contact_id, "contact")
    assert tombstone.version == current_version(workspace.id, "contact") == 2


def test_changing_anything_but_the_name_raises_nothing(people, workspace):
    before = current_version(workspace.id, "contact")
    people["hans"].email = "hans.mueller@example.de"
    db.session.commit()
    assert current_version(workspace.id, "contact") == before


def test_concurrent_writers_get_consecutive_versions(app, workspace):
    records.add_contact(workspace.id, "Ada", "One")
    db.session.commit()
    first = records.add_contact(workspace.id, "Bob", "First")
    db.session.flush()  # holds the version row (PostgreSQL) or the write lock (SQLite)
    stamped = []

    def other_writer():
        with app.app_context():
            second = records.add_contact(workspace.id, "Cy", "Second")
            db.session.commit()  # waits for the first transaction
            stamped.append(second.search_version)
            db.session.remove()

    writer = threading.Thread(target=other_writer)
    writer.start()
    db.session.commit()
    writer.join(timeout=120)
    assert stamped == [first.search_version + 1]
    assert current_version(workspace.id, "contact") == first.search_version + 1


# --- what the index serves and holds ------------------------------------------------------


def test_this_transactions_uncommitted_records_are_seen_here_but_never_shared(people, workspace):
    assert top3(workspace, "quarant") == []
    shared = indexes().snapshot(workspace.id, "contact")
    records.add_contact(workspace.id, "Quentin", "Quarantotto")
    assert top3(workspace, "quarant") == ["Quentin Quarantotto"]  # autoflushed, read back
    assert indexes().snapshot(workspace.id, "contact") is shared
    db.session.rollback()
    assert top3(workspace, "quarant") == []


def test_a_database_that_went_back_is_indexed_again(people, workspace):
    assert top3(workspace, "nowak") == ["Łukasz Nowak"]
    # As after restoring a backup: rows gone without tombstones, the version row too.
    db.session.execute(sa.delete(Contact).where(Contact.id == people["lukasz"].id))
    db.session.execute(sa.delete(SearchVersion))
    db.session.commit()
    assert top3(workspace, "nowak") == []


def test_the_number_of_indexes_held_is_capped_least_recently_used_first(app, ctx):
    from app.services import accounts

    app.config["SEARCH_INDEX_MAX_INDEXES"] = 2
    spaces = [accounts.create_workspace(f"Space {i}", "UTC") for i in range(3)]
    for space in spaces:
        records.add_contact(space.id, "Nora", "Lru")
    db.session.commit()
    for space in spaces:
        assert [h.label for h in search("contact", space.id, "nora")] == ["Nora Lru"]
    assert indexes().held() == [(spaces[1].id, "contact"), (spaces[2].id, "contact")]
    search("contact", spaces[0].id, "nora")
    assert indexes().held() == [(spaces[2].id, "contact"), (spaces[0].id, "contact")]


def test_an_index_reports_its_memory(people, workspace):
    snapshot = index_for("contact", workspace.id)
    assert snapshot.base.record_count == 307
    assert 0 < snapshot.nbytes() < 200 * 1024


def test_create_app_registers_the_session_hooks_on_the_apps_session_once(other_app, ctx):
    """`create_app` registers the stamping hooks on `db.session` itself (not at import, not
    on every `Session`), and a second app does not add them twice."""
    from app.services.search_index import versions

    hook = versions._stamp_changed_records
    assert list(db.session().dispatch.before_flush).count(hook) == 1
    assert hook not in list(sa.orm.Session().dispatch.before_flush)
