"""Ranked search over a workspace's contacts, companies, deals and events (autocomplete).

`search(kind, workspace_id, query)` answers at most `limit` hits: first the records whose
folded name starts with the folded query, or has a word that does ("mü" finds "Hans
Müller"), then fuzzy matches scored by rapidfuzz ("mulr", "ller"). Accents, case and
spacing are ignored as in name resolution (docs/rules.md §3), and every hit carries the context
people choose by (email and company, domain, stage, date) and the span of its label that
matched, so the door can highlight it.

The interface is what the web door relies on. Both steps run on the workspace's in-memory
name index (search_index/index.py: word prefixes, exact names, a trigram-backed vocabulary for
typos), which is current as of the search and re-ranks only candidate names with rapidfuzz:
a few milliseconds at 100,000 records where scoring every name took about 60.
"""

from __future__ import annotations

import functools
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from app import kinds
from app.extensions import db
from app.i18n import format_moment
from app.models import Company, Contact, Deal, Event, NamedRecord
from app.services import matching, search_index
from app.services.text import fold_name, name_key
from app.services.zones import workspace_zone

#: Kind key → model (app/kinds.py).
MODELS: dict[str, type[NamedRecord]] = kinds.MODELS
MAX_HITS = 10
#: Longer queries are cut here: nobody types more into an autocomplete field.
QUERY_MAX = 200
# Fuzzy hits need this rapidfuzz score (0–100). With `partial_ratio`, 75 keeps one wrong or
# missing letter in a four-letter fragment ("mulr" → "Müller", "smiht" → "Smith") while
# three-letter fragments share two letters with almost any name; those must be found
# verbatim inside the name instead (a score of 100), see FUZZY_MIN_LENGTH.
FUZZY_CUTOFF = 75.0
FUZZY_MIN_LENGTH = 4
#: Fuzzy hits of one name before the next closest names: a typo that lands on a name many
#: people share ("thi dinh" for "Thị Đainh") must not fill the list with them.
FUZZY_PER_NAME = 2


@dataclass(frozen=True)
class SearchHit:
    """One suggestion: the record, how it reads, why it matched, and what part matched."""

    id: uuid.UUID
    kind: str
    label: str
    context: str
    score: float
    #: `exact` (the name has exactly the query's words, in any order), `prefix` (the name
    #: or one of its words starts with the query) or `fuzzy`.
    match: str = "prefix"
    #: The matched part of `label` as [start, end) character offsets, when there is one.
    highlight: tuple[int, int] | None = None

    @property
    def parts(self) -> tuple[str, str, str]:
        """`label` split into (before, matched, after) for highlighting; escape each part."""
        if self.highlight is None:
            return self.label, "", ""
        start, end = self.highlight
        return self.label[:start], self.label[start:end], self.label[end:]


def search(
    kind: str, workspace_id: uuid.UUID, query: str, limit: int = MAX_HITS
) -> list[SearchHit]:
    """The workspace's records of `kind` matching `query`, prefix matches first, at most `limit`."""
    model = MODELS[kind]
    folded = fold_name(query[:QUERY_MAX])
    if not folded or limit <= 0:
        return []
    ranked = rank(kind, workspace_id, folded, limit)

    # Labels and context come from the rows themselves, so a renamed company shows at once.
    records = _load(model, [record_id for record_id, _m, _s in ranked])
    tz = workspace_zone(workspace_id) if kind == "event" else None
    hits = []
    for record_id, match, score in ranked:
        record = records.get(record_id)
        if record is None:
            continue  # deleted since the index answered
        label = record.display_name
        hits.append(
            SearchHit(
                id=record.id,
                kind=kind,
                label=label,
                context=record_context(record, tz),
                score=score,
                match=match,
                highlight=_highlight(label, folded, match),
            )
        )
    return hits


