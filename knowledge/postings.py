"""A search index's columns as snapshots keep them: every posting list end to end in one array
with their offsets, and the names of the arrays that hold one item per document slot; and what
an index costs in memory."""

import itertools
from array import array

import numpy as np

# one item per document slot, in every index and every snapshot
SLOT_ARRAYS = tuple(
    [
        "_entry",
        "_alive",
        "_length",
        "_kind",
        "_created",
        "_votes",
        "_partnership",
        "_author",
        "_channel",
        "_saved",
    ]
)


def split_postings(flat: np.ndarray, offsets: list[int], typecode: str, dtype: type) -> list[array]:
    """Posting lists back from one array and their offsets."""
    return [
        array(typecode, flat[a:b].astype(dtype).tobytes()) for a, b in itertools.pairwise(offsets)
    ]


def joined_postings(parts: list[array], dtype: type) -> np.ndarray:
    """Posting lists end to end, as one array."""
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([np.frombuffer(p, dtype=dtype) for p in parts]).astype(dtype)


# what each part of an index costs in memory, measured with tracemalloc on the benchmark corpus
# (a term: its string, dict entries and two small arrays; a word: its string, its dict and
# bucket entries; a slot: one item of each column and its title's string object; a living
# entry: its place in the entry-to-slot dict)
TERM_BYTES = 300
WORD_BYTES = 150
POSTING_BYTES = 8  # a slot and a weight
SLOT_BYTES = 120
LIVE_BYTES = 100


def memory_estimate(
    *, terms: int, words: int, postings: int, slots: int, live: int, other: int
) -> int:
    """About how many bytes an index of these counts holds, within a fifth
    (tests/knowledge/test_index_cache.py); `other`: its titles' characters and its vectors."""
    return (
        terms * TERM_BYTES
        + words * WORD_BYTES
        + postings * POSTING_BYTES
        + slots * SLOT_BYTES
        + live * LIVE_BYTES
        + other
    )
