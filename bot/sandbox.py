"""A whole local Slack: the emulator, the real app on a loopback server, and Slack's side.

`partnerbot shell` runs in one; so do the end-to-end tests.
"""

import secrets
from collections.abc import Callable
from datetime import datetime

from bot.driver import SlackDriver
from bot.emulator import Emulator, Workspace
from bot.factory import Partnerbot, create_app
from bot.local import LocalServer
from bot.settings import Settings
from bot.web import build_wsgi
from handlers.services import utc_now


class Sandbox:
    """Start with `with Sandbox(settings) as box:`; `box.driver` sends, `box.emulator` records."""

    def __init__(
        self, settings: Settings, *workspaces: Workspace, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.emulator = Emulator(*workspaces).start()
        self.signing_secret = secrets.token_hex(16)
        self.settings = settings.model_copy(
            update={
                "slack_bot_token": self.emulator.workspace.bot_token,
                "slack_signing_secret": self.signing_secret,
                "slack_api_url": self.emulator.url,
                "slack_team_id": self.emulator.workspace.team_id,
            }
        )
        self.bot: Partnerbot = create_app(self.settings, clock=clock)
        self.server = LocalServer(build_wsgi(self.bot)).start()
        self.driver = SlackDriver(self.emulator, self.server.url, self.signing_secret)

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
