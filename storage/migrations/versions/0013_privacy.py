"""privacy (UU PDP): an append-only audit trail, and follow-ups that can be withdrawn

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.columns

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=True),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_actor", "audit", ["actor"])
    op.create_index("ix_audit_subject", "audit", ["subject"])
    with op.batch_alter_table("followup") as batch:
        batch.add_column(sa.Column("withdrawn_at", storage.columns.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followup") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_index("ix_audit_subject", table_name="audit")
    op.drop_index("ix_audit_actor", table_name="audit")
    op.drop_index("ix_audit_at", table_name="audit")
    op.drop_table("audit")
