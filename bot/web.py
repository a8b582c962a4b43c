"""HTTP: one WSGI app (Bolt at /slack/events, plus /healthz), served by gunicorn in production.

Before Bolt sees a request it is bounded and checked here: Bolt parses a body before it checks
the signature, so an unsigned 40 MB body would be parsed whole. A body over MAX_BODY is refused
unread (413), a bad signature or timestamp gets 401, and a signed body that is not what Slack
sends (not UTF-8, JSON that is not an object, a `payload` that is not JSON, a form labelled
JSON, a view with no type) gets 400, never a 500 and a traceback.
"""

import io
import json
import logging
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bot.factory import Partnerbot
from bot.middleware import describe_request
from bot.scheduler import HEARTBEAT
from bot.slack_reach import Reach
from handlers.metrics import ACK_SECONDS, ACKS, exposition, queue_depth, search_cache, timed
from storage.db import at_head, health
from storage.version import release

EVENTS_PATH = "/slack/events"
# Slack's largest requests (a big modal's state, an event with blocks) are tens of kilobytes
MAX_BODY = 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
logger = logging.getLogger("partnerbot.web")


class Refused(Exception):
    """A request answered before Bolt: an HTTP status and a short reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, never reading more than MAX_BODY (and one byte, to know)."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        if not declared.isdigit():
            raise Refused("400 Bad Request", "bad Content-Length")
        if int(declared) > MAX_BODY:
            raise Refused("413 Content Too Large", "body over the limit")
    body = environ["wsgi.input"].read(int(declared) if declared else MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise Refused("413 Content Too Large", "body over the limit")
    return bytes(body)


def as_text(body: bytes) -> str:
    """Slack sends UTF-8 (and its signature is computed over the body as text)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "body is not UTF-8") from None


def check_signed(environ: dict[str, Any], body: str, secret: str | None) -> None:
    """Slack's signature over the raw body, and a timestamp within five minutes."""
    if secret is None:  # Socket Mode: nothing comes over HTTP
        raise Refused("404 Not Found", "no HTTP endpoint")
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if not timestamp or not signature:
        raise Refused("401 Unauthorized", "not signed")
    if not timestamp.isdigit():
        raise Refused("400 Bad Request", "bad X-Slack-Request-Timestamp")
    if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
        raise Refused("401 Unauthorized", "bad signature or stale timestamp")


def check_shape(environ: dict[str, Any], text: str) -> None:
    """A signed body in a shape Slack sends: a JSON object, or a form whose `payload`
    (interactions) is a JSON object."""
    kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            if not isinstance(json.loads(text), dict):
                raise ValueError("not an object")
            return
        form = parse_qs(text, strict_parsing=bool(text))
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if not isinstance(payload, dict):
                raise ValueError("payload is not an object")
            check_interaction(payload)
    except ValueError as error:
        raise Refused("400 Bad Request", f"malformed {kind or 'body'}: {error}") from None


def check_interaction(payload: dict[str, Any]) -> None:
    """The parts Bolt reads before any listener, in the shapes Slack sends: a view's type and
    id, the actions of a button press. ValueError (a 400) otherwise, never a 500 from Bolt."""
    kind = payload.get("type")
    if kind in {"view_submission", "view_closed"}:
        view = payload.get("view")
        if not isinstance(view, dict):
            raise ValueError(f"a {kind} with no view")
        if not isinstance(view.get("type"), str) or not isinstance(view.get("id"), str):
            raise ValueError(f"a {kind} whose view has no type or id")
        if kind == "view_submission" and not isinstance(view.get("state", {}), dict):
            raise ValueError("a view_submission whose state is not an object")
    elif kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            raise ValueError("block_actions with no list of actions")


SCHEDULER_SILENT = 90.0  # seconds without a job run before the scheduler is not ready


