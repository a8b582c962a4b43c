"""Themes in a breakout's answers: answers clustered by the key words they share (weighted by how
rare each word is among the answers), by rapidfuzz's likeness of their wording, and by their
meaning (the search's static embeddings, knowledge/semantic.py), so "The budget has gone" and "No
funding left for next year" can meet. The question's own words are never key words: every answer echoes them. Each
theme is named by a phrase of its most central answer, in that answer's own words."""

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, utils

from knowledge import semantic
from knowledge.text import STOP_WORDS, stem, words

MAX_THEMES = 7
JOIN_AT = 0.3  # average likeness two groups need to be one theme
MEANING_SHARE = 0.35  # of two answers' likeness, what their meaning carries
MEANING_FROM, MEANING_SPAN = 0.1, 0.25
NAME_WORDS = 8  # a theme's name: at most this many words of its central answer
# words every answer to a partnership question uses: they say nothing about what it is about
GENERIC = frozenset(
    stem(w)
    for w in (
        [
            "partner",
            "partners",
            "partnership",
            "partnerships",
            "council",
            "councils",
            "work",
            "working",
            "need",
            "needs",
            "good",
            "really",
            "people",
            "think",
            "important",
            "make",
            "makes",
            "lot",
            "get",
            "better",
        ]
    )
)


@dataclass(frozen=True)
class Theme:
    name: str
    answers: tuple[str, ...]  # most central first

    @property
    def count(self) -> int:
        return len(self.answers)


@dataclass(frozen=True)
class Themes:
    themes: tuple[Theme, ...]
    unthemed: tuple[str, ...]


def _keys(text: str, asked: frozenset[str] = frozenset()) -> list[str]:
    return [
        stem(w)
        for w in words(text)
        if w not in STOP_WORDS and len(w) > 2 and stem(w) not in GENERIC and stem(w) not in asked
    ]


def _likeness(a: set[str], b: set[str], ta: str, tb: str) -> float:
    # the share of the shorter answer's key words the other one uses too: a short answer
    # ("Internal silos slow every decision") is about the same thing as a long one on silos
    shared = len(a & b) / min(len(a), len(b)) if a and b else 0.0
    wording = fuzz.token_set_ratio(ta, tb, processor=utils.default_process) / 100
    return 0.75 * shared + 0.25 * wording * (1.0 if a & b else 0.5)


def _meanings(texts: list[str], asked: frozenset[str]) -> np.ndarray:
    """How alike each pair of answers is in meaning, 0 to 1, read without the question's words:
    a cosine of MEANING_FROM or less is nothing in common, MEANING_FROM + MEANING_SPAN or more
    the same thing said another way ("The budget has gone", "No funding left for next year")."""
    stripped = [" ".join(w for w in words(t) if stem(w) not in asked) or t for t in texts]
    vectors = semantic.embed(stripped)
    return np.clip((vectors @ vectors.T - MEANING_FROM) / MEANING_SPAN, 0.0, 1.0)


def find_themes(answers: list[str], *, question: str = "", max_themes: int = MAX_THEMES) -> Themes:
    """Group answers into at most `max_themes` themes of two or more; the rest fit no theme.
    The `question`'s words are not theme words."""
    # in one order whatever order they came in, so the same answers always make the same themes
    texts = sorted(" ".join(a.split()) for a in answers if a.strip())
    if not texts:
        return Themes((), ())
    asked = frozenset(stem(w) for w in words(question) if w not in STOP_WORDS)
    every = [set(_keys(t, asked)) for t in texts]
    document_frequency = Counter(k for ks in every for k in ks)
    # a word only one answer uses cannot link it to another: leaving it out keeps a short
    # answer's topic ("funding") from being drowned by its other words
    keys = [{k for k in ks if document_frequency[k] > 1} for ks in every]
    keyed = [" ".join(sorted(k)) for k in keys]
    weight = {k: math.log(1 + len(texts) / n) for k, n in document_frequency.items()}
    n = len(texts)
    meaning = _meanings(texts, asked) if n > 2 else np.ones((n, n))
    like = [
        [
            (1 - MEANING_SHARE) * _likeness(keys[i], keys[j], keyed[i], keyed[j])
            + MEANING_SHARE * float(meaning[i, j])
            if i != j
            else 1.0
            for j in range(n)
        ]
        for i in range(n)
    ]
    groups = [[i] for i in range(n)]

    def link(a: list[int], b: list[int]) -> float:  # average linkage
        return sum(like[i][j] for i in a for j in b) / (len(a) * len(b))

    while len(groups) > 1:
        best, pair = -1.0, (0, 1)
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                score = link(groups[x], groups[y])
                if score > best:
                    best, pair = score, (x, y)
        themed = sum(1 for g in groups if len(g) > 1)
        if best < JOIN_AT and themed <= max_themes:
            break
        x, y = pair
        groups[x] += groups.pop(y)
    themed_groups = sorted(
        (g for g in groups if len(g) > 1), key=lambda g: (-len(g), min(texts[i] for i in g))
    )
    while len(themed_groups) > max_themes:  # never more than a facilitator can read out
        themed_groups[-2] += themed_groups.pop()
    themes = []
    for group in themed_groups:
        # the most central answer; ties go to the shorter, then the alphabetically first, so the
        # same answers always make the same theme whatever order they came in
        central = sorted(
            group,
            key=lambda i: (-round(sum(like[i][j] for j in group), 9), len(texts[i]), texts[i]),
        )
        themes.append(
            Theme(_name(central[0], group, keys, texts, weight), tuple(texts[i] for i in central))
        )
    loners = tuple(texts[g[0]] for g in groups if len(g) == 1)
    return Themes(tuple(themes), loners)


_CLAUSES = re.compile(r"\s*[,;:.!?()]+\s*|\s+[–—-]+\s+")


def _name(
    centre: int, group: list[int], keys: list[set[str]], texts: list[str], weight: dict[str, float]
) -> str:
    """A phrase of the theme's most central answer, in its own words: the clause (or, in a long
    one, the run of NAME_WORDS words) holding most of the key words the theme shares."""
    shared = Counter(k for i in group for k in keys[i])

    def worth(phrase: list[str]) -> float:
        return sum(shared[stem(w.lower())] * weight.get(stem(w.lower()), 0.0) for w in phrase)

    best: list[str] = []
    for clause in _CLAUSES.split(texts[centre]):
        said = clause.split()
        for start in range(max(1, len(said) - NAME_WORDS + 1)):
            phrase = said[start : start + NAME_WORDS]
            if phrase and (not best or worth(phrase) > worth(best)):
                best = phrase
    name = " ".join(best).strip(" .,;:!?")
    whole = texts[centre].strip(" .,;:!?")
    if not name:
        return whole[:60]
    return name if name == whole else name + "…"
