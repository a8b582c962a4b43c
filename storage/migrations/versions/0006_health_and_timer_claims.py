"""the health check's row; breakout timers carry the claim token of the run holding them;
a nudge records when its sending began; search index snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("breakout_timer") as batch:
        batch.add_column(
            sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    with op.batch_alter_table("nudge") as batch:
        batch.add_column(sa.Column("sending_at", storage.types.UTCDateTime(), nullable=True))
    op.create_table(
        "search_snapshot",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seen_until", storage.types.UTCDateTime(), nullable=False),
        sa.Column("taken_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )


def downgrade() -> None:
    op.drop_table("search_snapshot")
    with op.batch_alter_table("nudge") as batch:
        batch.drop_column("sending_at")
    with op.batch_alter_table("breakout_timer") as batch:
        batch.drop_column("claim")
    op.drop_table("health_check")
