"""A whole local Slack: the emulator, the real app on a loopback server, and Slack's side.

`partnerbot shell` runs in one; so do the end-to-end tests.
"""

import secrets
from collections.abc import Callable
from datetime import datetime
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlparse
from urllib.request import HTTPRedirectHandler, Request, build_opener

from bot.driver import SlackDriver
from bot.emulator import Emulator, Workspace
from bot.emulator.oauth import CLIENT_ID, CLIENT_SECRET
from bot.factory import Partnerbot, create_app
from bot.installs import INSTALL_PATH, REDIRECT_PATH
from bot.local import LocalServer
from bot.settings import Settings
from bot.web import build_wsgi
from handlers.services import utc_now


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the redirect is Slack's consent page: we play that part ourselves


class Sandbox:
    """Start with `with Sandbox(settings) as box:`; `box.driver` sends, `box.emulator` records."""

    def __init__(
        self,
        settings: Settings,
        *workspaces: Workspace,
        clock: Callable[[], datetime] = utc_now,
        oauth: bool = False,
    ) -> None:
        """`oauth`: distributed, as from the Slack Marketplace: no workspace is served until it
        installs the bot (`install()`); otherwise the first workspace's token is configured."""
        self.emulator = Emulator(*workspaces).start()
        self.signing_secret = secrets.token_hex(16)
        one = {
            "slack_bot_token": self.emulator.workspace.bot_token,
            "slack_team_id": self.emulator.workspace.team_id,
        }
        many = {
            "slack_bot_token": None,
            "slack_team_id": None,
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_state_secret": secrets.token_hex(16),
        }
        self.settings = settings.model_copy(
            update={
                **(many if oauth else one),
                "slack_signing_secret": self.signing_secret,
                "slack_api_url": self.emulator.url,
                # the shell's own throwaway key, unless the settings bring one
                "partnerbot_secret_key": settings.partnerbot_secret_key or secrets.token_hex(32),
            }
        )
        self.bot: Partnerbot = create_app(self.settings, clock=clock)
        self.server = LocalServer(build_wsgi(self.bot)).start()
        self.driver = SlackDriver(self.emulator, self.server.url, self.signing_secret)

    def install(self, team_id: str, installer: str) -> int:
        """Someone adds the bot to a workspace, as Slack's install flow does it: our install page
        sends them to Slack with a signed state (and a cookie), Slack sends them back with a
        code, and the bot exchanges it for the workspace's token. The HTTP status at the end."""
        state, cookie = self.start_install()
        code = self.emulator.installs.consent(team_id, installer)
        return self.come_back(code, state, cookie)

    def start_install(self) -> tuple[str, str]:
        """Open our install page: the state it sends to Slack, and the cookie it sets."""
        try:
            build_opener(_NoRedirects).open(self.server.base + INSTALL_PATH)
        except HTTPError as redirect:
            location, cookie = redirect.headers["Location"], redirect.headers["Set-Cookie"]
            return parse_qs(urlparse(location).query)["state"][0], cookie.split(";")[0]
        raise AssertionError("the install page should redirect to Slack")

    def come_back(self, code: str, state: str, cookie: str) -> int:
        """Slack's redirect back to the bot after consent; the HTTP status the bot answers."""
        back = Request(
            f"{self.server.base}{REDIRECT_PATH}?{urlencode({'code': code, 'state': state})}",
            headers={"Cookie": cookie},
        )
        try:
            with build_opener(_NoRedirects).open(back) as answer:
                return int(answer.status)
        except HTTPError as error:
            return int(error.code)

    def wait(self, timeout: float = 10.0) -> None:
        """Wait until every listener has finished its work after the ack."""
        if not self.bot.executor.wait_idle(timeout):
            raise TimeoutError(f"listeners still running after {timeout}s")

    def close(self) -> None:
        self.server.stop()
        self.bot.executor.shutdown(wait=True)
        self.bot.engine.dispose()
        self.emulator.stop()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
