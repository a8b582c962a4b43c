"""Breakout rounds' tables: a round in a channel, its questions as posted, the answers (named or
anonymous) and the timers owed to each question."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field

from storage.types import SLACK_ID, TITLE_MAX, InOrg, UTCDateTime

ANSWER_MAX = 3000


class BreakoutRound(InOrg, table=True):
    """A breakout in a channel: a deck's questions (or one question), one at a time."""

    __tablename__ = "breakout_round"
    __table_args__ = (Index("ix_round_channel_status", "team_id", "channel_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    channel_id: str = Field(max_length=SLACK_ID)
    facilitator_id: str = Field(max_length=SLACK_ID)
    deck: str | None = Field(default=None, max_length=80)  # a deck's slug; None: one question
    title: str = Field(max_length=TITLE_MAX)
    questions: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of strings
    current: int = 0  # index of the question being answered
    minutes: int | None = None  # per question
    status: str = Field(default="open", max_length=16)  # open | closed
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    note_id: int | None = None  # the briefing note its summary was saved as
    # keys the hashes that count anonymous answerers as people; wiped when the round closes
    salt: str | None = Field(default=None, max_length=64)
    minimum: int = 3  # the fewest people before anonymous answers show (fixed at the start)


class BreakoutQuestion(InOrg, table=True):
    """One question of a round, as it was posted: its card, its clock, whether it is closed."""

    __tablename__ = "breakout_question"
    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_round_question"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("breakout_round.id", ondelete="CASCADE"), nullable=False
        )
    )
    number: int
    text: str = Field(max_length=ANSWER_MAX)
    card_ts: str | None = Field(default=None, max_length=32, index=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    people: int | None = None  # how many different people answered, counted when it closed


class BreakoutAnswer(InOrg, table=True):
    """An answer. An anonymous one has no author: it is stored nowhere, by design."""

    __tablename__ = "breakout_answer"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("breakout_round.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int  # which question
    author_id: str | None = Field(default=None, max_length=SLACK_ID)
    anonymous: bool = False
    text: str = Field(sa_column=Column(Text, nullable=False))
    # a thread reply's own ts, so a retried or edited event is not counted twice
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # an anonymous answer's keyed hash of who gave it, so one person counts once however many
    # they give; wiped when the question closes (knowledge/breakout.py)
    person_key: str | None = Field(default=None, max_length=64)


class BreakoutTimer(InOrg, table=True):
    """A "2 minutes left" or "time's up" owed to a question; claimed like a nudge."""

    __tablename__ = "breakout_timer"
    __table_args__ = (
        UniqueConstraint("round_id", "number", "kind", name="uq_timer"),
        Index("ix_timer_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("breakout_round.id", ondelete="CASCADE"), nullable=False
        )
    )
    number: int
    kind: str = Field(max_length=16)  # warning | up
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | claimed | done | cancelled
    claim: str | None = Field(default=None, max_length=32)  # the run holding it
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
