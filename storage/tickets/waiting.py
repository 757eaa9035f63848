"""Waiting for the reporter (issue 18): the one place a ticket enters and leaves
*waiting for reporter*.

- An agent's message relayed to the reporter that ends with "?" puts an in-progress ticket in
  waiting (`agent_wrote`); the card's "Waiting for reply" toggle sets and clears it by hand
  (`wait_for_reporter`, `stop_waiting`).
- The reporter's reply (a message in their ticket thread; also a /lapor that joins the ticket
  or their `/lapor eskalasi #N` request, whose own notices tell the agent) brings it back to
  in progress and tells the agent (`reporter_wrote`).
- After `nudge_after` of working time without an answer the reporter is reminded once; after
  `close_after` the ticket is resolved as "no answer", Reopen available, the agent told
  (`sweep`, run by the `waiting-reporter` job).

No column records it: the state is `waiting_reporter`, and the waiting started at the
ticket's last event of kind "waiting_reporter". Every function takes `now`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage import campaigns, claims, people
from storage.calendar import next_working_moment, working_seconds
from storage.errors import DomainError
from storage.models import Ticket, TicketEvent
from storage.tables import for_update
from storage.tickets.access import refuse_closed, require_actor, require_viewer
from storage.tickets.core import AlreadyDone, Outcome, add_event, last_event, locked, touch
from storage.tickets.messages import tell_agent, tell_reporter
from storage.types import (
    RESOLUTION_NO_ANSWER,
    STATE_IN_PROGRESS,
    STATE_RESOLVED,
    STATE_WAITING_REPORTER,
)

STARTED = "waiting_reporter"  # the timeline event that starts a wait: its moment is the start
CLEARED = "waiting_cleared"  # the agent stopped waiting by hand
REPLIED = "reporter_replied"  # the reporter answered
NUDGED = "waiting_nudged"  # the reporter was reminded (once per wait)
NO_ANSWER = "resolved_no_answer"  # resolved because the reporter never answered
QUESTION_MARKS = ("?", "？")  # the full-width one of CJK keyboards too


def is_question(text: str) -> bool:
    """Whether a message asks the reporter something: it ends with a question mark."""
    return text.rstrip().endswith(QUESTION_MARKS)


def _start(session: Session, ticket: Ticket, *, actor: str, now: datetime) -> None:
    ticket.state = STATE_WAITING_REPORTER
    add_event(session, ticket, STARTED, actor=actor, agent=ticket.agent_id, now=now)


def agent_wrote(*, session: Session, ticket: Ticket, actor: str, text: str, now: datetime) -> bool:
    """An agent's message, relayed to the reporter: a question puts an in-progress ticket in
    waiting for the reporter. A ticket already waiting keeps the moment its wait started (the
    reporter has been silent since); one not yet taken is not put in waiting (Take first).
    The caller touches the ticket. Returns whether the state moved."""
    if ticket.state != STATE_IN_PROGRESS or not is_question(text):
        return False
    _start(session, ticket, actor=actor, now=now)
    return True


def reporter_wrote(
    *, session: Session, ticket: Ticket, actor: str, now: datetime, tell: bool = True
) -> list[int] | None:
    """The reporter said something on a ticket waiting for them: back in progress and, with
    `tell`, a notice in the agent's card thread. The caller touches the ticket. Returns the
    notice's rows; None when the ticket was not waiting for this reporter."""
    if ticket.state != STATE_WAITING_REPORTER or actor != ticket.reporter_id:
        return None
    ticket.state = STATE_IN_PROGRESS
    add_event(session, ticket, REPLIED, actor=actor, agent=ticket.agent_id, now=now)
    told = tell_agent(session, ticket, "reporter_replied", now, by=actor) if tell else None
    return [told] if told else []


def wait_for_reporter(*, session: Session, number: int, actor: str, now: datetime) -> Outcome:
    """ "Waiting for reply" on the card: the agent waits for the reporter by hand (after a
    question the "?" rule missed, or one asked elsewhere)."""
    ticket = locked(session, number)
    require_viewer(session, ticket, actor)
    refuse_closed(session, ticket)
    if ticket.state == STATE_WAITING_REPORTER:
        event = last_event(session, ticket, STARTED)
        raise AlreadyDone(
            "ticket.already_waiting",
            number=number,
            by=(event.actor_id if event else None) or "-",
            at=event.created_at if event else ticket.updated_at,
        )
    require_actor(session, ticket, actor)
    if ticket.state != STATE_IN_PROGRESS:
        raise DomainError("ticket.wait_take_first", number=number)
    _start(session, ticket, actor=actor, now=now)
    touch(session, ticket, now)
    return Outcome(ticket)


def stop_waiting(*, session: Session, number: int, actor: str, now: datetime) -> Outcome:
    """ "Waiting for reply" pressed again: back in progress without the reporter's answer
    (the answer came another way, or the question no longer matters)."""
    ticket = locked(session, number)
    require_viewer(session, ticket, actor)
    refuse_closed(session, ticket)
    if ticket.state != STATE_WAITING_REPORTER:
        raise AlreadyDone("ticket.already_not_waiting", number=number)
    require_actor(session, ticket, actor)
    ticket.state = STATE_IN_PROGRESS
    add_event(session, ticket, CLEARED, actor=actor, agent=ticket.agent_id, now=now)
    touch(session, ticket, now)
    return Outcome(ticket)


