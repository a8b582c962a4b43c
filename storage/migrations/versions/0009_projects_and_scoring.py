"""projects, scoring rounds and their scores, and a workspace's scoring policy

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(length: int = 32) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("name", _id(80), nullable=False),
        sa.Column("name_key", _id(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", _id(), nullable=True),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.Column("size", _id(16), nullable=False),
        sa.Column("status", _id(16), nullable=False),
        sa.Column("created_by", _id(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "name_key", name="uq_project_team_name"),
    )
    op.create_index("ix_project_team_id", "project", ["team_id"])
    op.create_index("ix_project_partnership_id", "project", ["partnership_id"])

    op.create_table(
        "scoring_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("channel_id", _id(), nullable=False),
        sa.Column("facilitator_id", _id(), nullable=False),
        sa.Column("project_ids", sa.Text(), nullable=False),
        sa.Column("invited", sa.Text(), nullable=False),
        sa.Column("status", _id(16), nullable=False),
        sa.Column("message_ts", _id(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scoring_round_team_id", "scoring_round", ["team_id"])

    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("criterion", _id(16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("scored_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["scoring_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "project_id", "user_id", "criterion", name="uq_score"),
    )
    op.create_index("ix_score_team_id", "score", ["team_id"])
    op.create_index("ix_score_round_id", "score", ["round_id"])

    op.create_table(
        "scoring_policy",
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("weights", sa.Text(), nullable=False),
        sa.Column("impact_threshold", sa.Float(), nullable=False),
        sa.Column("risk_threshold", sa.Float(), nullable=False),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )


def downgrade() -> None:
    op.drop_table("scoring_policy")
    op.drop_table("score")
    op.drop_table("scoring_round")
    op.drop_table("project")
