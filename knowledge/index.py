"""The inverted index behind search, for one workspace.

Each term keeps a posting list (document slots and field-weighted term frequencies) in compact
arrays; a query scores only the documents its terms reach, with numpy, by BM25 over the
weighted fields (title > tags > body). Each query word is also expanded against the index's
vocabulary of words as people wrote them, so a word one or two typos away, or a word it begins,
still matches. Documents are added, replaced and removed one at a time: no rebuild."""

import math
import threading
import weakref
from array import array
from collections import defaultdict
from typing import Any

import numpy as np

from knowledge.documents import Document, Filters, Scored
from knowledge.postings import SLOT_ARRAYS, Postings, TermFrequency, memory_estimate
from knowledge.spelling import Expansion, Vocabulary
from knowledge.synonyms import (
    CONCEPT_PREFIX,
    concept_terms_in,
    question_units,
    spelled_out,
    variant_terms,
)
from knowledge.text import STOP_WORDS, fold, stem, surface_terms
from knowledge.vectors import VectorColumn, document_vectors

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
K1, B = 1.2, 0.75
KINDS = ("lesson", "brief", "library")
NO_SLOT = -1


def _meaningful(query_words: list[str]) -> list[str]:
    """A question's words as the index reads them: folded, without stop words."""
    return [w for w in (fold(w) for w in query_words) if w not in STOP_WORDS]


def _code(codes: dict[str, int], value: str | None) -> int:
    return NO_SLOT if value is None else codes.setdefault(value, len(codes))


