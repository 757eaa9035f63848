"""Away agents hand over (REKAN_HANDOVER_AFTER): the open tickets of an agent who went away
(CLI, Home toggle, `away --until`) go back to the rotation once the agent has been away that
much of the desk's working time, or at once when a target of the ticket would breach before
then; each reporter is told who has it now, and affinity follows the new agent. A ticket
waiting for its reporter stays (its clock is paused); one that finds no free agent stays
with them and is tried again the next minute."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage import claims, rotation
from storage.models import Person, Ticket
from storage.sla import OWN_CLOCK, Policy
from storage.sla_alerts import ticket_status
from storage.tickets.core import Outcome, add_event, assign, locked, touch
from storage.tickets.messages import enqueue_card, tell_reporter
from storage.types import STATE_IN_PROGRESS, STATE_OPEN
from storage.worktime import add_working


def hand_over_away(
    *, session: Session, policy: Policy, now: datetime, after_seconds: float
) -> list[Outcome]:
    held = session.exec(
        select(Ticket, Person)
        .join(Person, col(Person.slack_id) == col(Ticket.agent_id))
        .where(
            col(Person.away_since).is_not(None),
            col(Ticket.state).in_((STATE_OPEN, STATE_IN_PROGRESS)),
            OWN_CLOCK,
        )
        .order_by(col(Ticket.id))
    ).all()
    outcomes = []
    for found, person in held:
        assert person.away_since is not None
        due = add_working(policy.clock, person.away_since, after_seconds)
        if due > now:
            found_status = ticket_status(session, policy, found)
            breaches = [
                m
                for m in (
                    None if found_status.responded_at else found_status.response_breach,
                    found_status.resolution_breach,
                )
                if m is not None
            ]
            if not breaches or min(breaches) >= due:
                continue  # it can wait for the agent a little longer
        outcome = _hand_over(session, found.id or 0, person.slack_id, now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _hand_over(session: Session, number: int, away: str, now: datetime) -> Outcome | None:
    ticket = locked(session, number)
    if ticket.agent_id != away or ticket.state not in (STATE_OPEN, STATE_IN_PROGRESS):
        return None
    agent = rotation.take_turn(session, ticket.tier, exclude={ticket.reporter_id, away})
    if agent is None:
        return None
    add_event(session, ticket, "handed_over", actor=None, agent=away, now=now)
    assign(session, ticket, agent, actor=None, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    touch(session, ticket, now)
    deliveries = [
        *enqueue_card(session, ticket, now),
        tell_reporter(session, ticket, "assigned", now, agent=agent),
    ]
    return Outcome(ticket, deliveries)
