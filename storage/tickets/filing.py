"""Intake: a filing handled once per source key, repeats of the reporter's open ticket,\nrouting by resource, the reporter's own agent (affinity), the rotation turn."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import categories, people, resources, rotation
from storage.errors import DomainError
from storage.matching import DEFAULT_THRESHOLDS, Report, Thresholds, Verdict
from storage.models import (
    OPEN_STATES,
    Outage,
    Resource,
    Ticket,
)
from storage.outages import links, proposals
from storage.outages.proposals import DEFAULT_RULE, OutageRule
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
from storage.tickets.messages import T_MIRROR, enqueue_card, enqueue_home, enqueue_message
from storage.tickets.repeats import attach, find_repeat, rejoined, unjoin
from storage.types import HELD_STATES, LOCATION_MAX, STATE_OUTAGE, URGENCIES, priority_of

_SOURCE = sa_select(TICKET_SOURCE.c.ticket_id, TICKET_SOURCE.c.repeat).where(
    TICKET_SOURCE.c.source_key == bindparam("key")
)


def _source(session: Session, source_key: str) -> Outcome | None:
    """What an earlier delivery of the same filing did."""
    seen = connection(session).execute(_SOURCE, {"key": source_key}).first()
    if seen is None:
        return None
    ticket = get(session, int(seen[0]))
    return Outcome(ticket, [], created=False, repeat=bool(seen[1]), outage=ticket.outage_id)


def _resource_holder(session: Session, resource_id: int, reporter_id: str) -> Ticket | None:
    """An open ticket about the same resource whose agent is available to take this one too."""
    available = {a for tier in (1, 2) for _, a in rotation.available_agents(session, tier)}
    holders = session.exec(
        select(Ticket)
        .where(
            Ticket.resource_id == resource_id,
            col(Ticket.state).in_(HELD_STATES),
        )
        .order_by(col(Ticket.id))
    ).all()
    for holder in holders:
        if holder.agent_id in available and holder.agent_id != reporter_id:
            return holder
    return None


_REPORTERS_AGENTS = (
    sa_select(TICKET.c.agent_id)
    .where(
        TICKET.c.reporter_id == bindparam("reporter"),
        TICKET.c.state.in_(OPEN_STATES),
        TICKET.c.tier == bindparam("tier"),
        TICKET.c.agent_id.is_not(None),
    )
    .order_by(TICKET.c.updated_at.desc(), TICKET.c.id.desc())
)


def _available(session: Session, agent: str | None, reporter_id: str, tier: int = 1) -> str | None:
    """`agent`, if they are an available agent of `tier` (and not the reporter)."""
    if agent is None or agent == reporter_id:
        return None
    return agent if agent in {a for _, a in rotation.available_agents(session, tier)} else None


def route(session: Session, reporter_id: str, prefer_agent: str | None = None) -> str | None:
    """Who gets a new ticket of this reporter that no resource holder takes: the preferred
    agent if available, else the reporter's own agent (affinity), else a rotation turn."""
    return (
        _available(session, prefer_agent, reporter_id)
        or reporters_agent(session, reporter_id)
        or rotation.take_turn(session, 1, exclude={reporter_id})
    )


def reporters_agent(session: Session, reporter_id: str, tier: int = 1) -> str | None:
    """Affinity: the agent who has the reporter's most recent open ticket of `tier`, if that
    agent is available in the tier. Their next ticket goes to the same agent, so one
    complaint filed three times can never reach three agents, whatever the matcher says."""
    agents = connection(session).execute(_REPORTERS_AGENTS, {"reporter": reporter_id, "tier": tier})
    available = {agent for _, agent in rotation.available_agents(session, tier)}
    for (agent,) in agents.all():
        if agent in available and agent != reporter_id:
            return str(agent)
    return None


_ADD_TICKET = insert(TICKET)


_ADD_SOURCE = insert(TICKET_SOURCE)


_ADD_EVENT = insert(TICKET_EVENT)


