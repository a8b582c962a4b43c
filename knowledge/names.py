"""Names people give things (partnerships, projects): how they are cleaned, compared, and
matched when typed with a typo."""

import re
import unicodedata

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

_SPACES = re.compile(r"\s+")
SURE = 90  # a name this close (WRatio) to exactly one known name is taken as meant
CLEAR = 80  # this close, with no other name even UNSURE-close, is taken as meant too
UNSURE = 70  # this close: "did you mean"


def clean_name(raw: str) -> str:
    """The name as it will be shown: outer quotes dropped, whitespace collapsed."""
    name = unicodedata.normalize("NFC", raw).strip().strip("\"'“”‘’").strip()
    return _SPACES.sub(" ", name)


def name_key(name: str) -> str:
    """What two names are compared by: case and spacing do not make a new one."""
    return clean_name(name).casefold()


def meant(typed: str, names: list[str]) -> tuple[str | None, str | None]:
    """(the name `typed` surely means, None) when one is close enough and clear of the next
    (WRatio ≥ 90 and 5 ahead, or ≥ 80 with no other ≥ 70: "retrofit aliance" for the only
    Retrofit Alliance North), else (None, the name it might have been, or None)."""
    ranked = process.extract(
        clean_name(typed),
        names,
        scorer=fuzz.WRatio,
        processor=default_process,
        limit=2,
        score_cutoff=UNSURE,
    )
    if not ranked:
        return None, None
    best, score, _ = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if (score >= SURE and score - runner_up >= 5) or (score >= CLEAR and runner_up < UNSURE):
        return best, None
    return None, best
