"""How well a typed name matches a record's name, word by word (docs/search.md).

One scorer for every kind of record, used by the autocomplete (search.py) and by name
resolution (references.py, docs/rules.md §3) alike: each typed word is matched to the
name word it is closest to, wherever that word stands, so a name is found

* by its words in any order, and by a subset of them ("wisla training" finds
  "Wisła Media – Training package"; the name's other words cost a little each);
* with one typo in each word (rapidfuzz `ratio` of the two words);
* with accents left off (names and queries are folded, `text.fold_name`) and with German
  umlauts written out or not: "mueller" and "muller" both match "Müller", "Mueller" is
  found by "Müller" (`umlauts_folded`: ae/oe/ue read as a/o/u; `ß` is `ss` already);
* by numbers typed exactly ("2026" never matches "2025": a year is not a typo);
* for companies and deals, with the legal form left off or written another way
  ("Müller Logistik", "… GmbH & Co KG", "… SA", "… Limited"): legal forms are read one way
  (`legal_words`) and their words (`LEGAL_FORM_WORDS`) cost little when missing.

The score is 0–100: the mean of the typed words' matches, less `EXTRA_WORD_COST` for each
word of the name nobody typed (`EXTRA_NAME_WORD_COST` in a person's name, `LEGAL_FORM_COST`
for a legal-form word). A name with
exactly the typed words scores 100; written-out umlauts `UMLAUT_MATCH` a word.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

#: Two words that differ only in how umlauts are written ("mueller", "muller").
UMLAUT_MATCH = 97.0
#: Below this a typed word does not match a name word at all (rapidfuzz `ratio` of the
#: words: one typo in a four-letter word scores 75, in a six-letter word about 83).
WORD_MATCH_MIN = 75.0
#: What each word of the name that the query does not mention costs: "anna schmidt"
#: ranks "Anna Schmidt" before "Anna Maria Schmidt"; a subset of a company's, deal's or
#: event's words still scores far above the acceptance threshold of docs/rules.md §3.
EXTRA_WORD_COST = 3.0
#: A person's name has two or three words, and one more (a middle name, a second family
#: name) is another person about as often as a typo is: "thi dinh ho" must not outrank
#: "Thị Đainh" for "thi dtinh".
EXTRA_NAME_WORD_COST = 6.0
#: A legal form the query left off costs this a word ("Müller Logistik" for "Müller
#: Logistik GmbH"); a legal form the query gives and the name lacks, or the other way
#: round, `OTHER_LEGAL_FORM_COST` ("… sp. z o.o." is not "… S.A.").
LEGAL_FORM_COST = 0.5
OTHER_LEGAL_FORM_COST = 5.0
#: Words of legal forms after `legal_words` ("GmbH & Co. KG" → gmbh co kg, "sp. z o.o." →
#: sp z oo, "S.A." and "SA" → sa, "A.Ş." → as, "e. Kfm." → ek). Only for companies and
#: deals: a person's "S." or "A" is an initial.
_LEGAL_FORMS_TEXT = """
    gmbh ag kg ohg gbr ug haftungsbeschrankt co ek ev eg se kgaa
    sp zoo sa sarl sas sasu snc
    ltd plc llp llc inc corp corporation lp
    bv nv as sti sl slu jsc ab oy aps
