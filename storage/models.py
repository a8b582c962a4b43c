"""Every table partnerbot keeps. Each row belongs to exactly one workspace (`team_id`), except
the programme network's (storage/network.py), which hold what councils chose to share."""

from datetime import date, datetime

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.breakouts import (  # noqa: F401 (breakout rounds' tables)
    ANSWER_MAX,
    BreakoutAnswer,
    BreakoutQuestion,
    BreakoutRound,
    BreakoutTimer,
)
from storage.directory import KnownName, ReportAnswers  # noqa: F401 (names; report answers)
from storage.installations import Workspace  # noqa: F401 (installs and their tokens)
from storage.network import (  # noqa: F401 (the programme network's tables)
    Network,
    NetworkInvite,
    NetworkMember,
    SharedEntry,
    SharedVote,
)
from storage.outbox import OutboxMessage  # noqa: F401 (messages owed to Slack)
from storage.performance import (  # noqa: F401 (performance management's tables)
    PROJECT_NAME_MAX,
    Benefit,
    BenefitUpdate,
    Project,
    Pulse,
    PulseAnswer,
    Score,
    ScoringPolicy,
    ScoringRound,
)
from storage.register import (  # noqa: F401 (the register's tables, kept with the rest)
    PARTNERSHIP_NAME_MAX,
    SLACK_ID,
    AgreementItem,
    Partnership,
    PartnershipReview,
)
from storage.types import TITLE_MAX, InOrg, UTCDateTime


class AuditEntry(InOrg, table=True):
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


class HealthCheck(SQLModel, table=True):
    """One row the health check writes, to prove the database takes writes (not just reads)."""

    __tablename__ = "health_check"

    id: int = Field(primary_key=True)
    checked_at: datetime = Field(sa_column=Column(DateTime(), nullable=False))


