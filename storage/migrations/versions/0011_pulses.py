"""health pulses: a partnership's pulses and their anonymous answers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(length: int = 32) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("period", _id(7), nullable=True),
        sa.Column("invited", sa.Text(), nullable=False),
        sa.Column("salt", _id(64), nullable=True),
        sa.Column("opened_by", _id(), nullable=True),
        sa.Column("opened_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("closes_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("status", _id(16), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("chart_file_id", _id(32), nullable=True),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "period", name="uq_pulse_period"),
    )
    op.create_index("ix_pulse_team_id", "pulse", ["team_id"])
    op.create_index("ix_pulse_partnership_id", "pulse", ["partnership_id"])
    op.create_table(
        "pulse_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", _id(64), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "goals",
                "trust",
                "communication",
                "leadership",
                "governance",
                "benefit",
                "delivery",
            )
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulse.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pulse_id", "voter_key", name="uq_pulse_voter"),
    )
    op.create_index("ix_pulse_answer_team_id", "pulse_answer", ["team_id"])
    op.create_index("ix_pulse_answer_pulse_id", "pulse_answer", ["pulse_id"])


def downgrade() -> None:
    op.execute("DELETE FROM nudge WHERE kind = 'pulse'")
    op.drop_table("pulse_answer")
    op.drop_table("pulse")
