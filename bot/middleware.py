"""Bolt middleware for every request, in order: a log line with ids; the workspace check (a
request for a workspace this bot does not serve is ignored, never answered into it); quiet
clients on the one send path; Events API retry dedupe; replayed requests acted on once."""

import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from handlers.breakout_blocks import ANONYMOUS, ANONYMOUS_VIEW
from handlers.pulse_blocks import ANSWER_PULSE, PULSE_VIEW
from handlers.sending import DirectRespond, QuietRespond, QuietWebClient
from handlers.services import Services
from storage.events import claim_event
from storage.scope import serve
from storage.teams import note_org_workspace

LISTENER_TIMEOUT = 10  # seconds a listener waits for one Web API call (slack_sdk's default is 30)
NOT_HERE = (
    "partnerbot can't tell which workspace this came from, so it has done nothing. Ask your "
    "Slack admin to check how it is installed."
)

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


def served_team(context: BoltContext) -> str | None:
    """The workspace this bot's token belongs to (auth.test, cached by Bolt)."""
    result = context.get("authorize_result")
    return getattr(result, "team_id", None) if result is not None else None


def _ignore(body: dict[str, Any], context: BoltContext, why: str) -> BoltResponse:
    logger.info(
        "request for a workspace not served",
        extra={
            "request_id": context.get("request_id"),
            "team_id": context.get("team_id"),
            "served": served_team(context),
            "why": why,
        },
    )
    if "command" in body and not context.get("team_id"):
        # an org-wide install's slash command: the HTTP answer is the message, sent nowhere else
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": NOT_HERE}),
            headers={"content-type": "application/json"},
        )
    return BoltResponse(status=200, body="")


ORG_EVENTS = {"app_uninstalled", "tokens_revoked", "team_access_granted", "team_access_revoked"}


def _event_type(body: dict[str, Any]) -> str | None:
    return (body.get("event") or {}).get("type") if body.get("type") == "event_callback" else None


def org_workspace(body: dict[str, Any]) -> str | None:
    """In which of an org's workspaces an org-wide install's event happened: the top-level
    `team_id` Slack sends with it (the event's own `team` for messages)."""
    event = body.get("event") or {}
    found = body.get("team_id") or event.get("team") or (body.get("user") or {}).get("team_id")
    return str(found) if found else None


class _Workspaces:
    """The org each workspace seen through an org-wide install belongs to, written down once
    per process (the scheduler needs it to find the org's token)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def note(self, services: Services, team_id: str, enterprise_id: str) -> None:
        if team_id in self._seen:
            return
        with services.sessions() as session:
            note_org_workspace(
                session, team_id=team_id, enterprise_id=enterprise_id, now=services.clock()
            )
        self._seen.add(team_id)


def install(app: App, services: Services) -> None:
    """Add partnerbot's global middleware to the app, in order."""
    workspaces = _Workspaces()

    @app.middleware
    def log_request(
        body: dict[str, Any],
        context: BoltContext,
        request: BoltRequest,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        kind, name = describe_request(body)
        context["request_id"] = request_id = secrets.token_hex(6)
        # who sent an anonymous answer, or asked for the form to, is written down nowhere
        anonymous = name in (ANONYMOUS_VIEW, ANONYMOUS, PULSE_VIEW, ANSWER_PULSE)
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        logger.info(
            "slack request",
            extra={
                "team_id": context.get("team_id"),
                "request_id": request_id,
                "kind": kind,
                "slack_id": name,
                "user_id": None if anonymous else context.get("user_id"),
                "retry_num": retry,
            },
        )
        return next()

    @app.middleware
    def only_served_workspaces(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        team_id, served = context.get("team_id"), served_team(context)
        org = context.get("enterprise_id") if context.get("is_enterprise_install") else None
        if not team_id and org and not served:
            if _event_type(body) in ORG_EVENTS:  # the org's install itself: no one workspace
                return next()
            # an org-wide install: Bolt names no workspace for events (their authorization is
            # the org's), but Slack says in which of the org's workspaces it happened
            team_id = org_workspace(body)
            if team_id:
                context["team_id"] = team_id
        if not team_id:
            return _ignore(body, context, "no workspace in the request (an org-wide install?)")
        if served and team_id != served:
            return _ignore(body, context, "another workspace")
        if org:
            workspaces.note(services, str(team_id), org)
        # every session from here on, the listeners' included, sees this workspace only (and
        # writes its org beside it): Bolt runs listeners after every middleware has returned,
        # so the scope is set for the rest of the request (which runs in its own context)
        serve(str(team_id), context.get("enterprise_id"))
        return next()

    @app.middleware
    def quiet_clients(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        # Bolt makes a plain WebClient and respond() for each request: swap in ours, so every
        # message a listener sends passes quiet() (mass mentions), with a short timeout.
        context["client"] = QuietWebClient.like(context.client, timeout=LISTENER_TIMEOUT)
        if context.get("response_url"):
            context["respond"] = QuietRespond(
                response_url=context["response_url"],
                proxy=context.client.proxy,
                ssl=context.client.ssl,
            )
        elif context.get("user_id") and body.get("type") == "block_actions":
            # a button in a modal or on the App Home: no response_url, so replies go by DM
            context["respond"] = DirectRespond(context["client"], str(context["user_id"]))
        return next()

    @app.middleware
    def act_once(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        # An Events API delivery is retried by Slack (X-Slack-Retry-Num) until it is answered:
        # one row per event_id. Slack never retries a command or an interaction, so the same
        # trigger_id twice is a replay. Either way the repeat is answered 200 (a 404 or 5xx
        # counts as a failure, and Slack can switch the app's events off) and not acted on.
        if body.get("type") == "event_callback" and body.get("event_id"):
            key, what = str(body["event_id"]), "skipped repeat event"
        elif body.get("trigger_id"):
            key, what = f"trigger:{body['trigger_id']}"[:64], "skipped replayed request"
        else:
            return next()
        owner = str(context.get("team_id") or context.get("enterprise_id"))  # an org's own event
        with services.sessions() as session:
            first = claim_event(session, team_id=owner, event_id=key, at=services.clock())
        if first:
            return next()
        logger.info(what, extra={"request_id": context.get("request_id"), "team_id": owner})
        return BoltResponse(status=200, body="")