def readiness(bot: Partnerbot, reach: Reach | None) -> list[str]:
    """What keeps this process from being ready to serve, in words (none: ready): the database
    taking writes at this release's schema, Slack reachable, the scheduler running if here."""
    problems = []
    problem = health(bot.engine)
    if problem is not None:
        problems.append(f"database: {problem}")
    elif not at_head(bot.engine):
        problems.append("database: not at this release's schema yet (partnerbot db upgrade)")
    if reach is not None and not reach.ready:
        problems.append(reach.words())
    silent = HEARTBEAT.silent_for()
    if silent is not None and silent > SCHEDULER_SILENT:
        problems.append(f"scheduler: no job has run for {silent:.0f} s")
    return problems


@cache
def subcommands() -> frozenset[str]:
    """Every `/partners` subcommand's name and alias: the only words a metric's label takes."""
    from handlers import features

    declared = [sub for feature in features() for sub in getattr(feature, "SUBCOMMANDS", ())]
    return frozenset(n for sub in declared for n in (sub.name, *sub.aliases)) | {"help"}


def what_request(text: str) -> tuple[str, str]:
    """(kind, name) of a signed request, for /metrics: a command's subcommand ("commit"), an
    action's id, a view's callback id, an event's type; never what anyone typed."""
    try:
        if text.lstrip().startswith("{"):
            body = json.loads(text)
        else:
            form = {k: v[0] for k, v in parse_qs(text).items()}
            body = json.loads(form["payload"]) if "payload" in form else form
        kind, name = describe_request(body)
    except (ValueError, KeyError, TypeError, AttributeError):
        return "unknown", ""
    if kind == "command":
        first = (str(body.get("text") or "").split(maxsplit=1) or ["help"])[0].casefold()
        name = f"{name} {first if first in subcommands() else 'other'}"
    return kind, (name or "")[:60]


def build_wsgi(bot: Partnerbot, reach: Reach | None = None) -> WSGIApp:
    """The WSGI app gunicorn serves (and the shell and tests run on a local server): Bolt at
    /slack/events, liveness at /healthz (the process and its database; it also says whether
    Slack is reachable), readiness at /readyz."""
    bolt = SlackRequestHandler(bot.app, path=EVENTS_PATH)
    queue_depth(lambda: bot.executor.pending)
    search_cache(bot.services.search.figures)
    secret = bot.settings.slack_signing_secret

    def answer(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
        body = (text + "\n").encode()
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == "/healthz" and method in {"GET", "HEAD"}:
            problem = health(bot.engine)
            said = [problem or "ok", f"partnerbot {release()}"]
            # what a finished check found wrong; before the first, nothing (/readyz says it)
            checked = reach is not None and reach.reachable is not None
            said += [reach.words()] if reach is not None and checked and not reach.ready else []
            status = "200 OK" if problem is None else "503 Service Unavailable"
            return answer(start_response, status, "\n".join(said))
        if path == "/readyz" and method in {"GET", "HEAD"}:
            problems = readiness(bot, reach)
            status = "503 Service Unavailable" if problems else "200 OK"
            return answer(start_response, status, "\n".join(problems or ["ready"]))
        if path == EVENTS_PATH and method == "POST":
            try:
                body = read_body(environ)
                text = as_text(body)
                check_signed(environ, text, secret)
                check_shape(environ, text)
            except Refused as refused:
                logger.info(
                    "request refused", extra={"status": refused.status, "why": refused.reason}
                )
                return answer(start_response, refused.status, refused.reason)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            kind, name = what_request(text)
            answered: list[str] = []

            def counted(status: str, headers: Any, *rest: Any) -> Any:
                answered.append(status.split()[0])
                return start_response(status, headers, *rest)

            with timed(ACK_SECONDS, kind):
                reply = bolt(environ, counted)
            ACKS.labels(kind, name, answered[0] if answered else "none").inc()
            return reply
        if path == "/metrics" and method in {"GET", "HEAD"}:
            data, content_type = exposition()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(data)))]
            )
            return [data]
        return bolt(environ, start_response)

    return application
