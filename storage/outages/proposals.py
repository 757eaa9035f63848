"""Noticing an outage: when enough different people report one registered resource, or
texts that match one another, within a short window, the agents holding those reports
and the triage channel are asked once whether it is an outage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.matching import DEFAULT_THRESHOLDS, Report, Thresholds, Verdict, judge
from storage.models import OutageProposal
from storage.outages.messages import enqueue_proposal
from storage.tables import TICKET, connection, for_update
from storage.types import OPEN_STATES, PROPOSAL_DISMISSED, PROPOSAL_OPEN

CANDIDATES_MAX = 200  # recent reports a text is compared with: the hot path stays bounded


@dataclass(frozen=True)
class OutageRule:
    """How many different people within how long make an outage worth proposing."""

    reporters: int = 5
    window: timedelta = timedelta(minutes=15)


DEFAULT_RULE = OutageRule()

_COLUMNS = (
    TICKET.c.id,
    TICKET.c.reporter_id,
    TICKET.c.agent_id,
    TICKET.c.summary,
    TICKET.c.details,
    TICKET.c.category,
    TICKET.c.resource_id,
)
_ON_RESOURCE = (
    sa_select(*_COLUMNS)
    .where(
        TICKET.c.resource_id == bindparam("resource"),
        TICKET.c.created_at >= bindparam("since"),
        TICKET.c.state.in_(OPEN_STATES),
        TICKET.c.outage_id.is_(None),
    )
    .order_by(TICKET.c.id)
)
_RECENT = (
    sa_select(*_COLUMNS)
    .where(
        TICKET.c.created_at >= bindparam("since"),
        TICKET.c.state.in_(OPEN_STATES),
        TICKET.c.outage_id.is_(None),
        TICKET.c.reporter_id != bindparam("reporter"),
    )
    .order_by(TICKET.c.id.desc())
    .limit(CANDIDATES_MAX)
)


def _text(summary: str, details: str | None) -> str:
    return " ".join(x for x in (summary, details or "") if x)


def cluster_of(
    session: Session,
    *,
    ticket_id: int,
    reporter_id: str,
    agent: str | None,
    report: Report,
    now: datetime,
    rule: OutageRule,
    thresholds: Thresholds,
) -> tuple[str, list[tuple[int, str, str | None]]]:
    """The reports that look like the same problem as this new one (it included, with its
    `agent`), as (ticket, reporter, agent), and the cluster's kind: "resource" or "text"."""
    since = now - rule.window
    conn = connection(session)
    if report.resources:
        resource = min(report.resources)
        rows = conn.execute(_ON_RESOURCE, {"resource": resource, "since": since}).all()
        return "resource", [(int(r.id), str(r.reporter_id), r.agent_id) for r in rows]
    rows = conn.execute(_RECENT, {"since": since, "reporter": reporter_id}).all()
    found: list[tuple[int, str, str | None]] = []
    for row in rows:
        if int(row.id) == ticket_id or row.resource_id is not None:
            continue
        other = Report(_text(row.summary, row.details), row.category)
        if judge(report, other, thresholds).verdict is not Verdict.DIFFERENT:
            found.append((int(row.id), str(row.reporter_id), row.agent_id))
    return "text", sorted([*found, (ticket_id, reporter_id, agent)])


def consider(
    session: Session,
    *,
    ticket_id: int,
    reporter_id: str,
    agent: str | None,
    report: Report,
    now: datetime,
    triage_channel: str | None = None,
    rule: OutageRule = DEFAULT_RULE,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[int]:
    """After a report is filed as a ticket: add it to the proposal of its cluster (a
    dismissed one stays silent), or propose the cluster once enough people are in it.
    Returns the outbox rows (the proposal's messages, when it is new)."""
    kind, cluster = cluster_of(
        session,
        ticket_id=ticket_id,
        reporter_id=reporter_id,
        agent=agent,
        report=report,
        now=now,
        rule=rule,
        thresholds=thresholds,
    )
    numbers = {number for number, _, _ in cluster}
    # Locked: two reports joining one proposal at once must both stay in its list, and a
    # report must not join one that is being declared (PostgreSQL; SQLite has one writer).
    live = session.exec(
        for_update(
            select(OutageProposal).where(
                col(OutageProposal.last_report_at) >= now - rule.window,
                col(OutageProposal.state).in_((PROPOSAL_OPEN, PROPOSAL_DISMISSED)),
            )
        )
    ).all()
    for proposal in live:
        if numbers & set(proposal.tickets):
            if ticket_id not in proposal.tickets:
                proposal.tickets = [*proposal.tickets, ticket_id]
                proposal.last_report_at = now
                session.add(proposal)
            return []
    if len({reporter for _, reporter, _ in cluster}) < rule.reporters:
        return []
    resource = min(report.resources) if kind == "resource" and report.resources else None
    # Named by its first report, so two filings proposing the same cluster at once collide
    # on the unique name (one retries and finds it); a report may have been in an earlier
    # proposal already (taken back out of its outage), hence the count.
    name = f"{kind}:{min(numbers)}"
    earlier = session.exec(
        select(func.count())
        .select_from(OutageProposal)
        .where(col(OutageProposal.cluster).startswith(f"{name}:"))
    ).one()
    proposal = OutageProposal(
        cluster=f"{name}:{earlier}",
        state=PROPOSAL_OPEN,
        resource_id=resource,
        tickets=sorted(numbers),
        last_report_at=now,
        created_at=now,
    )
    session.add(proposal)
    session.flush()  # a second filing proposing the same cluster at once loses here, and retries
    assert proposal.id is not None
    recipients = {agent for _, _, agent in cluster if agent}
    if triage_channel:
        recipients.add(triage_channel)
    return enqueue_proposal(session, proposal.id, recipients, now)


def containing(session: Session, ticket_id: int) -> OutageProposal | None:
    """The open proposal a ticket is part of, if any (declaring from the ticket declares it)."""
    live = session.exec(select(OutageProposal).where(OutageProposal.state == PROPOSAL_OPEN)).all()
    return next((p for p in live if ticket_id in p.tickets), None)
