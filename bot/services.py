"""The services every process builds from settings (the app, the worker, the command line),
without importing Slack's libraries: `partnerbot search` starts in well under a second."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.settings import Settings
from handlers.services import Services, utc_now
from knowledge.search import KnowledgeSearch
from storage.db import make_engine, session_factory, upgrade


def build_services(settings: Settings, engine: Engine, clock: Callable[[], datetime]) -> Services:
    sessions = session_factory(engine)
    keyring = settings.keyring()  # a missing or short PARTNERBOT_SECRET_KEY stops here
    return Services(
        sessions=sessions,
        clock=clock,
        search=KnowledgeSearch(
            sessions, clock, keyring=keyring, memory_mb=settings.partnerbot_index_memory_mb
        ),
        # the environment's facilitators and questions channel are one workspace's defaults:
        # with OAuth (many workspaces) they apply to none
        facilitators=frozenset() if settings.oauth_enabled else settings.partnerbot_facilitators,
        questions_channel=None
        if settings.oauth_enabled
        else (settings.partnerbot_questions_channel or None),
        timezone=settings.partnerbot_timezone,
        keyring=keyring,
    )


def open_services(
    settings: Settings, clock: Callable[[], datetime] = utc_now, *, migrate: bool = True
) -> tuple[Engine, Services]:
    """Migrate the database to head (unless the caller has) and build the services on it."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return engine, build_services(settings, engine, clock)
