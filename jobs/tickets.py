"""Ticket jobs: the conversation's retention (REKAN_TICKET_RETENTION_MONTHS), and tickets
waiting for their reporter (REKAN_WAITING_NUDGE, REKAN_WAITING_CLOSE)."""

from __future__ import annotations

from datetime import datetime, timedelta

from jobs.bulk import deliver_many
from jobs.context import JobContext
from jobs.updates import refresh_ticket
from storage.db import session_scope
from storage.tickets import conversation, waiting


def run_ticket_retention(ctx: JobContext, now: datetime) -> str:
    """Job `ticket-retention`: ticket messages (and the facts of their files) older than
    REKAN_TICKET_RETENTION_MONTHS go; the tickets and their timelines of events stay."""
    before = now - timedelta(days=round(30.44 * ctx.settings.ticket_retention_months))
    with session_scope(ctx.engine, write=True) as session:
        deleted = conversation.delete_older_than(session, before=before)
    return f"deleted={deleted}"


def run_waiting_reporter(ctx: JobContext, now: datetime) -> str:
    """Job `waiting-reporter` (every 15 minutes): a ticket waiting for its reporter longer
    than REKAN_WAITING_NUDGE of working time reminds them once; longer than
    REKAN_WAITING_CLOSE it is resolved as "no answer". Working time is the company's clock
    (working hours, weekends, public holidays and company days off), and nothing is written
    to a reporter outside their own working hours (a due ticket waits for the next run in
    them) unless an operator runs the job by hand."""
    settings = ctx.settings
    with session_scope(ctx.engine, write=True) as session:
        clock = waiting.company_clock(
            session, tz=settings.tz, work_start=settings.work_start, work_end=settings.work_end
        )
        swept = waiting.sweep(
            session=session,
            now=now,
            nudge_after=settings.waiting_nudge_seconds,
            close_after=settings.waiting_close_seconds,
            clock=clock,
            anytime=ctx.by_hand,
        )
    deliver_many(ctx, swept.deliveries, now=now)
    for number in swept.closed:  # the card, the ticket DM and the mirror show it resolved
        refresh_ticket(ctx, number, skip=set(swept.deliveries))
    return f"nudged={len(swept.nudged)} closed={len(swept.closed)} held={swept.held}"
