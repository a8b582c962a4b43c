"""What people read instead of Slack's IDs: each workspace's display names of people and
channels as Slack last gave them (users.info, conversations.info), so a document or the command
line names people without asking Slack; and what an officer last wrote for a partnership's
committee report, offered again next time."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field

from storage.types import SLACK_ID, InOrg, UTCDateTime

NAME_MAX = 200


class KnownName(InOrg, table=True):
    """A person's or a channel's name in one workspace, as Slack last said it."""

    __tablename__ = "known_name"
    __table_args__ = (UniqueConstraint("team_id", "slack_id", name="uq_known_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    slack_id: str = Field(max_length=SLACK_ID)  # U… / W… (a person) or C… / G… (a channel)
    kind: str = Field(max_length=16)  # person | channel
    name: str = Field(max_length=NAME_MAX)
    seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReportAnswers(InOrg, table=True):
    """What the officer wrote for a partnership's committee report (the meeting, the author,
    recommendations, implications), as JSON: the next report's form starts from it."""

    __tablename__ = "report_answers"
    __table_args__ = (UniqueConstraint("partnership_id", name="uq_report_answers"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    partnership_id: int = Field(
        sa_column=Column(Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False)
    )
    answers: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = Field(max_length=SLACK_ID)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