"""
LEGAL_FORM_WORDS = frozenset(_LEGAL_FORMS_TEXT.split())
#: Legal-form words written out, and the joining words of "GmbH u. Co. KG".
_LEGAL_SYNONYMS = {
    "aktiengesellschaft": "ag",
    "kommanditgesellschaft": "kg",
    "gesellschaft": "",
    "mbh": "gmbh",
    "limited": "ltd",
    "sirketi": "sti",
    "spolka": "sp",
    "kfm": "k",
    "und": "",
    "u": "",
}
#: A name without a number the query has ranks this much lower, whoever scored it.
MISSING_NUMBER_COST = 10.0
#: Candidate names the index scores with `words_score` at most (a Python function: about
#: 3 µs a name where rapidfuzz's native scorers take 0.3).
SCORED_NAMES = 150
#: Kinds whose names carry legal forms.
LEGAL_FORM_KINDS = frozenset({"company", "deal"})

_UMLAUTS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def umlauts_folded(word: str) -> str:
    """A folded word with German umlauts written out read as plain letters: "mueller" →
    "muller" (which `fold_name` makes of "Müller"), "schroeder" → "schroder"."""
    if "e" not in word:
        return word
    for written, plain in _UMLAUTS:
        word = word.replace(written, plain)
    return word


@lru_cache(maxsize=65_536)
def legal_words(folded: str) -> tuple[str, ...]:
    """The words of a folded company or deal name, legal forms written one way: written-out
    forms abbreviated, and runs of single letters joined ("s a" → "sa", "o o" → "oo")."""
    words: list[str] = []
    run = ""
    for word in folded.split():
        word = _LEGAL_SYNONYMS.get(word, word)
        if len(word) == 1:
            run += word
            continue
        if run:
            words.append(run)
            run = ""
        if word:
            words.append(word)
    if run:
        words.append(run)
    return tuple("zoo" if w == "oo" else w for w in words)


@lru_cache(maxsize=65_536)
def plain_words(folded: str) -> tuple[str, ...]:
    return tuple(folded.split())


@lru_cache(maxsize=65_536)
def word_similarity(typed: str, word: str, prefix: bool = False) -> float:
    """How well one typed word matches one word of a name, 0–100 (0: not at all).

    `prefix`: the typed word may be the start of the name's word (the word being typed
    in an autocomplete field).
    """
    if typed == word:
        return 100.0
    if prefix and word.startswith(typed):
        return 100.0
    if typed.isdigit() or word.isdigit():
        return 0.0  # numbers are typed exactly: 2025 is not a typo of 2026
    plain_typed, plain_word = umlauts_folded(typed), umlauts_folded(word)
    if plain_typed == plain_word:
        return UMLAUT_MATCH
    if prefix and plain_word.startswith(plain_typed):
        return UMLAUT_MATCH
    score = max(fuzz.ratio(typed, word), fuzz.ratio(plain_typed, plain_word))
    return score if score >= WORD_MATCH_MIN else 0.0


def words_score(
    typed: str,
    name: str,
    *,
    legal_forms: bool = False,
    prefix: bool = False,
    extra_word_cost: float = EXTRA_WORD_COST,
) -> float:
    """How well the folded query `typed` matches the folded `name`, word by word, 0–100.

    Each typed word takes the name word it matches best (each name word serves one typed
    word); `prefix` lets the last typed word be the start of a name word. With
    `legal_forms`, legal-form words neither count towards the mean nor cost much. Each
    other name word nobody typed costs `extra_word_cost`.
    """
    return words_scores(
        typed, [name], legal_forms=legal_forms, prefix=prefix, extra_word_cost=extra_word_cost
    )[0]


def words_scores(
    typed: str,
    names: Sequence[str],
    *,
    legal_forms: bool = False,
    prefix: bool = False,
    cutoff: float = 0.0,
    extra_word_cost: float = EXTRA_WORD_COST,
) -> list[float]:
    """`words_score` of each of `names`, each distinct word compared once; 0 for a name
    that cannot reach `cutoff` (too few typed words match any of its words)."""
    split = legal_words if legal_forms else plain_words
    typed_words = split(typed)
    if not typed_words:
        return [0.0] * len(names)
    optional = LEGAL_FORM_WORDS if legal_forms else frozenset()
    is_legal = [w in optional for w in typed_words]
    typed_legal = any(is_legal)
    counted = len(typed_words) - sum(is_legal)
    if not counted:
        return [0.0] * len(names)
    words = list({w for name in names for w in split(name)})
    rows = _similarities(typed_words, words, prefix)
    zero = (0.0,) * len(typed_words)
    costs = {
        w: (
            extra_word_cost
            if w not in optional
            else OTHER_LEGAL_FORM_COST
            if typed_legal
            else LEGAL_FORM_COST
        )
        for w in words
    }
    # The typed words (but legal forms) each name word matches: a name whose words match
    # too few of them cannot reach the cutoff, and is not scored further.
    matching_sets = [
        {w for w, row in rows.items() if row[i] > 0.0}
        for i, legal in enumerate(is_legal)
        if not legal
    ]
    needed = math.ceil(cutoff * counted / 100.0 - 1e-9) if cutoff > 0 else 0
    if len(typed_words) == 1:  # one typed word (each keystroke's first): no assignment
        return [_best_word(split(name), rows, costs) for name in names]
    scores = []
    for name in names:
        words_of_name = split(name)
        if needed and sum(not found.isdisjoint(words_of_name) for found in matching_sets) < needed:
            scores.append(0.0)
        else:
            scores.append(_assign(words_of_name, rows, zero, costs, is_legal, counted))
    return scores


def _best_word(
    name_words: tuple[str, ...], rows: dict[str, tuple[float, ...]], costs: dict[str, float]
) -> float:
    """`_assign` for one typed word: its best name word, less the others' costs."""
    best, best_at = 0.0, -1
    for at, word in enumerate(name_words):
        row = rows.get(word)
        if row is not None and row[0] > best:
            best, best_at = row[0], at
    if best_at < 0:
        return 0.0
    cost = sum(costs[w] for at, w in enumerate(name_words) if at != best_at)
    return max(0.0, best - cost)


