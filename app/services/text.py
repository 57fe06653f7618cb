"""Folding human names so that `muller`, `MÜLLER` and `Müller` compare equal (docs/rules.md §3)."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not split into base letter + accent.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)
_NOT_WORD = re.compile(r"[^\w]+")


def fold_text(text: str) -> str:
    """Case- and accent-insensitive form of any text, punctuation kept, spaces collapsed.

    What task titles are searched by: `Call Hans Müller!` → `call hans muller!`, so
    `muller` finds it while `offer_` and `100%` still mean exactly those characters.
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.translate(_SPECIAL_LETTERS).split())


def fold_name(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, words kept in order.

    `ß` becomes `ss` (by `casefold`), accents are dropped, punctuation separates words
    except apostrophes, which join them (`O'Brien` → `obrien`).
    """
    text = fold_text(name).replace("'", "").replace("’", "")
    return " ".join(_NOT_WORD.sub(" ", text).replace("_", " ").split())


def name_key(name: str) -> str:
    """The folded name with its words sorted: equal keys mean the same name (word order ignored)."""
    return " ".join(sorted(fold_name(name).split()))
