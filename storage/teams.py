"""Which workspaces this database holds (for the command line's --team default)."""

from sqlalchemy import union
from sqlmodel import Session, select

from storage.models import Entry, Partnership


def known_teams(session: Session) -> list[str]:
    """Every workspace with a partnership or an entry, sorted."""
    statement = union(select(Entry.team_id).distinct(), select(Partnership.team_id).distinct())
    return sorted(str(team) for (team,) in session.execute(statement))
