"""library entries carry a practice tip apart from the cited guidance; questions nobody could
answer record when they were sent for an answer, and who answered with which entry

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("tip", sa.Text(), nullable=True))
    with op.batch_alter_table("lesson_wanted") as batch:
        batch.add_column(sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_lesson_wanted_answer_id_entry", "entry", ["answer_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_wanted") as batch:
        batch.drop_constraint("fk_lesson_wanted_answer_id_entry", type_="foreignkey")
        batch.drop_column("answer_id")
        batch.drop_column("answered_by")
        batch.drop_column("answered_at")
        batch.drop_column("sent_at")
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("tip")
