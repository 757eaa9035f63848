"""Tickets: file, assign by rotation, take, escalate, resolve, reopen, cancel; the timeline.

Every operation is one transaction that checks who may act, moves the state machine and
writes the messages to send (outbox) with it. A repeated click finds the state already moved
and raises AlreadyDone saying what happened, so nothing changes twice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import claims, outbox, people, resources, rotation
from storage.errors import DomainError, NotFound
from storage.matching import DEFAULT_THRESHOLD, Report, is_repeat
from storage.models import (
    CLOSED_STATES,
    OPEN_STATES,
    ROLE_ADMIN,
    STATE_CANCELLED,
    STATE_IN_PROGRESS,
    STATE_MERGED,
    STATE_OPEN,
    STATE_RESOLVED,
    STATE_WAITING,
    Resource,
    Ticket,
    TicketEvent,
    TicketSource,
)
from storage.tables import (
    PERSON,
    TICKET,
    TICKET_EVENT,
    TICKET_SOURCE,
    connection,
    for_update,
    inserted_id,
    read_only,
)
from storage.types import utcnow

CATEGORIES = ("vpn", "hardware", "account", "application", "network", "other")
URGENCIES = ("low", "normal", "high")
SUMMARY_MAX = 150
DETAILS_MAX = 3000
NOTE_MAX = 3000
LOCATION_MAX = 200

T_CARD = "ticket.card"
T_MIRROR = "ticket.mirror"
T_REPORTER = "ticket.reporter"
T_NOTICE = "ticket.notice"
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


@dataclass(frozen=True)
class Snapshot:
    """A ticket with the names and timeline the builders need; read-only copies."""

    ticket: Ticket
    reporter_name: str
    agent_name: str | None
    events: list[TicketEvent]
    resource_name: str | None = None
    related: tuple[int, ...] = ()
    claimed_by: str | None = None


def get(session: Session, number: int) -> Ticket:
    ticket = session.get(Ticket, number)
    if ticket is None:
        raise NotFound("ticket.unknown", number=number)
    return ticket


def _locked(session: Session, number: int) -> Ticket:
    ticket = session.exec(for_update(select(Ticket).where(Ticket.id == number))).first()
    if ticket is None:
        raise NotFound("ticket.unknown", number=number)
    return ticket


def _event(
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
    session.add(TicketEvent(**_row(ticket.id, kind, actor=actor, agent=agent, note=note, now=now)))


def _touch(session: Session, ticket: Ticket, now: datetime) -> None:
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    session.flush()


def _message(
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


def _card(session: Session, ticket: Ticket, now: datetime, *, fresh: bool = False) -> int:
    """The agent's DM with the ticket and its buttons (one per assignment)."""
    assert ticket.agent_id is not None
    return _message(
        session,
        ticket,
        key=f"card:{ticket.agent_id}:v{ticket.version}",
        recipient=ticket.agent_id,
        template=T_CARD,
        now=now,
        fresh=fresh,
    )


def _tell_reporter(
    session: Session, ticket: Ticket, what: str, now: datetime, **params: object
) -> int:
    return _message(
        session,
        ticket,
        key=f"reporter:{what}:v{ticket.version}",
        recipient=ticket.reporter_id,
        template=T_REPORTER,
        now=now,
        params={"what": what, **params},
    )


def _tell_agent(
    session: Session, ticket: Ticket, what: str, now: datetime, **params: object
) -> int | None:
    """A short DM to the ticket's agent (a cancellation, a request from the reporter)."""
    if ticket.id is None or ticket.agent_id is None:
        return None
    count = len(
        session.exec(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id)).all()
    )
    return _message(
        session,
        ticket,
        key=f"notice:{what}:{ticket.agent_id}:{count}",
        recipient=ticket.agent_id,
        template=T_NOTICE,
        now=now,
        params={"what": what, **params},
    )


def _assign(
    session: Session, ticket: Ticket, agent: str | None, *, actor: str | None, now: datetime
) -> None:
    ticket.agent_id = agent
    ticket.state, kind = _assignment(agent)
    _event(session, ticket, kind, actor=actor, agent=agent, now=now)


