"""The emulator's HTTP server: Web API methods, response_url posts and file uploads."""

import base64
import contextlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.emulator.limits import MESSAGE_BLOCKS, block_errors
from bot.emulator.methods import METHODS, SlackError
from bot.emulator.oauth import Installs
from bot.emulator.workspace import Call, Workspace, demo_workspace, next_ts

RESPONSE_URL_USES = 5  # Slack accepts five posts to one response_url, within 30 minutes
RESPONSE_URL_LIFETIME = 30 * 60


class Emulator:
    """A local Slack Web API on 127.0.0.1 that records every call; start() before use."""

    def __init__(self, *workspaces: Workspace, clock: Callable[[], float] = time.time) -> None:
        self.workspaces = {ws.team_id: ws for ws in (workspaces or (demo_workspace(),))}
        self.clock = clock
        self.calls: list[Call] = []
        self.triggers: dict[str, tuple[str, float]] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self._limited_until: dict[str, tuple[float, int]] = {}
        self._failures: dict[str, list[Any]] = {}
        self._per_channel: float | None = None  # Slack's "about one message a second a channel"
        self._last_post: dict[str, float] = {}
        self._latency: dict[str, float] = {}  # method (or "*" for every one) → seconds
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.installs = Installs()
        self.scopes = "chat:write,commands"  # what an install grants (tests may set the manifest's)

    # -- life cycle ------------------------------------------------------------------------
    def start(self, port: int = 0) -> "Emulator":
        """Serve on `port` (0: any free one)."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="emulator",
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base(self) -> str:
        """The server's root URL, with its trailing slash."""
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def url(self) -> str:
        """The Web API base URL (SLACK_API_URL), with its trailing slash."""
        return self.base + "api/"

    @property
    def workspace(self) -> Workspace:
        """The first workspace (most tests and the shell use only one)."""
        return next(iter(self.workspaces.values()))

    # -- what the driver (playing Slack's side) needs ---------------------------------------
    def new_trigger(self, user_id: str) -> str:
        """A trigger_id as Slack issues with an interaction; it works once, for 3 seconds."""
        trigger = f"{int(self.clock())}.{secrets.token_hex(6)}"
        with self._lock:
            self.triggers[trigger] = (user_id, self.clock())
        return trigger

    def new_response_url(self, team_id: str, channel_id: str, user_id: str) -> str:
        """A response_url for one interaction, bound to its channel and user."""
        key = secrets.token_hex(8)
        with self._lock:
            self._response_urls[key] = {
                "team_id": team_id,
                "channel": channel_id,
                "user": user_id,
                "uses": 0,
                "issued": self.clock(),
            }
        return f"{self.base}response/{key}"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After."""
        with self._lock:
            self._rate_limits[method] = [times, retry_after]

    def rate_limit_for(self, method: str, *, seconds: float, retry_after: int = 5) -> None:
        """Answer every call of `method` with HTTP 429 and Retry-After for `seconds` (by the
        emulator's clock, which a test may move on), as Slack does at 09:30 on a busy day."""
        with self._lock:
            self._limited_until[method] = (self.clock() + seconds, retry_after)

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with {"ok": false, "error": error}."""
        with self._lock:
            self._failures[method] = [times, error]

    def limit_per_channel(self, per_second: float = 1.0) -> None:
        """Refuse (429, Retry-After 1) a second chat.postMessage to a channel within the
        second, as Slack does to a bot that posts too fast."""
        with self._lock:
            self._per_channel = per_second

    def slow(self, seconds: float, *methods: str) -> None:
        """Answer `methods` (every Web API method and response_url post when none are named)
        only after `seconds`, as Slack does on a bad day."""
        with self._lock:
            for method in methods or ("*",):
                self._latency[method] = seconds

    def latency(self, method: str) -> float:
        with self._lock:
            return self._latency.get(method, self._latency.get("*", 0.0))

    # -- what tests read -------------------------------------------------------------------
    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def since(self, seq: int) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.seq >= seq]

    @property
    def next_seq(self) -> int:
        with self._lock:
            return len(self.calls)

    # -- answering -------------------------------------------------------------------------
    def _record(
        self,
        method: str,
        team_id: str | None,
        args: dict[str, Any],
        ok: bool,
        error: str | None,
        result: dict[str, Any],
    ) -> None:
        self.calls.append(
            Call(
                seq=len(self.calls),
                method=method,
                team_id=team_id,
                args=args,
                ok=ok,
                error=error,
                result=result,
            )
        )

    def answer_api(
        self, method: str, token: str | None, args: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            window = self._limited_until.get(method)
            if window and self.clock() < window[0]:
                self._record(method, None, args, False, "ratelimited", {})
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(window[1])}
            limited = self._rate_limits.get(method)
            if limited and limited[0] > 0:
                limited[0] -= 1
                self._record(method, None, args, False, "ratelimited", {})
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(limited[1])}
            failing = self._failures.get(method)
            if failing and failing[0] > 0:
                failing[0] -= 1
                self._record(method, None, args, False, failing[1], {})
                return 200, {"ok": False, "error": failing[1]}, {}
            if self._per_channel and method == "chat.postMessage":
                channel, now = str(args.get("channel")), self.clock()
                if now - self._last_post.get(channel, 0.0) < 1 / self._per_channel:
                    self._record(method, None, args, False, "ratelimited", {})
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
                self._last_post[channel] = now
            if method == "oauth.v2.access":  # the app's credentials, not a token
                access = self.installs.exchange(self.workspaces, args, self.scopes)
                self._record(method, None, args, access["ok"], access.get("error"), access)
                return 200, access, {}
            implementation = METHODS.get(method)
            trigger = self.triggers.get(str(args.get("trigger_id")))
            hint = {**args, "trigger_user": trigger[0]} if trigger else args
            workspace = _holder(self.workspaces.values(), token, hint)
            if implementation is None:
                body: dict[str, Any] = {"ok": False, "error": "unknown_method"}
            elif not token:
                body = {"ok": False, "error": "not_authed"}
            elif workspace is None:
                body = {"ok": False, "error": "invalid_auth"}
            else:
                try:
                    body = {"ok": True, **implementation(self, workspace, args)}
                except SlackError as error:
                    body = {"ok": False, "error": error.code, **error.extra}
            team_id = workspace.team_id if workspace else None
            self._record(method, team_id, args, body["ok"], body.get("error"), body)
            return 200, body, {}

    def answer_response_url(self, key: str, args: dict[str, Any]) -> tuple[int, str]:
        with self._lock:
            binding = self._response_urls.get(key)
            if binding is None:
                return 404, "no_such_url"
            binding["uses"] += 1
            error = None
            if binding["uses"] > RESPONSE_URL_USES:
                error = "used_url"
            elif self.clock() - binding["issued"] > RESPONSE_URL_LIFETIME:
                error = "expired_url"
            elif (
                not args.get("text") and not args.get("blocks") and not args.get("delete_original")
            ):
                error = "no_text"
            elif args.get("blocks") is not None and block_errors(
                args["blocks"], max_blocks=MESSAGE_BLOCKS
            ):
                error = "invalid_blocks"
            call_args = {**args, "channel": binding["channel"], "user": binding["user"]}
            result: dict[str, Any] = {}
            if error is None and args.get("response_type") == "in_channel":
                ws = self.workspaces[binding["team_id"]]
                ts = next_ts(self.clock())
                ws.messages[(binding["channel"], ts)] = {
                    "type": "message",
                    "ts": ts,
                    "channel": binding["channel"],
                    "user": ws.bot_user_id,
                    "text": args.get("text") or "",
                    "blocks": args.get("blocks") or [],
                }
                result = {"ts": ts}
            self._record(
                "response_url", binding["team_id"], call_args, error is None, error, result
            )
            return (200, "ok") if error is None else (400 if error != "used_url" else 404, error)

    def answer_upload(self, team_id: str, file_id: str, content: bytes) -> int:
        with self._lock:
            ws = self.workspaces.get(team_id)
            record = ws.files.get(file_id) if ws else None
            if record is None:
                return 404
            record["content"] = content
            return 200


def _parse_args(handler: BaseHTTPRequestHandler, raw: bytes) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(urlparse(handler.path).query).items()}
    content_type = handler.headers.get("Content-Type", "")
    if raw and "json" in content_type:
        args.update(json.loads(raw))
    elif raw:
        args.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
    for key in ("blocks", "view", "files", "attachments"):  # form posts carry these as JSON text
        if isinstance(args.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):  # left a string: refused later
                args[key] = json.loads(args[key])
    return args


def _handler_for(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

        def _reply(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlparse(self.path).path
            method = path[len("/api/") :] if path.startswith("/api/") else "response_url"
            delay = emulator.latency(method)
            if delay:
                time.sleep(delay)  # outside the lock: slow calls overlap, as they do at Slack
            if path.startswith("/api/"):
                auth = self.headers.get("Authorization", "")
                args = _parse_args(self, raw)
                if auth.startswith("Basic "):  # oauth.v2.access: the app's id and secret
                    decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()
                    args["client_id"], _, args["client_secret"] = decoded.partition(":")
                    auth = ""
                token = auth.removeprefix("Bearer ").strip() or args.pop("token", None)
                status, body, headers = emulator.answer_api(path[len("/api/") :], token, args)
                self._reply(
                    status, json.dumps(body).encode(), "application/json; charset=utf-8", headers
                )
            elif path.startswith("/response/"):
                status, text = emulator.answer_response_url(
                    path[len("/response/") :], _parse_args(self, raw)
                )
                self._reply(status, text.encode(), "text/plain", {})
            elif path.startswith("/upload/"):
                _, _, team_id, file_id = path.split("/", 3)
                self._reply(emulator.answer_upload(team_id, file_id, raw), b"OK", "text/plain", {})
            else:
                self._reply(404, b"not found", "text/plain", {})

        do_GET = _handle
        do_POST = _handle

    return Handler


def _holder(workspaces: Any, token: str | None, args: dict[str, Any]) -> Workspace | None:
    """The workspace a token speaks for; an org-wide token speaks for each workspace of its org,
    and the call's channel or user says which (as at Slack)."""
    holders = [ws for ws in workspaces if ws.bot_token == token]
    if len(holders) <= 1:
        return holders[0] if holders else None
    for key in ("channel", "channel_id", "user", "user_id", "users", "trigger_user", "view_id"):
        value = str(args.get(key) or "")
        for ws in holders:
            if value in ws.channels or value in ws.users or value in ws.views:
                return ws
    wanted = args.get("team_id")
    return next((ws for ws in holders if ws.team_id == wanted), holders[0])
