"""Every table partnerbot keeps. Each row belongs to exactly one workspace (`team_id`)."""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Slack IDs are short (T0123ABCD); 32 leaves room for Enterprise Grid's longer ones.
SLACK_ID = 32
PARTNERSHIP_NAME_MAX = 80


class Partnership(SQLModel, table=True):
    """A partnership the council runs; its name is unique in a workspace, ignoring case."""

    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_partnership_team_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    name: str = Field(max_length=PARTNERSHIP_NAME_MAX)
    # casefolded, whitespace-collapsed name: what uniqueness and look-ups compare
    name_key: str = Field(max_length=PARTNERSHIP_NAME_MAX)
    channel_id: str | None = Field(default=None, max_length=SLACK_ID, index=True)
    created_by: str = Field(max_length=SLACK_ID)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditEntry(SQLModel, table=True):
    """Who changed what, and when: written by the domain for every create, edit and delete."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    actor_id: str = Field(max_length=SLACK_ID)
    action: str = Field(max_length=16)  # create | edit | delete
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class ProcessedEvent(SQLModel, table=True):
    """An Events API delivery already handled; the unique key turns Slack's retries into no-ops."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("team_id", "event_id", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    event_id: str = Field(max_length=64)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
