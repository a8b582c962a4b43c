"""Tokens encrypted at rest: the installation tables' token columns widen to hold a sealed token
(an encrypted, authenticated token is about twice as long as the token)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def _widen(width: int, was: int) -> None:
    for table, columns in TOKENS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, type_=sa.String(width), existing_type=sa.String(was))


def upgrade() -> None:
    _widen(1000, 200)


def downgrade() -> None:
    _widen(200, 1000)
