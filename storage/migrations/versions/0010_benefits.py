"""the benefits tracker: benefits of projects and partnerships, their updates, and reminders
about them in the nudge table

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(length: int = 32) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "benefit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.Column("kind", _id(16), nullable=False),
        sa.Column("title", _id(200), nullable=False),
        sa.Column("owner_id", _id(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("planned_gbp", sa.Numeric(14, 2), nullable=True),
        sa.Column("realised_gbp", sa.Numeric(14, 2), nullable=True),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("latest", sa.Float(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("rag", _id(8), nullable=True),
        sa.Column("rag_reason", sa.Text(), nullable=True),
        sa.Column("evidence_link", _id(500), nullable=True),
        sa.Column("evidence_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_by", _id(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by", _id(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_benefit_team_id", "benefit", ["team_id"])
    op.create_index("ix_benefit_project_id", "benefit", ["project_id"])
    op.create_index("ix_benefit_partnership_id", "benefit", ["partnership_id"])

    op.create_table(
        "benefit_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("updated_by", _id(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("realised_gbp", sa.Numeric(14, 2), nullable=True),
        sa.Column("latest", sa.Float(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("rag", _id(8), nullable=True),
        sa.Column("rag_reason", sa.Text(), nullable=True),
        sa.Column("evidence_link", _id(500), nullable=True),
        sa.ForeignKeyConstraint(["benefit_id"], ["benefit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_benefit_update_team_id", "benefit_update", ["team_id"])
    op.create_index("ix_benefit_update_benefit_id", "benefit_update", ["benefit_id"])

    with op.batch_alter_table("nudge") as batch:
        batch.add_column(sa.Column("benefit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_nudge_benefit_id_benefit", "benefit", ["benefit_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_nudge_benefit_id", ["benefit_id"])
        batch.create_unique_constraint(
            "uq_benefit_nudge", ["benefit_id", "recipient_id", "kind", "due_at"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM nudge WHERE benefit_id IS NOT NULL")
    with op.batch_alter_table("nudge") as batch:
        batch.drop_constraint("uq_benefit_nudge", type_="unique")
        batch.drop_index("ix_nudge_benefit_id")
        batch.drop_constraint("fk_nudge_benefit_id_benefit", type_="foreignkey")
        batch.drop_column("benefit_id")
    op.drop_table("benefit_update")
    op.drop_table("benefit")
