"""The partnership register's tables: a partnership and its facts, its agreement checklist,
its reviews. Each row belongs to exactly one workspace (`team_id`)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, Numeric, Text, UniqueConstraint
from sqlmodel import Field

from storage.types import SLACK_ID, InOrg, UTCDateTime

PARTNERSHIP_NAME_MAX = 80


class Partnership(InOrg, table=True):
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
    # the register's facts (issue 10): all optional, so a partnership can be added by name first
    partners: str | None = Field(default=None, sa_column=Column(Text))  # one organisation a line
    lead_id: str | None = Field(default=None, max_length=SLACK_ID, index=True)
    kind: str | None = Field(default=None, max_length=32)  # statutory | alliance | vehicle | …
    lsp_kind: str | None = Field(default=None, max_length=32)  # an LSP's: advisory | …
    objective: str | None = Field(default=None, sa_column=Column(Text))
    start_date: date | None = None
    next_review: date | None = Field(default=None, index=True)
    end_date: date | None = None  # the end or exit date
    funding_gbp: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    budget_gbp: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    liabilities: str | None = Field(default=None, sa_column=Column(Text))
    risk_ref: str | None = Field(default=None, max_length=200)  # its risk register reference
    reporting: str | None = Field(default=None, sa_column=Column(Text))
    significant: bool = False  # by the council's own threshold
    status: str = Field(default="open", max_length=16)  # open | closed
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_by: str | None = Field(default=None, max_length=SLACK_ID)
    exit_note: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AgreementItem(InOrg, table=True):
    """One of the twelve things a partnership agreement should answer, as far as it has got;
    an item with no row has not been started."""

    __tablename__ = "agreement_item"
    __table_args__ = (UniqueConstraint("partnership_id", "item", name="uq_agreement_item"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    partnership_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    item: str = Field(max_length=32)  # knowledge.agreement.ITEMS' keys
    status: str = Field(default="not_started", max_length=16)  # not_started | in_progress | agreed
    note: str | None = Field(default=None, sa_column=Column(Text))
    link: str | None = Field(default=None, max_length=500)
    changed_by: str = Field(max_length=SLACK_ID)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PartnershipReview(InOrg, table=True):
    """A review of a partnership: when, what it found, and when the next one is due."""

    __tablename__ = "partnership_review"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    partnership_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reviewed_on: date
    outcome: str = Field(sa_column=Column(Text, nullable=False))
    next_review: date | None = None
    recorded_by: str = Field(max_length=SLACK_ID)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