class SearchIndex:
    """A workspace's searchable documents. Thread-safe; every method takes the lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._post_slots = Postings("i")  # slots, per term
        self._post_weights = Postings("f")  # weights, per term
        self.vocabulary = Vocabulary(frequency=TermFrequency(weakref.ref(self)))
        self._codes: dict[str, int] = {}
        # one item per document slot; a replaced or removed document leaves a dead slot
        self._entry = array("q")
        self._alive = array("b")
        self._length = array("f")
        self._kind = array("b")
        self._created = array("d")
        self._votes = array("f")
        self._partnership = array("q")
        self._author = array("q")
        self._channel = array("q")  # the private entry's channel, or NO_SLOT
        self._saved = array("q")  # the channel it was saved in, or NO_SLOT
        self._titles: list[str] = []
        self._vectors = VectorColumn()  # each slot's meaning (knowledge/vectors.py)
        self._slot_of: dict[int, int] = {}
        self._total_length = 0.0
        self._postings = 0  # items in every posting list together
        self._title_chars = 0
        self._unread = 0  # bytes of a snapshot's buffer held besides its postings and vectors

    # -- snapshots: arrays and JSON, nothing that can run code when read ---------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything the index knows, as JSON-able values and flat numpy arrays (posting
        lists end to end, with their offsets)."""
        with self._lock:
            lengths = np.fromiter((len(p) for p in self._post_slots), dtype=np.int64)
            offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
            arrays = {
                "post_offsets": offsets,
                "post_slots": self._post_slots.joined(),
                "post_weights": self._post_weights.joined(),
                # single precision, as held: restored in place, never converted
                "vectors": self._vectors.array(),
            }
            for name in SLOT_ARRAYS:
                column: array = getattr(self, name)
                arrays[name] = np.frombuffer(column, dtype=np.dtype(column.typecode)).copy()
            values = {
                "codes": list(self._codes),
                "titles": list(self._titles),
                "total_length": self._total_length,
                "vocabulary": self.vocabulary.state(),
            }
            return values, arrays

    @classmethod
    def restore(
        cls, values: dict[str, Any], arrays: dict[str, np.ndarray], buffer: int = 0
    ) -> "SearchIndex":
        """The index `state()` described (KeyError or ValueError if the parts do not fit).
        Its postings and vectors stay where they lie in `arrays`; `buffer`: the size of the
        bytes they lie in, all of which the index then holds."""
        index = cls()
        index._post_slots, index._post_weights = Postings.restored(arrays)
        for name in SLOT_ARRAYS:
            typecode = getattr(index, name).typecode
            setattr(index, name, array(typecode, arrays[name].astype(typecode).tobytes()))
        index._vectors = VectorColumn.restore(arrays["vectors"], arrays["_alive"])
        sizes = {len(getattr(index, name)) for name in SLOT_ARRAYS}
        sizes |= {len(values["titles"]), len(index._vectors)}
        if len(sizes) != 1:
            raise ValueError("a snapshot whose columns differ in length")
        index._codes = {str(code): n for n, code in enumerate(values["codes"])}
        index._titles = [str(t) for t in values["titles"]]
        index._total_length = float(values["total_length"])
        index._postings = len(arrays["post_slots"])
        # held besides postings and vectors: its JSON, slot columns (copied out) and versions
        index._unread = max(0, buffer - 8 * index._postings - int(arrays["vectors"].nbytes))
        index._title_chars = sum(len(t) for t in index._titles)
        alive = zip(index._entry, index._alive, strict=True)
        index._slot_of = {int(entry): slot for slot, (entry, on) in enumerate(alive) if on}
        index.vocabulary.restore(values["vocabulary"])
        if len(index.vocabulary.terms) != len(index._post_slots):
            raise ValueError("a snapshot whose vocabulary and postings differ")
        return index

    # -- size ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._slot_of

    def footprint(self) -> int:
        """About how many bytes of memory the index holds (knowledge/postings.py)."""
        with self._lock:
            return memory_estimate(
                terms=len(self.vocabulary.terms),
                words=len(self.vocabulary),
                postings=self._postings,
                slots=len(self._entry),
                live=len(self._slot_of),
                other=self._title_chars + self._vectors.nbytes + self._unread,
            )

    # -- writing ------------------------------------------------------------------------------
    def _term_id(self, term: str) -> int:
        tid, new = self.vocabulary.add_term(term)
        if new:
            self._post_slots.append(array("i"))
            self._post_weights.append(array("f"))
        return tid

    def add_all(self, docs: list[Document]) -> None:
        """Index many documents, their meaning embedded a batch at a time (much quicker)."""
        for start in range(0, len(docs), 2048):
            batch = docs[start : start + 2048]
            for doc, vector in zip(batch, document_vectors(batch), strict=True):
                self.add(doc, vector)

    def add(self, doc: Document, vector: np.ndarray | None = None) -> None:
        """Index a document, replacing any earlier version of the same entry."""
        if vector is None:
            vector = document_vectors([doc])[0]
        with self._lock:
            self._remove(doc.entry_id)
            slot = len(self._entry)
            weights: dict[int, float] = defaultdict(float)
            length = 0.0
            tag_text = " ".join(t.replace("-", " ") for t in doc.tags)
            for name, text in (("title", doc.title), ("tags", tag_text), ("body", doc.text)):
                weight = FIELD_WEIGHTS[name]
                pairs = surface_terms(text)
                for word, term in pairs:
                    tid = self._term_id(term)
                    self.vocabulary.add_word(word, tid)
                    weights[tid] += weight
                    # Only the body's length normalises: a title is short by nature, and a
                    # match there should never count against the document.
                    length += 1.0 if name == "body" else 0.0
                for concept in concept_terms_in(term for _, term in pairs):  # "LSP", "grants"
                    weights[self._term_id(concept)] += weight
            length += 1.0
            for tag in doc.tags:  # exact tag filters; weight 0, so they never score
                weights.setdefault(self._term_id("#" + fold(tag)), 0.0)
            for tid, weight in weights.items():
                self._post_slots.writable(tid).append(slot)
                self._post_weights.writable(tid).append(weight)
            self._postings += len(weights)
            self._entry.append(doc.entry_id)
            self._alive.append(1)
            self._length.append(length)
            self._kind.append(KINDS.index(doc.kind))
            self._created.append(doc.created.timestamp() if doc.created else 0.0)
            self._votes.append(doc.votes)
            self._partnership.append(doc.partnership_id if doc.partnership_id is not None else -1)
            self._author.append(_code(self._codes, doc.author_id))
            self._channel.append(_code(self._codes, doc.private_channel))
            self._saved.append(_code(self._codes, doc.channel))
            self._titles.append(doc.title)
            self._title_chars += len(doc.title)
            self._vectors.append(vector)
            self._slot_of[doc.entry_id] = slot
            self._total_length += length

    def remove(self, entry_id: int) -> None:
        """Forget an entry (deleted, or no longer searchable)."""
        with self._lock:
            self._remove(entry_id)
            if len(self._entry) > 1000 and len(self._slot_of) < 0.75 * len(self._entry):
                self._compact()

    def _remove(self, entry_id: int) -> None:
        slot = self._slot_of.pop(entry_id, None)
        if slot is not None:
            self._alive[slot] = 0
            self._total_length -= self._length[slot]
            self._vectors.forget(slot)

    def _compact(self) -> None:
        """Drop dead slots from every posting list, so they stop costing time and memory."""
        alive = np.frombuffer(self._alive, dtype=np.int8).astype(bool)
        new_slot = np.cumsum(alive) - 1
        for tid in range(len(self.vocabulary.terms)):
            slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
            keep = alive[slots]
            self._post_slots[tid] = array("i", new_slot[slots[keep]].astype(np.int32).tobytes())
            weights = np.frombuffer(self._post_weights[tid], dtype=np.float32)[keep]
            self._post_weights[tid] = array("f", weights.tobytes())
        for name in SLOT_ARRAYS:
            old: array = getattr(self, name)
            kept = np.frombuffer(old, dtype=np.dtype(old.typecode))[alive]
            setattr(self, name, array(old.typecode, kept.tobytes()))
        self._titles = [t for t, keep in zip(self._titles, alive, strict=True) if keep]
        self._title_chars = sum(len(t) for t in self._titles)
        self._postings = sum(len(p) for p in self._post_slots)
        self._vectors.keep(alive)
        self._slot_of = {int(e): s for s, e in enumerate(self._entry)}

    # -- query words --------------------------------------------------------------------------
    def expand(self, word: str) -> tuple[Expansion, ...]:
        """The terms a query word stands for (see knowledge.spelling)."""
        with self._lock:
            return self.vocabulary.expand(word)

    def units(self, words: list[str]) -> list[tuple[Expansion, ...]]:
        """What each part of a question stands for (knowledge.synonyms.question_units)."""
        with self._lock:
            return question_units(self.vocabulary, words)

    def closest_word(self, word: str, filters: Filters | None = None) -> str | None:
        """The known word most likely meant, for "did you mean…?", from the documents these
        filters may see only: a private entry's words are never suggested elsewhere."""
        with self._lock:
            candidates = self.vocabulary.closest_words(word)
            if not candidates:
                return None
            visible = self._mask(filters or Filters())
            for other, tid in candidates:
                slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
                if visible[slots].any():
                    return other
            return None

    def corrected(self, words: list[str]) -> tuple[list[str], int]:
        """A question's words as probably meant, for the meaning side: a word no document
        uses becomes the known word one or two typos away, if there is one, and an acronym of
        the council vocabulary is spelt out beside itself ("LSP local strategic partnership");
        and how many words were neither known nor a typo of a known word."""
        with self._lock:
            meant, strange = [], 0
            for word in words:
                folded = fold(word)
                known = self.vocabulary.knows(folded) or stem(folded) in self.vocabulary.term_ids
                closest = [] if known else self.vocabulary.closest_words(folded)
                strange += not known and not closest
                word = closest[0][0] if closest else word
                meant.append(word)
                longer = spelled_out(stem(fold(word)))
                if longer is not None and fold(longer) != fold(word):
                    meant.append(longer)
            return meant, strange

    def likeness(self, question: np.ndarray, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """The slots these filters may see, and every slot's likeness in meaning to a
        question's unit vector (knowledge/semantic.py), indexed by slot."""
        with self._lock:
            return np.flatnonzero(self._mask(filters)), self._vectors.likeness(question)

    # -- scoring ------------------------------------------------------------------------------
    def _mask(self, filters: Filters) -> np.ndarray:
        mask = np.frombuffer(self._alive, dtype=np.int8).astype(bool)
        channels = np.frombuffer(self._channel, dtype=np.int64)
        viewer = self._codes.get(filters.channel_id) if filters.channel_id else None
        here = viewer if viewer is not None else -2
        mask &= (channels == NO_SLOT) | (channels == here)
        if filters.only_this_channel:
            saved = np.frombuffer(self._saved, dtype=np.int64)
            library = np.frombuffer(self._kind, dtype=np.int8) == KINDS.index("library")
            mask &= (saved == here) | library
        if filters.kinds is not None:
            kinds = np.frombuffer(self._kind, dtype=np.int8)
            mask &= np.isin(kinds, [KINDS.index(k) for k in filters.kinds])
        if filters.partnership_id is not None:
            mask &= np.frombuffer(self._partnership, dtype=np.int64) == filters.partnership_id
        if filters.author_id is not None:
            code = self._codes.get(filters.author_id, -2)
            mask &= np.frombuffer(self._author, dtype=np.int64) == code
        for tag in filters.tags:
            tagged = np.zeros(len(mask), dtype=bool)
            tid = self.vocabulary.term_ids.get("#" + fold(tag))
            if tid is not None:
                tagged[np.frombuffer(self._post_slots[tid], dtype=np.int32)] = True
            mask &= tagged
        return mask

    def score(self, query_words: list[str], filters: Filters) -> Scored:
        """BM25 over the expanded query words, with each document's share of the query."""
        with self._lock:
            slots_total = len(self._entry)
            mask = self._mask(filters)
            words = _meaningful(query_words)
            if not words:
                return Scored(
                    np.flatnonzero(mask), np.zeros(int(mask.sum())), np.ones(int(mask.sum()))
                )
            alive = max(len(self._slot_of), 1)
            avg_length = self._total_length / alive if self._total_length > 0 else 1.0
            lengths = np.frombuffer(self._length, dtype=np.float32)
            norms = K1 * (1 - B + B * lengths / avg_length)
            total = np.zeros(slots_total, dtype=np.float32)
            covered = np.zeros(slots_total, dtype=np.float32)
            weight_sum = 0.0
            unknown = 0
            units = self.units(words)
            for unit in units:
                if not any(len(self._post_slots[e.term_id]) for e in unit):
                    # a word nothing here uses ("icebreaker") must not sink the words it
                    # came with: it is left out of the share of the question matched
                    unknown += 1
                    continue
                per_word = np.zeros(slots_total, dtype=np.float32)
                # how surely each document matched this word: 1 exactly, less through a typo
                sureness = np.zeros(slots_total, dtype=np.float32)
                word_idf = math.log(1 + alive)  # known only through a typo: like the rarest
                for expansion in unit:
                    slots = np.frombuffer(self._post_slots[expansion.term_id], dtype=np.int32)
                    if len(slots) == 0:
                        continue
                    tf = np.frombuffer(self._post_weights[expansion.term_id], dtype=np.float32)
                    idf = math.log(1 + (alive - len(slots) + 0.5) / (len(slots) + 0.5))
                    if expansion.factor == 1.0:
                        word_idf = idf
                    contribution = idf * expansion.factor * tf * (K1 + 1) / (tf + norms[slots])
                    improved = contribution > per_word[slots]
                    per_word[slots[improved]] = contribution[improved]
                    sureness[slots] = np.maximum(sureness[slots], expansion.factor)
                total += per_word
                covered += sureness * word_idf
                weight_sum += word_idf
            hits = np.flatnonzero((total > 0) & mask)
            coverage = covered[hits] / weight_sum if weight_sum else np.ones(len(hits))
            return Scored(hits, total[hits], coverage, len(units) - unknown, unknown)

    def matched(self, slots: list[int], query_words: list[str]) -> list[set[str]]:
        """The terms through which each of a page of results matched the question (to bold them
        in its snippet), reading the question once."""
        with self._lock:
            found: list[set[str]] = [set() for _ in slots]
            for unit in self.units(_meaningful(query_words)):
                for expansion in unit:
                    posted = np.frombuffer(self._post_slots[expansion.term_id], dtype=np.int32)
                    term = self.vocabulary.terms[expansion.term_id]
                    # a synonym's match shows as the words the document used
                    shown = variant_terms(term) if term.startswith(CONCEPT_PREFIX) else {term}
                    for terms, slot in zip(found, slots, strict=True):
                        at = int(np.searchsorted(posted, slot))  # posting lists grow in order
                        if at < len(posted) and posted[at] == slot:
                            terms |= shown
            return found

    # -- reading slots ------------------------------------------------------------------------
    def entry_of(self, slot: int) -> int:
        return int(self._entry[slot])

    def title_of(self, slot: int) -> str:
        return self._titles[slot]

    def created_of(self, slot: int) -> float:
        return float(self._created[slot])

    def votes_of(self, slot: int) -> float:
        return float(self._votes[slot])

    def kind_of(self, slot: int) -> str:
        return KINDS[self._kind[slot]]
