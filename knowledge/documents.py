"""What the search index holds of an entry, what a search may see, and what scoring finds."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class Document:
    """What the index needs to know about one entry (never more: no one's text is kept)."""

    entry_id: int
    kind: str
    title: str
    text: str
    tags: tuple[str, ...] = ()
    created: datetime | None = None
    author_id: str | None = None
    partnership_id: int | None = None
    private_channel: str | None = None  # set when only searches in that channel may find it
    votes: int = 0  # helpful minus not helpful
    channel: str | None = None  # where it was saved


@dataclass(frozen=True)
class Filters:
    """Which documents a search may return."""

    kinds: frozenset[str] | None = None
    tags: tuple[str, ...] = ()
    partnership_id: int | None = None
    author_id: str | None = None
    channel_id: str | None = None  # the channel searched from: its private entries are visible
    # someone from outside the council: only what was saved in channel_id, and the library
    only_this_channel: bool = False


@dataclass(frozen=True)
class Scored:
    """Candidate documents with their BM25 score and how much of the query each covers."""

    slots: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray
    known: int = 0  # parts of the question the index knows (words, or phrases like "LSP")
    unknown: int = 0  # words nothing in the index matches, even through a typo or a synonym
