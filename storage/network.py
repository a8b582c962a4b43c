"""The programme network's tables: the one place rows cross workspaces, and only by consent.

A network is run by a hosting workspace; councils join it with a one-time code; a lesson or
briefing note is shared into it as a fixed copy. None of these tables has a `team_id` column,
so the workspace scope (storage/scope.py) does not hide them: every read and write of them goes
through knowledge/network.py, which checks membership itself, each time."""

from collections import Counter
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint, delete, false, update
from sqlmodel import Field, Session, SQLModel, col, select

from storage.types import SLACK_ID, TITLE_MAX, UTCDateTime

NETWORK_NAME_MAX = 80
COUNCIL_NAME_MAX = 120


class Network(SQLModel, table=True):
    """A named programme ("Retrofit programme 2025-26") run by its hosting workspace."""

    __tablename__ = "network"
    __table_args__ = (UniqueConstraint("host_team", "name_key", name="uq_network_host_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NETWORK_NAME_MAX)
    name_key: str = Field(max_length=NETWORK_NAME_MAX)  # casefolded, for look-ups
    host_team: str = Field(max_length=SLACK_ID, index=True)
    created_by: str = Field(max_length=SLACK_ID)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # bumped with every share, update, withdrawal and hide: a process's index of the network's
    # shared entries is current while its version is (knowledge/network_search.py)
    version: int = 0


class NetworkMember(SQLModel, table=True):
    """A council in a network (the host is one too). One who left keeps its row, with `left_at`."""

    __tablename__ = "network_member"
    __table_args__ = (UniqueConstraint("network_id", "member_team", name="uq_network_member"),)

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(
        sa_column=Column(Integer, ForeignKey("network.id", ondelete="CASCADE"), nullable=False)
    )
    member_team: str = Field(max_length=SLACK_ID, index=True)
    council: str = Field(max_length=COUNCIL_NAME_MAX)  # the name other councils see
    joined_by: str = Field(max_length=SLACK_ID)
    joined_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    left_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    removed: bool = False  # by the hosts, not by choice
    digest_channel: str | None = Field(default=None, max_length=SLACK_ID)  # its weekly digest


class NetworkInvite(SQLModel, table=True):
    """A one-time code a council's admin redeems to join; only its hash is kept."""

    __tablename__ = "network_invite"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(
        sa_column=Column(Integer, ForeignKey("network.id", ondelete="CASCADE"), nullable=False)
    )
    code_hash: str = Field(max_length=64, unique=True)
    made_by: str = Field(max_length=SLACK_ID)
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_by_team: str | None = Field(default=None, max_length=SLACK_ID)
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class SharedEntry(SQLModel, table=True):
    """A lesson or briefing note as it was when shared with a network: fixed until its sharer
    updates it, gone (the row deleted) when withdrawn."""

    __tablename__ = "shared_entry"
    __table_args__ = (
        UniqueConstraint("network_id", "from_team", "entry_id", name="uq_shared_entry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("network.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    from_team: str = Field(max_length=SLACK_ID, index=True)
    entry_id: int  # the entry in from_team it copies
    kind: str = Field(max_length=16)  # lesson | brief
    title: str = Field(max_length=TITLE_MAX)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    tags: str = Field(default="", max_length=500)
    council: str = Field(max_length=COUNCIL_NAME_MAX)
    author_id: str | None = Field(default=None, max_length=SLACK_ID)  # the entry's author
    author_name: str | None = Field(default=None, max_length=200)  # None: the council's only
    shared_by: str = Field(max_length=SLACK_ID)
    shared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # waiting for an admin of its council (its workspace requires approval): not yet shown
    pending: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    hidden_reason: str | None = Field(default=None, max_length=300)


class SharedVote(SQLModel, table=True):
    """Someone of a member council found a shared entry helpful (once each): the digest's
    "most helpful this month"."""

    __tablename__ = "shared_vote"
    __table_args__ = (
        UniqueConstraint("shared_id", "voter_team", "user_id", name="uq_shared_vote"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shared_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("shared_entry.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    voter_team: str = Field(max_length=SLACK_ID)
    user_id: str = Field(max_length=SLACK_ID)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def purge_networks(session: Session, team_id: str) -> Counter[str]:
    """A workspace's purge, in the network's tables (the caller commits): what it shared and
    its memberships go, its invitation codes' use is forgotten, and the networks it hosted go
    with everything in them. The networks its shares left get a new version, so every
    process's index of them is rebuilt before its next search."""
    removed: Counter[str] = Counter()
    hosted = list(session.exec(select(Network.id).where(Network.host_team == team_id)))
    touched = set(
        session.exec(select(SharedEntry.network_id).where(SharedEntry.from_team == team_id))
    ) - set(hosted)
    shared_gone = select(SharedEntry.id).where(
        (col(SharedEntry.from_team) == team_id) | col(SharedEntry.network_id).in_(hosted)
    )
    for table, where in (
        (SharedVote, col(SharedVote.voter_team) == team_id),
        (SharedVote, col(SharedVote.shared_id).in_(shared_gone)),
        (SharedEntry, col(SharedEntry.from_team) == team_id),
        (SharedEntry, col(SharedEntry.network_id).in_(hosted)),
        (NetworkMember, col(NetworkMember.member_team) == team_id),
        (NetworkMember, col(NetworkMember.network_id).in_(hosted)),
        (NetworkInvite, col(NetworkInvite.network_id).in_(hosted)),
        (Network, col(Network.id).in_(hosted)),
    ):
        result = session.execute(delete(table).where(where))
        removed[table.__tablename__] += int(getattr(result, "rowcount", 0) or 0)
    session.execute(
        update(NetworkInvite)
        .where(col(NetworkInvite.used_by_team) == team_id)
        .values(used_by_team=None)
    )
    if touched:
        session.execute(
            update(Network).where(col(Network.id).in_(touched)).values(version=Network.version + 1)
        )
    return +removed


def forget_in_networks(session: Session, *, team_id: str, user_id: str, former: str) -> int:
    """Someone forgotten by a workspace: their name and ID go from what it shared and from its
    memberships, codes and networks (the caller commits). How many rows changed."""
    changed = 0
    votes = (
        delete(SharedVote)
        .where(col(SharedVote.voter_team) == team_id)
        .where(col(SharedVote.user_id) == user_id)
    )
    changed += int(getattr(session.execute(votes), "rowcount", 0) or 0)
    for statement in (
        update(SharedEntry)
        .where(col(SharedEntry.from_team) == team_id)
        .where(col(SharedEntry.author_id) == user_id)
        .values(author_id=former, author_name=None),
        update(SharedEntry)
        .where(col(SharedEntry.from_team) == team_id)
        .where(col(SharedEntry.shared_by) == user_id)
        .values(shared_by=former),
        update(NetworkMember)
        .where(col(NetworkMember.member_team) == team_id)
        .where(col(NetworkMember.joined_by) == user_id)
        .values(joined_by=former),
        update(Network)
        .where(col(Network.host_team) == team_id)
        .where(col(Network.created_by) == user_id)
        .values(created_by=former),
        update(NetworkInvite)
        .where(col(NetworkInvite.made_by) == user_id)
        .where(
            col(NetworkInvite.network_id).in_(
                select(Network.id).where(Network.host_team == team_id)
            )
        )
        .values(made_by=former),
    ):
        changed += int(getattr(session.execute(statement), "rowcount", 0) or 0)
    # a new version for each network it shares in: their indexes rebuilt without the name
    shared_in = select(SharedEntry.network_id).where(SharedEntry.from_team == team_id)
    session.execute(
        update(Network).where(col(Network.id).in_(shared_in)).values(version=Network.version + 1)
    )
    return changed
