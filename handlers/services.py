"""What every handler is given: built once by the app factory, never a module global."""

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from knowledge.search import KnowledgeSearch
from storage.db import SessionFactory
from storage.keyring import Keyring
from storage.outbox import Backoff

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


class Recently:
    """Answers kept for a short while (users.info: a person's time zone, role and standing), so
    one command does not ask Slack the same thing several times, and a busy morning asks it far
    less: each answer is used for `seconds` at most, then asked again. Thread-safe, bounded."""

    def __init__(self, seconds: float = 60.0, size: int = 20_000) -> None:
        self._seconds, self._size = seconds, size
        self._kept: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The answer kept for `key`, or None when there is none still fresh."""
        with self._lock:
            found = self._kept.get(key)
        if found is None or time.monotonic() - found[0] > self._seconds:
            return None
        return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if len(self._kept) >= self._size:  # a burst of many people: start again
                self._kept.clear()
            self._kept[key] = (time.monotonic(), value)


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
    people: Recently = field(default_factory=Recently)  # users.info answers, a minute at most
