"""The outbox: every message owed to Slack after the answer, sent at once or later, once

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", _text(32), nullable=True),
        sa.Column("team_id", _text(32), nullable=False),
        sa.Column("kind", _text(16), nullable=False),
        sa.Column("channel", _text(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("record", _text(64), nullable=True),
        sa.Column("thread_of", _text(64), nullable=True),
        sa.Column("author_id", _text(32), nullable=True),
        sa.Column("about", _text(200), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", _text(32), nullable=True),
        sa.Column("claimed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("sending_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("sent_channel", _text(32), nullable=True),
        sa.Column("sent_ts", _text(32), nullable=True),
        sa.Column("error", _text(200), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_status_due", "outbox", ["status", "due_at"])
    op.create_index(op.f("ix_outbox_team_id"), "outbox", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_team_id"), table_name="outbox")
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_table("outbox")
