"""The workspaces this database holds: which they are (for the command line's --team default),
which are installed or have left, and removing everything one of them left behind."""

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, union
from sqlmodel import Session, SQLModel, col, select

from storage.installations import Workspace
from storage.models import Entry, Partnership
from storage.network import purge_networks


def known_teams(session: Session) -> list[str]:
    """Every workspace with a partnership or an entry, sorted."""
    statement = union(select(Entry.team_id).distinct(), select(Partnership.team_id).distinct())
    return sorted(str(team) for (team,) in session.execute(statement))


def mark_installed(
    session: Session, *, team_id: str, enterprise_id: str | None, name: str | None, now: datetime
) -> None:
    """A workspace (re)installed the bot: it is served again, and nothing is due for purging."""
    row = session.get(Workspace, team_id) or Workspace(team_id=team_id, installed_at=now)
    row.enterprise_id, row.name, row.installed_at, row.uninstalled_at = (
        enterprise_id,
        name,
        now,
        None,
    )
    session.add(row)
    session.commit()


def mark_uninstalled(session: Session, *, team_id: str, now: datetime) -> None:
    """A workspace removed the bot: its data waits out the retention period."""
    row = session.get(Workspace, team_id) or Workspace(team_id=team_id, installed_at=now)
    row.uninstalled_at = row.uninstalled_at or now
    session.add(row)
    session.commit()


def note_org_workspace(
    session: Session, *, team_id: str, enterprise_id: str, now: datetime
) -> None:
    """A workspace of an org-wide install, seen for the first time (or again after its org
    reinstalled): served, with its org written beside it."""
    row = session.get(Workspace, team_id)
    if row is not None and row.enterprise_id == enterprise_id and row.uninstalled_at is None:
        return
    row = row or Workspace(team_id=team_id, installed_at=now)
    row.enterprise_id, row.uninstalled_at = enterprise_id, None
    session.add(row)
    session.commit()


def mark_org_uninstalled(session: Session, *, enterprise_id: str, now: datetime) -> list[str]:
    """An org removed its org-wide install: each of its workspaces waits out the retention."""
    rows = list(session.exec(select(Workspace).where(Workspace.enterprise_id == enterprise_id)))
    for row in rows:
        row.uninstalled_at = row.uninstalled_at or now
        session.add(row)
    session.commit()
    return [row.team_id for row in rows]


def org_of(session: Session, team_id: str) -> str | None:
    """The Enterprise Grid org a workspace was installed under, if any."""
    row = session.get(Workspace, team_id)
    return row.enterprise_id if row else None


def left_before(session: Session, cutoff: datetime) -> list[str]:
    """Workspaces that uninstalled before `cutoff` and have not come back."""
    return list(
        session.exec(
            select(Workspace.team_id)
            .where(col(Workspace.uninstalled_at).is_not(None))
            .where(col(Workspace.uninstalled_at) < cutoff)
        )
    )


def purge(session: Session, team_id: str) -> Counter[str]:
    """Delete every row the workspace left, in every table (children first); commits. How many
    rows went, per table."""
    removed: Counter[str] = Counter()
    for table in reversed(SQLModel.metadata.sorted_tables):
        if "team_id" in table.c:
            result = session.execute(delete(table).where(table.c.team_id == team_id))
            removed[table.name] += int(getattr(result, "rowcount", 0) or 0)
    removed.update(purge_networks(session, team_id))  # what it shared with other councils
    session.commit()
    return +removed
