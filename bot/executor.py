"""Bolt's listener thread pool, with a way to wait until every listener has finished."""

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class TrackedExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor that knows how many tasks are still running.

    Bolt answers Slack as soon as a listener calls ack() and lets the listener carry on in this
    pool; the shell and the tests wait here until the bot has finished talking to Slack.
    """

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1

        def tracked() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        # the listener's work runs with the request's context: its workspace scope above all
        context = contextvars.copy_context()
        return super().submit(context.run, tracked)

    @property
    def pending(self) -> int:
        """Listener work submitted and not yet finished."""
        return self._pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no listener is running; False if that did not happen within `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)
