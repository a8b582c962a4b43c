"""Trust across councils: each workspace's own settings; anonymous answers counted as people
(a keyed hash per anonymous breakout answer while its question is open, the people counted
when it closes); the minimum each pulse and round was run with; when someone was last
forgotten in a workspace, so every process rebuilds its search index

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("team_id", _text(32), nullable=False),
        sa.Column("enterprise_id", _text(32), nullable=True),
        sa.Column("facilitators", _text(2000), nullable=False),
        sa.Column("admins", _text(2000), nullable=False),
        sa.Column("questions_channel", _text(32), nullable=True),
        sa.Column("pulse_minimum", sa.Integer(), nullable=False),
        sa.Column("breakout_minimum", sa.Integer(), nullable=False),
        sa.Column("trusted_orgs", _text(2000), nullable=False),
        sa.Column("updated_by", _text(32), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("team_id"),
    )
    # pulses and rounds already run keep the minimum they were run with: three
    with op.batch_alter_table("pulse") as batch:
        batch.add_column(sa.Column("minimum", sa.Integer(), nullable=False, server_default="3"))
    with op.batch_alter_table("breakout_round") as batch:
        batch.add_column(sa.Column("salt", _text(64), nullable=True))
        batch.add_column(sa.Column("minimum", sa.Integer(), nullable=False, server_default="3"))
    with op.batch_alter_table("breakout_question") as batch:
        batch.add_column(sa.Column("people", sa.Integer(), nullable=True))
    with op.batch_alter_table("breakout_answer") as batch:
        batch.add_column(sa.Column("person_key", _text(64), nullable=True))
    with op.batch_alter_table("search_snapshot") as batch:
        batch.add_column(sa.Column("erased_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_snapshot") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("breakout_answer") as batch:
        batch.drop_column("person_key")
    with op.batch_alter_table("breakout_question") as batch:
        batch.drop_column("people")
    with op.batch_alter_table("breakout_round") as batch:
        batch.drop_column("minimum")
        batch.drop_column("salt")
    with op.batch_alter_table("pulse") as batch:
        batch.drop_column("minimum")
    op.drop_table("workspace_settings")
