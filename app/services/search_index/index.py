"""The in-memory candidate index of one workspace's names of one kind: pure Python, no database.

Scoring every name of a workspace with rapidfuzz costs about 0.6 µs a name: 60 ms a
keystroke at 100,000 contacts, most of a second at 1,000,000. This index finds the few
hundred names worth scoring first, and rapidfuzz re-ranks only those:

* **word prefixes** — the distinct folded names sorted, and every later word of every name
  (its suffix within the name) sorted, both searched with `bisect`: "hans mu" and "mül"
  are contiguous ranges, already in name order;
* **exact names** — a sorted array of the hashes of `name_key` (words sorted), so the
  "exactly equal" step of name resolution (docs/rules.md §3) is a binary search;
* **typos** — a vocabulary of the distinct words, each with the names that contain it,
  reached from a query word by exact lookup, by prefix, by its one-edit variants, and by
  a trigram index over the vocabulary (typos and fragments from inside a word: "ller").

Both `search.search` (autocomplete) and `references.resolve_name` (docs/rules.md §3) use
it; the ranking rules and thresholds stay in those modules.

**Bounded memory.** The base index (`NameBase`) is a handful of flat `array`s and one
`bytes` blob of names (about 70 bytes a contact, see docs/search.md); changes since it was
built sit in a small overlay (`Snapshot.changes`) that is folded into a new base when it
grows past `COMPACT_MIN` records or `COMPACT_FRACTION` of the base.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import gc
import heapq
import math
import sys
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, combinations, product, repeat

from rapidfuzz import fuzz, process

#: Changes held beside the base before they are folded into a new one: scanning the overlay
#: costs about 1 µs a record a search, rebuilding costs about 5 µs a record once.
COMPACT_MIN = 2_000
COMPACT_FRACTION = 0.01
#: Names re-ranked by rapidfuzz at most, chosen by how many query words they match and how
#: well. Scoring costs about 1 µs a name and scorer, so this bounds the fuzzy step near 1 ms.
MAX_SCORED_NAMES = 400
#: Names that match every word of a longer query, enough to stop looking for more: the
#: best matches of the query are among them (they score above any name missing a word).
ENOUGH_NAMES = 100
#: Vocabulary words scored against a query word at least this high (rapidfuzz `ratio`, or
#: `partial_ratio` for autocomplete fragments) lead to the names containing them. 60 keeps a
#: one-letter typo in a three-letter word ("jna" ~ "jan" scores 67).
WORD_CUTOFF = 60.0
#: How close query words and name words are, in the order candidate names are taken:
#: names with every query word exactly, then with every one nearly, then loosely.
MATCH_LEVELS = (100.0, 80.0, WORD_CUTOFF)
#: A query word that begins more vocabulary words than this is too short to lead anywhere.
MAX_PREFIX_WORDS = 256
#: One-edit variants are tried for query words up to this length: in longer words one edit
#: (even two swapped letters) always leaves a trigram intact.
MAX_EDIT_WORD = 6
#: Trigram lookups use this many of a query word's rarest trigrams: a word one edit away
#: (two letters swapped spoil up to four trigrams) shares at least one of any five.
RARE_TRIGRAMS = 5
#: Builds of at least this many records hand their scratch memory back at once (a full
#: garbage collection costs tens of milliseconds: not worth it for small workspaces).
RELEASE_AFTER_RECORDS = 20_000
#: Query words whose vocabulary matches a base remembers (up to ~10 KB each).
WORD_CACHE_SIZE = 1_024
#: Characters tried in one-edit variants: the most common ones of the workspace's words.
ALPHABET_SIZE = 36


def _sorted_words_key(folded: str) -> str:
    """`text.name_key` of an already folded name (folding is idempotent)."""
    words = folded.split()
    return " ".join(sorted(words)) if len(words) > 1 else folded


def _edits1(word: str, alphabet: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in alphabet]
    inserts = [a + c + b for a, b in splits for c in alphabet]
    return set(chain(deletes, transposes, replaces, inserts))


def _gram_code(gram: str) -> int:
    """A trigram as one integer (21 bits a code point), for a sorted `array('q')`."""
    return (ord(gram[0]) << 42) | (ord(gram[1]) << 21) | ord(gram[2])


def _trigrams(word: str) -> set[str]:
    return {word[i : i + 3] for i in range(len(word) - 2)}


def _group_by_name(pairs: Iterable[tuple[bytes, str]]) -> dict[str, list[bytes]]:
    """{folded name: its record ids}; records without a name are left out (they match nothing)."""
    groups: dict[str, list[bytes]] = {}
    for record_id, name in pairs:
        if not name:
            continue  # an empty name matches no query
        group = groups.get(name)
        if group is None:
            groups[name] = [record_id]
        else:
            group.append(record_id)
    return groups


#: The final ranking: (rapidfuzz scorer, weight, only for names at least as long as the
#: query); a name's score is the best weighted score of them. Name resolution
#: (docs/decisions.md, "Name resolution") uses token_sort and 0.95 × token_set; autocomplete
#: token_sort and partial_ratio, the latter only where the query can be a part of the name
#: (a short name inside a long query is no match).
Scorers = Sequence[tuple[Callable[..., float], float, bool]]


class NameBase:
    """An immutable index of (record id, folded name) pairs, in flat arrays.

    Names are grouped: each distinct folded name appears once, however many records carry
    it, and name numbers are ranks in sorted order, so "smaller number" means "earlier
    alphabetically" and prefix ranges come out in name order.
    """

    __slots__ = (
        "blob",
        "name_off",
        "rec_start",
        "rec_ids",
        "word_off",
        "word_name",
        "key_hash",
        "key_name",
        "vocab_text",
        "vocab_off",
        "vocab_hash",
        "vocab_hash_id",
        "post_off",
        "post_names",
        "gram_codes",
        "gram_off",
        "gram_words",
        "alphabet",
        "_word_cache",
        "_words",
    )

    def __init__(self, pairs: Iterable[tuple[bytes, str]]) -> None:
        groups = _group_by_name(pairs)
        names = sorted(groups)  # code point order is UTF-8 byte order: bisect agrees
        self._store_names_and_records(names, groups)
        del groups
        postings = self._index_later_words(names)
        self._index_name_keys(names)
        del names
        vocab = sorted(postings)
        self._store_postings(vocab, postings)
        del postings
        self._index_trigrams(vocab)
        self._store_vocabulary(vocab)
        del vocab
        self._word_cache: dict[tuple[str, str], dict[int, float]] = {}
        self._words: list[str] | None = None

    # -- building (each step once, in this order: see `__init__`) --

    def _store_names_and_records(self, names: list[str], groups: dict[str, list[bytes]]) -> None:
        """The names in one blob, and the record ids grouped by name, sorted within it."""
        # Names, one blob: name i is blob[name_off[i] : name_off[i + 1] - 1], "\n"-ended.
        # "\n" sorts before every character a folded name has, so a slice running past
        # the end of a name still compares like the name itself.
        encoded = [n.encode() for n in names]
        self.blob = b"\n".join(encoded) + b"\n" if encoded else b""
        self.name_off = array("I", [0])
        position = 0
        for e in encoded:
            position += len(e) + 1
            self.name_off.append(position)

        # Records, grouped by name and sorted by id within it (ids as 16 bytes each).
        self.rec_start = array("I", [0])
        id_chunks = []
        count = 0
        for name in names:
            group = groups[name]
            if len(group) > 1:
                group.sort()
            id_chunks.extend(group)
            count += len(group)
            self.rec_start.append(count)
        self.rec_ids = b"".join(id_chunks)

    def _index_later_words(self, names: list[str]) -> dict[str, list[int]]:
        """Later words of each name, by the rest of the name from that word on; and the
        vocabulary of all words with the names containing each (ascending name numbers),
        which is returned."""
        suffixes: list[tuple[str, int, int]] = []
        postings: dict[str, list[int]] = {}
        for number, name in enumerate(names):
            words = name.split(" ")
            for word in set(words):
                posting = postings.get(word)
                if posting is None:
                    postings[word] = [number]
                else:
                    posting.append(number)
            if len(words) > 1:
                suffixes += self._later_words(number, name, words)
        suffixes.sort()
        self.word_off = array("I", [s[1] for s in suffixes])
        self.word_name = array("I", [s[2] for s in suffixes])
        return postings

    def _later_words(self, number: int, name: str, words: list[str]) -> list[tuple[str, int, int]]:
        """(rest of the name, its offset in the blob, name number) for every word but the first."""
        start = self.name_off[number]
        ascii_name = name.isascii()
        at = len(words[0]) + 1
        found = []
        for word in words[1:]:
            offset = at if ascii_name else len(name[:at].encode())
            found.append((name[at:], start + offset, number))
            at += len(word) + 1
        return found

    def _index_name_keys(self, names: list[str]) -> None:
        """Hashes of each name's words sorted (`text.name_key`), sorted, for the exact step."""
        hashed = sorted((hash(_sorted_words_key(n)), i) for i, n in enumerate(names))
        self.key_hash = array("q", [h for h, _ in hashed])
        self.key_name = array("I", [i for _, i in hashed])

    def _store_postings(self, vocab: list[str], postings: dict[str, list[int]]) -> None:
        """The names containing each vocabulary word, as two flat arrays."""
        self.post_off = array("I", [0])
        self.post_names = array("I")
        for word in vocab:
            self.post_names.extend(postings[word])
            self.post_off.append(len(self.post_names))

    def _index_trigrams(self, vocab: list[str]) -> None:
        """Trigram → vocabulary word numbers, as sorted keys and two arrays; and the alphabet."""
        grams: dict[str, list[int]] = {}
        letters: Counter[str] = Counter()
        for i, word in enumerate(vocab):
            letters.update(word)
            for gram in _trigrams(word):
                ids = grams.get(gram)
                if ids is None:
                    grams[gram] = [i]
                else:
                    ids.append(i)
        coded = sorted((_gram_code(gram), gram) for gram in grams)
        self.gram_codes = array("q", [code for code, _ in coded])
        self.gram_off = array("I", [0])
        self.gram_words = array("I")
        for _code, gram in coded:
            self.gram_words.extend(grams[gram])
            self.gram_off.append(len(self.gram_words))
        self.alphabet = "".join(c for c, _ in letters.most_common(ALPHABET_SIZE))

    def _store_vocabulary(self, vocab: list[str]) -> None:
        """The words too in one string, found by hash or by bisect: no small object per
        word is kept. (Made among the scratch objects of the steps before, tens of
        thousands of them would pin the allocator's arenas of that scratch, and the
        process would keep three times the index's size: so this step comes last.)"""
        self.vocab_text = "\n".join(vocab) + "\n"
        self.vocab_off = array("I", [0])
        for word in vocab:
            self.vocab_off.append(self.vocab_off[-1] + len(word) + 1)
        hashed = sorted((hash(word), i) for i, word in enumerate(vocab))
        self.vocab_hash = array("q", [h for h, _ in hashed])
        self.vocab_hash_id = array("I", [i for _, i in hashed])

    # -- reading --

    @property
    def name_count(self) -> int:
        return len(self.name_off) - 1

    @property
    def record_count(self) -> int:
        return len(self.rec_ids) // 16

    def name(self, number: int) -> str:
        return self.blob[self.name_off[number] : self.name_off[number + 1] - 1].decode()

    def record_ids(self, number: int) -> Iterable[bytes]:
        ids = self.rec_ids
        for r in range(self.rec_start[number], self.rec_start[number + 1]):
            yield ids[16 * r : 16 * r + 16]

    def records(self) -> Iterable[tuple[bytes, str]]:
        """Every (record id, name) pair, in name order."""
        for number in range(self.name_count):
            name = self.name(number)
            for record_id in self.record_ids(number):
                yield record_id, name

    def names_starting(self, prefix: bytes) -> range:
        """Numbers of the names that start with `prefix` (a range: they sort together)."""
        blob, off, size = self.blob, self.name_off, len(prefix)

        def head(number: int) -> bytes:
            return blob[off[number] : off[number] + size]

        numbers = range(self.name_count)
        lo = bisect.bisect_left(numbers, prefix, key=head)
        return range(lo, bisect.bisect_right(numbers, prefix, lo=lo, key=head))

    def later_words_starting(self, prefix: bytes) -> tuple[int, int]:
        """The slice of `word_off`/`word_name` whose later word starts with `prefix`."""
        blob, size = self.blob, len(prefix)

        def head(offset: int) -> bytes:
            return blob[offset : offset + size]

        lo = bisect.bisect_left(self.word_off, prefix, key=head)
        return lo, bisect.bisect_right(self.word_off, prefix, lo=lo, key=head)

    def names_with_key(self, key: str) -> list[int]:
        """Numbers of the names whose words, sorted, are `key`."""
        h = hash(key)
        found = []
        i = bisect.bisect_left(self.key_hash, h)
        while i < len(self.key_hash) and self.key_hash[i] == h:
            number = self.key_name[i]
            if _sorted_words_key(self.name(number)) == key:
                found.append(number)
            i += 1
        return found

    @property
    def vocab_count(self) -> int:
        return len(self.vocab_off) - 1

    def word(self, vocab_id: int) -> str:
        """Vocabulary word number `vocab_id` (numbers follow sorted order)."""
        return self.vocab_text[self.vocab_off[vocab_id] : self.vocab_off[vocab_id + 1] - 1]

    @property
    def words(self) -> list[str]:
        """The vocabulary as a list, made on first use by one split (so its strings lie
        together, after the build's scratch is gone): for scanning slices of it."""
        if self._words is None:
            self._words = self.vocab_text[:-1].split("\n") if self.vocab_count else []
        return self._words

    def vocab_id(self, word: str) -> int | None:
        """The number of a vocabulary word, or None."""
        hashes = self.vocab_hash
        h = hash(word)
        at = bisect.bisect_left(hashes, h)
        while at < len(hashes) and hashes[at] == h:
            vocab_id = self.vocab_hash_id[at]
            if self.word(vocab_id) == word:
                return vocab_id
            at += 1
        return None

    def vocab_ids(self, words: Iterable[str]) -> list[int]:
        """The numbers of those of `words` that are in the vocabulary (many at once)."""
        hashes = self.vocab_hash
        size = len(hashes)
        words = list(words)
        wanted = list(map(hash, words))
        # Binary searches in C first; only hash hits are checked in Python.
        spots = map(bisect.bisect_left, repeat(hashes), wanted)
        found = []
        for word, h, at in zip(words, wanted, spots, strict=True):
            while at < size and hashes[at] == h:
                vocab_id = self.vocab_hash_id[at]
                if self.word(vocab_id) == word:
                    found.append(vocab_id)
                    break
                at += 1
        return found

    def words_starting(self, prefix: str) -> range:
        """Numbers of the vocabulary words that start with `prefix`."""
        numbers = range(self.vocab_count)
        lo = bisect.bisect_left(numbers, prefix, key=self.word)
        return range(lo, bisect.bisect_left(numbers, prefix + "\U0010ffff", lo=lo, key=self.word))

    def gram_postings(self, gram: str) -> array:
        """Numbers of the vocabulary words containing trigram `gram`."""
        code = _gram_code(gram)
        i = bisect.bisect_left(self.gram_codes, code)
        if i == len(self.gram_codes) or self.gram_codes[i] != code:
            return array("I")
        return self.gram_words[self.gram_off[i] : self.gram_off[i + 1]]

    def postings(self, vocab_id: int) -> array:
        """Numbers of the names containing vocabulary word `vocab_id`, ascending."""
        return self.post_names[self.post_off[vocab_id] : self.post_off[vocab_id + 1]]

    def word_matches(self, word: str, mode: str) -> dict[int, float]:
        """Vocabulary words like `word` (exact, prefix, one edit, shared trigrams), scored.

        `mode` is how a query word may match a word of a name: `ratio` (the whole word,
        with typos, up to two edits from a short word: name resolution, which must find
        every close name to tell "resolved" from "ambiguous"), `near` (the whole word, one
        edit from a short one: autocomplete), `prefix` (also the start of a longer word:
        the word being typed last), `partial` (also any part of a longer word: a one-word
        autocomplete query).
        Answers are remembered (people type the same first names, keystroke after
        keystroke): at most `WORD_CACHE_SIZE` of them per base.
        """
        cached = self._word_cache.get((word, mode))
        if cached is None:
            if len(self._word_cache) >= WORD_CACHE_SIZE:
                self._word_cache.clear()
            cached = self._word_cache[(word, mode)] = self._word_matches(word, mode)
        return cached

    def _word_matches(self, word: str, mode: str) -> dict[int, float]:
        found: set[int] = set()
        exact = self.vocab_id(word)
        if exact is not None:
            found.add(exact)
        starting = self.words_starting(word)
        if len(starting) > MAX_PREFIX_WORDS:
            starting = range(0)
        found.update(starting)
        short = 2 <= len(word) <= MAX_EDIT_WORD
        words = self.words
        if short:
            found.update(self.vocab_ids(_edits1(word, self.alphabet)))
        if short and mode == "ratio":
            # Two edits away can still decide a name ("jvnas russo": "jana russo" scores
            # 86 beside "jonas russo" at 91, which makes the name ambiguous). People seldom
            # mistype the first letter: score every word starting with the same one.
            same_start = self.words_starting(word[0])
            for _w, _score, index in process.extract(
                word,
                words[same_start.start : same_start.stop],
                scorer=fuzz.ratio,
                score_cutoff=WORD_CUTOFF,
                limit=None,
            ):
                found.add(same_start.start + index)
        if mode == "partial" or not short:
            # One edit spoils at most four trigrams of a word (a swap), so a word one edit
            # away shares at least one of any five of its trigrams: look up the rarest.
            # (A short whole word has its one-edit neighbours already; trigrams would
            # add only fragments, which only a one-word autocomplete query wants.)
            grams = sorted(filter(None, map(self.gram_postings, _trigrams(word))), key=len)
            found.update(chain.from_iterable(grams[:RARE_TRIGRAMS]))
        if not found:
            return {}
        candidates = list(found)
        choices = [words[i] for i in candidates]
        scored: dict[int, float] = {}
        scorers = (fuzz.ratio, fuzz.partial_ratio) if mode == "partial" else (fuzz.ratio,)
        for scorer in scorers:
            for _choice, score, index in process.extract(
                word, choices, scorer=scorer, score_cutoff=WORD_CUTOFF, limit=None
            ):
                vocab_id = candidates[index]
                if score > scored.get(vocab_id, 0.0):
                    scored[vocab_id] = score
        if mode in ("prefix", "partial"):
            scored.update(dict.fromkeys(starting, 100.0))
        if exact is not None:
            scored[exact] = 100.0
        return scored

    def _names_by_level(self, matches: dict[int, float]) -> list[set[int]]:
        """For each of MATCH_LEVELS, the names with a word scoring at least that."""
        found: list[set[int]] = []
        names: set[int] = set()
        for level, above in zip(MATCH_LEVELS, (math.inf, *MATCH_LEVELS), strict=False):
            fresh = [v for v, score in matches.items() if level <= score < above]
            if fresh:
                names = names.union(*map(self.postings, fresh))
            found.append(names)
        return found

    def split_words(self, word: str) -> list[tuple[int, int]]:
        """Two known words that `word` runs together ("janagarcia"), when it is not one:
        their vocabulary numbers, for each way to split it."""
        known = self.vocab_id
        if len(word) < 5 or known(word) is not None:
            return []
        found = []
        for i in range(2, len(word) - 1):
            first, second = known(word[:i]), known(word[i:])
            if first is not None and second is not None:
                found.append((first, second))
        return found

    def query_word_matches(
        self, words: Sequence[str], partial: bool, cutoff: float = 0.0
    ) -> list[dict[int, float]]:
        """For each query word, the vocabulary words it matches, scored (see `word_matches`).

        Name resolution matches whole words (`ratio`); autocomplete matches earlier words
        whole (`near`) and the last one as a prefix, or a one-word query anywhere inside
        a word (`partial`).
        """
        if partial and len(words) == 1:
            matches = self.word_matches(words[0], "partial")
            # A one-word query scores against a name about as well as against the name's
            # best word: words far below the cutoff lead only to names that miss it.
            return [{v: s for v, s in matches.items() if s >= cutoff - 10}]
        last = "prefix" if partial else "ratio"
        modes = ["near" if partial else "ratio"] * (len(words) - 1) + [last]
        return [self.word_matches(w, m) for w, m in zip(words, modes, strict=True)]

    def candidate_names(
        self, words: Sequence[str], partial: bool, cutoff: float = 0.0
    ) -> list[int]:
        """The names worth scoring for a query of `words`, best first, at most `MAX_SCORED_NAMES`.

        First the names that match every query word (each fuzzily), then — for three or
        more words — those matching two of them, each group alphabetically; then names
        matching one query word, by how well their word matched it. All set operations
        run in C, so a common word ("hans") costs little.
        """
        split_tiers = [
            set(self.postings(a)) & set(self.postings(b))
            for word in words
            for a, b in self.split_words(word)
        ]
        matches = self.query_word_matches(words, partial, cutoff)
        chosen = _Chosen()
        for tier in split_tiers:
            if chosen.add(tier):
                return chosen.numbers
        every_word = len(words) > 1 and all(matches)
        if every_word and self._add_names_with_every_word(matches, chosen):
            return chosen.numbers
        if len(words) > 2:
            sets = sorted((set().union(*map(self.postings, m)) for m in matches if m), key=len)[:4]
            chosen.add(set().union(*(a & b for a, b in combinations(sets, 2))))
            if len(chosen.numbers) >= ENOUGH_NAMES:
                return chosen.numbers
        # Names matching one query word, best matching word first: all a one-word query
        # has, and a few more for a longer one.
        goal = ENOUGH_NAMES if every_word else MAX_SCORED_NAMES
        ranked = sorted(
            ((score, vocab_id) for m in matches for vocab_id, score in m.items()),
            key=lambda item: -item[0],
        )
        for _score, vocab_id in ranked:
            if chosen.add(self.postings(vocab_id)) or len(chosen.numbers) >= goal:
                break
        return chosen.numbers

    def _add_names_with_every_word(self, matches: list[dict[int, float]], chosen: _Chosen) -> bool:
        """Add the names with every query word, the closest matches first; True when enough.

        Each word exactly, nearly or loosely (MATCH_LEVELS), in the order of the levels'
        sum — so "pter petrovic" takes "petr petrovic" (loose + exact) before the thousands
        of names where "petr" is close to both words (loose + loose).
        """
        by_level = [self._names_by_level(m) for m in matches[:3]]
        order = sorted(
            product(range(len(MATCH_LEVELS)), repeat=len(by_level)),
            key=lambda levels: -sum(MATCH_LEVELS[i] for i in levels),
        )
        for levels in order:
            sets = [word[i] for word, i in zip(by_level, levels, strict=True)]
            if all(sets):
                chosen.add(set.intersection(*sorted(sets, key=len)))
                if len(chosen.numbers) >= ENOUGH_NAMES:
                    return True
            if not any(levels):
                # A rare word typed exactly: all its names, whatever the other words
                # ("hanna meierski" finds "jana meierski": 89, though "jana" is far).
                for exact in sorted((word[0] for word in by_level), key=len):
                    if 0 < len(exact) <= ENOUGH_NAMES:
                        chosen.add(exact)
        return False

    def nbytes(self) -> int:
        """Memory held, in bytes: arrays, blobs, the words and trigrams, the word set.

        (The remembered word matches, at most `WORD_CACHE_SIZE`, come on top.)
        """
        size = sys.getsizeof
        total = sum(
            size(getattr(self, a))
            for a in (
                "blob",
                "name_off",
                "rec_start",
                "rec_ids",
                "word_off",
                "word_name",
                "key_hash",
                "key_name",
                "post_off",
                "post_names",
                "gram_codes",
                "gram_off",
                "gram_words",
                "vocab_text",
                "vocab_off",
                "vocab_hash",
                "vocab_hash_id",
            )
        )
        if self._words is not None:
            total += size(self._words) + sum(map(size, self._words))
        return total


