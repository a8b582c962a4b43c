"""Names, not IDs: a workspace's people and channels by the names Slack last gave them.

The bot learns a name whenever it asks Slack about someone (users.info) or a channel
(conversations.info) while serving that workspace, and keeps it here, so a report, a workbook or
the command line can name people without calling Slack. `forget-user` removes a person's row
(knowledge/data_rights.py); a purge removes the workspace's."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.directory import NAME_MAX, KnownName

PERSON, CHANNEL = "person", "channel"
FORMER_PREFIX = "UFORMER"  # knowledge.data_rights.FORMER: what a forgotten person's ID becomes
NameOf = Callable[[str], str]


def person_name(user: dict[str, Any]) -> str | None:
    """The name to print for a users.info record: their full name, else their display name."""
    profile = user.get("profile") or {}
    found = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
    )
    name = str(found or "").strip()[:NAME_MAX]
    return name or None


def remember(
    session: Session, *, team_id: str, slack_id: str, kind: str, name: str, now: datetime
) -> None:
    """Keep (or refresh) one name; commits only when something changed."""
    name = name.strip()[:NAME_MAX]
    if not name or not slack_id:
        return
    row = session.exec(
        select(KnownName).where(KnownName.team_id == team_id).where(KnownName.slack_id == slack_id)
    ).first()
    if row is not None and row.name == name:
        return
    if row is None:
        row = KnownName(team_id=team_id, slack_id=slack_id, kind=kind, name=name, seen_at=now)
    else:
        row.name, row.seen_at = name, now
    session.add(row)
    session.commit()


def known_names(session: Session, team_id: str, ids: Iterable[str] | None = None) -> dict[str, str]:
    """slack_id → name for a workspace (only `ids`, when given)."""
    query = select(KnownName).where(KnownName.team_id == team_id)
    if ids is not None:
        query = query.where(col(KnownName.slack_id).in_(sorted(set(ids))))
    return {row.slack_id: row.name for row in session.exec(query)}


def namer(session: Session, team_id: str, fallback: NameOf | None = None) -> NameOf:
    """A function naming people and channels of this workspace: from the directory, else
    `fallback` (asking Slack, say), else the ID itself rather than a guess. A forgotten
    person is "a former member"; a channel is "#name"."""
    known = known_names(session, team_id)
    asked: dict[str, str] = {}

    def name_of(slack_id: str) -> str:
        if not slack_id:
            return ""
        if slack_id.startswith(FORMER_PREFIX):
            return "a former member"
        found = known.get(slack_id)
        if found is None and fallback is not None:
            if slack_id not in asked:
                asked[slack_id] = fallback(slack_id)
            found = asked[slack_id] if asked[slack_id] != slack_id else None
        if found is None:
            return slack_id
        return f"#{found}" if slack_id[:1] in ("C", "G") else found

    return name_of


def name_id(session: Session, team_id: str, name: str) -> str | None:
    """The ID of the one person or channel this workspace knows by `name` (an import's "Sam
    Patel" or "#retrofit"), or None when nobody or more than one has it."""
    wanted = name.strip().removeprefix("#").casefold()
    found = [
        row.slack_id
        for row in session.exec(select(KnownName).where(KnownName.team_id == team_id))
        if row.name.casefold() == wanted
    ]
    return found[0] if len(found) == 1 else None
