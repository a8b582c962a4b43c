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
    return Services(
        sessions=sessions,
        clock=clock,
        # the signing secret signs search snapshots: only our own are ever unpickled
        search=KnowledgeSearch(
            sessions,
            clock,
            snapshot_key=(settings.slack_signing_secret or "").encode() or None,
        ),
        facilitators=settings.partnerbot_facilitators,
        questions_channel=settings.partnerbot_questions_channel or None,
        timezone=settings.partnerbot_timezone,
        # keys pulse answers while a pulse is open, so a second answer replaces the first
        answer_key=settings.slack_signing_secret or "",
    )


def open_services(
    settings: Settings, clock: Callable[[], datetime] = utc_now, *, migrate: bool = True
) -> tuple[Engine, Services]:
    """Migrate the database to head (unless the caller has) and build the services on it."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return engine, build_services(settings, engine, clock)