class _Chosen:
    """Candidate name numbers in the order taken, at most `MAX_SCORED_NAMES`, each once."""

    __slots__ = ("numbers", "seen")

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self.seen: set[int] = set()

    def add(self, numbers: Iterable[int]) -> bool:
        """Take the new ones of `numbers`, smallest (alphabetically first) first; True when full."""
        room = MAX_SCORED_NAMES - len(self.numbers)
        fresh = sorted(set(numbers) - self.seen)[:room]
        self.numbers.extend(fresh)
        self.seen.update(fresh)
        return len(self.numbers) >= MAX_SCORED_NAMES


@dataclass(frozen=True)
class Change:
    """A record's name as of a version after the base was built (None: deleted)."""

    name: str | None
    key: str | None


class Snapshot:
    """One version of a workspace's names of one kind: a base and the changes since.

    Immutable once made: a search holds the snapshot it started with while a newer one
    may be published for the next search.
    """

    __slots__ = ("version", "base", "changes", "_live_ids", "_live_names")

    def __init__(self, version: int, base: NameBase, changes: dict[bytes, Change]) -> None:
        self.version = version
        self.base = base
        self.changes = changes
        live = [(rid, c.name) for rid, c in changes.items() if c.name]
        self._live_ids = [rid for rid, _ in live]
        self._live_names = [name for _, name in live]

    @classmethod
    def build(cls, version: int, pairs: Iterable[tuple[bytes, str]]) -> Snapshot:
        snapshot = cls(version, NameBase(pairs), {})
        if snapshot.base.record_count >= RELEASE_AFTER_RECORDS:
            _release_free_memory()
        return snapshot

    def with_changes(
        self,
        version: int,
        deleted: Iterable[bytes],
        rows: Iterable[tuple[bytes, str]],
        *,
        compact: bool = True,
    ) -> Snapshot:
        """A newer snapshot: these records deleted, then these (re)named (rows win)."""
        changes = dict(self.changes)
        for record_id in deleted:
            changes[record_id] = Change(None, None)
        for record_id, name in rows:
            changes[record_id] = Change(name, _sorted_words_key(name) if name else None)
        limit = max(COMPACT_MIN, int(self.base.record_count * COMPACT_FRACTION))
        if compact and len(changes) > limit:
            return Snapshot.build(version, self._merged(changes))
        return Snapshot(version, self.base, changes)

    def _merged(self, changes: dict[bytes, Change]) -> Iterable[tuple[bytes, str]]:
        for record_id, name in self.base.records():
            if record_id not in changes:
                yield record_id, name
        for record_id, change in changes.items():
            if change.name:
                yield record_id, change.name

    # -- searching --

    def exact(self, key: str) -> list[uuid.UUID]:
        """Records whose folded name has exactly these words (`text.name_key`)."""
        found = [
            record_id
            for number in self.base.names_with_key(key)
            for record_id in self.base.record_ids(number)
            if record_id not in self.changes
        ]
        found += [rid for rid, c in self.changes.items() if c.key == key]
        return [uuid.UUID(bytes=rid) for rid in found]

    def prefix(
        self, folded: str, limit: int, exclude: Iterable[uuid.UUID] = ()
    ) -> list[tuple[uuid.UUID, float]]:
        """Names starting with `folded` (100), then names with a later word that does (95).

        Each group in name order, then id; at most `limit`, as `search` has always ranked
        its prefix matches (SQL `LIKE 'q%'` and `LIKE '% q%'`).
        """
        if limit <= 0 or not folded:
            return []
        excluded = {e.bytes for e in exclude}
        skip = self.changes.keys() | excluded if excluded else self.changes
        base = self.base
        prefix = folded.encode()
        starting = base.names_starting(prefix)
        hits = self._take(starting, limit, skip)
        hits += [
            (name, rid)
            for rid, name in zip(self._live_ids, self._live_names, strict=True)
            if name.startswith(folded) and rid not in excluded
        ]
        hits.sort()
        ranked = [(uuid.UUID(bytes=rid), 100.0) for _name, rid in hits[:limit]]
        if len(ranked) == limit:
            return ranked

        lo, hi = base.later_words_starting(prefix)
        # Names that start with the query were ranked above already.
        numbers = [n for n in set(base.word_name[lo:hi]) if n not in starting]
        want = limit - len(ranked)
        more = []
        if len(numbers) > 4096:  # a short fragment: the first few names suffice, usually
            more = self._take(heapq.nsmallest(4 * want, numbers), want, skip)
        if len(more) < want:
            more = self._take(sorted(numbers), want, skip)
        needle = " " + folded
        more += [
            (name, rid)
            for rid, name in zip(self._live_ids, self._live_names, strict=True)
            if needle in name and not name.startswith(folded) and rid not in excluded
        ]
        more.sort()
        return ranked + [(uuid.UUID(bytes=rid), 95.0) for _name, rid in more[:want]]

    def _take(self, numbers: Iterable[int], limit: int, skip) -> list[tuple[str, bytes]]:
        """(name, record id) of the first `limit` records of these names, in this order."""
        taken: list[tuple[str, bytes]] = []
        for number in numbers:
            if len(taken) >= limit:
                break
            name = None
            for rid in self.base.record_ids(number):
                if rid not in skip:
                    name = name or self.base.name(number)
                    taken.append((name, rid))
        return taken

    def fuzzy(
        self,
        folded: str,
        scorers: Scorers,
        cutoff: float,
        limit: int | None,
        *,
        partial: bool,
        exclude: Iterable[uuid.UUID] = (),
        tiebreak: Callable[..., float] | None = None,
        candidate_words: Sequence[str] | None = None,
        per_name: int | None = None,
    ) -> list[tuple[uuid.UUID, float]]:
        """Records whose name scores at least `cutoff` against `folded`, best first.

        The score is the best of `weight * scorer(folded, name)` over `scorers`; equal
        scores go by `tiebreak(folded, name)` (higher first) when given, then by name,
        then id. Only candidate names (see `NameBase.candidate_names`; found by
        `candidate_words` when given, else by the words of `folded`) and the records
        changed since the base was built are scored. With `per_name`, records beyond the
        first `per_name` of one name come after the other names' (a mistyped name that
        lands on one many people share still shows the next closest names).
        """
        words = list(dict.fromkeys(candidate_words or folded.split()))
        if not words or (limit is not None and limit <= 0):
            return []
        excluded = {e.bytes for e in exclude}
        skip = self.changes.keys() | excluded if excluded else self.changes
        base = self.base
        numbers = base.candidate_names(words, partial, cutoff)
        names = [base.name(n) for n in numbers]
        scored: list[tuple[float, str, bytes]] = []
        for index, score in _score(folded, names, scorers, cutoff).items():
            name = names[index]
            scored += [
                (-score, name, rid) for rid in base.record_ids(numbers[index]) if rid not in skip
            ]
        if self._live_ids:
            for index, score in _score(folded, self._live_names, scorers, cutoff).items():
                rid = self._live_ids[index]
                if rid not in excluded:
                    scored.append((-score, self._live_names[index], rid))
        if limit is not None and len(scored) > limit:
            # Only what ties with the last kept hit can still move: cut before tie-breaking
            # (with `per_name`, the last kept name).
            if per_name is None:
                last = heapq.nsmallest(limit, scored)[-1][0]
                scored = [entry for entry in scored if entry[0] <= last]
            else:
                best: dict[str, float] = {}
                for negative, name, _rid in scored:
                    best[name] = min(negative, best.get(name, 0.0))
                if len(best) > limit:
                    last = heapq.nsmallest(limit, best.values())[-1]
                    scored = [entry for entry in scored if best[entry[1]] <= last]
        closeness: dict[str, float] = {}
        if tiebreak is not None:
            for _negative, name, _rid in scored:
                if name not in closeness:
                    closeness[name] = -tiebreak(folded, name)
        ranked = sorted(
            (negative, closeness.get(name, 0.0), name, rid) for negative, name, rid in scored
        )
        if per_name is not None:
            ranked = _spread(ranked, per_name)
        return [(uuid.UUID(bytes=rid), -negative) for negative, _o, _name, rid in ranked[:limit]]

    def nbytes(self) -> int:
        size = sys.getsizeof
        overlay = size(self.changes) + sum(
            size(rid) + size(c.name or "") + size(c.key or "") + 64
            for rid, c in self.changes.items()
        )
        return self.base.nbytes() + overlay


