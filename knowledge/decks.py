"""Breakout decks: sets of questions written from the source documents, shipped as YAML."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from knowledge.vocabulary import closest

# libyaml's safe loader when the wheel has it (five times quicker; the same documents)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DECK_FOLDER = Path(__file__).parent / "decks"


class _Deck(BaseModel):
    title: str = Field(max_length=100)
    cite: str = Field(max_length=120)
    seed: str
    about: str = Field(max_length=300)
    questions: list[str] = Field(min_length=1, max_length=12)


@dataclass(frozen=True)
class Deck:
    slug: str
    title: str
    cite: str
    about: str
    questions: tuple[str, ...]


@lru_cache(maxsize=1)
def load_decks(folder: Path = DECK_FOLDER) -> dict[str, Deck]:
    """Every deck, by slug (its file name)."""
    decks = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _Deck.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader))
        decks[path.stem] = Deck(path.stem, data.title, data.cite, data.about, tuple(data.questions))
    return decks


def find_deck(name: str) -> tuple[Deck | None, str | None]:
    """The deck called `name` (by slug or title, any case), or the nearest one's slug."""
    decks = load_decks()
    by_name = {deck.slug: deck for deck in decks.values()} | {
        "-".join(deck.title.casefold().split()): deck for deck in decks.values()
    }
    found = by_name.get("-".join(name.casefold().split()))
    if found is not None:
        return found, None
    nearest = closest(name, list(by_name))
    return None, by_name[nearest].slug if nearest else None
