"""The programme network's tables: the one place rows cross workspaces, and only by consent.

A network is run by a hosting workspace; councils join it with a one-time code; a lesson or
briefing note is shared into it as a fixed copy. None of these tables has a `team_id` column,
so the workspace scope (storage/scope.py) does not hide them: every read and write of them goes
through knowledge/network.py, which checks membership itself, each time."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

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
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    hidden_reason: str | None = Field(default=None, max_length=300)
