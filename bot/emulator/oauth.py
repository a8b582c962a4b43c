"""Slack's side of an OAuth install, emulated: the consent page's redirect (a one-time code for
a workspace), `oauth.v2.access` exchanging it for that workspace's bot token, and uninstalling,
which revokes the token at once (later calls answer `invalid_auth`, as Slack's do). With token
rotation on (`rotating`), tokens expire and come with a refresh token; `oauth.v2.access` with
`grant_type=refresh_token` issues the next pair and the old token stops working."""

import secrets
import threading
from typing import Any

from bot.emulator.workspace import Workspace

CLIENT_ID, CLIENT_SECRET = "1234567890.0987654321", "emulated-client-secret"
APP_ID = "A0PARTNERBOT"


class Installs:
    """The app's credentials as Slack knows them, and codes waiting to be exchanged."""

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str]] = {}  # code → (team_id or "E…" org, installer)
        self._refresh: dict[str, str] = {}  # refresh token → team_id
        self._lock = threading.Lock()
        self.rotating = False
        self.lifetime = 3600  # seconds a rotating token lives (Slack's: 12 hours)

    def consent(self, team_id: str, installer: str) -> str:
        """What Slack puts on the redirect after someone clicks Allow: a code, once."""
        code = "code-" + secrets.token_hex(8)
        with self._lock:
            self._codes[code] = (team_id, installer)
        return code

    def consent_org(self, enterprise_id: str, installer: str) -> str:
        """An org admin allowed an org-wide install (Enterprise Grid): a code, once."""
        return self.consent(enterprise_id, installer)

    def exchange(
        self, workspaces: dict[str, Workspace], args: dict[str, Any], scopes: str
    ) -> dict[str, Any]:
        """oauth.v2.access: the code and the app's credentials, for the workspace's token."""
        if args.get("client_id") != CLIENT_ID or args.get("client_secret") != CLIENT_SECRET:
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("grant_type") == "refresh_token":
            return self._refreshed(workspaces, str(args.get("refresh_token")))
        with self._lock:
            found = self._codes.pop(str(args.get("code")), None)
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, installer = found
        if team_id not in workspaces:
            return self._org_install(workspaces, team_id, installer, scopes)
        ws = workspaces[team_id]
        ws.bot_token = "xoxb-emulator-" + secrets.token_hex(8)  # each install issues its own
        return {
            **self._expiry(ws),
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": installer},
            "scope": scopes,
            "token_type": "bot",
            "access_token": ws.bot_token,
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _org_install(
        self, workspaces: dict[str, Workspace], enterprise_id: str, installer: str, scopes: str
    ) -> dict[str, Any]:
        """One token for every workspace of the org; `team` is null, as Slack sends it."""
        members = [ws for ws in workspaces.values() if ws.enterprise_id == enterprise_id]
        if not members:
            return {"ok": False, "error": "invalid_code"}
        token = "xoxb-emulator-org-" + secrets.token_hex(8)
        for ws in members:
            ws.bot_token = token
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": installer},
            "scope": scopes,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": members[0].bot_user_id,
            "team": None,
            "enterprise": {"id": enterprise_id, "name": "County Council Group"},
            "is_enterprise_install": True,
        }

    def _expiry(self, ws: Workspace) -> dict[str, Any]:
        if not self.rotating:
            return {}
        ws.bot_token = "xoxe.xoxb-emulator-" + secrets.token_hex(8)
        refresh = "xoxe-1-" + secrets.token_hex(10)
        with self._lock:
            self._refresh[refresh] = ws.team_id
        return {"refresh_token": refresh, "expires_in": self.lifetime}

    def _refreshed(self, workspaces: dict[str, Workspace], refresh: str) -> dict[str, Any]:
        with self._lock:
            team_id = self._refresh.pop(refresh, None)  # a refresh token works once
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        ws = workspaces[team_id]
        issued = self._expiry(ws)  # the old token stops working here
        return {
            "ok": True,
            "app_id": APP_ID,
            "token_type": "bot",
            "access_token": ws.bot_token,
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.name},
            "enterprise": None,
            "is_enterprise_install": False,
            **issued,
        }


def revoke(ws: Workspace) -> None:
    """The app was uninstalled from this workspace: its token stops working."""
    ws.bot_token = "xoxb-revoked-" + secrets.token_hex(8)
