"""Read models: snapshots for rendering messages, lists, queues and the detail view."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import categories, claims
from storage.errors import DomainError, NotFound
from storage.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Resource,
    Ticket,
    TicketEvent,
)
from storage.tables import (
    PERSON,
    TICKET,
    TICKET_EVENT,
    connection,
    read_only,
)
from storage.tickets.access import may_view
from storage.tickets.core import get
from storage.types import HELD_STATES, STATE_OUTAGE, Snapshot, utcnow

_TICKETS = sa_select(TICKET).where(TICKET.c.id.in_(bindparam("numbers", expanding=True)))


_EVENTS = (
    sa_select(TICKET_EVENT)
    .where(TICKET_EVENT.c.ticket_id.in_(bindparam("numbers", expanding=True)))
    .order_by(TICKET_EVENT.c.ticket_id, TICKET_EVENT.c.id)
)


_NAMES = sa_select(PERSON.c.slack_id, PERSON.c.name).where(
    PERSON.c.slack_id.in_(bindparam("ids", expanding=True))
)


_VERSIONS = sa_select(TICKET.c.id, TICKET.c.version).where(
    TICKET.c.id.in_(bindparam("numbers", expanding=True))
)


def versions(session: Session, numbers: Collection[int]) -> dict[int, int]:
    """The versions of these tickets (a ticket's version grows with every change)."""
    found = connection(session).execute(_VERSIONS, {"numbers": list(numbers)})
    return {int(number): int(v) for number, v in found}


def snapshot(session: Session, number: int) -> Snapshot:
    """The ticket and what its messages show."""
    found = snapshots(session, [number]).get(number)
    if found is None:
        raise NotFound("ticket.unknown", number=number)
    return found


def snapshots(session: Session, numbers: Collection[int]) -> dict[int, Snapshot]:
    """snapshot() of several tickets (those that exist), read together: every message about a
    ticket is rendered from one, so this runs on Core statements, three for any number of
    tickets (plus the resource's claims for a ticket about one)."""
    conn = connection(session)
    wanted = sorted(set(numbers))
    found = [read_only(Ticket, t._mapping) for t in conn.execute(_TICKETS, {"numbers": wanted})]
    if not found:
        return {}
    people = {x for t in found for x in (t.reporter_id, t.agent_id) if x}
    names = {str(i): str(n) for i, n in conn.execute(_NAMES, {"ids": sorted(people)})}
    events: dict[int, list[TicketEvent]] = {}
    for e in conn.execute(_EVENTS, {"numbers": wanted}):
        event = read_only(TicketEvent, e._mapping)
        events.setdefault(event.ticket_id, []).append(event)
    named = categories.names(session, {t.category for t in found if t.category})
    result = {}
    for ticket in found:
        resource = session.get(Resource, ticket.resource_id) if ticket.resource_id else None
        holders = (
            [c.agent_id for c in claims.active(session, now=utcnow(), resource_id=resource.id)]
            if resource is not None
            else []
        )
        result[ticket.id or 0] = Snapshot(
            ticket=ticket,
            reporter_name=names.get(ticket.reporter_id, ticket.reporter_id),
            agent_name=names.get(ticket.agent_id) if ticket.agent_id else None,
            events=events.get(ticket.id or 0, []),
            resource_name=resource.name if resource else None,
            related=tuple(related(session, ticket)),
            claimed_by=holders[0] if holders else None,
            category_names=named.get(ticket.category or ""),
        )
    return result


def list_tickets(
    session: Session,
    *,
    open_only: bool = False,
    agent: str | None = None,
    reporter: str | None = None,
    limit: int = 200,
) -> Sequence[Ticket]:
    """Tickets, newest first. `open_only` with a `reporter`: their reports linked to an
    active outage count as open too (it is their problem, still not fixed)."""
    query = select(Ticket).order_by(col(Ticket.id).desc()).limit(limit)
    if open_only:
        states = (*OPEN_STATES, STATE_OUTAGE) if reporter is not None else OPEN_STATES
        query = query.where(col(Ticket.state).in_(states))
    if agent is not None:
        query = query.where(Ticket.agent_id == agent)
    if reporter is not None:
        query = query.where(Ticket.reporter_id == reporter)
    return session.exec(query).all()


def queue(session: Session, agent: str) -> Sequence[Ticket]:
    """An agent's open tickets, oldest first."""
    query = (
        select(Ticket)
        .where(Ticket.agent_id == agent, col(Ticket.state).in_(HELD_STATES))
        .order_by(col(Ticket.id))
    )
    return session.exec(query).all()


def recent_closed(session: Session, reporter: str, limit: int = 5) -> Sequence[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.reporter_id == reporter, col(Ticket.state).in_(CLOSED_STATES))
        .order_by(col(Ticket.updated_at).desc())
        .limit(limit)
    )
    return session.exec(query).all()


def view(session: Session, number: int, actor: str) -> Snapshot:
    ticket = get(session, number)
    if not may_view(session, ticket, actor):
        raise DomainError("ticket.not_visible", number=number)
    return snapshot(session, number)


def related(session: Session, ticket: Ticket) -> list[int]:
    """Numbers of the open tickets about the same resource, and the one it was routed by."""
    found = {ticket.related_to} if ticket.related_to else set()
    if ticket.resource_id:
        found |= {
            t
            for t in session.exec(
                select(Ticket.id).where(
                    Ticket.resource_id == ticket.resource_id,
                    col(Ticket.state).in_(OPEN_STATES),
                    Ticket.id != ticket.id,
                )
            ).all()
            if t is not None
        }
    return sorted(n for n in found if n is not None)