def _similarities(
    typed_words: Sequence[str], words: list[str], prefix: bool
) -> dict[str, tuple[float, ...]]:
    """{name word: its `word_similarity` to each typed word} for the words that match one;
    rapidfuzz compares each typed word with all of them natively."""
    plain = [umlauts_folded(w) for w in words]
    found: dict[str, list[float]] = {}
    last = len(typed_words) - 1
    for i, typed in enumerate(typed_words):
        scores: dict[int, float] = {}
        for _w, score, at in process.extract(
            typed, words, scorer=fuzz.ratio, score_cutoff=WORD_MATCH_MIN, limit=None
        ):
            scores[at] = score
        plain_typed = umlauts_folded(typed)
        for _w, score, at in process.extract(
            plain_typed, plain, scorer=fuzz.ratio, score_cutoff=WORD_MATCH_MIN, limit=None
        ):
            if score > scores.get(at, 0.0):
                scores[at] = UMLAUT_MATCH if score == 100.0 else score
        if prefix and i == last:
            for at, word in enumerate(words):
                if word.startswith(typed):
                    scores[at] = 100.0
                elif plain[at].startswith(plain_typed):
                    scores[at] = max(scores.get(at, 0.0), UMLAUT_MATCH)
        for at, score in scores.items():
            word = words[at]
            if score < 100.0 and (typed.isdigit() or word.isdigit()):
                continue  # numbers are typed exactly: 2025 is not a typo of 2026
            if word == typed:
                score = 100.0
            found.setdefault(word, [0.0] * len(typed_words))[i] = score
    return {word: tuple(row) for word, row in found.items()}


def _assign(
    name_words: tuple[str, ...],
    rows: dict[str, tuple[float, ...]],
    zero: tuple[float, ...],
    costs: dict[str, float],
    is_legal: list[bool],
    counted: int,
) -> float:
    """Each typed word takes its best name word still free, in the order typed."""
    name_rows = [rows.get(w, zero) for w in name_words]
    used = [False] * len(name_words)
    total = 0.0
    cost = 0.0
    for i, legal in enumerate(is_legal):
        best, best_at = 0.0, -1
        for at, row in enumerate(name_rows):
            if row[i] > best and not used[at]:
                best, best_at = row[i], at
        if legal:
            if best == 100.0:
                used[best_at] = True
            else:
                cost += OTHER_LEGAL_FORM_COST
            continue
        total += best
        if best_at >= 0:
            used[best_at] = True
    for at, word in enumerate(name_words):
        if not used[at]:
            cost += costs[word]
    return max(0.0, total / counted - cost)


def without_typed_numbers(
    typed: str, names: Sequence[str], best: dict[int, float], prefix: bool = False
) -> None:
    """Lower by `MISSING_NUMBER_COST` the scores in `best` (index in `names` → score) of
    names lacking a number the query has: whatever else scored them (rapidfuzz's
    whole-string scorers see "2025" one letter from "2026"), the year typed is meant."""
    numbers = [w for w in typed.split() if w.isdigit()]
    if not numbers:
        return
    last = typed.split()[-1]
    for index in best:
        words = names[index].split()
        for number in numbers:
            if number in words:
                continue
            if prefix and number == last and any(w.startswith(number) for w in words):
                continue
            best[index] = max(0.0, best[index] - MISSING_NUMBER_COST)
            break


def candidate_words(kind: str, folded: str) -> list[str] | None:
    """The words the index should find candidate names by, when not simply those typed:
    for companies and deals, the typed words but legal forms (optional, and written in
    ways the names' words may not be: "S.A.R.L.", "spółka z o.o.")."""
    if kind not in LEGAL_FORM_KINDS:
        return None
    words = [w for w in legal_words(folded) if w not in LEGAL_FORM_WORDS]
    return words if words and words != folded.split() else None


@lru_cache(maxsize=8)
def scorer(kind: str, *, prefix: bool) -> Callable[..., float]:
    """`words_score` for names of `kind`, as a rapidfuzz scorer (`scorer(query, name)`)."""
    options = {
        "legal_forms": kind in LEGAL_FORM_KINDS,
        "prefix": prefix,
        "extra_word_cost": EXTRA_NAME_WORD_COST if kind == "contact" else EXTRA_WORD_COST,
    }

    def score(typed: str, name: str, **_: object) -> float:
        return words_score(typed, name, **options)  # type: ignore[arg-type]

    def many(typed: str, names: Sequence[str], cutoff: float = 0.0) -> list[float]:
        return words_scores(typed, names, cutoff=cutoff, **options)  # type: ignore[arg-type]

    def adjust(typed: str, names: Sequence[str], best: dict[int, float]) -> None:
        without_typed_numbers(typed, names, best, prefix)

    score.many = many  # type: ignore[attr-defined]
    score.adjust = adjust  # type: ignore[attr-defined]

    score.__name__ = f"words_score_{kind}{'_prefix' if prefix else ''}"
    # The index scores only its first candidates with it (search_index/index.py `_score`):
    # those matching every typed word come first, and a name missing one scores low here.
    score.first_names = SCORED_NAMES  # type: ignore[attr-defined]
    return score
