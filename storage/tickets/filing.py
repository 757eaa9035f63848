"""Intake: a filing handled once per source key, repeats of the reporter's open ticket, routing by resource, the rotation turn."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import people, resources, rotation
from storage.errors import DomainError
from storage.matching import DEFAULT_THRESHOLDS, Report, Thresholds, is_repeat
from storage.models import (
    OPEN_STATES,
    STATE_IN_PROGRESS,
    STATE_OPEN,
    Resource,
    Ticket,
    TicketSource,
)
from storage.tables import (
    TICKET,
    TICKET_EVENT,
    TICKET_SOURCE,
    connection,
    for_update,
    inserted_id,
    read_only,
)
from storage.tickets.core import (
    REPEAT_WINDOW,
    Outcome,
    add_event,
    assignment_of,
    event_row,
    get,
    locked,
    touch,
)
from storage.tickets.messages import T_MIRROR, enqueue_card, enqueue_message, tell_agent
from storage.types import CATEGORIES, LOCATION_MAX, NOTE_MAX, URGENCIES

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
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
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
        if is_repeat(report, old, thresholds=thresholds):
            return get(session, int(number))
    return None


def _attach(
    session: Session, ticket: Ticket, *, reporter_id: str, text: str, source_key: str, now: datetime
) -> Outcome:
    """A repeat joins the open ticket: no new agent, one short DM to the one it has."""
    assert ticket.id is not None
    ticket.repeats += 1
    add_event(session, ticket, "followup", actor=reporter_id, note=text[:NOTE_MAX], now=now)
    touch(session, ticket, now)
    session.add(
        TicketSource(source_key=source_key, ticket_id=ticket.id, repeat=True, created_at=now)
    )
    told = tell_agent(
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
    repeat_thresholds: Thresholds = DEFAULT_THRESHOLDS,
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
        target = locked(session, into)
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
            thresholds=repeat_thresholds,
        )
        # Read again under the lock: an agent may have closed it since it was matched, and
        # a closed ticket takes no follow-up (the report is filed as a new ticket instead).
        current = locked(session, repeat.id or 0) if repeat is not None else None
        if current is not None and current.state in OPEN_STATES:
            return _attach(
                session, current, reporter_id=reporter_id, text=text, source_key=source_key, now=now
            )
    holder = _resource_holder(session, resource_id, reporter_id) if resource_id else None
    # The same resource already being worked on: its agent, and no rotation turn used.
    agent = holder.agent_id if holder else rotation.take_turn(session, 1, exclude={reporter_id})
    state, assigned = assignment_of(agent)
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
    events = [event_row(number, "filed", actor=reporter_id, now=now)]
    events.append(event_row(number, assigned, agent=agent, now=now))
    if holder is not None:
        events.append(event_row(number, "related", agent=agent, note=f"#{holder.id}", now=now))
    conn.execute(_ADD_EVENT, events)
    if holder is not None:
        holder_locked = locked(session, holder.id or 0)
        if holder_locked.related_to is None:
            holder_locked.related_to = number
        add_event(
            session,
            holder_locked,
            "related",
            actor=None,
            agent=holder.agent_id,
            note=f"#{number}",
            now=now,
        )
        touch(session, holder_locked, now)
    deliveries = [enqueue_card(session, ticket, now, fresh=True)] if agent else []
    if triage_channel:
        deliveries.append(
            enqueue_message(
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