def rank(
    kind: str, workspace_id: uuid.UUID, folded: str, limit: int = MAX_HITS
) -> list[tuple[uuid.UUID, str, float]]:
    """The autocomplete's suggestions for a folded query: (id, how it matched, score), best
    first. Name resolution (references.py) never contradicts the first of them."""
    index = search_index.index_for(kind, workspace_id)
    # A name with exactly the typed words comes first, in whatever order they were typed:
    # "Martín José" means José Martín before Martín José García.
    ranked: list[tuple[uuid.UUID, str, float]] = [
        (record_id, "exact", 100.0) for record_id in index.exact(name_key(folded))[:limit]
    ]
    seen = {record_id for record_id, _match, _score in ranked}
    ranked += [
        (record_id, "prefix", score)
        for record_id, score in index.prefix(folded, limit - len(ranked), exclude=seen)
    ]
    if len(ranked) < limit:
        seen = {record_id for record_id, _match, _score in ranked}
        ranked += [
            (record_id, "fuzzy", score)
            for record_id, score in _fuzzy_matches(kind, index, folded, limit - len(ranked), seen)
        ]
    return ranked


def get_record(kind: str, workspace_id: uuid.UUID, record_id: uuid.UUID) -> NamedRecord | None:
    """The workspace's record of `kind` with this id, or None (also for another workspace's)."""
    model = MODELS[kind]
    return db.session.scalar(
        sa.select(model)
        .where(model.id == record_id, model.workspace_id == workspace_id)
        .options(*_context_loads(model))
    )


def describe_record(kind: str, workspace_id: uuid.UUID, record_id: uuid.UUID) -> SearchHit | None:
    """A picked record as the autocomplete shows it (label and context), or None."""
    record = get_record(kind, workspace_id, record_id)
    if record is None:
        return None
    tz = workspace_zone(workspace_id) if kind == "event" else None
    return SearchHit(
        id=record.id,
        kind=kind,
        label=record.display_name,
        context=record_context(record, tz),
        score=100.0,
    )


def record_context(record: NamedRecord, tz=None) -> str:
    """What tells two similar names apart: email and company, domain, stage, date."""
    if isinstance(record, Contact):
        parts = [record.email, record.company.name if record.company else None]
    elif isinstance(record, Company):
        parts = [record.domain]
    elif isinstance(record, Deal):
        parts = [record.stage, record.company.name if record.company else None]
    elif isinstance(record, Event):
        parts = [format_event_start(record.starts_at, tz), record.location]
    else:  # pragma: no cover - every kind is listed above
        parts = []
    return " · ".join(p for p in parts if p)


def format_event_start(moment: datetime, tz=None) -> str:
    """`Tue 10 Mar 2026, 09:00` in the workspace's zone (and the page's language)."""
    return format_moment(moment, tz, weekday=True)


#: A fuzzy hit's score is the best of: the whole name as typed (`ratio`) and with its words
#: reordered (`token_sort_ratio`; alone it misses typos that change the words' order,
#: "peetr petezny" against "petr petezny" scores 56), and the query inside the name
#: (`partial_ratio`, typo-tolerant fragments like "mulr"). The last counts only where the
#: name is at least as long as the query (else "Hans Ho" scores 100 for "hans hofmann"),
#: and for a query of several words a little less than a whole-name match: "hung lionh"
#: means "Hùng Lơinh" more than "Hùng Linh Hâưang".
FUZZY_SCORERS = (
    (fuzz.ratio, 1.0, False),
    (fuzz.token_sort_ratio, 1.0, False),
    (fuzz.partial_ratio, 1.0, True),
)
FUZZY_SCORERS_SEVERAL_WORDS = FUZZY_SCORERS[:2] + ((fuzz.partial_ratio, 0.95, True),)


def whole_name_score(query: str, name: str, **_: object) -> float:
    """How close the whole name is, in either word order, counting two swapped letters as
    one slip: equal fuzzy scores go by this ("Hans Müller" before "Anna Hans Müller" for
    "haans muller"; "Heinz Meyer" before "Heinz Meier" for "heinz myeer")."""
    return 100 * max(
        OSA.normalized_similarity(query, name),
        OSA.normalized_similarity(_sorted_words(query), _sorted_words(name)),
    )


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def fuzzy_scorers(kind: str, several_words: bool) -> search_index.Scorers:
    """The autocomplete's fuzzy scorers for names of `kind`: rapidfuzz's, and the word-by-word
    matcher (matching.py: any order, subsets, a typo a word, umlauts, legal forms), the
    word being typed last matching the start of a name's word."""
    scorers = FUZZY_SCORERS_SEVERAL_WORDS if several_words else FUZZY_SCORERS
    return (*scorers, (matching.scorer(kind, prefix=True), 1.0, False))


