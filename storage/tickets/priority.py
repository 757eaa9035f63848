"""A ticket's priority: set from the form's urgency at filing, changed by an agent on the card."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.errors import DomainError
from storage.tickets.access import require_actor, require_viewer
from storage.tickets.core import Outcome, add_event, locked, touch
from storage.types import OPEN_STATES, PRIORITIES


def check_priority(priority: str) -> str:
    """The priority, normalised; DomainError naming the ones there are when it is unknown."""
    value = priority.strip().lower()
    if value not in PRIORITIES:
        raise DomainError("ticket.bad_priority", priority=priority, known=", ".join(PRIORITIES))
    return value


def set_priority(
    *, session: Session, number: int, actor: str, priority: str, now: datetime
) -> Outcome:
    """An agent who may act on the open ticket gives it another priority (the same one
    again changes nothing). The caller refreshes the card."""
    value = check_priority(priority)
    ticket = locked(session, number)
    require_viewer(session, ticket, actor)
    if ticket.state not in OPEN_STATES:
        raise DomainError("ticket.priority_closed", number=number)
    require_actor(session, ticket, actor)
    if ticket.priority == value:
        return Outcome(ticket, [], created=False)
    add_event(session, ticket, "priority", actor=actor, note=value, now=now)
    ticket.priority = value
    touch(session, ticket, now)
    return Outcome(ticket, [])
