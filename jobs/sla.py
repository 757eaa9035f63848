"""Job `sla` (every minute): the service-level warnings and breaches that are due, each sent
once even with several instances; the messages that show the deadline are redrawn only then
(chat.update allows about 50 calls a minute: no per-minute refresh)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from slack_sdk.errors import SlackApiError

from jobs.bulk import deliver_many
from jobs.context import JobContext
from jobs.delivery import open_channel
from jobs.updates import refresh_ticket
from storage import csat, handover, helpdesk_report, people, sla_alerts
from storage.db import session_scope
from storage.helpdesk_report import HelpdeskReport
from storage.types import ROLE_HELPDESK_LEAD

log = logging.getLogger(__name__)


def run_sla(ctx: JobContext, now: datetime) -> str:
    settings = ctx.settings
    # a read first, then short writes: filings never wait behind the whole sweep
    with session_scope(ctx.engine) as session:
        policy = sla_alerts.policy_of(session, settings)
        plans = sla_alerts.plan(session=session, policy=policy, now=now)
        leads = sla_alerts.helpdesk_leads(session)
    with session_scope(ctx.engine, write=True) as session:
        # an away agent's tickets first: the alerts then go to whoever has them now
        handed = handover.hand_over_away(
            session=session, policy=policy, now=now, after_seconds=settings.handover_after_seconds
        )
        sla_alerts.save(session=session, plans=plans)
    swept = sla_alerts.Swept()
    for due in (p for p in plans if p.due):
        with session_scope(ctx.engine, write=True) as session:
            part = sla_alerts.alert(
                session=session,
                policy=policy,
                number=due.number,
                now=now,
                reassign=settings.sla_reassign,
                leads=leads,
            )
        swept.alerts += part.alerts
        swept.deliveries += part.deliveries
        swept.refresh += part.refresh
        swept.reassigned += part.reassigned
    moved = [d for o in handed for d in o.deliveries]
    deliver_many(ctx, [*moved, *swept.deliveries], now=now)
    for number in [*(o.ticket.id or 0 for o in handed), *swept.refresh]:
        refresh_ticket(ctx, number, skip={*moved, *swept.deliveries})
    kinds = [kind for _, kind in swept.alerts]
    said = " ".join(f"{k}={kinds.count(k)}" for k in sla_alerts.ALERTS if k in kinds)
    counts = f"alerts={len(kinds)} {said} reassigned={len(swept.reassigned)}"
    return f"{counts} handed_over={len(handed)}".replace("  ", " ")


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


def report_period(today: date, days: int) -> tuple[date, date]:
    """The `days` whole days before `today` (the weekly report: last Monday to Sunday)."""
    return today - timedelta(days=days), today - timedelta(days=1)


def helpdesk_numbers(ctx: JobContext, start: date, end: date, now: datetime) -> HelpdeskReport:
    with session_scope(ctx.engine) as session:
        policy = sla_alerts.policy_of(session, ctx.settings)
        return helpdesk_report.build(session, policy=policy, start=start, end=end, now=now)


def run_report_helpdesk(ctx: JobContext, now: datetime) -> str:
    """Job `report-helpdesk` (Mondays): each helpdesk lead gets last week's chart and figures
    with the per-agent table (agents' figures go to leads only)."""
    start, end = report_period(now.astimezone(ctx.settings.tz).date(), 7)
    report = helpdesk_numbers(ctx, start, end, now)
    with session_scope(ctx.engine) as session:
        leads = [
            (p.slack_id, p.language or ctx.settings.language)
            for _, p in people.list_role(session, ROLE_HELPDESK_LEAD)
        ]
    if ctx.helpdesk_report is None:
        return f"leads={len(leads)} sent=0"
    sent = 0
    for slack_id, lang in leads:
        drawn = ctx.helpdesk_report(report, lang)
        try:
            ctx.client.files_upload_v2(
                channel=open_channel(ctx, slack_id),
                content=drawn.png,
                filename="helpdesk.png",
                title=drawn.title,
                initial_comment=drawn.text,
            )
            sent += 1
        except SlackApiError as exc:
            log.warning("helpdesk report to a lead failed: %s", exc.response.get("error"))
    return f"leads={len(leads)} sent={sent}"
