"""The outbox rows a ticket's changes write: the agent's card, the triage mirror, DMs to the reporter and notices to the agent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage import outbox
from storage.models import (
    Delivery,
    Ticket,
    TicketEvent,
    TicketMessage,
)

T_CARD = "ticket.card"


T_MIRROR = "ticket.mirror"


T_REPORTER = "ticket.reporter"


T_NOTICE = "ticket.notice"


T_HOME = "ticket.home"  # the reporter's DM for the ticket: its thread is their side
T_RELAY = "ticket.relay"  # a message of the conversation, in the other side's thread
T_FILE = "ticket.file"  # a file of such a message, uploaded into that thread
T_HISTORY = "ticket.history"  # the conversation so far, under a new agent's card


def home_key(number: int) -> str:
    return f"ticket:{number}:home"


def card_key(session: Session, number: int, agent: str) -> str | None:
    """The key of the newest card of the ticket sent (or to be sent) to `agent`: its thread
    is that agent's side of the ticket."""
    return session.exec(
        select(Delivery.key)
        .where(
            Delivery.ticket_id == number,
            Delivery.template == T_CARD,
            Delivery.recipient == agent,
        )
        .order_by(col(Delivery.id).desc())
    ).first()


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


def enqueue_card(
    session: Session, ticket: Ticket, now: datetime, *, fresh: bool = False
) -> list[int]:
    """The agent's DM with the ticket and its buttons (one per assignment), and the rows
    written. A ticket that already has a conversation (an escalation, a reassignment) brings
    it along: the conversation so far goes into the new card's thread."""
    assert ticket.agent_id is not None
    key = f"card:{ticket.agent_id}:v{ticket.version}"
    card = enqueue_message(
        session,
        ticket,
        key=key,
        recipient=ticket.agent_id,
        template=T_CARD,
        now=now,
        fresh=fresh,
    )
    if fresh or not _has_messages(session, ticket.id or 0):
        return [card]
    return [
        card,
        enqueue_message(
            session,
            ticket,
            key=f"history:{ticket.agent_id}:v{ticket.version}",
            recipient=ticket.agent_id,
            template=T_HISTORY,
            now=now,
            params={"thread": f"ticket:{ticket.id}:{key}"},
        ),
    ]


def _has_messages(session: Session, number: int) -> bool:
    found = session.exec(select(TicketMessage.id).where(TicketMessage.ticket_id == number))
    return found.first() is not None


def enqueue_home(session: Session, ticket: Ticket, now: datetime) -> int:
    """The reporter's DM for the ticket, made once at filing and kept up to date: what they
    can do about it is there, and its thread is where they talk with the agent."""
    return enqueue_message(
        session,
        ticket,
        key="home",
        recipient=ticket.reporter_id,
        template=T_HOME,
        now=now,
        fresh=True,
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
        # in the thread of the reporter's ticket DM (a ticket older than it: a plain DM)
        params={"what": what, "thread": home_key(ticket.id or 0), **params},
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
        params={"what": what, "thread": card_key(session, ticket.id, ticket.agent_id), **params},
    )
