"""Resolving a human name to one record of the workspace (docs/rules.md §3).

The whole workspace is searched through its in-memory name index (search_index/): the
exact step is a lookup of the name's sorted words, and only the index's candidate names
are scored with `name_score`, not every name. A company's own contacts (`company_id`) are
few, so they are read from the database and all scored, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, process

from app import kinds
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.models import Contact, NamedRecord
from app.services import matching, search, search_index
from app.services.errors import AmbiguousReference, Candidate, ValidationError
from app.services.text import fold_name, name_key

# A score is 0–100 from `name_score`. 85 accepts one wrong, missing or extra letter in a
# two-word name ("Hans Muler" → "Hans Müller" scores 95) and a lone first or last name
# that only one record carries (scored 95, see `name_score`), while two-letter fragments
# and unrelated names of similar length stay well below it (≤ 70 in the tests' corpus).
ACCEPT_THRESHOLD = 85.0
# The best candidate wins outright only when it beats the runner-up by this much: a
# one-letter typo scores about 95 against its name and about 85 against a name two letters
# away, so 8 points separates "clearly this one" from "one of these two".
CLEAR_MARGIN = 8.0
MAX_CANDIDATES = 10
#: rapidfuzz's part of `name_score` as weighted scorers, for the index to run natively.
NAME_SCORERS = ((fuzz.token_sort_ratio, 1.0, False), (fuzz.token_set_ratio, 0.95, False))

#: Kind key → model (app/kinds.py).
MODELS: dict[str, type[NamedRecord]] = kinds.MODELS


#: What a name that matches no record of a kind gets told (`query` is the name as typed).
NO_MATCH = {
    "contact": _l("no contact matches %(query)r"),
    "company": _l("no company matches %(query)r"),
    "deal": _l("no deal matches %(query)r"),
    "event": _l("no event matches %(query)r"),
}


def name_scorers(kind: str) -> search_index.Scorers:
    """`name_score` for names of `kind` as weighted scorers: rapidfuzz's and the word-by-word
    matcher the autocomplete uses too (matching.py), whole words only."""
    return (*NAME_SCORERS, (matching.scorer(kind, prefix=False), 1.0, False))


def name_score(query_folded: str, choice_folded: str, kind: str = "contact", **_: object) -> float:
    """How well a folded query matches a folded name, 0–100, ignoring word order.

    `token_sort_ratio` handles reordered words and typos; `token_set_ratio` lets a lone
    first or last name match the full name, scaled down so a full match always ranks first;
    `matching.words_score` matches word by word (subsets, a typo a word, umlauts written
    out, legal forms left off).
    """
    return max(
        weight * scorer(query_folded, choice_folded) for scorer, weight, _ in name_scorers(kind)
    )


@dataclass(frozen=True)
class Match:
    id: uuid.UUID
    score: float


def _names(
    kind: str, workspace_id: uuid.UUID, company_id: uuid.UUID | None
) -> dict[uuid.UUID, str]:
    model = MODELS[kind]
    query = sa.select(model.id, model.name_folded).where(model.workspace_id == workspace_id)
    if company_id is not None:
        query = query.where(Contact.company_id == company_id)
    return {row[0]: row[1] for row in db.session.execute(query)}


def rank_names(query: str, names: dict[uuid.UUID, str], limit: int) -> list[Match]:
    """Every name scoring at least the threshold, best first, at most `limit`."""
    folded = fold_name(query)
    scored = process.extract(
        folded, names, scorer=name_score, limit=limit, score_cutoff=ACCEPT_THRESHOLD
    )
    return [Match(key, score) for _choice, score, key in scored]


def resolve_name(
    field: str,
    kind: str,
    query: str,
    workspace_id: uuid.UUID,
    *,
    company_id: uuid.UUID | None = None,
    as_autocomplete: bool = True,
) -> uuid.UUID:
    """The id of the one record of `kind` that `query` names, or a typed error.

    `company_id` (contacts only) narrows the search to that company's contacts first;
    when none of them matches at all, the whole workspace is searched.

    With `as_autocomplete` (every `*_name` field), the record the autocomplete offers
    first for the same text is the one resolved or among the candidates of an ambiguity,
    never "no match". Without it only docs/rules.md §3's own ranking counts: for text that
    is not typed into a name field (quick add reads names out of a sentence, where a word
    the autocomplete would complete is not yet a name).
    """
    key = name_key(query)
    if not key:
        raise ValidationError.for_fields({field: _("must not be empty")})
    if company_id is not None:
        names = _names(kind, workspace_id, company_id)
        try:
            return _resolve_among(
                field,
                kind,
                query,
                exact=[record_id for record_id, folded in names.items() if name_key(folded) == key],
                rank=lambda: rank_names(query, names, MAX_CANDIDATES),
            )
        except ValidationError:
            pass  # nobody of that name at the company: look through the whole workspace
    index = search_index.index_for(kind, workspace_id)
    folded = fold_name(query)
    return _resolve_among(
        field,
        kind,
        query,
        exact=index.exact(key),
        rank=lambda: [
            Match(record_id, score)
            for record_id, score in index.fuzzy(
                folded,
                name_scorers(kind),
                ACCEPT_THRESHOLD,
                MAX_CANDIDATES,
                partial=False,
                candidate_words=matching.candidate_words(kind, folded),
            )
        ],
        offered=(lambda: search.rank(kind, workspace_id, folded)) if as_autocomplete else None,
    )


def _resolve_among(
    field: str,
    kind: str,
    query: str,
    *,
    exact: list[uuid.UUID],
    rank: Callable[[], list[Match]],
    offered: Callable[[], list[tuple[uuid.UUID, str, float]]] | None = None,
) -> uuid.UUID:
    """Outcomes 1–5 of docs/rules.md §3, given the exact matches, the fuzzy ranking (best
    first) and what the autocomplete offers for the same text (`search.rank`).

    Resolution never contradicts the autocomplete: the record it offers first is the one
    resolved, or among the candidates of an ambiguity, never "no match".
    """
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousReference(field, kind, describe(kind, [Match(i, 100.0) for i in exact]))
    ranked = rank()
    suggestions = offered() if offered is not None else []
    first = suggestions[0][0] if suggestions else None
    clear = bool(ranked) and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= CLEAR_MARGIN)
    if clear and first in (None, ranked[0].id):
        return ranked[0].id
    if not ranked and first is None:
        raise ValidationError.for_fields({field: str(NO_MATCH[kind]) % {"query": query.strip()}})
    if not ranked:  # offered, though not close enough to take: let the caller choose
        ranked = [Match(record_id, score) for record_id, _how, score in suggestions]
    candidates = ranked[:MAX_CANDIDATES]
    if first is not None and all(c.id != first for c in candidates):
        candidates = [*candidates[: MAX_CANDIDATES - 1], Match(first, suggestions[0][2])]
    raise AmbiguousReference(field, kind, describe(kind, candidates))


def describe(kind: str, matches: list[Match]) -> list[Candidate]:
    """Candidates for an ambiguity error, best first, with the context people choose by.

    Equal scores are ordered by name, company and email, so the same question always
    lists its candidates in the same order.
    """
    model = MODELS[kind]
    scores = {m.id: m.score for m in matches}
    candidates = []
    for record in db.session.scalars(sa.select(model).where(model.id.in_(list(scores)))):
        if isinstance(record, Contact):
            candidates.append(
                Candidate(
                    id=str(record.id),
                    name=record.display_name,
                    score=scores[record.id],
                    email=record.email,
                    company=record.company.name if record.company else None,
                )
            )
        else:
            candidates.append(Candidate(str(record.id), record.display_name, scores[record.id]))
    candidates.sort(
        key=lambda c: (
            -c.score,
            c.name.casefold(),
            (c.company or "").casefold(),
            c.email or "",
            c.id,
        )
    )
    return candidates[:MAX_CANDIDATES]
