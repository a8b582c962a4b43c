"""The app factory: builds the Bolt app, the database and every listener, from settings alone."""

import contextvars
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot import installs, middleware
from bot.executor import TrackedExecutor
from bot.services import open_services
from bot.settings import Settings
from handlers import register_all
from handlers.sending import QuietWebClient
from handlers.services import Services, utc_now
from knowledge import semantic
from storage.teams import known_teams


class ScopedApp(App):
    """Bolt's App, each request dispatched in a context of its own: the workspace scope the
    middleware sets (storage/scope.py) then holds for that request's listeners, the work they
    hand to the listener pool included (bot/executor.py copies the context), and ends with it."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return contextvars.copy_context().run(super().dispatch, req)


logger = logging.getLogger("partnerbot.factory")


@dataclass(frozen=True)
class Partnerbot:
    """Everything one running bot is made of."""

    app: App
    services: Services
    engine: Engine
    settings: Settings
    executor: TrackedExecutor


def web_client(settings: Settings) -> WebClient:
    """The listeners' client: no retry sleeps (a 429 can ask for 30 seconds), and quiet()."""
    settings.require("SLACK_BOT_TOKEN")
    return QuietWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)


def warm_search(services: Services) -> threading.Thread:
    """Load the meaning model and the known workspaces' search indexes in the background, so
    the first `/partners ask` after a start does not wait for them (100k entries take
    seconds); as many as fit under PARTNERBOT_INDEX_MEMORY_MB, the rest when first asked."""

    def warm() -> None:
        with services.sessions() as session:
            teams = known_teams(session)
        warmed = 0
        for team_id in teams:
            figures = services.search.figures()
            if figures.evictions or figures.bytes >= 0.8 * figures.limit:
                break
            services.search.index(team_id)
            warmed += 1
        logger.info("search indexes ready", extra={"workspaces": warmed, "known": len(teams)})

    # the meaning model (under a second) loads beside the indexes: every question needs both
    threading.Thread(target=semantic.load, name="warm-meaning", daemon=True).start()
    thread = threading.Thread(target=warm, name="warm-search", daemon=True)
    thread.start()
    return thread


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    socket_mode: bool = False,
    migrate: bool = True,
) -> Partnerbot:
    """Build the bot: migrate the database, make the Bolt app, register every feature. With
    SLACK_BOT_TOKEN it serves that one workspace; with SLACK_CLIENT_ID and no token, every
    workspace that installs it through OAuth (bot/installs.py)."""
    oauth = settings.oauth_enabled
    if oauth:
        signed = () if socket_mode else ("SLACK_SIGNING_SECRET",)
        settings.require("SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", *signed)
    else:
        settings.require("SLACK_BOT_TOKEN", *(() if socket_mode else ("SLACK_SIGNING_SECRET",)))
    settings.keyring()  # a missing or short PARTNERBOT_SECRET_KEY: one line, before anything
    engine, services = open_services(settings, clock, migrate=migrate)
    executor = TrackedExecutor()
    app = ScopedApp(
        client=installs.web_client(settings) if oauth else web_client(settings),
        oauth_settings=installs.oauth_settings(settings, services, engine) if oauth else None,
        signing_secret=settings.slack_signing_secret,
        user_facing_authorize_error_message=installs.NOT_INSTALLED,
        request_verification_enabled=not socket_mode,
        # Each listener's check runs before the answer and its work after (handlers/listening):
        # the answer never waits for a free thread, nor for Slack's Web API.
        process_before_response=True,
        # no auth.test at start: with no route to Slack yet the process would not boot at all;
        # Bolt checks the token on the first request, and bot/slack_reach.py keeps trying
        token_verification_enabled=False,
        listener_executor=executor,
        logger=logging.getLogger("partnerbot.bolt"),
    )
    middleware.install(app, services)
    if oauth:
        installs.register_uninstalls(app, settings, services, engine)
    else:
        installs.register_single_uninstalls(app, services)
    register_all(app, services)
    return Partnerbot(
        app=app, services=services, engine=engine, settings=settings, executor=executor
    )
