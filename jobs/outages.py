"""Outages over time: the owner's card and the triage status redrawn at most every few
seconds during a burst of reports (and, as a backstop, by a job every minute)."""

from __future__ import annotations

from datetime import datetime

from jobs.context import JobContext
from jobs.updates import refresh_prefix
from storage.db import session_scope
from storage.outages import links, messages


def redraw_card(ctx: JobContext, outage_id: int, *, now: datetime) -> int:
    """The redraw asked for by a report, once it is due: the card shows every report made
    up to now. Returns how many messages were updated."""
    with session_scope(ctx.engine, write=True) as session:
        if not links.take_due(session, outage_id, now=now):
            return 0
    return sum(refresh_prefix(ctx, prefix) for prefix in messages.redrawn(outage_id))


def run_outage_cards(ctx: JobContext, now: datetime) -> str:
    with session_scope(ctx.engine) as session:
        due = links.due_cards(session, now=now)
    updated = sum(redraw_card(ctx, outage_id, now=now) for outage_id in due)
    return f"{len(due)} outage cards due, {updated} messages updated"
