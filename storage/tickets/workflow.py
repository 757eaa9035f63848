"""The state machine: take, escalate, resolve, reopen, cancel, the reporter's escalation request, assignment and merging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage import claims, people, rotation
from storage.errors import DomainError
from storage.models import (
    OPEN_STATES,
    STATE_CANCELLED,
    STATE_IN_PROGRESS,
    STATE_MERGED,
    STATE_RESOLVED,
    STATE_WAITING,
    Ticket,
)
from storage.tables import (
    for_update,
)
from storage.tickets import waiting
from storage.tickets.access import (
    check_escalate,
    check_resolve,
    is_admin,
    refuse_closed,
    require_actor,
    require_viewer,
)
from storage.tickets.core import (
    CLAIM_HOURS,
    AlreadyDone,
    Outcome,
    add_event,
    assign,
    last_event,
    locked,
    touch,
)
from storage.tickets.messages import enqueue_card, tell_agent, tell_reporter
from storage.types import NOTE_MAX, STATE_OUTAGE, STATE_WAITING_REPORTER


def take(
    *,
    session: Session,
    number: int,
    actor: str,
    now: datetime,
    confirm: bool = False,
    claim_hours: float = CLAIM_HOURS,
) -> Outcome:
    """Start work on a ticket; with a resource, claim it (confirm to take it over)."""
    ticket = locked(session, number)
    require_viewer(session, ticket, actor)
    refuse_closed(session, ticket)
    if ticket.state in (STATE_IN_PROGRESS, STATE_WAITING_REPORTER) and ticket.agent_id == actor:
        event = last_event(session, ticket, "taken")
        raise AlreadyDone(
            "ticket.already_taken",
            number=number,
            by=actor,
            at=event.created_at if event else ticket.updated_at,
        )
    require_actor(session, ticket, actor)
    if not confirm:
        claims.check(session, ticket, actor, now=now)
    deliveries: list[int] = []
    changed_hands = ticket.agent_id != actor
    if changed_hands:
        ticket.tier = max(ticket.tier, people.agent_tier(session, actor) or ticket.tier)
        ticket.agent_id = actor
    ticket.state = STATE_IN_PROGRESS
    add_event(session, ticket, "taken", actor=actor, agent=actor, now=now)
    claims.take(session, ticket, actor, now=now, hours=claim_hours)
    touch(session, ticket, now)
    if changed_hands:
        deliveries.append(tell_reporter(session, ticket, "assigned", now, agent=actor))
    return Outcome(ticket, deliveries)


def escalate(*, session: Session, number: int, actor: str, note: str, now: datetime) -> Outcome:
    """Hand a tier-1 ticket to the next tier-2 agent, with the tier-1 agent's note."""
    ticket = locked(session, number)
    check_escalate(session, ticket, actor)
    note = note.strip()
    if not note:
        raise DomainError("ticket.note_required")
    agent = rotation.take_turn(session, 2, exclude={ticket.reporter_id, actor})
    ticket.tier = 2
    add_event(session, ticket, "escalated", actor=actor, note=note[:NOTE_MAX], now=now)
    assign(session, ticket, agent, actor=actor, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    touch(session, ticket, now)
    deliveries = [tell_reporter(session, ticket, "escalated", now, agent=agent)]
    if agent:
        deliveries[0:0] = enqueue_card(session, ticket, now)
    return Outcome(ticket, deliveries)


def resolve(
    *, session: Session, number: int, actor: str, resolution: str, now: datetime
) -> Outcome:
    ticket = locked(session, number)
    check_resolve(session, ticket, actor)
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("ticket.resolution_required")
    ticket.state = STATE_RESOLVED
    ticket.resolved_by = actor
    ticket.resolution = resolution[:NOTE_MAX]
    add_event(session, ticket, "resolved", actor=actor, note=ticket.resolution, now=now)
    claims.release_ticket(session, ticket, now=now, reason="resolved")
    touch(session, ticket, now)
    return Outcome(ticket, [tell_reporter(session, ticket, "resolved", now, agent=actor)])


def reopen(
    *, session: Session, number: int, actor: str, now: datetime, note: str | None = None
) -> Outcome:
    """The reporter (or an admin) reopens a resolved ticket; it goes back to its resolver."""
    ticket = locked(session, number)
    if actor != ticket.reporter_id and not is_admin(session, actor):
        raise DomainError("ticket.not_reporter", number=number)
    if ticket.state in OPEN_STATES:
        event = last_event(session, ticket, "reopened")
        if event is not None:
            raise AlreadyDone(
                "ticket.already_reopened",
                number=number,
                by=event.actor_id or "-",
                at=event.created_at,
            )
        raise DomainError("ticket.not_resolved", number=number)
    if ticket.state == STATE_CANCELLED:
        raise DomainError("ticket.cancelled", number=number)
    if ticket.state == STATE_MERGED:
        raise DomainError("ticket.merged", number=number, into=ticket.merged_into)
    if ticket.state == STATE_OUTAGE:
        raise DomainError("ticket.in_outage", number=number, outage=ticket.outage_id)
    if ticket.closed_at is not None:  # REKAN_CLOSE_AFTER (issue 20)
        raise DomainError("ticket.closed_for_good", number=number)
    resolver = ticket.resolved_by
    available = {a for _, a in rotation.available_agents(session, 1)} | {
        a for _, a in rotation.available_agents(session, 2)
    }
    if resolver in available:
        agent: str | None = resolver
        ticket.tier = people.agent_tier(session, resolver) or ticket.tier
    else:
        agent = rotation.take_turn(session, ticket.tier, exclude={ticket.reporter_id})
    add_event(session, ticket, "reopened", actor=actor, note=(note or "").strip() or None, now=now)
    ticket.outage_id = None  # a report resolved with its outage comes back as a ticket of its own
    assign(session, ticket, agent, actor=actor, now=now)
    ticket.resolved_by = None
    touch(session, ticket, now)
    return Outcome(ticket, enqueue_card(session, ticket, now) if agent else [])


def cancel(*, session: Session, number: int, actor: str, now: datetime) -> Outcome:
    """The reporter closes their own ticket ("no longer needed"); the agent is told."""
    ticket = locked(session, number)
    if actor != ticket.reporter_id and not is_admin(session, actor):
        raise DomainError("ticket.not_reporter", number=number)
    if ticket.state == STATE_CANCELLED:
        event = last_event(session, ticket, "cancelled")
        raise AlreadyDone(
            "ticket.already_cancelled",
            number=number,
            by=event.actor_id if event else actor,
            at=event.created_at if event else ticket.updated_at,
        )
    refuse_closed(session, ticket)
    ticket.state = STATE_CANCELLED
    add_event(session, ticket, "cancelled", actor=actor, now=now)
    claims.release_ticket(session, ticket, now=now, reason="cancelled")
    touch(session, ticket, now)
    told = tell_agent(session, ticket, "cancelled", now, by=actor)
    return Outcome(ticket, [told] if told else [])


@dataclass
class EscalationRequest:
    """What a reporter's `escalate #N` did: asked the agent, or moved the ticket to tier 2."""

    outcome: Outcome
    escalated: bool


def request_escalation(
    *, session: Session, number: int, actor: str, reason: str, now: datetime, waited_enough: bool
) -> EscalationRequest:
    """The reporter asks to escalate: the agent hears the reason at once; a ticket that has
    waited long enough (`waited_enough`, in working hours) goes to tier 2 by rotation."""
    ticket = locked(session, number)
    if actor != ticket.reporter_id:
        raise DomainError("ticket.not_reporter", number=number)
    refuse_closed(session, ticket)
    reason = reason.strip()
    if not reason:
        raise DomainError("ticket.reason_required", number=number)
    if ticket.tier >= 2:
        raise DomainError("ticket.already_top", number=number, agent=ticket.agent_id or "-")
    deliveries: list[int] = []
    if not waited_enough:
        add_event(
            session, ticket, "escalation_requested", actor=actor, note=reason[:NOTE_MAX], now=now
        )
        # the reporter spoke: a ticket waiting for them is back in progress (the notice
        # below tells the agent)
        waiting.reporter_wrote(session=session, ticket=ticket, actor=actor, now=now, tell=False)
        touch(session, ticket, now)
        told = tell_agent(
            session, ticket, "escalation_requested", now, by=actor, reason=reason[:500]
        )
        return EscalationRequest(Outcome(ticket, [told] if told else []), escalated=False)
    previous = ticket.agent_id
    told = tell_agent(session, ticket, "escalated_by_reporter", now, by=actor, reason=reason[:500])
    if told:
        deliveries.append(told)
    agent = rotation.take_turn(session, 2, exclude={ticket.reporter_id, previous or ""})
    ticket.tier = 2
    add_event(session, ticket, "escalated", actor=actor, note=reason[:NOTE_MAX], now=now)
    assign(session, ticket, agent, actor=actor, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    touch(session, ticket, now)
    if agent:
        deliveries.extend(enqueue_card(session, ticket, now))
    return EscalationRequest(Outcome(ticket, deliveries), escalated=True)


def assign_to(
    *, session: Session, number: int, agent: str, now: datetime, actor: str | None = None
) -> Outcome:
    """Give a ticket to a named agent (`rekan tickets assign`); no rotation turn is used."""
    ticket = locked(session, number)
    refuse_closed(session, ticket)
    tier = people.agent_tier(session, agent)
    if tier is None:
        raise DomainError("ticket.not_an_agent", agent=agent)
    if ticket.agent_id == agent:
        raise AlreadyDone("ticket.already_assigned", number=number, agent=agent)
    ticket.tier = tier
    assign(session, ticket, agent, actor=actor, now=now)
    touch(session, ticket, now)
    return Outcome(
        ticket,
        [
            *enqueue_card(session, ticket, now),
            tell_reporter(session, ticket, "assigned", now, agent=agent),
        ],
    )


def assign_waiting(*, session: Session, now: datetime) -> list[Outcome]:
    """Give every waiting ticket, oldest first, to its tier's rotation while agents are free."""
    waiting = session.exec(
        for_update(select(Ticket).where(Ticket.state == STATE_WAITING).order_by(col(Ticket.id)))
    ).all()
    outcomes = []
    for ticket in waiting:
        agent = rotation.take_turn(session, ticket.tier, exclude={ticket.reporter_id})
        if agent is None:
            continue
        assign(session, ticket, agent, actor=None, now=now)
        touch(session, ticket, now)
        outcomes.append(
            Outcome(
                ticket,
                [
                    *enqueue_card(session, ticket, now),
                    tell_reporter(session, ticket, "assigned", now, agent=agent),
                ],
            )
        )
    return outcomes


def agent_back(*, session: Session, slack_id: str, now: datetime) -> list[Outcome]:
    """An agent is back: available from `now`, and the waiting tickets handed out, in the
    caller's transaction (nobody sees the agent back with tickets still waiting)."""
    people.set_back(session=session, slack_id=slack_id, now=now)
    return assign_waiting(session=session, now=now)


def expired_away_back(
    *, session: Session, today: date, now: datetime
) -> tuple[list[str], list[Outcome]]:
    """Everyone whose `away --until` date (company calendar) has passed is back; then the
    waiting tickets are handed out, even when nobody came back (an agent may have been freed
    otherwise). Returns who came back and the tickets handed out."""
    back = people.end_expired_away(session=session, today=today, now=now)
    return back, assign_waiting(session=session, now=now)


def merge(*, session: Session, number: int, into: int, actor: str, now: datetime) -> Outcome:
    """Close `number` as a duplicate of the open ticket `into`; its text joins `into`."""
    if number == into:
        raise DomainError("merge.self", number=number)
    duplicate = locked(session, number)
    require_viewer(session, duplicate, actor)
    refuse_closed(session, duplicate)
    require_actor(session, duplicate, actor)
    target = locked(session, into)
    seen = {number}
    hop: Ticket | None = target
    while hop is not None and hop.merged_into is not None:
        if hop.merged_into in seen:
            raise DomainError("merge.loop", number=number, into=into)
        seen.add(hop.merged_into)
        hop = session.get(Ticket, hop.merged_into)
    if target.state not in OPEN_STATES:
        raise DomainError("merge.closed", into=into)
    return merge_into(session, duplicate, target, actor=actor, now=now)


def merge_into(
    session: Session, duplicate: Ticket, target: Ticket, *, actor: str, now: datetime
) -> Outcome:
    """Both locked and checked by the caller: `duplicate` closes as merged, its text joins
    `target`, the reporter and `target`'s agent are told."""
    number, into = duplicate.id or 0, target.id or 0
    duplicate.state, duplicate.merged_into = STATE_MERGED, into
    add_event(session, duplicate, "merged", actor=actor, note=f"#{into}", now=now)
    claims.release_ticket(session, duplicate, now=now, reason="merged")
    touch(session, duplicate, now)
    text = " ".join(x for x in (duplicate.summary, duplicate.details or "") if x)
    target.repeats += 1
    add_event(
        session, target, "merged_in", actor=actor, note=f"#{number}: {text}"[:NOTE_MAX], now=now
    )
    touch(session, target, now)
    # the reporter is told where it went, unless they merged it themselves (their click's
    # answer says so already)
    deliveries = (
        [tell_reporter(session, duplicate, "merged", now, into=into, agent=target.agent_id)]
        if actor != duplicate.reporter_id
        else []
    )
    told = tell_agent(
        session, target, "merged_in", now, by=actor, duplicate=number, reason=text[:500]
    )
    if told:
        deliveries.append(told)
    return Outcome(duplicate, deliveries)
