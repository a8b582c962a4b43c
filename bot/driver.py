"""Slack's side of the conversation: signed requests shaped as Slack sends them.

The shell and the end-to-end tests use this to talk to the real Bolt app over HTTP, with the
emulator answering the app's Web API calls.
"""

import json
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.emulator import Emulator, Workspace

APP_ID = "A0PARTNERBOT"
_MENTION = re.compile(r"(?<![<\w])@([a-z0-9._-]+)", re.IGNORECASE)
_CHANNEL = re.compile(r"(?<![<\w&])#([a-z0-9_-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """The bot's HTTP answer to one request."""

    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def escape_for_command(text: str, workspace: Workspace) -> str:
    """What Slack does to a slash command's text with escaping on: @sam → <@U…|sam>."""

    def user(match: re.Match[str]) -> str:
        found = workspace.user_named(match.group(1))
        return f"<@{found.id}|{found.name}>" if found else match.group(0)

    def channel(match: re.Match[str]) -> str:
        found = workspace.channel_named(match.group(1))
        return f"<#{found.id}|{found.name}>" if found else match.group(0)

    return _CHANNEL.sub(channel, _MENTION.sub(user, text))


class SlackDriver:
    """Sends signed requests to the bot's endpoint, as Slack would."""

    def __init__(self, emulator: Emulator, url: str, signing_secret: str) -> None:
        self.emulator = emulator
        self.url = url
        self.signing_secret = signing_secret

    # -- transport --------------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Reply:
        """POST a body signed with the signing secret (or `secret`, to forge one)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = str(
            SignatureVerifier(secret or self.signing_secret).generate_signature(
                timestamp=stamp, body=body
            )
        )
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return Reply(status=status, body=text, seconds=time.perf_counter() - started)

    def _interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            **kwargs,
        )

    # -- what people do ---------------------------------------------------------------------
    def command_body(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        team_id: str | None = None,
        command: str = "/partners",
        org_install: str | None = None,
    ) -> str:
        ws = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace
        org = {"enterprise_id": org_install} if org_install else {}
        channel_name = ws.channels[channel].name if channel in ws.channels else "directmessage"
        return urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": ws.team_id,
                "team_domain": ws.domain,
                "channel_id": channel,
                "channel_name": channel_name,
                "user_id": user,
                "user_name": ws.users[user].name if user in ws.users else "someone",
                "command": command,
                "text": escape_for_command(text, ws),
                "api_app_id": APP_ID,
                "is_enterprise_install": "true" if org_install else "false",
                **org,
                "response_url": self.emulator.new_response_url(ws.team_id, channel, user),
                "trigger_id": self.emulator.new_trigger(user),
            }
        )

    def command(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        team_id: str | None = None,
        org_install: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        """`/partners TEXT` typed by `user` in `channel` (of an org-wide install: `org_install`)."""
        body = self.command_body(
            text, user=user, channel=channel, team_id=team_id, org_install=org_install
        )
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        org_install: str | None = None,
    ) -> Reply:
        """An Events API delivery; `retry_num` marks it as Slack's retry of an earlier one;
        `org_install` (an enterprise id) shapes it as an org-wide install's: its authorization
        names no team; the top-level `team_id` is the workspace's if `team_id` is given (as
        Slack sends it), else null (an event naming no workspace at all)."""
        ws = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace
        authorization: dict[str, Any] = {
            "enterprise_id": org_install,
            "team_id": None if org_install else ws.team_id,
            "user_id": ws.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": bool(org_install),
        }
        body = json.dumps(
            {
                "token": "deprecated-verification-token",
                "team_id": (ws.team_id if team_id else None) if org_install else ws.team_id,
                "enterprise_id": org_install,
                "api_app_id": APP_ID,
                "event": {"event_ts": f"{time.time():.6f}", **event},
                "type": "event_callback",
                "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
                "event_time": int(time.time()),
                "authorizations": [authorization],
                "is_ext_shared_channel": False,
            }
        )
        headers = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
            if retry_num
            else {}
        )
        return self.post(body, "application/json", headers=headers)

    def mention(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        thread_ts: str | None = None,
        team_id: str | None = None,
        user_team: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        """`@partnerbot TEXT` posted by `user`: the message lands in the channel, then Slack
        sends the app_mention event. In a shared channel Slack names the person's own
        organisation as `user_team` (`user_team`: a partner from another one)."""
        ws = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace
        ts = f"{time.time():.6f}"
        full = f"<@{ws.bot_user_id}> {escape_for_command(text, ws)}"
        ws.post_as(user, channel, full, ts)
        event = {"type": "app_mention", "user": user, "channel": channel, "ts": ts, "text": full}
        if thread_ts:
            event["thread_ts"] = thread_ts
        shared = channel in ws.channels and ws.channels[channel].is_ext_shared
        if user_team or shared:
            event["user_team"] = user_team or ws.team_id
        return self.event(event, team_id=team_id, **kwargs)

    def reply_in_thread(
        self, text: str, *, user: str, channel: str, thread_ts: str, team_id: str | None = None
    ) -> Reply:
        """A person's reply in a thread: it lands in the channel, then Slack sends the
        message event (with thread_ts) to an app subscribed to the channel's messages."""
        ws = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace
        ts = f"{time.time():.6f}"
        ws.post_as(user, channel, text, ts)
        channel_type = "group" if ws.channels[channel].is_private else "channel"
        return self.event(
            {
                "type": "message",
                "user": user,
                "channel": channel,
                "ts": ts,
                "thread_ts": thread_ts,
                "text": text,
                "channel_type": channel_type,
            },
            team_id=team_id,
        )

    def _who(
        self, user: str, team_id: str | None, user_team: str | None = None
    ) -> tuple[Workspace, dict[str, Any], dict[str, Any]]:
        """The workspace, the payload's `team` and its `user`. `user_team`: the person's own
        organisation when it is not the installing workspace (a Slack Connect partner)."""
        ws = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace
        name = ws.users[user].name if user in ws.users else "someone"
        return (
            ws,
            {"id": ws.team_id, "domain": ws.domain},
            {"id": user, "username": name, "name": name, "team_id": user_team or ws.team_id},
        )

    def block_action(
        self,
        action: dict[str, Any],
        *,
        user: str,
        channel: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        team_id: str | None = None,
        user_team: str | None = None,
        org_install: str | None = None,
    ) -> Reply:
        """A button (or menu) pressed in a message or in a view. In Slack Connect `team` is the
        installing workspace and `user.team_id` the presser's own; in an org-wide install
        (`org_install`, the enterprise id) `team` is null."""
        ws, team, who = self._who(user, team_id, user_team)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": None if org_install else team,
            "enterprise": {"id": org_install, "name": "Org"} if org_install else None,
            "is_enterprise_install": bool(org_install),
            "user": who,
            "api_app_id": APP_ID,
            "token": "deprecated-verification-token",
            "trigger_id": self.emulator.new_trigger(user),
            "actions": [{"action_ts": f"{time.time():.6f}", **action}],
        }
        if view is not None:
            payload.update(container={"type": "view", "view_id": view.get("id")}, view=view)
        else:
            assert channel is not None, "a message action needs its channel"
            payload.update(
                container={
                    "type": "message",
                    "channel_id": channel,
                    "message_ts": (message or {}).get("ts"),
                    "is_ephemeral": not message,
                },
                channel={
                    "id": channel,
                    "name": ws.channels[channel].name if channel in ws.channels else "",
                },
                response_url=self.emulator.new_response_url(ws.team_id, channel, user),
            )
            if message:
                payload["message"] = message
        return self._interaction(payload)

    def view_submission(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        *,
        user: str,
        team_id: str | None = None,
        user_team: str | None = None,
        org_install: str | None = None,
    ) -> Reply:
        """A modal submitted with `values` in Slack's state shape ({block: {action: {...}}}).

        From a Slack Connect partner (`user_team`: their own organisation), `team` and
        `user.team_id` are the partner's org and only `view.app_installed_team_id` names the
        installing workspace, as Slack sends it; `org_install` makes `team` null."""
        ws, team, who = self._who(user, team_id, user_team)
        if user_team:
            team = {"id": user_team, "domain": "partner-org"}
        submitted = {
            **view,
            "team_id": user_team or ws.team_id,
            "app_installed_team_id": ws.team_id,
            "state": {"values": values},
        }
        return self._interaction(
            {
                "type": "view_submission",
                "team": None if org_install else team,
                "enterprise": {"id": org_install, "name": "Org"} if org_install else None,
                "is_enterprise_install": bool(org_install),
                "user": who,
                "api_app_id": APP_ID,
                "token": "deprecated-verification-token",
                "trigger_id": self.emulator.new_trigger(user),
                "view": submitted,
                "response_urls": [],
            }
        )

    def global_shortcut(self, callback_id: str, *, user: str, team_id: str | None = None) -> Reply:
        """A global shortcut, chosen from the composer's shortcuts: no channel, no message."""
        _, team, who = self._who(user, team_id)
        return self._interaction(
            {
                "type": "shortcut",
                "callback_id": callback_id,
                "team": team,
                "user": who,
                "api_app_id": APP_ID,
                "token": "deprecated-verification-token",
                "trigger_id": self.emulator.new_trigger(user),
                "action_ts": f"{time.time():.6f}",
            }
        )

    def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: str,
        channel: str,
        team_id: str | None = None,
    ) -> Reply:
        """A message shortcut chosen from a message's "More actions" menu."""
        ws, team, who = self._who(user, team_id)
        return self._interaction(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "team": team,
                "user": who,
                "channel": {
                    "id": channel,
                    "name": ws.channels[channel].name if channel in ws.channels else "",
                },
                "message": message,
                "message_ts": message.get("ts"),
                "api_app_id": APP_ID,
                "token": "deprecated-verification-token",
                "trigger_id": self.emulator.new_trigger(user),
                "response_url": self.emulator.new_response_url(ws.team_id, channel, user),
            }
        )
