"""the partnership register: a partnership's facts, its agreement checklist and reviews; review
reminders share the nudge table with commitments

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(length: int = 32) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("partnership") as batch:
        batch.add_column(sa.Column("partners", sa.Text(), nullable=True))
        batch.add_column(sa.Column("lead_id", _id(), nullable=True))
        batch.add_column(sa.Column("kind", _id(), nullable=True))
        batch.add_column(sa.Column("lsp_kind", _id(), nullable=True))
        batch.add_column(sa.Column("objective", sa.Text(), nullable=True))
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("next_review", sa.Date(), nullable=True))
        batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("funding_gbp", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("budget_gbp", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("liabilities", sa.Text(), nullable=True))
        batch.add_column(sa.Column("risk_ref", _id(200), nullable=True))
        batch.add_column(sa.Column("reporting", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("significant", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("status", _id(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("closed_by", _id(), nullable=True))
        batch.add_column(sa.Column("exit_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("updated_at", storage.types.UTCDateTime(), nullable=True))
        batch.create_index("ix_partnership_lead_id", ["lead_id"])
        batch.create_index("ix_partnership_next_review", ["next_review"])
    # the defaults were for the rows already there; the models set them from now on
    with op.batch_alter_table("partnership") as batch:
        batch.alter_column("significant", server_default=None)
        batch.alter_column("status", server_default=None)

    op.create_table(
        "agreement_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("item", _id(), nullable=False),
        sa.Column("status", _id(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("link", _id(500), nullable=True),
        sa.Column("changed_by", _id(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "item", name="uq_agreement_item"),
    )
    op.create_index("ix_agreement_item_team_id", "agreement_item", ["team_id"])
    op.create_index("ix_agreement_item_partnership_id", "agreement_item", ["partnership_id"])

    op.create_table(
        "partnership_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("recorded_by", _id(), nullable=False),
        sa.Column("recorded_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_partnership_review_team_id", "partnership_review", ["team_id"])
    op.create_index(
        "ix_partnership_review_partnership_id", "partnership_review", ["partnership_id"]
    )

    with op.batch_alter_table("nudge") as batch:
        batch.alter_column("commitment_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("partnership_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("about", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_nudge_partnership_id_partnership",
            "partnership",
            ["partnership_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_nudge_partnership_id", ["partnership_id"])
        batch.create_unique_constraint(
            "uq_review_nudge", ["partnership_id", "recipient_id", "kind", "due_at"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM nudge WHERE commitment_id IS NULL")
    with op.batch_alter_table("nudge") as batch:
        batch.drop_constraint("uq_review_nudge", type_="unique")
        batch.drop_index("ix_nudge_partnership_id")
        batch.drop_constraint("fk_nudge_partnership_id_partnership", type_="foreignkey")
        batch.drop_column("about")
        batch.drop_column("partnership_id")
        batch.alter_column("commitment_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("partnership_review")
    op.drop_table("agreement_item")
    with op.batch_alter_table("partnership") as batch:
        batch.drop_index("ix_partnership_next_review")
        batch.drop_index("ix_partnership_lead_id")
        for name in (
            "updated_at",
            "exit_note",
            "closed_by",
            "closed_at",
            "status",
            "significant",
            "reporting",
            "risk_ref",
            "liabilities",
            "budget_gbp",
            "funding_gbp",
            "end_date",
            "next_review",
            "start_date",
            "objective",
            "lsp_kind",
            "kind",
            "lead_id",
            "partners",
        ):
            batch.drop_column(name)
