"""Job `sla` (every minute): the service-level warnings and breaches that are due, each sent
once even with several instances; the messages that show the deadline are redrawn only then
(chat.update allows about 50 calls a minute: no per-minute refresh)."""

from __future__ import annotations

from datetime import datetime

from jobs.context import JobContext
from jobs.delivery import deliver_many
from jobs.updates import refresh_ticket
from storage import csat, sla_alerts
from storage.db import session_scope


def run_sla(ctx: JobContext, now: datetime) -> str:
    settings = ctx.settings
    with session_scope(ctx.engine, write=True) as session:
        policy = sla_alerts.policy_of(session, settings)
        swept = sla_alerts.sweep(
            session=session, policy=policy, now=now, reassign=settings.sla_reassign
        )
    deliver_many(ctx, swept.deliveries, now=now)
    for number in swept.refresh:
        refresh_ticket(ctx, number, skip=set(swept.deliveries))
    kinds = [kind for _, kind in swept.alerts]
    said = " ".join(f"{k}={kinds.count(k)}" for k in sla_alerts.ALERTS if k in kinds)
    return f"alerts={len(kinds)} {said} reassigned={len(swept.reassigned)}".replace("  ", " ")


def run_close_resolved(ctx: JobContext, now: datetime) -> str:
    """Job `close-resolved` (every 15 minutes): resolved tickets close for good after
    REKAN_CLOSE_AFTER of the desk's working time; their messages lose Reopen and the rating."""
    settings = ctx.settings
    with session_scope(ctx.engine, write=True) as session:
        policy = sla_alerts.policy_of(session, settings)
        closed = csat.close_resolved(
            session=session, now=now, clock=policy.clock, after_seconds=settings.close_after_seconds
        )
    for number in closed:
        refresh_ticket(ctx, number)
    return f"closed={len(closed)}"
