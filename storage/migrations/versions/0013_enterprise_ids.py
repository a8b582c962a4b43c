"""Enterprise Grid: every workspace's row carries its org's enterprise_id beside its team_id

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "audit_entry",
    "away",
    "breakout_round",
    "digest_sent",
    "partnership",
    "processed_event",
    "scoring_round",
    "agreement_item",
    "breakout_answer",
    "breakout_question",
    "breakout_timer",
    "commitment",
    "entry",
    "partnership_review",
    "project",
    "pulse",
    "benefit",
    "commitment_owner",
    "lesson_wanted",
    "pulse_answer",
    "score",
    "vote",
    "benefit_update",
    "nudge",
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("enterprise_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        )
    # rows written before: their workspace's org, where an OAuth install recorded one
    for table in TABLES:
        op.execute(
            f"UPDATE {table} SET enterprise_id = (SELECT w.enterprise_id FROM workspace w "
            f"WHERE w.team_id = {table}.team_id)"
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("enterprise_id")
