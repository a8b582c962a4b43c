"""The pace at which scheduled messages go to Slack: each workspace's own.

Slack limits a workspace's messages (about one a second into any one channel, and a few hundred
a minute in all), not the app's. So a burst (every council's reminders fall due at 09:30) is
sent as fast as Slack answers across workspaces, while each workspace gets its reminders at no
more than PER_WORKSPACE a second, and each person's DM at most one a second: fifty reminders
due in one council reach their people over its first minute rather than in one second, and no
429 is met to wait out.
"""

import threading
import time
from collections.abc import Callable

PER_WORKSPACE = 4.0  # messages a second into one workspace
PER_CHANNEL = 1.0  # seconds between two messages into one channel (a DM is a channel)


class Pacing:
    """When each workspace, and each channel in it, may next be posted to."""

    def __init__(
        self,
        per_workspace: float | None = None,
        per_channel: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._gap = 1.0 / (per_workspace or PER_WORKSPACE)
        self._channel_gap = PER_CHANNEL if per_channel is None else per_channel
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}  # workspace → its next free moment
        self._next_in: dict[tuple[str, str], float] = {}  # (workspace, channel) → the same
        self._lock = threading.Lock()

    def reserve(self, team_id: str, channel: str) -> float:
        """Book the next moment this workspace and channel may be posted to; seconds to wait."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(team_id, now), self._next_in.get((team_id, channel), now))
            self._next[team_id] = at + self._gap
            self._next_in[(team_id, channel)] = at + self._channel_gap
            if len(self._next_in) > 100_000:  # a long run: forget moments long past
                self._next_in = {k: v for k, v in self._next_in.items() if v > now}
            return at - now

    def wait(self, team_id: str, channel: str) -> None:
        """Wait for that moment."""
        delay = self.reserve(team_id, channel)
        if delay > 0:
            self._sleep(delay)
