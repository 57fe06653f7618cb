"""The six kinds of query people type into a contact field, and how to judge the answers.

Each query comes from a target person of the workspace. "Intended" is judged by name,
not by row: 100,000 people include many same-name pairs, and a search cannot tell two
Anna Schmidts apart by what was typed (the hit's context does that). So:

* full name, one typo, accent-free, surname first — a hit is right when its name has
  the target's words (`name_key` equal);
* a 3–6 letter prefix, and "first name + initial" — every record whose name fits is
  equally meant (a word starting with the prefix; the first name followed by a word with
  that initial), so the top three hits must all fit — or, when fewer than three records
  of the workspace fit, the first that many hits.

A query "passes" when a right hit is among the first three (prefix kinds: as above).
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.services.text import fold_name, name_key

KINDS = ("prefix", "full name", "one typo", "accent-free", "surname first", "first + initial")


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    #: The target's name key (name kinds) or the folded prefix ("hans m", "mul").
    expect: str
    #: Prefix kinds: how many records of the workspace fit, counted up to three.
    available: int = 3

    def right(self, folded_name: str) -> bool:
        if self.kind == "prefix":
            return any(word.startswith(self.expect) for word in folded_name.split())
        if self.kind == "first + initial":
            return folded_name.startswith(self.expect)
        return name_key(folded_name) == self.expect

    def passes(self, folded_names: list[str]) -> bool:
        if self.kind in ("prefix", "first + initial"):
            top = folded_names[: min(3, self.available)]
            return len(top) == min(3, self.available) > 0 and all(self.right(n) for n in top)
        return any(self.right(n) for n in folded_names[:3])


#: How people write letters their keyboard lacks (as `text.fold_name` folds them).
LETTERS_WITHOUT_ACCENTS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "þ": "th",
        "ð": "d",
    }
)


def strip_accents(text: str) -> str:
    """What someone without the keyboard types: `Jürgen Weiß` → `Jurgen Weiss`."""
    plain = text.translate(LETTERS_WITHOUT_ACCENTS)
    folded = unicodedata.normalize("NFKD", plain)
    return "".join(c for c in folded if not unicodedata.combining(c))


def one_typo(text: str, rng: random.Random) -> str:
    """One letter dropped, doubled, swapped with the next, or replaced, in a word of 4+."""
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 4]
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)  # first letters are rarely mistyped
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "drop":
        word = word[:at] + word[at + 1 :]
    elif edit == "double":
        word = word[:at] + word[at] + word[at:]
    elif edit == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        letter = rng.choice([c for c in string.ascii_lowercase if c != word[at].lower()])
        word = word[:at] + letter + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def make_queries(
    people: list[tuple[str, str]],
    per_kind: int,
    seed: int = 11,
    known_keys: Callable[[str], bool] | None = None,
    folded_names: list[str] | None = None,
) -> dict[str, list[Query]]:
    """`per_kind` queries of each kind from random targets among `people` (first, last).

    `known_keys(key)` tells whether some record has that name: a typo that happens to
    spell another person's name is not a typo of this one, and is skipped.
    `folded_names` (every record's) counts the records a prefix query fits.
    """
    rng = random.Random(seed)
    queries: dict[str, list[Query]] = {kind: [] for kind in KINDS}

    def full(first: str, last: str) -> str:
        return f"{first} {last}"

    while any(len(q) < per_kind for q in queries.values()):
        first, last = rng.choice(people)
        name = full(first, last)
        key = name_key(name)
        word = rng.choice(last.split())
        if len(queries["prefix"]) < per_kind and len(fold_name(word)) >= 3:
            text = word[: rng.randint(3, min(6, len(word)))]
            queries["prefix"].append(Query("prefix", text, fold_name(text)))
        if len(queries["full name"]) < per_kind:
            queries["full name"].append(Query("full name", name, key))
        if len(queries["one typo"]) < per_kind and any(len(w) >= 4 for w in name.split()):
            typo = one_typo(name, rng)
            if name_key(typo) != key and not (known_keys and known_keys(name_key(typo))):
                queries["one typo"].append(Query("one typo", typo, key))
        if len(queries["accent-free"]) < per_kind and not name.isascii():
            queries["accent-free"].append(Query("accent-free", strip_accents(name), key))
        if len(queries["surname first"]) < per_kind:
            queries["surname first"].append(Query("surname first", full(last, first), key))
        if len(queries["first + initial"]) < per_kind:
            text = f"{first} {last[0]}"
            queries["first + initial"].append(Query("first + initial", text, fold_name(text)))
    if folded_names is not None:
        for kind in ("prefix", "first + initial"):
            queries[kind] = [replace(q, available=_fitting(q, folded_names)) for q in queries[kind]]
    return queries


def _fitting(query: Query, folded_names: list[str], enough: int = 3) -> int:
    count = 0
    for name in folded_names:
        if query.expect in name and query.right(name):
            count += 1
            if count == enough:
                break
    return count