def _assignment(agent: str | None) -> tuple[str, str]:
    """(state, timeline event) of a ticket given to `agent`, or left waiting for one."""
    return (STATE_OPEN, "assigned") if agent else (STATE_WAITING, "waiting")


_SOURCE = sa_select(TICKET_SOURCE.c.ticket_id, TICKET_SOURCE.c.repeat).where(
    TICKET_SOURCE.c.source_key == bindparam("key")
)


def _source(session: Session, source_key: str) -> Outcome | None:
    """What an earlier delivery of the same filing did."""
    seen = connection(session).execute(_SOURCE, {"key": source_key}).first()
    if seen is None:
        return None
    return Outcome(get(session, int(seen[0])), [], created=False, repeat=bool(seen[1]))


_CANDIDATES = (
    sa_select(
        TICKET.c.id, TICKET.c.summary, TICKET.c.details, TICKET.c.category, TICKET.c.resource_id
    )
    .where(
        TICKET.c.reporter_id == bindparam("reporter"),
        TICKET.c.state.in_(OPEN_STATES),
        TICKET.c.updated_at >= bindparam("since"),
    )
    .order_by(TICKET.c.updated_at.desc())
)


def find_repeat(
    session: Session,
    *,
    reporter_id: str,
    report: Report,
    now: datetime,
    window: timedelta = REPEAT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD,
) -> Ticket | None:
    """The reporter's open ticket (filed or updated within `window`) this report repeats."""
    candidates = connection(session).execute(
        _CANDIDATES, {"reporter": reporter_id, "since": now - window}
    )
    for number, summary, details, category, resource_id in candidates.all():
        old = Report(
            " ".join(x for x in (summary, details or "") if x),
            category,
            frozenset({resource_id}) if resource_id else frozenset(),
        )
        if is_repeat(report, old, threshold=threshold):
            return get(session, int(number))
    return None


def _attach(
    session: Session, ticket: Ticket, *, reporter_id: str, text: str, source_key: str, now: datetime
) -> Outcome:
    """A repeat joins the open ticket: no new agent, one short DM to the one it has."""
    assert ticket.id is not None
    ticket.repeats += 1
    _event(session, ticket, "followup", actor=reporter_id, note=text[:NOTE_MAX], now=now)
    _touch(session, ticket, now)
    session.add(
        TicketSource(source_key=source_key, ticket_id=ticket.id, repeat=True, created_at=now)
    )
    told = _tell_agent(
        session,
        ticket,
        "asked_again",
        now,
        by=reporter_id,
        count=ticket.repeats + 1,
        reason=text[:500],
    )
    return Outcome(ticket, [told] if told else [], created=False, repeat=True)


def _resource_holder(session: Session, resource_id: int, reporter_id: str) -> Ticket | None:
    """An open ticket about the same resource whose agent is available to take this one too."""
    available = {a for tier in (1, 2) for _, a in rotation.available_agents(session, tier)}
    holders = session.exec(
        select(Ticket)
        .where(
            Ticket.resource_id == resource_id,
            col(Ticket.state).in_((STATE_OPEN, STATE_IN_PROGRESS)),
        )
        .order_by(col(Ticket.id))
    ).all()
    for holder in holders:
        if holder.agent_id in available and holder.agent_id != reporter_id:
            return holder
    return None


_ADD_TICKET = insert(TICKET)
_ADD_SOURCE = insert(TICKET_SOURCE)
_ADD_EVENT = insert(TICKET_EVENT)


