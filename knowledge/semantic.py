"""Meaning, beside the words: static word embeddings from wordllama.

wordllama's wheel ships its model (token vectors trained from a large language model's, 256
dimensions at most of what we use) and its tokenizer inside the package, so the model is read
from the installed package folder with downloads switched off: nothing is fetched at run time,
ever. A text's vector is the average of its tokens' vectors, normalised, so two texts' likeness
is one dot product. The model is loaded once per process, on first use, and is shared.

DIMENSIONS is the smallest truncation that kept the quality (benchmarks/search_bench.py
--dimensions measures 64, 128 and 256; the figures are in the README's Performance section).
"""

import threading
from pathlib import Path
from typing import Any

import numpy as np

DIMENSIONS = 128
_models: dict[int, Any] = {}
_lock = threading.Lock()


def model_folder() -> Path:
    """The installed wordllama package: its weights/ and tokenizers/ are the model."""
    import wordllama

    return Path(wordllama.__file__).parent


def _model(dimensions: int) -> Any:
    with _lock:
        found = _models.get(dimensions)
        if found is None:
            from wordllama import WordLlama

            found = WordLlama.load(
                config="l2_supercat",
                cache_dir=model_folder(),
                dim=256,
                trunc_dim=dimensions if dimensions != 256 else None,
                disable_download=True,
            )
            _models[dimensions] = found
        return found


def load() -> None:
    """Load the model now (a process's first question need not wait for it)."""
    _model(DIMENSIONS)


def embed(texts: list[str], *, dimensions: int | None = None) -> np.ndarray:
    """One unit vector (float32) per text; an empty text gets the zero vector."""
    dimensions = dimensions or DIMENSIONS
    if not texts:
        return np.zeros((0, dimensions), dtype=np.float32)
    vectors = np.asarray(_model(dimensions).embed(texts, norm=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
