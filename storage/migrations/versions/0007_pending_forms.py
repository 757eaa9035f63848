"""pending /lapor forms kept server-side

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.columns

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pendingform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pendingform", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pendingform_reporter_id"), ["reporter_id"])
        batch_op.create_index(batch_op.f("ix_pendingform_created_at"), ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("pendingform", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pendingform_created_at"))
        batch_op.drop_index(batch_op.f("ix_pendingform_reporter_id"))
    op.drop_table("pendingform")