class SearchSnapshot(SQLModel, table=True):
    """A workspace's search index as one process built it, so the next process to start loads
    it in a moment and catches up from `seen_until` instead of indexing every entry again."""

    __tablename__ = "search_snapshot"

    team_id: str = Field(primary_key=True, max_length=SLACK_ID)
    format: str = Field(max_length=64)  # the code that wrote it: another release rebuilds
    seen_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    taken_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    signature: str = Field(max_length=64)  # HMAC-SHA256 (our key) of the workspace and data
    data: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    # when someone was last forgotten in this workspace: every process holding an index built
    # before then throws it away and builds it again from the database (knowledge/search.py)
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ProcessedEvent(InOrg, table=True):
    """An Events API delivery already handled; the unique key turns Slack's retries into no-ops."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("team_id", "event_id", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    event_id: str = Field(max_length=64)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


TEXT_MAX = 3000  # a modal text input's limit, and a section's
TAGS_MAX = 10
TAG_MAX = 40


class Entry(InOrg, table=True):
    """What a partnership knows: a lesson learnt, a briefing note, or a curated library entry.

    One table for the three kinds, because they are searched, voted on and shown together;
    `kind` says which, and the columns a kind does not use stay empty.
    """

    __table_args__ = (
        UniqueConstraint("team_id", "slug", name="uq_entry_team_slug"),
        Index("ix_entry_team_changed", "team_id", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    kind: str = Field(max_length=16)  # lesson | brief | library
    title: str = Field(max_length=TITLE_MAX)
    # a lesson's "what happened", a briefing note's text, a library entry's guidance
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    learnt: str | None = Field(default=None, sa_column=Column(Text))  # lessons only
    differently: str | None = Field(default=None, sa_column=Column(Text))  # lessons only
    # the library's practice tip: our own advice, shown apart and never cited to the document
    tip: str | None = Field(default=None, sa_column=Column(Text))
    tags: str = Field(default="", max_length=(TAG_MAX + 1) * TAGS_MAX)  # space-separated
    author_id: str | None = Field(default=None, max_length=SLACK_ID)  # None for the library
    source: str | None = Field(default=None, max_length=500)  # a link, or the library's citation
    slug: str | None = Field(default=None, max_length=80)  # the library's stable key
    note_date: date | None = None  # briefing notes: the date the note is about
    permalink: str | None = Field(default=None, max_length=500)  # the message it came from
    partnership_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("partnership.id", ondelete="SET NULL"), index=True),
    )
    channel_id: str | None = Field(default=None, max_length=SLACK_ID)  # where it was saved
    private: bool = False  # visible only to searches run in channel_id
    helpful: int = 0
    unhelpful: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # bumped with every change the search index must see (edits, votes, deletion)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    version: int = 1
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Vote(InOrg, table=True):
    """One person's Helpful / Not helpful on one entry; voting again changes it."""

    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_vote_entry_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    entry_id: int = Field(
        sa_column=Column(Integer, ForeignKey("entry.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: str = Field(max_length=SLACK_ID)
    helpful: bool
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LessonWanted(InOrg, table=True):
    """A question search could not answer, kept as a prompt for someone to write the lesson."""

    __tablename__ = "lesson_wanted"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    question: str = Field(max_length=TEXT_MAX)
    asked_by: str = Field(max_length=SLACK_ID)
    channel_id: str | None = Field(default=None, max_length=SLACK_ID)
    private: bool = False  # asked in a private channel: shown nowhere else
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # sent to the facilitators (or the questions channel) for an answer
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    answered_by: str | None = Field(default=None, max_length=SLACK_ID)
    answer_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("entry.id", ondelete="SET NULL")),
    )


ACTION_MAX = 500


class Commitment(InOrg, table=True):
    """Something a partnership agreed to do: what, by when, who owns it, who asked."""

    __table_args__ = (Index("ix_commitment_team_status", "team_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    action: str = Field(max_length=ACTION_MAX)
    due_date: date
    created_by: str = Field(max_length=SLACK_ID)
    channel_id: str | None = Field(default=None, max_length=SLACK_ID)
    thread_ts: str | None = Field(default=None, max_length=32)  # the channel confirmation
    partnership_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("partnership.id", ondelete="SET NULL"), index=True),
    )
    partner_org: str | None = Field(default=None, max_length=120)
    done_when: str | None = Field(default=None, max_length=1000)  # how we will know
    status: str = Field(default="open", max_length=16)  # open | done | declined
    closed_by: str | None = Field(default=None, max_length=SLACK_ID)
    closed_note: str | None = Field(default=None, max_length=1000)  # a reason it can't be done
    progress_note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class CommitmentOwner(InOrg, table=True):
    """One owner of a commitment, with the time zone their nudges are timed in."""

    __tablename__ = "commitment_owner"
    __table_args__ = (UniqueConstraint("commitment_id", "user_id", name="uq_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    commitment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: str = Field(max_length=SLACK_ID, index=True)
    tz: str = Field(default="Europe/London", max_length=64)
    reachable: bool = True  # False once Slack says they cannot get a DM from us


class Nudge(InOrg, table=True):
    """One reminder the bot owes someone, about a commitment or about a partnership's review;
    the unique keys make it impossible to owe it twice."""

    __table_args__ = (
        UniqueConstraint("commitment_id", "recipient_id", "kind", "due_at", name="uq_nudge"),
        UniqueConstraint(
            "partnership_id", "recipient_id", "kind", "due_at", name="uq_review_nudge"
        ),
        UniqueConstraint("benefit_id", "recipient_id", "kind", "due_at", name="uq_benefit_nudge"),
        Index("ix_nudge_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    # exactly one of these says what the reminder is about
    commitment_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("commitment.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    partnership_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    benefit_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("benefit.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    about: date | None = None  # a review or benefit reminder: the date it was planned for
    recipient_id: str = Field(max_length=SLACK_ID)
    kind: str = Field(max_length=16)  # before | due | overdue | escalation
    number: int = 0  # which overdue nudge (1, 2, 3)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # pending | claimed | sent | cancelled | superseded
    status: str = Field(default="pending", max_length=16)
    claim: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_to: str | None = Field(default=None, max_length=SLACK_ID)  # the DM or thread channel
    message_ts: str | None = Field(default=None, max_length=32)
    # set just before the message goes to Slack: a run that died after it may have sent it
    sending_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0


class Away(InOrg, table=True):
    """Someone's nudges are paused until this date (inclusive)."""

    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_away"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    user_id: str = Field(max_length=SLACK_ID)
    until: date


class DigestSent(InOrg, table=True):
    """A channel's weekly digest, claimed by inserting this row: one per channel per week."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "week", name="uq_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID)
    channel_id: str = Field(max_length=SLACK_ID)
    week: date  # the Monday it is for
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class NudgePolicy(SQLModel, table=True):
    """A workspace's own nudge policy, where it differs from the default."""

    __tablename__ = "nudge_policy"

    team_id: str = Field(primary_key=True, max_length=SLACK_ID)
    days_before: int = 3
    overdue_every: int = 2
    overdue_max: int = 3
    region: str = Field(default="ENG", max_length=3)
