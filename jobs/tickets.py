"""Ticket jobs: the conversation's retention (REKAN_TICKET_RETENTION_MONTHS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from jobs.context import JobContext
from storage.db import session_scope
from storage.tickets import conversation


def run_ticket_retention(ctx: JobContext, now: datetime) -> str:
    """Job `ticket-retention`: ticket messages (and the facts of their files) older than
    REKAN_TICKET_RETENTION_MONTHS go; the tickets and their timelines of events stay."""
    before = now - timedelta(days=round(30.44 * ctx.settings.ticket_retention_months))
    with session_scope(ctx.engine, write=True) as session:
        deleted = conversation.delete_older_than(session, before=before)
    return f"deleted={deleted}"
