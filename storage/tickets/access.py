"""Who may see and act on a ticket, and the refusals: permission first, then "already done"."""

from __future__ import annotations

from sqlmodel import Session

from storage import people
from storage.errors import DomainError
from storage.models import (
    ROLE_ADMIN,
    STATE_CANCELLED,
    STATE_MERGED,
    STATE_RESOLVED,
    Ticket,
)
from storage.tickets.core import AlreadyDone, last_event
from storage.types import STATE_OUTAGE, TicketRecord


def is_admin(session: Session, slack_id: str) -> bool:
    return people.has_role(session, slack_id, ROLE_ADMIN)


def may_act(session: Session, ticket: TicketRecord, actor: str) -> bool:
    """The assigned agent, an agent of a higher tier, or an admin."""
    if actor == ticket.agent_id or is_admin(session, actor):
        return True
    tier = people.agent_tier(session, actor)
    if tier is None:
        return False
    if ticket.agent_id is None:  # waiting: any agent of its tier or higher may pick it up
        return tier >= ticket.tier
    return tier > ticket.tier


def may_view(session: Session, ticket: Ticket, actor: str) -> bool:
    """The reporter, any agent, or an admin may read a ticket."""
    return (
        actor == ticket.reporter_id
        or people.agent_tier(session, actor) is not None
        or is_admin(session, actor)
    )


def require_viewer(session: Session, ticket: Ticket, actor: str) -> None:
    """Checked before anything else: someone who may not see the ticket learns neither who
    handles it nor who did what to it, only that it is not theirs."""
    if not may_view(session, ticket, actor):
        raise DomainError("ticket.not_yours_private", number=ticket.id)


def require_actor(session: Session, ticket: Ticket, actor: str) -> None:
    if not may_act(session, ticket, actor):
        raise DomainError("ticket.not_yours", number=ticket.id, agent=ticket.agent_id or "-")


def refuse_closed(session: Session, ticket: Ticket) -> None:
    if ticket.state == STATE_RESOLVED:
        event = last_event(session, ticket, "resolved")
        raise AlreadyDone(
            "ticket.already_resolved",
            number=ticket.id,
            by=ticket.resolved_by or "-",
            at=event.created_at if event else ticket.updated_at,
        )
    if ticket.state == STATE_CANCELLED:
        raise DomainError("ticket.cancelled", number=ticket.id)
    if ticket.state == STATE_MERGED:
        raise DomainError("ticket.merged", number=ticket.id, into=ticket.merged_into)
    if ticket.state == STATE_OUTAGE:
        # a report linked to an outage moves with the outage (resolved with it, or taken
        # out by its reporter's "My problem is different"), never on its own
        raise DomainError("ticket.in_outage", number=ticket.id, outage=ticket.outage_id)


def check_escalate(session: Session, ticket: Ticket, actor: str) -> None:
    """Raise unless `actor` may escalate `ticket` now."""
    require_viewer(session, ticket, actor)
    refuse_closed(session, ticket)
    if ticket.tier >= 2:
        event = last_event(session, ticket, "escalated")
        # Its tier-2 agent is told there is no higher tier; anyone else, that it already moved.
        if event is not None and actor != ticket.agent_id:
            raise AlreadyDone(
                "ticket.already_escalated",
                number=ticket.id,
                by=event.actor_id or "-",
                agent=ticket.agent_id or "-",
                at=event.created_at,
            )
        raise DomainError("ticket.top_tier", number=ticket.id)
    require_actor(session, ticket, actor)


def check_resolve(session: Session, ticket: Ticket, actor: str) -> None:
    """Raise unless `actor` may resolve `ticket` now."""
    require_viewer(session, ticket, actor)
    refuse_closed(session, ticket)
    require_actor(session, ticket, actor)
