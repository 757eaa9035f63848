"""Resource claims: one agent at a time works on a resource (one remote session at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from storage.errors import DomainError
from storage.models import Claim, Resource, Ticket

WARN_BEFORE = timedelta(minutes=15)


class ClaimConflict(DomainError):
    """Another agent holds the resource; Take needs a confirmation first."""


def active(session: Session, *, now: datetime, resource_id: int | None = None) -> Sequence[Claim]:
    query = select(Claim).where(col(Claim.released_at).is_(None), col(Claim.expires_at) > now)
    if resource_id is not None:
        query = query.where(Claim.resource_id == resource_id)
    return session.exec(query.order_by(col(Claim.since))).all()


def listing(session: Session, *, now: datetime) -> list[tuple[Claim, str]]:
    """Active claims with their resource's name."""
    result = []
    for claim in active(session, now=now):
        resource = session.get(Resource, claim.resource_id)
        result.append((claim, resource.name if resource else str(claim.resource_id)))
    return result


def check(session: Session, ticket: Ticket, actor: str, *, now: datetime) -> None:
    """Raise ClaimConflict when someone else holds the ticket's resource."""
    if ticket.resource_id is None:
        return
    for claim in active(session, now=now, resource_id=ticket.resource_id):
        if claim.agent_id != actor:
            resource = session.get(Resource, claim.resource_id)
            raise ClaimConflict(
                "claim.held",
                resource=resource.name if resource else "-",
                agent=claim.agent_id,
                number=claim.ticket_id,
                since=claim.since,
                ticket=ticket.id,
            )


def take(
    session: Session, ticket: Ticket, actor: str, *, now: datetime, hours: float
) -> Claim | None:
    """Claim the ticket's resource for `actor`, ending anyone else's claim on it."""
    if ticket.resource_id is None or ticket.id is None:
        return None
    mine = None
    for claim in active(session, now=now, resource_id=ticket.resource_id):
        if claim.agent_id == actor and claim.ticket_id == ticket.id:
            mine = claim
        else:
            _release(session, claim, now, "taken_over")
    if mine is None:
        mine = Claim(
            resource_id=ticket.resource_id,
            ticket_id=ticket.id,
            agent_id=actor,
            since=now,
            expires_at=now + timedelta(hours=hours),
        )
    else:
        mine.expires_at, mine.warned = now + timedelta(hours=hours), False
    session.add(mine)
    session.flush()
    return mine


def hand_over(session: Session, ticket: Ticket, agent: str | None, *, now: datetime) -> None:
    """Escalation moves the ticket's claims to the new agent (or ends them if none)."""
    for claim in session.exec(
        select(Claim).where(Claim.ticket_id == ticket.id, col(Claim.released_at).is_(None))
    ).all():
        if agent:
            claim.agent_id = agent
            session.add(claim)
        else:
            _release(session, claim, now, "escalated")


def release_ticket(session: Session, ticket: Ticket, *, now: datetime, reason: str) -> None:
    for claim in session.exec(
        select(Claim).where(Claim.ticket_id == ticket.id, col(Claim.released_at).is_(None))
    ).all():
        _release(session, claim, now, reason)


def release_tickets(
    session: Session, numbers: Sequence[int], *, now: datetime, reason: str
) -> None:
    """release_ticket for many tickets in one statement (an outage resolving thousands)."""
    if numbers:
        session.execute(
            update(Claim)
            .where(col(Claim.ticket_id).in_(numbers), col(Claim.released_at).is_(None))
            .values(released_at=now, release_reason=reason)
        )


def _release(session: Session, claim: Claim, now: datetime, reason: str) -> None:
    claim.released_at, claim.release_reason = now, reason
    session.add(claim)


def due_warnings(session: Session, *, now: datetime) -> Sequence[Claim]:
    """Active claims ending within 15 minutes whose holder has not been warned."""
    return session.exec(
        select(Claim).where(
            col(Claim.released_at).is_(None),
            col(Claim.warned).is_(False),
            col(Claim.expires_at) > now,
            col(Claim.expires_at) <= now + WARN_BEFORE,
        )
    ).all()


def expire(session: Session, *, now: datetime) -> Sequence[Claim]:
    ended = session.exec(
        select(Claim).where(col(Claim.released_at).is_(None), col(Claim.expires_at) <= now)
    ).all()
    for claim in ended:
        _release(session, claim, now, "expired")
    return ended
