"""outages: one incident for many reporters, its proposals, the people it hurts, its updates

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.columns

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("match_text", sa.Text(), nullable=False),
        sa.Column("first_report_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("declared_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("card_due_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outage_state"), "outage", ["state"], unique=False)
    op.create_table(
        "outageproposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("tickets", sa.JSON(), nullable=False),
        sa.Column("last_report_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("outage_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster"),
    )
    op.create_index(
        op.f("ix_outageproposal_last_report_at"),
        "outageproposal",
        ["last_report_at"],
        unique=False,
    )
    op.create_table(
        "outagemember",
        sa.Column("outage_id", sa.Integer(), nullable=False),
        sa.Column("slack_id", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", storage.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["outage_id"], ["outage.id"]),
        sa.PrimaryKeyConstraint("outage_id", "slack_id"),
    )
    op.create_table(
        "outageupdate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outage_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["outage_id"], ["outage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outageupdate_outage_id"), "outageupdate", ["outage_id"], unique=False)
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("outage_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_ticket_outage_id"), ["outage_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_index(batch.f("ix_ticket_outage_id"))
        batch.drop_column("outage_id")
    op.drop_index(op.f("ix_outageupdate_outage_id"), table_name="outageupdate")
    op.drop_table("outageupdate")
    op.drop_table("outagemember")
    op.drop_index(op.f("ix_outageproposal_last_report_at"), table_name="outageproposal")
    op.drop_table("outageproposal")
    op.drop_index(op.f("ix_outage_state"), table_name="outage")
    op.drop_table("outage")
