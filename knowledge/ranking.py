"""Ranking: the words side (BM25 with typos and the council vocabulary) and the meaning side
(static embeddings, knowledge/semantic.py) fused into one list, best first.

An answer must be sure on at least one side: every word of the question matched (or enough of
its rarer words, strongly), or a meaning close to the question's. The two sides' scores are
blended, each as a share of its best, so a result found both ways comes first; the meaning side
reads the question with its typos corrected. When neither side is sure there are no answers,
rather than five weak ones. The weights below were chosen on benchmarks/queries.yaml (the
tuning set) only; benchmarks/queries_held_out.yaml is never tuned on.
"""

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz, utils

from knowledge import semantic
from knowledge.documents import Filters
from knowledge.index import SearchIndex
from knowledge.query import Query
from knowledge.spelling import TYPO_FACTORS
from knowledge.synonyms import SYNONYM_FACTOR

MAX_RESULTS = 50
CANDIDATES = 60
# How much of the query (weighted by rarity) an answer must match to be shown at all.
MIN_COVERAGE = 0.34
# Relative floor: an answer scoring under this share of the best one is noise.
RELATIVE_FLOOR = 0.15
# Absolute floor on the BM25 score: one weak, common-word match is not an answer.
MIN_SCORE = 0.9
# The meaning side. Likeness is read against the rest of the workspace (in standard
# deviations above the mean likeness of everything visible), so a large workspace of unrelated
# notes does not lift every answer. The side is sure of an answer on its own when the answer
# stands MEANING_SURE deviations out and its likeness is at least MEANING_LIKENESS; it carries
# MEANING_SHARE of the blended score, counted from MEANING_FLOOR deviations up.
# Chosen on the tuning set (benchmarks/search_bench.py; the README has the figures).
MEANING_SHARE = 0.3
MEANING_SURE = 3.0
MEANING_LIKENESS = 0.3
MEANING_FLOOR = 1.0
TITLE_WEIGHT = 0.15
# The confidence floor: the best answer is a close one when it matched every word of the
# question as typed, or its meaning stands this close (likeness, from the workspace's mean).
# Otherwise the answers are only loose ones: at most LOOSE_ANSWERS, said to be loose, with the
# offer to ask the facilitators.
CLOSE_LIKENESS = 0.5
ALL_WORDS = TYPO_FACTORS[1]  # the share of the question matched when every word was
LOOSE_ANSWERS = 3


@dataclass(frozen=True)
class Ranking:
    """(slot, score) best first, and whether the best is a close answer or only loose ones."""

    items: list[tuple[int, float]]
    close: bool


def _required_coverage(words: int) -> float:
    # one word must match; of two, the rarer (or both weakly); of three or more, a third
    return {0: 0.0, 1: 1.0, 2: 0.5}.get(words, MIN_COVERAGE)


def lexical(
    index: SearchIndex, query: Query, filters: Filters
) -> tuple[dict[int, float], set[int]]:
    """The words side: slot → BM25 score, weighted by the share of the question matched, for
    the answers that pass the relevance thresholds; and the slots that matched every word of
    the question as typed."""
    scored = index.score(list(query.words), filters)
    # Every word matched: an answer, however common the words. A partial match must also be
    # strong, or one common word would pass for an answer. Words nothing in the index knows are
    # left out of the share matched, but then even a full match of the rest must be strong.
    # (a word matched through the council vocabulary counts as matched: "MoU" is met by
    # "partnership agreement")
    strong = scored.scores >= MIN_SCORE
    full = (scored.coverage >= SYNONYM_FACTOR - 1e-6) & (strong if scored.unknown else True)
    enough = scored.coverage >= _required_coverage(scored.known) - 1e-6
    keep = full | (enough & strong)
    base = scored.scores[keep] * (0.4 + 0.6 * scored.coverage[keep])
    slots, coverage = scored.slots[keep], scored.coverage[keep]
    top = np.argsort(-base)[:CANDIDATES]
    # every word matched, if only through a typo or the council vocabulary
    exact = {int(slots[p]) for p in top if coverage[p] >= ALL_WORDS - 1e-6 and not scored.unknown}
    return {int(slots[p]): float(base[p]) for p in top}, exact


def question_vector(index: SearchIndex, query: Query) -> tuple[np.ndarray, bool]:
    """The question's meaning, from its words as probably meant (typos corrected); and whether
    it was understood: not when most of its words are ones nothing here uses, even through a
    typo ("frobnicate qwertyuiop goverence"), so the meaning side alone is never sure of it."""
    meant, strange = index.corrected(list(query.words))
    return semantic.embed([" ".join(meant)])[0], strange * 2 <= len(query.words)


def rank(
    index: SearchIndex, query: Query, filters: Filters, now: datetime
) -> list[tuple[int, float]]:
    """`ranked`'s answers alone."""
    return ranked(index, query, filters, now).items


def ranked(index: SearchIndex, query: Query, filters: Filters, now: datetime) -> Ranking:
    """(slot, score) best first: both sides blended, re-ranked by title likeness, then a
    recency, votes and kind tie-break. Answers neither side is sure of are left out."""
    if not query.words:  # filters alone: the newest matching entries
        scored = index.score([], filters)
        order = sorted(scored.slots.tolist(), key=index.created_of, reverse=True)
        return Ranking([(slot, 0.0) for slot in order[:MAX_RESULTS]], close=True)
    words, exact = lexical(index, query, filters)
    question, understood = question_vector(index, query)
    visible, likeness = index.likeness(question, filters)  # likeness of every slot, by slot
    seen = likeness[visible]
    mean, spread = (float(seen.mean()), float(seen.std())) if len(seen) > 1 else (0.0, 0.0)

    def standing(slot: int) -> float:  # deviations above the mean likeness of what is visible
        return (float(likeness[slot]) - mean) / spread if spread > 0 else 0.0

    count = min(CANDIDATES, len(seen))
    near = visible[np.argpartition(-seen, count - 1)[:count]] if count else visible
    meaning = {
        int(slot)
        for slot in near
        if understood and standing(slot) >= MEANING_SURE and likeness[slot] >= MEANING_LIKENESS
    }
    if not words and not meaning:
        return Ranking([], close=False)
    best_words = max(words.values(), default=1.0)
    best_standing = max((standing(slot) for slot in near), default=0.0)
    reach = max(best_standing - MEANING_FLOOR, 1e-6)
    now_ts = now.timestamp()
    results = []
    for slot in set(words) | meaning:
        meant = max(0.0, standing(slot) - MEANING_FLOOR) / reach
        blended = (1 - MEANING_SHARE) * words.get(slot, 0.0) / best_words + MEANING_SHARE * meant
        title_likeness = (
            fuzz.token_set_ratio(query.text, index.title_of(slot), processor=utils.default_process)
            / 100
        )
        age_years = max(0.0, now_ts - index.created_of(slot)) / (365 * 86400)
        tie_break = (
            0.02 * math.tanh(index.votes_of(slot) / 3)
            + 0.01 * math.exp(-age_years)
            + (0.005 if index.kind_of(slot) != "library" else 0.0)
        )
        results.append((slot, blended + TITLE_WEIGHT * title_likeness + tie_break))
    results.sort(key=lambda item: -item[1])
    floor = results[0][1] * RELATIVE_FLOOR
    kept = [item for item in results if item[1] >= floor][:MAX_RESULTS]
    best = kept[0][0]
    close = best in exact or (best in meaning and likeness[best] >= CLOSE_LIKENESS)
    return Ranking(kept if close else kept[:LOOSE_ANSWERS], close)
