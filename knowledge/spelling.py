"""A search index's vocabulary, and what a query word may stand for: itself, a word a typo or
two away, a longer word it begins, or a shorter stem it extends."""

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from knowledge.text import fold, stem

FUZZY_MIN_LENGTH = 4  # shorter words are matched exactly: "LSP" is not one typo from "LAA"
TWO_TYPOS_FROM = 10  # a word this long may have two typos; shorter ones one
STEM_TYPOS_FROM = 7  # shorter stems are too alike to guess between ("resign", "design")
PREFIX_FACTOR = 0.6
TYPO_FACTORS = {1: 0.75, 2: 0.5}
KNOWN_WORD_NEIGHBOUR = 0.4
MAX_EXPANSIONS = 24


@dataclass(frozen=True)
class Expansion:
    """A vocabulary term a query word stands for, and how much a match through it counts."""

    term_id: int
    factor: float


def _near(
    word: str, buckets: dict[int, list[str]], ids: dict[str, int], limit: int
) -> list[tuple[int, int]]:
    """(term id, distance) of every string within `limit` edits (OSA: a swap is one)."""
    found = []
    for length in range(len(word) - limit, len(word) + limit + 1):
        bucket = buckets.get(length)
        if bucket:
            found += [
                (ids[other], int(distance))
                for other, distance, _ in process.extract(
                    word,
                    bucket,
                    scorer=OSA.distance,
                    processor=None,
                    score_cutoff=limit,
                    limit=None,
                )
            ]
    return found


class Vocabulary:
    """Terms (stems) with their ids, and every word as people wrote it, bucketed by length so
    a typo is looked for only among words of about the same length."""

    def __init__(self, frequency: Callable[[int], int]) -> None:
        self._frequency = frequency  # how many documents use a term: the tie-break
        self.term_ids: dict[str, int] = {}
        self.terms: list[str] = []
        self._word_term: dict[str, int] = {}
        self._words_by_length: dict[int, list[str]] = defaultdict(list)
        self._terms_by_length: dict[int, list[str]] = defaultdict(list)
        self._sorted_words: list[str] | None = None
        self._expansions: dict[str, tuple[Expansion, ...]] = {}

    def __len__(self) -> int:
        return len(self._word_term)

    def state(self) -> dict[str, Any]:
        """What a snapshot keeps: the terms in id order, and each word with its term's id (the
        buckets and caches are made again from these)."""
        return {"terms": list(self.terms), "words": list(self._word_term.items())}

    def restore(self, state: dict[str, Any]) -> None:
        """Take the terms and words a snapshot kept (this vocabulary must be empty)."""
        for term in state["terms"]:
            self.add_term(str(term))
        if len(self.terms) != len(state["terms"]):
            raise ValueError("a snapshot with a term twice")
        for word, tid in state["words"]:
            if not 0 <= int(tid) < len(self.terms):
                raise ValueError("a snapshot word with no term")
            self.add_word(str(word), int(tid))

    def add_term(self, term: str) -> tuple[int, bool]:
        """The term's id, and whether it is new."""
        tid = self.term_ids.get(term)
        if tid is not None:
            return tid, False
        tid = self.term_ids[term] = len(self.terms)
        self.terms.append(term)
        if not term.startswith("#"):  # tag filters are not words anyone types
            self._terms_by_length[len(term)].append(term)
        return tid, True

    def knows(self, word: str) -> bool:
        """Whether some document uses this (folded) word as written."""
        return word in self._word_term

    def add_word(self, word: str, tid: int) -> None:
        """Remember a word as written, and the term it stems to."""
        if word not in self._word_term:
            self._word_term[word] = tid
            self._words_by_length[len(word)].append(word)
            self._sorted_words = None
            self._expansions.clear()

    def expand(self, word: str) -> tuple[Expansion, ...]:
        """The terms a query word stands for, best first. Cached until the vocabulary grows."""
        word = fold(word)
        cached = self._expansions.get(word)
        if cached is not None:
            return cached
        root = stem(word)
        best: dict[int, float] = {}
        exact = self.term_ids.get(root)
        if exact is not None:
            best[exact] = 1.0
        if len(word) >= FUZZY_MIN_LENGTH:
            self._add_typos(word, root, exact, best)
            for other in self._words_starting(word):
                tid = self._word_term[other]
                best[tid] = max(best.get(tid, 0.0), PREFIX_FACTOR)
            # and the other way: a known stem the query's stem begins with ("definit" → defin)
            for cut in range(len(root) - 1, max(5, math.ceil(0.6 * len(root))) - 1, -1):
                shorter = self.term_ids.get(root[:cut])
                if shorter is not None:
                    best[shorter] = max(best.get(shorter, 0.0), PREFIX_FACTOR)
                    break
        ranked = sorted(best.items(), key=lambda item: (-item[1], -self._frequency(item[0])))
        expansions = tuple(Expansion(tid, factor) for tid, factor in ranked[:MAX_EXPANSIONS])
        self._expansions[word] = expansions
        return expansions

    def _add_typos(self, word: str, root: str, exact: int | None, best: dict[int, float]) -> None:
        limit = 1 if len(word) < TWO_TYPOS_FROM else 2
        # Typos are looked for among the words as written ("goverance" → governance) and
        # among their stems ("trustmakred" → trustmakr → trustmark), which forgives a
        # mangled ending.
        typos = _near(word, self._words_by_length, self._word_term, limit)
        near_stems = _near(root, self._terms_by_length, self.term_ids, 1)
        if len(root) < STEM_TYPOS_FROM:  # short stems: only swapped letters ("derial")
            near_stems = [
                (t, d) for t, d in near_stems if Levenshtein.distance(root, self.terms[t]) == 2
            ]
        typos += near_stems
        # Like a spelling checker: only the nearest words count, so "goverance" means
        # governance (one typo) and not government (two).
        nearest = min((d for _, d in typos if d > 0), default=0)
        # A word that is itself in the vocabulary was probably meant: its neighbours
        # ("chain" for "chair") still count, but much less.
        known = 1.0 if exact is None else KNOWN_WORD_NEIGHBOUR
        for tid, distance in typos:
            if distance in (0, nearest):
                factor = 1.0 if distance == 0 else TYPO_FACTORS[distance] * known
                best[tid] = max(best.get(tid, 0.0), factor)

    def _words_starting(self, prefix: str, limit: int = 40) -> list[str]:
        if self._sorted_words is None:
            self._sorted_words = sorted(self._word_term)
        start = bisect_left(self._sorted_words, prefix)
        found = []
        for word in self._sorted_words[start : start + limit]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
        return found

    def closest_words(self, word: str) -> list[tuple[str, int]]:
        """Known words most likely meant (for "did you mean…?"), best first, with their
        terms: one typo away, or two for a long word; never a word it merely begins, nor
        another form of the same word."""
        word = fold(word)
        limit = 1 if len(word) < 9 else 2
        same = self.term_ids.get(stem(word))
        found: list[tuple[int, int, str, int]] = []
        for length in range(len(word) - limit, len(word) + limit + 1):
            for other, distance, _ in process.extract(
                word,
                self._words_by_length.get(length, []),
                scorer=OSA.distance,
                processor=None,
                score_cutoff=limit,
                limit=None,
            ):
                tid = self._word_term[other]
                if distance > 0 and tid != same:
                    found.append((int(distance), -self._frequency(tid), other, tid))
        return [(other, tid) for _, _, other, tid in sorted(found)]