def _fuzzy_matches(
    kind: str,
    index: search_index.Snapshot,
    folded: str,
    limit: int,
    exclude: set[uuid.UUID],
) -> list[tuple[uuid.UUID, float]]:
    """Names close to the query by rapidfuzz, best first (equal scores by the whole name,
    then by name), excluding ids already found; only the index's candidate names are scored."""
    cutoff = FUZZY_CUTOFF if len(folded) >= FUZZY_MIN_LENGTH else 100.0
    return index.fuzzy(
        folded,
        fuzzy_scorers(kind, " " in folded),
        cutoff,
        limit,
        partial=True,
        exclude=exclude,
        tiebreak=whole_name_score,
        candidate_words=matching.candidate_words(kind, folded),
        per_name=FUZZY_PER_NAME,
    )


def _load(model: type[NamedRecord], ids: list[uuid.UUID]) -> dict[uuid.UUID, NamedRecord]:
    if not ids:
        return {}
    rows = db.session.scalars(_load_statement(model), {"ids": ids})
    return {record.id: record for record in rows.unique()}


_LOAD_STATEMENTS: dict[type[NamedRecord], sa.Select] = {}


def _load_statement(model: type[NamedRecord]) -> sa.Select:
    """Records by id with what their context needs, built once (every keystroke runs it)."""
    statement = _LOAD_STATEMENTS.get(model)
    if statement is None:
        statement = _LOAD_STATEMENTS[model] = (
            sa.select(model)
            .where(model.id.in_(sa.bindparam("ids", expanding=True)))
            .options(*_context_loads(model))
        )
    return statement


def _context_loads(model: type[NamedRecord]) -> list:
    # One query with a join: the company of each of the few hits (a second SELECT costs
    # more than the join on this path, which every keystroke takes).
    if model is Contact:
        return [so.joinedload(Contact.company)]
    if model is Deal:
        return [so.joinedload(Deal.company)]
    return []


def _highlight(label: str, folded_query: str, match: str) -> tuple[int, int] | None:
    """Where `folded_query` matched inside `label`, as offsets into the original label."""
    folded, origin = fold_with_offsets(label)
    if not folded:
        return None
    if match in ("prefix", "exact"):
        start = 0 if folded.startswith(folded_query) else folded.find(" " + folded_query) + 1
        if start < 0 or not folded.startswith(folded_query, start):
            return None
        end = start + len(folded_query)
    else:
        if len(folded_query) > len(folded):
            return None
        alignment = fuzz.partial_ratio_alignment(folded_query, folded)
        if alignment is None or alignment.dest_end <= alignment.dest_start:
            return None
        start, end = alignment.dest_start, alignment.dest_end
        # Do not start or end a highlight on the space between two words.
        while start < end and folded[start] == " ":
            start += 1
        while end > start and folded[end - 1] == " ":
            end -= 1
        if start == end:
            return None
    return origin[start], origin[end - 1] + 1


#: Folding one character at a time is pure: cache it (labels repeat their letters).
_fold_char = functools.lru_cache(maxsize=4096)(fold_name)


def fold_with_offsets(label: str) -> tuple[str, list[int]]:
    """`fold_name(label)` built character by character, with each folded character's source.

    `origin[i]` is the offset in `label` of the character that produced folded character
    `i` (`ß` gives two: `ss`), so a match in the folded name maps back to the label.
    """
    chars: list[str] = []
    origin: list[int] = []
    pending_space = False
    for index, char in enumerate(label):
        if unicodedata.combining(char) or char in "'’":
            continue  # accents vanish and apostrophes join words, as in fold_name
        for ch in _fold_char(char) or " ":
            if ch == " ":
                pending_space = True
                continue
            if pending_space and chars:
                chars.append(" ")
                origin.append(index)
            pending_space = False
            chars.append(ch)
            origin.append(index)
    return "".join(chars), origin
