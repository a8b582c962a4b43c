"""The one error handler: log the whole story, tell the person something kind and short."""

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from handlers.services import Services

logger = logging.getLogger("partnerbot.errors")

SORRY = (
    "Sorry, something went wrong on our side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell your Slack admin."
)


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> None:
        logger.exception(
            "listener failed",
            exc_info=error,
            extra={
                "team_id": (body.get("team") or {}).get("id") or body.get("team_id"),
                "kind": body.get("type") or ("command" if "command" in body else None),
            },
        )
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            try:
                respond(text=SORRY, response_type="ephemeral", replace_original=False)
            except Exception:  # the apology must never raise a second error
                logger.warning("could not tell the user about the error")
