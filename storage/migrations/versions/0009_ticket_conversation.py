"""ticket conversation: messages relayed between the reporter's and the agents' threads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.columns

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticketmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column("edited_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("deleted_at", storage.columns.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("ticketmessage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticketmessage_ticket_id"), ["ticket_id"])
        batch_op.create_index(batch_op.f("ix_ticketmessage_created_at"), ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("ticketmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticketmessage_created_at"))
        batch_op.drop_index(batch_op.f("ix_ticketmessage_ticket_id"))
    op.drop_table("ticketmessage")
