"""repeats: a ticket's possible repeat, and the report a silent join took in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("possible_repeat_of", sa.Integer(), nullable=True))
    with op.batch_alter_table("ticketsource", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticketsource", schema=None) as batch_op:
        batch_op.drop_column("report")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("possible_repeat_of")
