"""The outbox rows a ticket's changes write: the agent's card, the triage mirror, DMs to the reporter and notices to the agent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage import outbox
from storage.models import (
    Ticket,
    TicketEvent,
)

T_CARD = "ticket.card"


T_MIRROR = "ticket.mirror"


T_REPORTER = "ticket.reporter"


T_NOTICE = "ticket.notice"


def enqueue_message(
    session: Session,
    ticket: Ticket,
    *,
    key: str,
    recipient: str,
    template: str,
    now: datetime,
    params: dict[str, object] | None = None,
    fresh: bool = False,
) -> int:
    """A message about the ticket, written to the outbox in the ticket's transaction.
    `fresh`: the ticket was made in this transaction, so the key cannot exist yet."""
    assert ticket.id is not None
    return outbox.enqueue(
        session,
        key=f"ticket:{ticket.id}:{key}",
        recipient=recipient,
        template=template,
        params={"ticket": ticket.id, **(params or {})},
        ticket_id=ticket.id,
        now=now,
        fresh=fresh,
    )


def enqueue_card(session: Session, ticket: Ticket, now: datetime, *, fresh: bool = False) -> int:
    """The agent's DM with the ticket and its buttons (one per assignment)."""
    assert ticket.agent_id is not None
    return enqueue_message(
        session,
        ticket,
        key=f"card:{ticket.agent_id}:v{ticket.version}",
        recipient=ticket.agent_id,
        template=T_CARD,
        now=now,
        fresh=fresh,
    )


def tell_reporter(
    session: Session, ticket: Ticket, what: str, now: datetime, **params: object
) -> int:
    return enqueue_message(
        session,
        ticket,
        key=f"reporter:{what}:v{ticket.version}",
        recipient=ticket.reporter_id,
        template=T_REPORTER,
        now=now,
        params={"what": what, **params},
    )


def tell_agent(
    session: Session, ticket: Ticket, what: str, now: datetime, **params: object
) -> int | None:
    """A short DM to the ticket's agent (a cancellation, a request from the reporter)."""
    if ticket.id is None or ticket.agent_id is None:
        return None
    count = len(
        session.exec(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id)).all()
    )
    return enqueue_message(
        session,
        ticket,
        key=f"notice:{what}:{ticket.agent_id}:{count}",
        recipient=ticket.agent_id,
        template=T_NOTICE,
        now=now,
        params={"what": what, **params},
    )
