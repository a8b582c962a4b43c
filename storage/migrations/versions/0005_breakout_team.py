"""breakout questions, answers and timers carry their workspace

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("breakout_question", "breakout_answer", "breakout_timer")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
            )
        op.execute(
            f"UPDATE {table} SET team_id = (SELECT breakout_round.team_id FROM breakout_round "
            f"WHERE breakout_round.id = {table}.round_id)"
        )
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "team_id",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
            )
            batch.create_index(f"ix_{table}_team_id", ["team_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_team_id")
            batch.drop_column("team_id")
