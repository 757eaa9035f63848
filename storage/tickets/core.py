"""What every ticket operation shares: the outcome, reading a ticket under its lock, the
timeline and the version. (The vocabulary — categories, limits — is storage.types'.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.errors import DomainError, NotFound
from storage.models import (
    STATE_OPEN,
    STATE_WAITING,
    Ticket,
    TicketEvent,
)
from storage.tables import (
    for_update,
)
from storage.types import OutageView

REPEAT_WINDOW = timedelta(hours=24)


CLAIM_HOURS = 4.0


class AlreadyDone(DomainError):
    """The action already happened (a second click, a retry); the message says by whom."""


@dataclass
class Outcome:
    ticket: Ticket
    deliveries: list[int] = field(default_factory=list)
    created: bool = True
    repeat: bool = False  # the filing joined an open ticket of the same reporter
    suggested: int | None = None  # filed anew, but it may be the same problem as this ticket
    outage: int | None = None  # linked to this active outage: a report, not a ticket of its own
    card_due: datetime | None = None  # when the outage's card is to be redrawn (this asked)
    outage_view: OutageView | None = None  # that outage, for the reporter's acknowledgement


def get(session: Session, number: int) -> Ticket:
    ticket = session.get(Ticket, number)
    if ticket is None:
        raise NotFound("ticket.unknown", number=number)
    return ticket


def locked(session: Session, number: int) -> Ticket:
    ticket = session.exec(for_update(select(Ticket).where(Ticket.id == number))).first()
    if ticket is None:
        raise NotFound("ticket.unknown", number=number)
    return ticket


def add_event(
    session: Session,
    ticket: Ticket,
    kind: str,
    *,
    actor: str | None,
    now: datetime,
    agent: str | None = None,
    note: str | None = None,
) -> None:
    assert ticket.id is not None
    session.add(
        TicketEvent(**event_row(ticket.id, kind, actor=actor, agent=agent, note=note, now=now))
    )


def event_row(
    number: int,
    kind: str,
    *,
    now: datetime,
    actor: str | None = None,
    agent: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A timeline event as a row (a Core insert's parameters, or a TicketEvent's fields)."""
    return {
        "ticket_id": number,
        "actor_id": actor,
        "kind": kind,
        "agent_id": agent,
        "note": note,
        "created_at": now,
    }


def touch(session: Session, ticket: Ticket, now: datetime) -> None:
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    session.flush()


def last_event(session: Session, ticket: Ticket, kind: str) -> TicketEvent | None:
    query = (
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(col(TicketEvent.id).desc())
    )
    return session.exec(query).first()


def assignment_of(agent: str | None) -> tuple[str, str]:
    """(state, timeline event) of a ticket given to `agent`, or left waiting for one."""
    return (STATE_OPEN, "assigned") if agent else (STATE_WAITING, "waiting")


def assign(
    session: Session, ticket: Ticket, agent: str | None, *, actor: str | None, now: datetime
) -> None:
    ticket.agent_id = agent
    ticket.state, kind = assignment_of(agent)
    add_event(session, ticket, kind, actor=actor, agent=agent, now=now)