def waiting_since(session: Session, ticket: Ticket) -> TicketEvent | None:
    """The event that started the ticket's current wait (None when it is not waiting)."""
    if ticket.state != STATE_WAITING_REPORTER:
        return None
    return last_event(session, ticket, STARTED)


@dataclass(frozen=True)
class WorkingClock:
    """The company's working clock: its zone, working hours and days off (weekends and
    public holidays are storage.calendar's)."""

    tz: ZoneInfo
    work_start: time
    work_end: time
    days_off: Collection[date] = ()

    def seconds(self, start: datetime, end: datetime) -> float:
        return working_seconds(
            start,
            end,
            tz=self.tz,
            work_start=self.work_start,
            work_end=self.work_end,
            days_off=self.days_off,
        )

    def working_at(self, moment: datetime, zone: str | None) -> bool:
        """Whether `moment` falls within working hours on a workday on the clock of `zone` (a
        person's own; the company's when unknown or not a zone)."""
        try:
            tz = ZoneInfo(zone) if zone else self.tz
        except (KeyError, ValueError):
            tz = self.tz
        local = moment.astimezone(tz)
        opens = next_working_moment(
            local, work_start=self.work_start, work_end=self.work_end, days_off=self.days_off
        )
        return opens <= local


def company_clock(
    session: Session, *, tz: ZoneInfo, work_start: time, work_end: time
) -> WorkingClock:
    """The working clock with the company's days off read from the store."""
    return WorkingClock(tz, work_start, work_end, frozenset(campaigns.days_off(session)))


@dataclass
class Swept:
    """What one sweep did: tickets whose reporter was reminded, tickets resolved as no
    answer, how many were due but left for the reporter's working hours, and the rows to send."""

    nudged: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    held: int = 0
    deliveries: list[int] = field(default_factory=list)


def sweep(
    *,
    session: Session,
    now: datetime,
    nudge_after: float,
    close_after: float,
    clock: WorkingClock,
    anytime: bool = False,
) -> Swept:
    """Every ticket waiting for its reporter, measured in working time (`clock`) since its
    wait started: past `close_after` seconds it is resolved as "no answer" (Reopen returns it
    to its agent) and both sides are told; past `nudge_after` (and before the close) the
    reporter is reminded once per wait. Either happens only while it is working time on the
    reporter's own clock, so Rekan never writes to them at night or on a day off; `anytime`
    (`rekan jobs run`) acts at once. Tickets are locked: two sweeps at once act once."""
    done = Swept()
    waiting = session.exec(
        for_update(
            select(Ticket).where(Ticket.state == STATE_WAITING_REPORTER).order_by(col(Ticket.id))
        )
    ).all()
    if not waiting:
        return done
    zones = people.readers(session, {t.reporter_id for t in waiting}, "", "")
    for ticket in waiting:
        started = last_event(session, ticket, STARTED)
        since = started.created_at if started is not None else ticket.updated_at
        waited = clock.seconds(since, now)
        closing = waited >= close_after
        if not closing and (waited < nudge_after or _nudged(session, ticket, started)):
            continue
        if not anytime and not clock.working_at(now, zones[ticket.reporter_id][1] or None):
            done.held += 1
            continue
        if closing:
            done.deliveries += _close(session, ticket, now=now)
            done.closed.append(ticket.id or 0)
        else:
            done.deliveries += _nudge(session, ticket, now=now)
            done.nudged.append(ticket.id or 0)
    return done


def _nudged(session: Session, ticket: Ticket, started: TicketEvent | None) -> bool:
    """Whether the reporter was already reminded during this wait."""
    query = select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind == NUDGED
    )
    if started is not None:
        query = query.where(col(TicketEvent.id) > started.id)
    return session.exec(query).first() is not None


def _nudge(session: Session, ticket: Ticket, *, now: datetime) -> list[int]:
    """One reminder in the reporter's ticket thread. The ticket is not touched (a reminder
    is no news about it): its version names the wait, and the event marks it done."""
    add_event(session, ticket, NUDGED, actor=None, agent=ticket.agent_id, now=now)
    return [tell_reporter(session, ticket, "nudge", now, agent=ticket.agent_id)]


def _close(session: Session, ticket: Ticket, *, now: datetime) -> list[int]:
    """Resolved as "no answer", by nobody: as a resolution by its agent (Reopen returns it to
    them, its resources are released), with the marker the builders put in words."""
    agent = ticket.agent_id
    ticket.state = STATE_RESOLVED
    ticket.resolved_by = agent
    ticket.resolution = RESOLUTION_NO_ANSWER
    add_event(session, ticket, NO_ANSWER, actor=None, agent=agent, now=now)
    claims.release_ticket(session, ticket, now=now, reason="resolved")
    touch(session, ticket, now)
    deliveries = [tell_reporter(session, ticket, "no_answer", now, agent=agent)]
    told = tell_agent(session, ticket, "closed_no_answer", now, by=ticket.reporter_id)
    if told:
        deliveries.append(told)
    return deliveries
