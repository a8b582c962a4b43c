"""Closest-word suggestions ("did you mean…?") for names the officer typed."""

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

SUGGESTION_CUTOFF = 70.0


def closest(word: str, choices: Iterable[str], *, cutoff: float = SUGGESTION_CUTOFF) -> str | None:
    """The choice most like `word` (case-insensitive, typo-tolerant), or None if none is close."""
    if not word.strip():
        return None
    match = process.extractOne(
        word,
        list(choices),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=cutoff,
    )
    return match[0] if match else None
