"""The one error handler, for a check that failed before the answer: log the whole story, answer
Slack with a 200 all the same (a 500 reads as "didn't respond"), and tell the person kindly. One
exception: an Events API event that failed because the database could not be reached is
answered 503, so Slack sends it again (up to three times, minutes apart) and it is acted on
once the database is back; the event-id dedupe keeps it single. Failures after the answer are
caught where the work runs (handlers/listening.py)."""

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLTimeoutError

from handlers.listening import SORRY
from handlers.services import Services

logger = logging.getLogger("partnerbot.errors")


def unavailable(error: BaseException) -> bool:
    """Whether an error says the database could not be reached (not a bug in a query)."""
    return isinstance(error, OperationalError | InterfaceError | TimeoutError | SQLTimeoutError)


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], context: dict[str, Any], respond: Respond | None
    ) -> BoltResponse:
        logger.exception(
            "listener failed",
            exc_info=error,
            extra={
                "team_id": context.get("team_id"),
                "request_id": context.get("request_id"),
                "kind": body.get("type") or ("command" if "command" in body else None),
            },
        )
        if body.get("type") == "event_callback" and unavailable(error):
            return BoltResponse(status=503, body="database unavailable: please resend")
        if respond is not None and context.get("response_url"):
            try:
                respond(text=SORRY, response_type="ephemeral", replace_original=False)
            except Exception:  # the apology must never raise a second error
                logger.warning("could not tell the user about the error")
        return BoltResponse(status=200, body="")
