"""Satisfaction (CSAT): on resolution the reporter's ticket DM asks "How did we do?" (1–5 and
an optional comment). One rating per resolution (a reopen and a new resolution ask again),
changeable while the ticket stays resolved, only by its reporter; a low one (≤ 2) tells the
agent who resolved it and the helpdesk leads, once. Resolved tickets close for good after
REKAN_CLOSE_AFTER of the desk's working time (until then Reopen works)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage import people
from storage.errors import DomainError
from storage.models import Rating, Ticket, TicketEvent
from storage.sla import has_own_clock
from storage.tickets.core import AlreadyDone, Outcome, last_event, locked, touch
from storage.tickets.messages import card_key, enqueue_message
from storage.types import (
    RESOLUTION_NO_ANSWER,
    ROLE_HELPDESK_LEAD,
    STATE_RESOLVED,
    TicketRecord,
)
from storage.worktime import DeskClock, working_seconds

SCORES = (1, 2, 3, 4, 5)
LOW = 2  # this score or lower tells the agent and the helpdesk leads
COMMENT_MAX = 1000
T_LOW_RATING = "ticket.low_rating"
_RESOLUTIONS = ("resolved", "resolved_no_answer")


def asks(ticket: TicketRecord) -> bool:
    """Whether the reporter's DM asks for a rating now: resolved by a person (not closed as
    "no answer"), not yet closed for good, and a ticket of its own."""
    return (
        ticket.state == STATE_RESOLVED
        and ticket.closed_at is None
        and ticket.resolution != RESOLUTION_NO_ANSWER
        and has_own_clock(ticket)
    )


def asks_if_resolved(ticket: TicketRecord) -> bool:
    """Whether a resolution of this ticket asks for a rating (not one closed as no answer)."""
    return ticket.resolution != RESOLUTION_NO_ANSWER and has_own_clock(ticket)


def round_of(session: Session, number: int) -> int:
    """How many times the ticket was resolved: its rating's round."""
    count = session.exec(
        select(func.count())
        .select_from(TicketEvent)
        .where(TicketEvent.ticket_id == number, col(TicketEvent.kind).in_(_RESOLUTIONS))
    ).one()
    return int(count)


def current(session: Session, number: int) -> Rating | None:
    """The rating of the ticket's latest resolution, if given."""
    return session.exec(
        select(Rating).where(Rating.ticket_id == number, Rating.round == round_of(session, number))
    ).first()


def _open_for(session: Session, number: int, actor: str) -> Ticket:
    ticket = locked(session, number)
    if actor != ticket.reporter_id:
        raise DomainError("csat.not_reporter", number=number)
    if not asks(ticket):
        raise DomainError("csat.closed", number=number)
    return ticket


def rate(*, session: Session, number: int, actor: str, score: int, now: datetime) -> Outcome:
    """The reporter's score for this resolution; the same score again changes nothing."""
    if score not in SCORES:
        raise DomainError("csat.bad_score")
    ticket = _open_for(session, number, actor)
    row = current(session, number)
    if row is not None and row.score == score:
        raise AlreadyDone("csat.already", number=number, score=score)
    if row is None:
        row = Rating(
            ticket_id=number,
            round=round_of(session, number),
            rater_id=actor,
            agent_id=ticket.resolved_by,
            score=score,
            created_at=now,
        )
    row.score, row.updated_at = score, now
    session.add(row)
    deliveries = _tell_low(session, ticket, row, now) if score <= LOW and not row.low_told else []
    touch(session, ticket, now)  # the ticket DM shows the rating
    return Outcome(ticket, deliveries)


def rated_ticket(session: Session, number: int, actor: str) -> int:
    """The ticket whose comment `actor` may write now (a read: the modal opens after it)."""
    ticket = session.get(Ticket, number)
    if ticket is None or actor != ticket.reporter_id:
        raise DomainError("csat.not_reporter", number=number)
    if not asks(ticket):
        raise DomainError("csat.closed", number=number)
    if current(session, number) is None:
        raise DomainError("csat.rate_first", number=number)
    return number


def comment(*, session: Session, number: int, actor: str, text: str, now: datetime) -> Outcome:
    """The optional comment of the reporter's rating (given first)."""
    text = text.strip()
    if not text:
        raise DomainError("csat.comment_empty")
    if len(text) > COMMENT_MAX:
        raise DomainError("csat.comment_too_long", limit=COMMENT_MAX, length=len(text))
    ticket = _open_for(session, number, actor)
    row = current(session, number)
    if row is None:
        raise DomainError("csat.rate_first", number=number)
    row.comment, row.updated_at = text, now
    session.add(row)
    touch(session, ticket, now)
    return Outcome(ticket, [])


def _tell_low(session: Session, ticket: Ticket, row: Rating, now: datetime) -> list[int]:
    """A low rating: the agent who resolved it (in their card's thread) and the helpdesk leads."""
    row.low_told = True
    leads = [p.slack_id for _, p in people.list_role(session, ROLE_HELPDESK_LEAD)]
    told = []
    for who in dict.fromkeys([*([row.agent_id] if row.agent_id else []), *leads]):
        thread = card_key(session, ticket.id or 0, who) if who == row.agent_id else None
        told.append(
            enqueue_message(
                session,
                ticket,
                key=f"rating:{row.round}:low:{who}",
                recipient=who,
                template=T_LOW_RATING,
                now=now,
                params={"round": row.round, "thread": thread, "lead": who != row.agent_id},
            )
        )
    return told


def ratings(session: Session, numbers: Sequence[int]) -> dict[int, Rating]:
    """The latest-round rating of each of these tickets that has one."""
    if not numbers:
        return {}
    rows = session.exec(
        select(Rating).where(col(Rating.ticket_id).in_(sorted(numbers))).order_by(col(Rating.round))
    ).all()
    return {r.ticket_id: r for r in rows}


def close_resolved(
    *, session: Session, now: datetime, clock: DeskClock, after_seconds: float
) -> list[int]:
    """Resolved tickets resolved longer than `after_seconds` of working time ago close for
    good (Reopen and the rating end); returns their numbers."""
    resolved = session.exec(
        select(Ticket)
        .where(Ticket.state == STATE_RESOLVED, col(Ticket.closed_at).is_(None))
        .order_by(col(Ticket.id))
    ).all()
    closed = []
    for ticket in resolved:
        found = [last_event(session, ticket, kind) for kind in _RESOLUTIONS]
        moments = [e.created_at for e in found if e is not None]
        since = max(moments, default=ticket.updated_at)
        if working_seconds(clock, since, now) < after_seconds:
            continue
        fresh = locked(session, ticket.id or 0)
        if fresh.state != STATE_RESOLVED or fresh.closed_at is not None:
            continue
        fresh.closed_at = now
        touch(session, fresh, now)
        closed.append(fresh.id or 0)
    return closed
