"""One meaning vector per document slot of a search index, in one growing float32 matrix.

A document's vector is its title-and-tags vector plus its body's, each normalised first (so a
long body does not drown its title) and the sum normalised again; a question's likeness to every
document is then one matrix-vector product. The matrix grows by doubling, like a list.
"""

import numpy as np

from knowledge import semantic
from knowledge.documents import Document


def document_texts(doc: Document) -> tuple[str, str]:
    """What a document's vector is made of: its title with its tags, and its body."""
    tags = " ".join(t.replace("-", " ") for t in doc.tags)
    return f"{doc.title}. {tags}", doc.text


def document_vectors(docs: list[Document], dimensions: int | None = None) -> np.ndarray:
    """The vectors of many documents, embedded in batches."""
    dimensions = dimensions or semantic.DIMENSIONS
    if not docs:
        return np.zeros((0, dimensions), dtype=np.float32)
    heads, bodies = zip(*(document_texts(d) for d in docs), strict=True)
    summed = semantic.embed(list(heads), dimensions=dimensions) + semantic.embed(
        list(bodies), dimensions=dimensions
    )
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0)


class VectorColumn:
    """Row n is slot n's vector."""

    def __init__(self, dimensions: int | None = None) -> None:
        dimensions = dimensions or semantic.DIMENSIONS
        self._rows = np.zeros((0, dimensions), dtype=np.float32)
        self._count = 0

    @property
    def dimensions(self) -> int:
        return int(self._rows.shape[1])

    def __len__(self) -> int:
        return self._count

    def append(self, vector: np.ndarray) -> None:
        if self._count == len(self._rows):
            grown = np.zeros((max(64, 2 * len(self._rows)), self.dimensions), dtype=np.float32)
            grown[: self._count] = self._rows[: self._count]
            self._rows = grown
        self._rows[self._count] = vector
        self._count += 1

    def likeness(self, question: np.ndarray) -> np.ndarray:
        """Each slot's cosine likeness to a question's unit vector."""
        return self._rows[: self._count] @ question

    def keep(self, alive: np.ndarray) -> None:
        """Only the rows of living slots, in order (the index compacting)."""
        self._rows = self._rows[: self._count][alive].copy()
        self._count = len(self._rows)

    def array(self) -> np.ndarray:
        return self._rows[: self._count].copy()

    @classmethod
    def restore(cls, rows: np.ndarray) -> "VectorColumn":
        if rows.ndim != 2 or rows.shape[1] != semantic.DIMENSIONS:
            raise ValueError("a snapshot whose vectors are not this release's")
        column = cls()
        column._rows = np.ascontiguousarray(rows, dtype=np.float32)
        column._count = len(rows)
        return column
