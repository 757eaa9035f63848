"""service levels: ticket priority, managed categories, dated working-hour periods, service-level alerts, ratings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 19:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.columns

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# the categories the form offered before they could be managed, with the same names
_CATEGORIES = [
    ("vpn", "VPN", "VPN"),
    ("hardware", "Laptop & perangkat keras", "Laptop & hardware"),
    ("account", "Akun & akses", "Account & access"),
    ("application", "Aplikasi", "Application"),
    ("network", "Jaringan", "Network"),
    ("other", "Lainnya", "Other"),
]


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(
            sa.Column("priority", sa.String(length=8), nullable=False, server_default="normal")
        )
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(
            sa.Column("sla_breached", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("sla_next_at", storage.columns.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("sla_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closed_at", storage.columns.UTCDateTime(), nullable=True))
        batch.create_index("ix_ticket_sla_next_at", ["sla_next_at"])
    op.create_table(
        "slaalert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "kind", name="uq_sla_alert"),
    )
    op.create_index("ix_slaalert_ticket_id", "slaalert", ["ticket_id"])
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("low_told", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "round", name="uq_rating_round"),
    )
    op.create_index("ix_rating_ticket_id", "rating", ["ticket_id"])
    # the form's urgency was the only measure of it so far
    op.execute("UPDATE ticket SET priority = urgency WHERE urgency IN ('low', 'high')")
    category = op.create_table(
        "category",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text_id", sa.String(length=75), nullable=False),
        sa.Column("text_en", sa.String(length=75), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    created = datetime(2026, 12, 1, tzinfo=UTC)
    op.bulk_insert(
        category,
        [
            {"key": k, "text_id": i, "text_en": e, "position": n, "created_at": created}
            for n, (k, i, e) in enumerate(_CATEGORIES, start=1)
        ],
    )

    op.create_table(
        "hourperiod",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("closes", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hourperiod_starts", "hourperiod", ["starts"])


def downgrade() -> None:
    op.drop_index("ix_rating_ticket_id", table_name="rating")
    op.drop_table("rating")
    op.drop_index("ix_slaalert_ticket_id", table_name="slaalert")
    op.drop_table("slaalert")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_index("ix_ticket_sla_next_at")
        batch.drop_column("closed_at")
        batch.drop_column("sla_version")
        batch.drop_column("sla_next_at")
        batch.drop_column("sla_breached")
    op.drop_index("ix_hourperiod_starts", table_name="hourperiod")
    op.drop_table("hourperiod")
    op.drop_table("category")
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("priority")
