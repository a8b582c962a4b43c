"""Whether Slack can be reached from here, checked in the background.

A council's network may have no route to Slack at first (a firewall rule not yet made, an
outbound proxy not yet set: every Slack client honours HTTPS_PROXY, as slack_sdk reads it). The
web process starts anyway and keeps answering /healthz, saying why Slack is not reachable, while
this checks again with growing pauses (1 s, doubling, at most a minute) and says so in one log
line each time; once Slack answers, it checks every minute for /readyz."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger("partnerbot.slack")
FIRST_PAUSE, LONGEST_PAUSE, WHILE_REACHABLE = 1.0, 60.0, 60.0


@dataclass
class Reach:
    """The last check's outcome: None before the first."""

    reachable: bool | None = None
    reason: str = "not checked yet"
    checked_at: float = 0.0  # time.monotonic()

    @property
    def ready(self) -> bool:
        """Reachable, and the bot's token accepted."""
        return bool(self.reachable) and not self.reason

    def words(self) -> str:
        if self.reachable:
            return f"slack: {self.reason}" if self.reason else "slack: reachable"
        if self.reachable is None:
            return "slack: not checked yet"
        return f"slack: not reachable ({self.reason}); trying again"


def check(client: WebClient, *, token_known: bool) -> tuple[bool, str]:
    """One call to Slack: auth.test with the bot's token, else api.test (an OAuth deployment
    has no single token); (reachable, why not)."""
    try:
        (client.auth_test if token_known else client.api_test)()
    except SlackApiError as error:  # Slack answered: it is reachable, the token may not be
        answer = error.response.get("error") if error.response is not None else "error"
        if answer in {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}:
            return True, f"Slack answered {answer}: check SLACK_BOT_TOKEN"
        return True, ""
    except Exception as error:  # no route, DNS, TLS, a proxy refusing: say which, in a line
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return False, f"{type(error).__name__}: {reason}"[:200]
    return True, ""


def watch(
    client: WebClient,
    *,
    token_known: bool,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> Reach:
    """Start checking in a daemon thread; the Reach it keeps up to date."""
    reach = Reach()

    def run() -> None:
        pause, done = FIRST_PAUSE, 0
        while rounds is None or done < rounds:
            done += 1
            ok, why = check(client, token_known=token_known)
            was = reach.reachable
            reach.reachable, reach.reason, reach.checked_at = ok, why, time.monotonic()
            if ok:
                if was is not True:
                    logger.info("slack reachable", extra={"note": why or None})
                pause = FIRST_PAUSE
                sleep(WHILE_REACHABLE)
                continue
            logger.warning(
                "slack not reachable; trying again",
                extra={"reason": why, "retry_in_seconds": pause},
            )
            sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    threading.Thread(target=run, name="slack-reach", daemon=True).start()
    return reach