def _insert(
    conn: Connection,
    fields: dict[str, str | None],
    *,
    source_key: str,
    reporter_id: str,
    state: str,
    agent: str | None,
    resource_id: int | None,
    now: datetime,
    tier: int = 1,
    related_to: int | None = None,
    possible_repeat_of: int | None = None,
    outage_id: int | None = None,
) -> Ticket:
    """The ticket row and its source, as Core statements: a filing is the hot path, and the
    ORM's unit of work costs several times the inserts themselves. Returns a read-only copy."""
    values = {
        **fields,
        "priority": priority_of(fields["urgency"]),
        "source_key": source_key,
        "reporter_id": reporter_id,
        "state": state,
        "tier": tier,
        "agent_id": agent,
        "resource_id": resource_id,
        "related_to": related_to,
        "merged_into": None,
        "possible_repeat_of": possible_repeat_of,
        "repeats": 0,
        "resolved_by": None,
        "resolution": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "outage_id": outage_id,
    }
    number = inserted_id(conn.execute(_ADD_TICKET, values))
    conn.execute(
        _ADD_SOURCE,
        {"source_key": source_key, "ticket_id": number, "repeat": False, "created_at": now},
    )
    return read_only(Ticket, {"id": number, **values})


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
    prefer_agent: str | None = None,
    outage_rule: OutageRule = DEFAULT_RULE,
) -> Outcome:
    """File a problem: a report of an active outage is linked to it; a repeat of the reporter's open ticket joins it; a problem about a
    resource an open ticket holds goes to that ticket's agent; a reporter with an open
    ticket gets its agent again; anything else goes to the next tier-1 agent. The same
    source_key is handled once."""
    earlier = _source(session, source_key)
    if earlier is not None:
        return earlier
    summary = summary.strip()
    if not summary:
        raise DomainError("ticket.summary_required")
    categories.check(session, category)
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
    fields = {
        "summary": summary,
        "details": details,
        "category": category,
        "location": location,
        "urgency": urgency,
    }
    if into is not None:
        target = locked(session, into)
        if target.reporter_id != reporter_id or target.state not in OPEN_STATES:
            raise DomainError("ticket.cannot_add", number=into)
        return attach(
            session, target, reporter_id=reporter_id, fields=fields, source_key=source_key, now=now
        )
    report = Report(text, category, frozenset({resource_id}) if resource_id else frozenset())
    outage = None if force_new else links.active_for(session, report, thresholds=repeat_thresholds)
    if outage is not None:
        return _linked(session, outage, fields, reporter_id, resource_id, source_key, now)
    suggested: int | None = None
    if not force_new:
        match = find_repeat(
            session,
            reporter_id=reporter_id,
            report=report,
            now=now,
            window=repeat_window,
            thresholds=repeat_thresholds,
        )
        # Read again under the lock: an agent may have closed it since it was matched, and
        # a closed ticket takes no follow-up (the report is filed as a new ticket instead).
        current = locked(session, match.number) if match is not None else None
        if current is not None and current.state in OPEN_STATES:
            if match is not None and match.verdict == Verdict.CERTAIN:
                return attach(
                    session,
                    current,
                    reporter_id=reporter_id,
                    fields=fields,
                    source_key=source_key,
                    now=now,
                )
            suggested = current.id  # plausible: filed anew, and the reporter is asked
    holder = _resource_holder(session, resource_id, reporter_id) if resource_id else None
    # The same resource already being worked on: its agent; else the agent who has this
    # reporter's open ticket; only then a rotation turn.
    agent = holder.agent_id if holder else route(session, reporter_id, prefer_agent)
    state, assigned = assignment_of(agent)
    conn = connection(session)
    ticket = _insert(
        conn,
        fields,
        source_key=source_key,
        reporter_id=reporter_id,
        state=state,
        agent=agent,
        resource_id=resource_id,
        now=now,
        tier=holder.tier if holder else 1,
        related_to=holder.id if holder else None,
        possible_repeat_of=suggested,
    )
    number = ticket.id or 0
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
    deliveries = enqueue_card(session, ticket, now, fresh=True) if agent else []
    deliveries.append(enqueue_home(session, ticket, now))
    if not force_new:
        deliveries += proposals.consider(
            session,
            ticket_id=number,
            reporter_id=reporter_id,
            agent=agent,
            report=report,
            now=now,
            triage_channel=triage_channel,
            rule=outage_rule,
            thresholds=repeat_thresholds,
        )
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
    return Outcome(ticket, deliveries, suggested=suggested)


def _linked(
    session: Session,
    outage: Outage,
    fields: dict[str, str | None],
    reporter_id: str,
    resource_id: int | None,
    source_key: str,
    now: datetime,
) -> Outcome:
    """File the report as linked to the active outage: a ticket row for the record (and the
    reporter's own Reopen later), but no card, no ticket DM and no rotation turn."""
    assert outage.id is not None
    conn = connection(session)
    ticket = _insert(
        conn,
        fields,
        source_key=source_key,
        reporter_id=reporter_id,
        state=STATE_OUTAGE,
        agent=outage.owner_id,
        resource_id=resource_id,
        now=now,
        outage_id=outage.id,
    )
    number = ticket.id or 0
    conn.execute(
        _ADD_EVENT,
        [
            event_row(number, "filed", actor=reporter_id, now=now),
            event_row(number, "linked", agent=outage.owner_id, note=f"outage {outage.id}", now=now),
        ],
    )
    deliveries = links.linked(session, outage, ticket_id=number, reporter_id=reporter_id, now=now)
    due = links.card_due(session, outage.id, now=now)
    return Outcome(ticket, deliveries, outage=outage.id, card_due=due)


def split_out(
    *,
    session: Session,
    source_key: str,
    actor: str,
    now: datetime,
    triage_channel: str | None = None,
) -> tuple[Outcome, int]:
    """Not the same problem: a report joined silently is filed whole as a new ticket, with
    the agent of the ticket it had joined (when available in tier 1), in one transaction.
    Returns the new ticket's outcome and the number of the ticket it had joined."""
    joined = unjoin(session=session, source_key=source_key, actor=actor, now=now)
    outcome = file_ticket(
        session=session,
        reporter_id=actor,
        summary=str(joined.fields.get("summary") or ""),
        details=joined.fields.get("details"),
        category=joined.fields.get("category"),
        location=joined.fields.get("location"),
        urgency=joined.fields.get("urgency"),
        source_key=f"split:{source_key}",
        now=now,
        triage_channel=triage_channel,
        force_new=True,
        prefer_agent=joined.ticket.agent_id,
    )
    rejoined(session, source_key=source_key, joined=joined, into=outcome, actor=actor, now=now)
    return outcome, joined.ticket.id or 0
