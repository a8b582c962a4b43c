"""HTTP: one WSGI app (Bolt at /slack/events, plus /healthz), served by gunicorn in production."""

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.factory import Partnerbot
from storage.db import ping

EVENTS_PATH = "/slack/events"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_wsgi(bot: Partnerbot) -> WSGIApp:
    """The WSGI app gunicorn serves (and the shell and tests run on a local server)."""
    bolt = SlackRequestHandler(bot.app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in {
            "GET",
            "HEAD",
        }:
            healthy = ping(bot.engine)
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return bolt(environ, start_response)

    return application
