"""Folding human names so that `muller`, `MÜLLER` and `Müller` compare equal (docs/rules.md §3)."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not split into base letter + accent.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)
_NOT_WORD = re.compile(r"[^\w]+")


def fold_name(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, words kept in order.

    `ß` becomes `ss` (by `casefold`), accents are dropped, punctuation separates words
    except apostrophes, which join them (`O'Brien` → `obrien`).
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_SPECIAL_LETTERS).replace("'", "").replace("’", "")
    return " ".join(_NOT_WORD.sub(" ", text).replace("_", " ").split())


def name_key(name: str) -> str:
    """The folded name with its words sorted: equal keys mean the same name (word order ignored)."""
    return " ".join(sorted(fold_name(name).split()))
