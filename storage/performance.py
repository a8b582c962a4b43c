"""Performance management's tables: projects and their scoring rounds, how a workspace weighs
the criteria, and the benefits tracker. Each row belongs to exactly one workspace (`team_id`)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import SLACK_ID, InOrg, UTCDateTime

PROJECT_NAME_MAX = 80


class Project(InOrg, table=True):
    """A project or transformation opportunity; its name is unique in a workspace, ignoring
    case."""

    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_project_team_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    name: str = Field(max_length=PROJECT_NAME_MAX)
    name_key: str = Field(max_length=PROJECT_NAME_MAX)  # casefolded, spaces collapsed
    description: str | None = Field(default=None, sa_column=Column(Text))
    owner_id: str | None = Field(default=None, max_length=SLACK_ID)
    partnership_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    size: str = Field(default="smaller", max_length=16)  # major | smaller
    status: str = Field(default="proposed", max_length=16)  # proposed | active | done | dropped
    created_by: str = Field(max_length=SLACK_ID)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ScoringRound(InOrg, table=True):
    """A prioritisation round in a channel: invited people score projects privately; the
    facilitator closes it (and may close it again after scores are revised)."""

    __tablename__ = "scoring_round"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    channel_id: str = Field(max_length=SLACK_ID)
    facilitator_id: str = Field(max_length=SLACK_ID)
    project_ids: str = Field(sa_column=Column(Text, nullable=False))  # "3 5 8": scored, in order
    invited: str = Field(sa_column=Column(Text, nullable=False))  # "U1 U2 U3"
    status: str = Field(default="open", max_length=16)  # open | closed
    message_ts: str | None = Field(default=None, max_length=32)  # the round's message
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Score(InOrg, table=True):
    """One person's 1-5 score of one criterion of one project in a round; a revision replaces
    it (audited). Shown to nobody but as medians and spreads."""

    __table_args__ = (
        UniqueConstraint("round_id", "project_id", "user_id", "criterion", name="uq_score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("scoring_round.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: str = Field(max_length=SLACK_ID)
    criterion: str = Field(max_length=16)
    value: int
    scored_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ScoringPolicy(SQLModel, table=True):
    """How a workspace weighs the criteria and names its four ranges (defaults when absent)."""

    __tablename__ = "scoring_policy"

    team_id: str = Field(primary_key=True, max_length=SLACK_ID)
    weights: str = Field(sa_column=Column(Text, nullable=False))  # "fit=2 reach=1 …"
    impact_threshold: float = 3.0
    risk_threshold: float = 3.0
    ranges: str = Field(sa_column=Column(Text, nullable=False))  # four names, one a line


class Benefit(InOrg, table=True):
    """What a project or partnership should deliver: financial (planned and realised GBP by a
    date) or not (a KPI or capability: how it is measured, baseline, target, latest value, or a
    narrative where it can't be measured). Its owner is reminded when it falls due unupdated."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    project_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    partnership_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    kind: str = Field(max_length=16)  # financial | non_financial
    title: str = Field(max_length=200)
    owner_id: str = Field(max_length=SLACK_ID)
    due: date  # when it should be realised
    planned_gbp: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    realised_gbp: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    measure: str | None = Field(default=None, sa_column=Column(Text))  # how it is measured
    baseline: float | None = None
    target: float | None = None
    latest: float | None = None
    narrative: str | None = Field(default=None, sa_column=Column(Text))
    rag: str | None = Field(default=None, max_length=8)  # green | amber | red
    rag_reason: str | None = Field(default=None, sa_column=Column(Text))
    evidence_link: str | None = Field(default=None, max_length=500)
    evidence_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_by: str = Field(max_length=SLACK_ID)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str | None = Field(default=None, max_length=SLACK_ID)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class BenefitUpdate(InOrg, table=True):
    """One update of a benefit: who, when, what it says now, and the evidence."""

    __tablename__ = "benefit_update"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    benefit_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("benefit.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    updated_by: str = Field(max_length=SLACK_ID)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    realised_gbp: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    latest: float | None = None
    narrative: str | None = Field(default=None, sa_column=Column(Text))
    rag: str | None = Field(default=None, max_length=8)
    rag_reason: str | None = Field(default=None, sa_column=Column(Text))
    evidence_link: str | None = Field(default=None, max_length=500)


class Pulse(InOrg, table=True):
    """A partnership's health pulse: its members are asked by DM to rate it; the answers are
    shown, as averages, only once it closes with its minimum or more. Monthly pulses carry their month
    (`period`), so two processes cannot start the same one."""

    __table_args__ = (UniqueConstraint("partnership_id", "period", name="uq_pulse_period"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    partnership_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    period: str | None = Field(default=None, max_length=7)  # "2026-11" for a monthly pulse
    invited: str = Field(sa_column=Column(Text, nullable=False))  # "U1 U2 U3": who was asked
    salt: str | None = Field(default=None, max_length=64)  # wiped at close, with the voter keys
    opened_by: str | None = Field(default=None, max_length=SLACK_ID)  # None: the monthly one
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closes_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="open", max_length=16)  # open | closed
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    chart_file_id: str | None = Field(default=None, max_length=32)  # the trend PNG in Slack
    # the fewest answers before anything is shown: the workspace's setting when it opened, so
    # nobody can lower it once answers have come in
    minimum: int = 5


class PulseAnswer(InOrg, table=True):
    """One anonymous answer to a pulse: seven 1-5 ratings and a comment, and no author. While
    the pulse is open a keyed hash (`voter_key`) lets a second answer replace the first; it is
    wiped when the pulse closes. No time is kept: it could tell who answered."""

    __tablename__ = "pulse_answer"
    __table_args__ = (UniqueConstraint("pulse_id", "voter_key", name="uq_pulse_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    pulse_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("pulse.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    voter_key: str | None = Field(default=None, max_length=64)
    goals: int
    trust: int
    communication: int
    leadership: int
    governance: int
    benefit: int
    delivery: int
    comment: str | None = Field(default=None, sa_column=Column(Text))
