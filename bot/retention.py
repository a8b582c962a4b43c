"""What happens to a workspace that leaves: its tokens go at once (bot/installs.py), its data
stays PARTNERBOT_RETENTION_DAYS (it may come back), then the scheduler purges it; `partnerbot
purge --team T` does it now."""

import logging
import sys
from datetime import datetime, timedelta

from bot.services import open_services
from bot.settings import Settings
from handlers.services import Services
from storage.db import reclaim
from storage.installations import Workspace
from storage.teams import left_before, purge

logger = logging.getLogger("partnerbot.retention")


def purge_departed(services: Services, now: datetime, *, retention_days: int) -> list[str]:
    """Purge every workspace that left more than `retention_days` ago; the ones purged."""
    with services.sessions() as session:
        due = left_before(session, now - timedelta(days=retention_days))
    for team_id in due:
        with services.sessions() as session:
            removed = purge(session, team_id)
        services.search.drop(team_id)
        logger.info(
            "purged a departed workspace", extra={"team_id": team_id, "rows": removed.total()}
        )
    return due


def purge_now(settings: Settings, team_id: str, *, force: bool) -> int:
    """`partnerbot purge --team T [--force]`: remove a workspace's data now, printing what went.
    A workspace still installed (or never installed through OAuth) needs --force."""
    engine, services = open_services(settings)
    with services.sessions() as session:
        standing = session.get(Workspace, team_id)
        if (standing is None or standing.uninstalled_at is None) and not force:
            print(
                f"partnerbot purge: {team_id} is still installed (or was never installed "
                "through OAuth); pass --force to remove its data all the same.",
                file=sys.stderr,
            )
            return 2
        removed = purge(session, team_id)
    rows = ", ".join(f"{n} {table}" for table, n in sorted(removed.items())) or "nothing"
    print(f"Purged {team_id}: {rows}. {reclaim(engine)}")
    return 0