_Ranked = tuple[float, float, str, bytes]


def _spread(ranked: list[_Ranked], per_name: int) -> list[_Ranked]:
    """`ranked` (best first, the name third) with each name's records beyond the first
    `per_name` moved after every other name's first ones, in their order."""
    seen: Counter[str] = Counter()
    first: list[_Ranked] = []
    later: list[_Ranked] = []
    for entry in ranked:
        seen[entry[2]] += 1
        (first if seen[entry[2]] <= per_name else later).append(entry)
    return first + later


def _release_free_memory() -> None:
    """Hand the build's freed scratch memory back to the system, once, right after it.

    The database rows come through objects that reference each other, so only the cycle
    collector frees them; glibc then keeps freed memory unless asked to trim it.
    """
    gc.collect()
    with contextlib.suppress(AttributeError, OSError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _score(folded: str, names: Sequence[str], scorers: Scorers, cutoff: float) -> dict[int, float]:
    """{index in `names`: best weighted score ≥ cutoff}, each scorer run natively by rapidfuzz."""
    best: dict[int, float] = {}
    if not names:
        return best
    longer: list[int] | None = None
    indexes: list[int] | None
    choices: Sequence[str]
    for scorer, weight, query_inside_only in scorers:
        if query_inside_only:
            if longer is None:
                longer = [i for i, name in enumerate(names) if len(name) >= len(folded)]
            indexes = longer
            choices = [names[i] for i in longer]
        else:
            indexes, choices = None, names
        first = getattr(scorer, "first_names", None)
        if first is not None and len(choices) > first:
            # A scorer written in Python scores only the first names (the closest
            # candidates come first): it costs tens of times a native one per name.
            choices = choices[:first]
        if cutoff / weight > 100.0:
            continue  # a down-weighted scorer cannot reach a cutoff of 100 ("a b", three letters)
        # A little under cutoff / weight: the weighted score is compared exactly below.
        many = getattr(scorer, "many", None)  # scores a list of names at once
        found = (
            [(None, score, i) for i, score in enumerate(many(folded, choices, cutoff / weight))]
            if many is not None
            else process.extract(
                folded, choices, scorer=scorer, score_cutoff=cutoff / weight - 1e-9, limit=None
            )
        )
        for _name, score, index in found:
            if indexes is not None:
                index = indexes[index]
            weighted = weight * score if weight != 1 else score
            if weighted >= cutoff and weighted > best.get(index, -1.0):
                best[index] = weighted
    for scorer, _weight, _inside in scorers:
        adjust = getattr(scorer, "adjust", None)  # a scorer's word on every score
        if adjust is not None:
            adjust(folded, names, best)
    return {index: score for index, score in best.items() if score >= cutoff}