def file_ticket(
    *,
    session: Session,
    reporter_id: str,
    summary: str,
    source_key: str,
    now: datetime,
    reporter_name: str = "",
    details: str | None = None,
    category: str | None = None,
    location: str | None = None,
    urgency: str | None = None,
    triage_channel: str | None = None,
    repeat_window: timedelta = REPEAT_WINDOW,
    repeat_threshold: float = DEFAULT_THRESHOLD,
    force_new: bool = False,
    into: int | None = None,
) -> Outcome:
    """File a problem: a repeat of the reporter's open ticket joins it; a problem about a
    resource an open ticket holds goes to that ticket's agent; anything else goes to the next
    tier-1 agent. The same source_key is handled once."""
    earlier = _source(session, source_key)
    if earlier is not None:
        return earlier
    summary = summary.strip()
    if not summary:
        raise DomainError("ticket.summary_required")
    if category is not None and category not in CATEGORIES:
        raise DomainError("ticket.bad_category", category=category)
    if urgency is not None and urgency not in URGENCIES:
        raise DomainError("ticket.bad_urgency", urgency=urgency)
    details = (details or "").strip() or None
    location = (location or "").strip()[:LOCATION_MAX] or None
    people.ensure_locked(session, reporter_id, now=now, name=reporter_name)
    resource_id = resources.named_in(session, location, summary, details)
    if resource_id is not None:
        # One filing per resource at a time: concurrent reports about it must see each other.
        session.exec(for_update(select(Resource.id).where(Resource.id == resource_id))).first()
    text = " ".join(x for x in (summary, details or "") if x)
    if into is not None:
        target = _locked(session, into)
        if target.reporter_id != reporter_id or target.state not in OPEN_STATES:
            raise DomainError("ticket.cannot_add", number=into)
        return _attach(
            session, target, reporter_id=reporter_id, text=text, source_key=source_key, now=now
        )
    if not force_new:
        report = Report(text, category, frozenset({resource_id}) if resource_id else frozenset())
        repeat = find_repeat(
            session,
            reporter_id=reporter_id,
            report=report,
            now=now,
            window=repeat_window,
            threshold=repeat_threshold,
        )
        # Read again under the lock: an agent may have closed it since it was matched, and
        # a closed ticket takes no follow-up (the report is filed as a new ticket instead).
        locked = _locked(session, repeat.id or 0) if repeat is not None else None
        if locked is not None and locked.state in OPEN_STATES:
            return _attach(
                session, locked, reporter_id=reporter_id, text=text, source_key=source_key, now=now
            )
    holder = _resource_holder(session, resource_id, reporter_id) if resource_id else None
    # The same resource already being worked on: its agent, and no rotation turn used.
    agent = holder.agent_id if holder else rotation.take_turn(session, 1, exclude={reporter_id})
    state, assigned = _assignment(agent)
    values = {
        "source_key": source_key,
        "reporter_id": reporter_id,
        "summary": summary,
        "details": details,
        "category": category,
        "location": location,
        "urgency": urgency,
        "state": state,
        "tier": holder.tier if holder else 1,
        "agent_id": agent,
        "resource_id": resource_id,
        "related_to": holder.id if holder else None,
        "merged_into": None,
        "repeats": 0,
        "resolved_by": None,
        "resolution": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    # Core statements: a filing is the hot path, and the ORM's unit of work costs several
    # times the inserts themselves.
    conn = connection(session)
    number = inserted_id(conn.execute(_ADD_TICKET, values))
    ticket = read_only(Ticket, {"id": number, **values})
    conn.execute(
        _ADD_SOURCE,
        {"source_key": source_key, "ticket_id": number, "repeat": False, "created_at": now},
    )
    events = [_row(number, "filed", actor=reporter_id, now=now)]
    events.append(_row(number, assigned, agent=agent, now=now))
    if holder is not None:
        events.append(_row(number, "related", agent=agent, note=f"#{holder.id}", now=now))
    conn.execute(_ADD_EVENT, events)
    if holder is not None:
        holder_locked = _locked(session, holder.id or 0)
        if holder_locked.related_to is None:
            holder_locked.related_to = number
        _event(
            session,
            holder_locked,
            "related",
            actor=None,
            agent=holder.agent_id,
            note=f"#{number}",
            now=now,
        )
        _touch(session, holder_locked, now)
    deliveries = [_card(session, ticket, now, fresh=True)] if agent else []
    if triage_channel:
        deliveries.append(
            _message(
                session,
                ticket,
                key="mirror",
                recipient=triage_channel,
                template=T_MIRROR,
                now=now,
                fresh=True,
            )
        )
    return Outcome(ticket, deliveries)


def _row(
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


def is_admin(session: Session, slack_id: str) -> bool:
    return people.has_role(session, slack_id, ROLE_ADMIN)


def may_act(session: Session, ticket: Ticket, actor: str) -> bool:
    """The assigned agent, an agent of a higher tier, or an admin."""
    if actor == ticket.agent_id or is_admin(session, actor):
        return True
    tier = people.agent_tier(session, actor)
    if tier is None:
        return False
    if ticket.agent_id is None:  # waiting: any agent of its tier or higher may pick it up
        return tier >= ticket.tier
    return tier > ticket.tier


def _require_viewer(session: Session, ticket: Ticket, actor: str) -> None:
    """Checked before anything else: someone who may not see the ticket learns neither who
    handles it nor who did what to it, only that it is not theirs."""
    if not may_view(session, ticket, actor):
        raise DomainError("ticket.not_yours_private", number=ticket.id)


def _require_actor(session: Session, ticket: Ticket, actor: str) -> None:
    if not may_act(session, ticket, actor):
        raise DomainError("ticket.not_yours", number=ticket.id, agent=ticket.agent_id or "-")


def _last_event(session: Session, ticket: Ticket, kind: str) -> TicketEvent | None:
    query = (
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(col(TicketEvent.id).desc())
    )
    return session.exec(query).first()


def _refuse_closed(session: Session, ticket: Ticket) -> None:
    if ticket.state == STATE_RESOLVED:
        event = _last_event(session, ticket, "resolved")
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
    ticket = _locked(session, number)
    _require_viewer(session, ticket, actor)
    _refuse_closed(session, ticket)
    if ticket.state == STATE_IN_PROGRESS and ticket.agent_id == actor:
        event = _last_event(session, ticket, "taken")
        raise AlreadyDone(
            "ticket.already_taken",
            number=number,
            by=actor,
            at=event.created_at if event else ticket.updated_at,
        )
    _require_actor(session, ticket, actor)
    if not confirm:
        claims.check(session, ticket, actor, now=now)
    deliveries: list[int] = []
    changed_hands = ticket.agent_id != actor
    if changed_hands:
        ticket.tier = max(ticket.tier, people.agent_tier(session, actor) or ticket.tier)
        ticket.agent_id = actor
    ticket.state = STATE_IN_PROGRESS
    _event(session, ticket, "taken", actor=actor, agent=actor, now=now)
    claims.take(session, ticket, actor, now=now, hours=claim_hours)
    _touch(session, ticket, now)
    if changed_hands:
        deliveries.append(_tell_reporter(session, ticket, "assigned", now, agent=actor))
    return Outcome(ticket, deliveries)


def check_escalate(session: Session, ticket: Ticket, actor: str) -> None:
    """Raise unless `actor` may escalate `ticket` now."""
    _require_viewer(session, ticket, actor)
    _refuse_closed(session, ticket)
    if ticket.tier >= 2:
        event = _last_event(session, ticket, "escalated")
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
    _require_actor(session, ticket, actor)


def check_resolve(session: Session, ticket: Ticket, actor: str) -> None:
    """Raise unless `actor` may resolve `ticket` now."""
    _require_viewer(session, ticket, actor)
    _refuse_closed(session, ticket)
    _require_actor(session, ticket, actor)


def escalate(*, session: Session, number: int, actor: str, note: str, now: datetime) -> Outcome:
    """Hand a tier-1 ticket to the next tier-2 agent, with the tier-1 agent's note."""
    ticket = _locked(session, number)
    check_escalate(session, ticket, actor)
    note = note.strip()
    if not note:
        raise DomainError("ticket.note_required")
    agent = rotation.take_turn(session, 2, exclude={ticket.reporter_id, actor})
    ticket.tier = 2
    _event(session, ticket, "escalated", actor=actor, note=note[:NOTE_MAX], now=now)
    _assign(session, ticket, agent, actor=actor, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    _touch(session, ticket, now)
    deliveries = [_tell_reporter(session, ticket, "escalated", now, agent=agent)]
    if agent:
        deliveries.insert(0, _card(session, ticket, now))
    return Outcome(ticket, deliveries)


def resolve(
    *, session: Session, number: int, actor: str, resolution: str, now: datetime
) -> Outcome:
    ticket = _locked(session, number)
    check_resolve(session, ticket, actor)
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("ticket.resolution_required")
    ticket.state = STATE_RESOLVED
    ticket.resolved_by = actor
    ticket.resolution = resolution[:NOTE_MAX]
    _event(session, ticket, "resolved", actor=actor, note=ticket.resolution, now=now)
    claims.release_ticket(session, ticket, now=now, reason="resolved")
    _touch(session, ticket, now)
    return Outcome(ticket, [_tell_reporter(session, ticket, "resolved", now, agent=actor)])


def reopen(
    *, session: Session, number: int, actor: str, now: datetime, note: str | None = None
) -> Outcome:
    """The reporter (or an admin) reopens a resolved ticket; it goes back to its resolver."""
    ticket = _locked(session, number)
    if actor != ticket.reporter_id and not is_admin(session, actor):
        raise DomainError("ticket.not_reporter", number=number)
    if ticket.state in OPEN_STATES:
        event = _last_event(session, ticket, "reopened")
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
    resolver = ticket.resolved_by
    available = {a for _, a in rotation.available_agents(session, 1)} | {
        a for _, a in rotation.available_agents(session, 2)
    }
    if resolver in available:
        agent: str | None = resolver
        ticket.tier = people.agent_tier(session, resolver) or ticket.tier
    else:
        agent = rotation.take_turn(session, ticket.tier, exclude={ticket.reporter_id})
    _event(session, ticket, "reopened", actor=actor, note=(note or "").strip() or None, now=now)
    _assign(session, ticket, agent, actor=actor, now=now)
    ticket.resolved_by = None
    _touch(session, ticket, now)
    return Outcome(ticket, [_card(session, ticket, now)] if agent else [])


def cancel(*, session: Session, number: int, actor: str, now: datetime) -> Outcome:
    """The reporter closes their own ticket ("no longer needed"); the agent is told."""
    ticket = _locked(session, number)
    if actor != ticket.reporter_id and not is_admin(session, actor):
        raise DomainError("ticket.not_reporter", number=number)
    if ticket.state == STATE_CANCELLED:
        event = _last_event(session, ticket, "cancelled")
        raise AlreadyDone(
            "ticket.already_cancelled",
            number=number,
            by=event.actor_id if event else actor,
            at=event.created_at if event else ticket.updated_at,
        )
    _refuse_closed(session, ticket)
    ticket.state = STATE_CANCELLED
    _event(session, ticket, "cancelled", actor=actor, now=now)
    claims.release_ticket(session, ticket, now=now, reason="cancelled")
    _touch(session, ticket, now)
    told = _tell_agent(session, ticket, "cancelled", now, by=actor)
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
    ticket = _locked(session, number)
    if actor != ticket.reporter_id:
        raise DomainError("ticket.not_reporter", number=number)
    _refuse_closed(session, ticket)
    reason = reason.strip()
    if not reason:
        raise DomainError("ticket.reason_required", number=number)
    if ticket.tier >= 2:
        raise DomainError("ticket.already_top", number=number, agent=ticket.agent_id or "-")
    deliveries: list[int] = []
    if not waited_enough:
        _event(
            session, ticket, "escalation_requested", actor=actor, note=reason[:NOTE_MAX], now=now
        )
        _touch(session, ticket, now)
        told = _tell_agent(
            session, ticket, "escalation_requested", now, by=actor, reason=reason[:500]
        )
        return EscalationRequest(Outcome(ticket, [told] if told else []), escalated=False)
    previous = ticket.agent_id
    told = _tell_agent(session, ticket, "escalated_by_reporter", now, by=actor, reason=reason[:500])
    if told:
        deliveries.append(told)
    agent = rotation.take_turn(session, 2, exclude={ticket.reporter_id, previous or ""})
    ticket.tier = 2
    _event(session, ticket, "escalated", actor=actor, note=reason[:NOTE_MAX], now=now)
    _assign(session, ticket, agent, actor=actor, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    _touch(session, ticket, now)
    if agent:
        deliveries.append(_card(session, ticket, now))
    return EscalationRequest(Outcome(ticket, deliveries), escalated=True)


def assign_to(
    *, session: Session, number: int, agent: str, now: datetime, actor: str | None = None
) -> Outcome:
    """Give a ticket to a named agent (`rekan tickets assign`); no rotation turn is used."""
    ticket = _locked(session, number)
    _refuse_closed(session, ticket)
    tier = people.agent_tier(session, agent)
    if tier is None:
        raise DomainError("ticket.not_an_agent", agent=agent)
    if ticket.agent_id == agent:
        raise AlreadyDone("ticket.already_assigned", number=number, agent=agent)
    ticket.tier = tier
    _assign(session, ticket, agent, actor=actor, now=now)
    _touch(session, ticket, now)
    return Outcome(
        ticket,
        [
            _card(session, ticket, now),
            _tell_reporter(session, ticket, "assigned", now, agent=agent),
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
        _assign(session, ticket, agent, actor=None, now=now)
        _touch(session, ticket, now)
        outcomes.append(
            Outcome(
                ticket,
                [
                    _card(session, ticket, now),
                    _tell_reporter(session, ticket, "assigned", now, agent=agent),
                ],
            )
        )
    return outcomes


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
    query = select(Ticket).order_by(col(Ticket.id).desc()).limit(limit)
    if open_only:
        query = query.where(col(Ticket.state).in_(OPEN_STATES))
    if agent is not None:
        query = query.where(Ticket.agent_id == agent)
    if reporter is not None:
        query = query.where(Ticket.reporter_id == reporter)
    return session.exec(query).all()


def queue(session: Session, agent: str) -> Sequence[Ticket]:
    """An agent's open tickets, oldest first."""
    query = (
        select(Ticket)
        .where(Ticket.agent_id == agent, col(Ticket.state).in_((STATE_OPEN, STATE_IN_PROGRESS)))
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


def may_view(session: Session, ticket: Ticket, actor: str) -> bool:
    """The reporter, any agent, or an admin may read a ticket."""
    return (
        actor == ticket.reporter_id
        or people.agent_tier(session, actor) is not None
        or is_admin(session, actor)
    )


def view(session: Session, number: int, actor: str) -> Snapshot:
    ticket = get(session, number)
    if not may_view(session, ticket, actor):
        raise DomainError("ticket.not_visible", number=number)
    return snapshot(session, number)


def merge(*, session: Session, number: int, into: int, actor: str, now: datetime) -> Outcome:
    """Close `number` as a duplicate of the open ticket `into`; its text joins `into`."""
    if number == into:
        raise DomainError("merge.self", number=number)
    duplicate = _locked(session, number)
    _require_viewer(session, duplicate, actor)
    _refuse_closed(session, duplicate)
    _require_actor(session, duplicate, actor)
    target = _locked(session, into)
    seen = {number}
    hop: Ticket | None = target
    while hop is not None and hop.merged_into is not None:
        if hop.merged_into in seen:
            raise DomainError("merge.loop", number=number, into=into)
        seen.add(hop.merged_into)
        hop = session.get(Ticket, hop.merged_into)
    if target.state not in OPEN_STATES:
        raise DomainError("merge.closed", into=into)
    duplicate.state, duplicate.merged_into = STATE_MERGED, into
    _event(session, duplicate, "merged", actor=actor, note=f"#{into}", now=now)
    claims.release_ticket(session, duplicate, now=now, reason="merged")
    _touch(session, duplicate, now)
    text = " ".join(x for x in (duplicate.summary, duplicate.details or "") if x)
    target.repeats += 1
    _event(session, target, "merged_in", actor=actor, note=f"#{number}: {text}"[:NOTE_MAX], now=now)
    _touch(session, target, now)
    deliveries = [
        _tell_reporter(session, duplicate, "merged", now, into=into, agent=target.agent_id)
    ]
    told = _tell_agent(
        session, target, "merged_in", now, by=actor, duplicate=number, reason=text[:500]
    )
    if told:
        deliveries.append(told)
    return Outcome(duplicate, deliveries)


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
