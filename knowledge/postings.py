"""A search index's columns as snapshots keep them: every posting list end to end in one array
with their offsets, and the names of the arrays that hold one item per document slot; and what
an index costs in memory."""

import ctypes
import ctypes.util
import weakref
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

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


class Postings:
    """One posting list per term. Those a snapshot restored stay slices of its one flat array
    (read-only) until a write needs one as an `array` of its own: a restore copies two arrays
    instead of making tens of thousands of small ones, and a query reads only its terms'."""

    def __init__(self, typecode: str, flat: np.ndarray | None = None, offsets: Any = None) -> None:
        self._typecode = typecode
        self._flat = np.zeros(0, dtype=typecode) if flat is None else flat
        self._offsets: list[int] = [0] if offsets is None else list(offsets)
        self._own: list[array | None] = [None] * (len(self._offsets) - 1)

    @classmethod
    def restored(cls, arrays: dict[str, np.ndarray]) -> tuple["Postings", "Postings"]:
        """A snapshot's slots and weights, left where they lie in its bytes (not copied)."""
        offsets = arrays["post_offsets"].tolist()
        slots, weights = arrays["post_slots"], arrays["post_weights"]
        if offsets[:1] != [0] or offsets[-1] > min(len(slots), len(weights)):
            raise ValueError("a snapshot whose postings do not fit their offsets")
        return (
            cls("i", slots.astype(np.int32, copy=False), offsets),
            cls("f", weights.astype(np.float32, copy=False), offsets),
        )

    def __len__(self) -> int:
        return len(self._own)

    def __getitem__(self, tid: int) -> "array | np.ndarray":
        own = self._own[tid]
        if own is not None:
            return own
        return self._flat[self._offsets[tid] : self._offsets[tid + 1]]

    def __setitem__(self, tid: int, value: array) -> None:
        self._own[tid] = value

    def __iter__(self) -> Iterator["array | np.ndarray"]:
        return (self[tid] for tid in range(len(self)))

    def append(self, value: array) -> None:
        """A new term's list."""
        self._own.append(value)

    def writable(self, tid: int) -> array:
        """The term's list as an `array` to append to (copied out of the flat array once)."""
        own = self._own[tid]
        if own is None:
            own = self._own[tid] = array(self._typecode, self[tid].tobytes())
        return own

    def joined(self) -> np.ndarray:
        """Every list end to end, as one array."""
        if not any(own is not None for own in self._own):  # as restored: the flat array itself
            return self._flat[: self._offsets[-1]].copy()
        dtype = np.dtype(self._typecode)
        if not self._own:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([np.frombuffer(part, dtype=dtype) for part in self]).astype(dtype)


class TermFrequency:
    """How many documents use a term, for the vocabulary's tie-breaks. It holds its index
    weakly: a lambda over the index would make a reference cycle, and an index evicted from
    the cache (knowledge/search.py) would stay in memory until Python's rare full collection."""

    def __init__(self, index: "weakref.ref[Any]") -> None:
        self._index = index

    def __call__(self, tid: int) -> int:
        index = self._index()
        return len(index._post_slots[tid]) if index is not None else 0


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


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def give_back_memory() -> bool:
    """Hand the memory of evicted indexes back to the system. glibc keeps freed pages for
    reuse, and a cache that loads and evicts all day leaves them scattered through its heap
    (about 50 MB per process in benchmarks/scale_bench.py); `malloc_trim` releases them.
    Whether it ran (not on a C library without it)."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:
        return False
    trim(0)
    return True
