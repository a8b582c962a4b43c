"""Themes in a breakout's answers: answers clustered by the key words they share (weighted by how
rare each word is among the answers) and by rapidfuzz's likeness of their wording; each theme is
named by the key words of its most central answer."""

import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from knowledge.text import STOP_WORDS, stem, words

MAX_THEMES = 7
JOIN_AT = 0.3  # average likeness two groups need to be one theme
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


def _keys(text: str) -> list[str]:
    return [
        stem(w)
        for w in words(text)
        if w not in STOP_WORDS and len(w) > 2 and stem(w) not in GENERIC
    ]


def _likeness(a: set[str], b: set[str], ta: str, tb: str) -> float:
    # the share of the shorter answer's key words the other one uses too: a short answer
    # ("Internal silos slow every decision") is about the same thing as a long one on silos
    shared = len(a & b) / min(len(a), len(b)) if a and b else 0.0
    wording = fuzz.token_set_ratio(ta, tb, processor=utils.default_process) / 100
    return 0.75 * shared + 0.25 * wording * (1.0 if a & b else 0.5)


def find_themes(answers: list[str], *, max_themes: int = MAX_THEMES) -> Themes:
    """Group answers into at most `max_themes` themes of two or more; the rest fit no theme."""
    texts = [" ".join(a.split()) for a in answers if a.strip()]
    if not texts:
        return Themes((), ())
    every = [set(_keys(t)) for t in texts]
    document_frequency = Counter(k for ks in every for k in ks)
    # a word only one answer uses cannot link it to another: leaving it out keeps a short
    # answer's topic ("funding") from being drowned by its other words
    keys = [{k for k in ks if document_frequency[k] > 1} for ks in every]
    keyed = [" ".join(sorted(k)) for k in keys]
    weight = {k: math.log(1 + len(texts) / n) for k, n in document_frequency.items()}
    n = len(texts)
    like = [
        [_likeness(keys[i], keys[j], keyed[i], keyed[j]) if i != j else 1.0 for j in range(n)]
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


def _name(
    centre: int, group: list[int], keys: list[set[str]], texts: list[str], weight: dict[str, float]
) -> str:
    """The central answer's key words, those the theme shares most first, as written."""
    shared = Counter(k for i in group for k in keys[i])
    order = [stem(w) for w in words(texts[centre])]  # ties: as the answer puts them
    chosen = sorted(keys[centre], key=lambda k: (-shared[k], -weight[k], order.index(k)))[:3]
    spelled = {stem(w): w for w in words(texts[centre])}
    return ", ".join(spelled.get(k, k) for k in chosen) or texts[centre][:40]
