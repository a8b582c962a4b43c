"""A search index's columns as snapshots keep them: every posting list end to end in one array
with their offsets, and the names of the arrays that hold one item per document slot."""

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
