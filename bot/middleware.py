"""Bolt middleware for every request: a log line with ids, and Events API retry dedupe."""

import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from handlers.breakout_blocks import ANONYMOUS, ANONYMOUS_VIEW
from handlers.services import Services
from storage.events import claim_event

logger = logging.getLogger("partnerbot.requests")


def describe_request(body: dict[str, Any]) -> tuple[str, str | None]:
    """(kind, name) of a request, for logs: never its text."""
    if "command" in body:
        return "command", body.get("command")
    kind = body.get("type", "unknown")
    if kind == "event_callback":
        return "event", (body.get("event") or {}).get("type")
    if kind == "block_actions":
        return "action", ",".join(a.get("action_id", "") for a in body.get("actions", []))
    if kind in {"view_submission", "view_closed"}:
        return kind, (body.get("view") or {}).get("callback_id")
    if kind in {"shortcut", "message_action"}:
        return kind, body.get("callback_id")
    return kind, None


def team_of(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    return (team or {}).get("id") if isinstance(team, dict) else body.get("team_id")


def install(app: App, services: Services) -> None:
    """Add partnerbot's global middleware to the app, in order."""

    @app.middleware
    def log_request(
        body: dict[str, Any],
        context: dict[str, Any],
        request: BoltRequest,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        kind, name = describe_request(body)
        context["request_id"] = request_id = secrets.token_hex(6)
        # who sent an anonymous answer, or asked for the form to, is written down nowhere
        anonymous = name in (ANONYMOUS_VIEW, ANONYMOUS)
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        logger.info(
            "slack request",
            extra={
                "team_id": team_of(body),
                "request_id": request_id,
                "kind": kind,
                "slack_id": name,
                "user_id": None if anonymous else context.get("user_id"),
                "retry_num": retry,
            },
        )
        return next()

    @app.middleware
    def skip_event_retries(
        body: dict[str, Any], context: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next()
        with services.sessions() as session:
            first = claim_event(
                session, team_id=team_of(body) or "", event_id=event_id, at=services.clock()
            )
        if not first:
            # Answer 200: a 404 or 5xx counts as a failure and Slack would keep retrying,
            # then switch the app's events off.
            logger.info(
                "skipped repeat event",
                extra={"request_id": context.get("request_id"), "team_id": team_of(body)},
            )
            return BoltResponse(status=200, body="")
        return next()
