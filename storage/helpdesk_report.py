"""The helpdesk's numbers for a period (`rekan report tickets`, the weekly `report-helpdesk`):
volume by day, category and resource; first response and resolution in working time (p50,
p90); service levels met and breached; the backlog by age; per agent; satisfaction.

Definitions, in one place: a ticket belongs to the period it was filed in (the desk's
dates, both ends included). Times are desk working minutes with the waits for the reporter
left out (storage.sla's clock). A ticket met its service level when neither target was
breached and it is resolved; it missed it once a target's moment passed unmet; an open
ticket still within both, and a cancelled or merged one, counts in neither. Percentiles are
nearest-rank. The backlog is what is open now, by calendar age. CSAT is the latest rating of
each resolved ticket that was asked; the response rate is rated / asked."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from storage import csat
from storage.models import Outage, Rating, Resource, Ticket, TicketEvent
from storage.outages import views as outage_views
from storage.sla import OWN_CLOCK, Policy, elapsed, runs, status
from storage.sla_alerts import first_replies
from storage.types import OPEN_STATES, STATE_CANCELLED, STATE_MERGED, STATE_RESOLVED

BACKLOG_BUCKETS = ((1, "lt_1d"), (3, "1_3d"), (7, "3_7d"), (None, "gt_7d"))


@dataclass(frozen=True)
class TicketFigures:
    """One ticket's row of the CSV."""

    number: int
    filed: date
    priority: str
    category: str | None
    resource: str | None
    agent: str | None
    state: str
    first_response_minutes: float | None
    resolution_minutes: float | None
    sla_met: bool | None
    csat: int | None
    asked: bool  # a rating was asked (resolved by a person)


@dataclass(frozen=True)
class AgentFigures:
    agent: str
    assigned: int
    resolved: int
    first_response_median: float | None
    resolution_median: float | None
    csat_avg: float | None


@dataclass
class HelpdeskReport:
    start: date
    end: date
    tickets: list[TicketFigures] = field(default_factory=list)
    by_day: dict[date, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_resource: dict[str, int] = field(default_factory=dict)
    first_response_p50: float | None = None
    first_response_p90: float | None = None
    resolution_p50: float | None = None
    resolution_p90: float | None = None
    sla_met_share: float | None = None
    breached: int = 0
    backlog: dict[str, int] = field(default_factory=dict)
    agents: list[AgentFigures] = field(default_factory=list)
    csat_avg: float | None = None
    csat_response_rate: float | None = None
    # outages first reported in the period: each one incident, whatever its reports
    outages: int = 0
    outage_people: int = 0
    outage_declare_p50: float | None = None  # minutes from the first report
    outage_resolve_p50: float | None = None  # minutes from the declaration


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (`share` 0.5 is the median, 0.9 the 90th); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def build(
    session: Session, *, policy: Policy, start: date, end: date, now: datetime
) -> HelpdeskReport:
    """The numbers of tickets filed from `start` to `end` (desk dates, both included)."""
    tz = policy.clock.tz
    lo = datetime.combine(start, time(0), tz)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz)
    found = session.exec(
        select(Ticket)
        .where(col(Ticket.created_at) >= lo, col(Ticket.created_at) < hi, OWN_CLOCK)
        .order_by(col(Ticket.id))
    ).all()
    numbers = [t.id or 0 for t in found]
    events: dict[int, list[TicketEvent]] = {}
    if numbers:
        for e in session.exec(
            select(TicketEvent)
            .where(col(TicketEvent.ticket_id).in_(numbers))
            .order_by(col(TicketEvent.id))
        ).all():
            events.setdefault(e.ticket_id, []).append(e)
    replies = first_replies(session, numbers)
    rated = csat.ratings(session, numbers)
    resources = {r.id: r.name for r in session.exec(select(Resource)).all()}
    report = HelpdeskReport(start, end)
    for ticket in found:
        number = ticket.id or 0
        report.tickets.append(
            _figures(
                policy, ticket, events.get(number, []), replies.get(number), now, rated, resources
            )
        )
    _totals(report, now)
    report.backlog = _backlog(session, now)
    _outages(session, report, lo, hi)
    return report


def _outages(session: Session, report: HelpdeskReport, lo: datetime, hi: datetime) -> None:
    """An outage counts once, with the people it affected (its linked reports have no
    figures of their own)."""
    found = session.exec(
        select(Outage).where(col(Outage.first_report_at) >= lo, col(Outage.first_report_at) < hi)
    ).all()
    report.outages = len(found)
    report.outage_people = sum(outage_views.affected(session, o.id or 0) for o in found)
    report.outage_declare_p50 = _median(
        [(o.declared_at - o.first_report_at).total_seconds() / 60 for o in found]
    )
    report.outage_resolve_p50 = _median(
        [(o.resolved_at - o.declared_at).total_seconds() / 60 for o in found if o.resolved_at]
    )


