"""What every handler is given: built once by the app factory, never a module global."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from knowledge.search import KnowledgeSearch
from storage.db import SessionFactory
from storage.keyring import Keyring
from storage.outbox import Backoff

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """The dependencies a listener may use."""

    sessions: SessionFactory
    clock: Clock
    facilitators: frozenset[str]
    timezone: str
    search: KnowledgeSearch
    keyring: Keyring  # the deployment's own keys (anonymous answers' hashes, tokens)
    questions_channel: str | None = None  # where unanswered questions go; else facilitators
    backoff: Backoff = field(default_factory=Backoff)  # Slack's 429s, per workspace and method