def _figures(
    policy: Policy,
    ticket: Ticket,
    events: list[TicketEvent],
    reply: datetime | None,
    now: datetime,
    rated: Mapping[int, Rating],
    resources: dict[int | None, str],
) -> TicketFigures:
    clock = policy.clock
    number = ticket.id or 0
    found = status(policy, ticket, events, reply)
    timeline = runs(ticket.created_at, events)
    first = None
    if found.responded_at is not None:
        first = elapsed(clock, timeline, found.responded_at) / 60
    resolution = None
    resolved = ticket.state == STATE_RESOLVED
    if resolved:
        ends = [e.created_at for e in events if e.kind in ("resolved", "resolved_no_answer")]
        resolution = elapsed(clock, timeline, max(ends, default=ticket.updated_at)) / 60
    breaches = [m for m in (found.response_breach, found.resolution_breach) if m is not None]
    missed = any(m <= now for m in breaches) or ticket.sla_breached
    sla_met: bool | None
    if ticket.state in (STATE_CANCELLED, STATE_MERGED):
        sla_met = None
    elif missed:
        sla_met = False
    else:
        sla_met = True if resolved else None
    rating = rated.get(number)
    return TicketFigures(
        number=number,
        filed=ticket.created_at.astimezone(clock.tz).date(),
        priority=ticket.priority,
        category=ticket.category,
        resource=resources.get(ticket.resource_id) if ticket.resource_id else None,
        agent=ticket.resolved_by or ticket.agent_id,
        state=ticket.state,
        first_response_minutes=first,
        resolution_minutes=resolution,
        sla_met=sla_met,
        csat=rating.score if rating is not None else None,
        asked=resolved and csat.asks_if_resolved(ticket),
    )


def _totals(report: HelpdeskReport, now: datetime) -> None:
    rows = report.tickets
    report.by_day = dict(sorted(Counter(r.filed for r in rows).items()))
    report.by_category = dict(Counter(r.category or "-" for r in rows).most_common())
    report.by_resource = dict(Counter(r.resource or "-" for r in rows).most_common())
    firsts = [r.first_response_minutes for r in rows if r.first_response_minutes is not None]
    resolutions = [r.resolution_minutes for r in rows if r.resolution_minutes is not None]
    report.first_response_p50 = percentile(firsts, 0.5)
    report.first_response_p90 = percentile(firsts, 0.9)
    report.resolution_p50 = percentile(resolutions, 0.5)
    report.resolution_p90 = percentile(resolutions, 0.9)
    decided = [r.sla_met for r in rows if r.sla_met is not None]
    report.sla_met_share = (sum(decided) / len(decided)) if decided else None
    report.breached = sum(1 for r in rows if r.sla_met is False)
    asked = [r for r in rows if r.asked]
    scores = [float(r.csat) for r in asked if r.csat is not None]
    report.csat_avg = _mean(scores)
    report.csat_response_rate = len(scores) / len(asked) if asked else None
    agents = sorted({r.agent for r in rows if r.agent})
    report.agents = [_agent(a, rows) for a in agents]


def _agent(agent: str, rows: list[TicketFigures]) -> AgentFigures:
    mine = [r for r in rows if r.agent == agent]
    resolved = [r for r in mine if r.state == STATE_RESOLVED]
    return AgentFigures(
        agent=agent,
        assigned=len(mine),
        resolved=len(resolved),
        first_response_median=_median(
            [r.first_response_minutes for r in mine if r.first_response_minutes is not None]
        ),
        resolution_median=_median(
            [r.resolution_minutes for r in resolved if r.resolution_minutes is not None]
        ),
        csat_avg=_mean([float(r.csat) for r in resolved if r.csat is not None]),
    )


def _backlog(session: Session, now: datetime) -> dict[str, int]:
    """Open tickets now, by calendar age."""
    filed = session.exec(
        select(Ticket.created_at).where(col(Ticket.state).in_(OPEN_STATES), OWN_CLOCK)
    ).all()
    counts = {name: 0 for _, name in BACKLOG_BUCKETS}
    for moment in filed:
        age = (now - moment).total_seconds() / 86400
        name = next(n for limit, n in BACKLOG_BUCKETS if limit is None or age < limit)
        counts[name] += 1
    return counts
