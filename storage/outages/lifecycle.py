"""An outage's life: declared (from a proposal, a ticket's card or `/lapor gangguan #N`),
updates to everyone affected, "me too" from the Home tab, a report taken back out as a
ticket of its own, and one resolution for all.

Each operation runs in the caller's transaction, checks who may act, and a second click
finds the state already moved (AlreadyDone says by whom), so nothing is sent twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from storage import claims, outbox, people
from storage.errors import DomainError
from storage.models import (
    Delivery,
    Outage,
    OutageMember,
    OutageProposal,
    OutageUpdate,
    Person,
    Resource,
    Ticket,
)
from storage.outages import links
from storage.outages.messages import (
    T_RESOLVED,
    T_SUMMARY,
    T_UPDATE,
    broadcast,
    enqueue_card,
    enqueue_notice,
    proposal_prefix,
    redrawn,
)
from storage.outages.proposals import containing
from storage.tables import TICKET, TICKET_EVENT, connection, for_update
from storage.tickets.access import is_admin
from storage.tickets.core import AlreadyDone, Outcome, add_event, assign, last_event, locked, touch
from storage.tickets.filing import route
from storage.tickets.messages import T_HOME, T_MIRROR, enqueue_message
from storage.tickets.messages import enqueue_card as enqueue_ticket_card
from storage.types import (
    NOTE_MAX,
    OPEN_STATES,
    OUTAGE_ACTIVE,
    OUTAGE_RESOLVED,
    OUTAGE_TITLE_MAX,
    PROPOSAL_DECLARED,
    PROPOSAL_DISMISSED,
    PROPOSAL_OPEN,
    STATE_OUTAGE,
    STATE_RESOLVED,
)


@dataclass
class Change:
    """What an outage operation did: the outage, the rows to send, the messages already
    posted that must be redrawn (tickets' messages, and key prefixes), and how many affected
    people an update or the resolution goes to."""

    outage_id: int | None
    deliveries: list[int] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    told: int = 0


def _may_run(session: Session, actor: str) -> None:
    if people.agent_tier(session, actor) is None and not is_admin(session, actor):
        raise DomainError("outage.agents_only")


def _locked(session: Session, outage_id: int) -> Outage:
    """The outage under an exclusive lock: reports linking to it (which hold a key-share
    lock) finish first, and later ones wait, then find it resolved."""
    query = select(Outage).where(Outage.id == outage_id)
    outage = session.exec(query.with_for_update().execution_options(populate_existing=True)).first()
    if outage is None:
        raise DomainError("outage.unknown", number=outage_id)
    return outage


def _owner_or_admin(session: Session, outage: Outage, actor: str) -> None:
    if actor != outage.owner_id and not is_admin(session, actor):
        raise DomainError("outage.owner_only", number=outage.id, agent=outage.owner_id)


def _default_title(session: Session, resource_id: int | None, first: Ticket) -> str:
    if resource_id is not None:
        resource = session.get(Resource, resource_id)
        if resource is not None:
            return resource.name
    return first.summary


def _locked_proposal(session: Session, proposal_id: int) -> OutageProposal:
    proposal = session.exec(
        for_update(select(OutageProposal).where(OutageProposal.id == proposal_id))
    ).first()
    if proposal is None:
        raise DomainError("outage.unknown_proposal", number=proposal_id)
    return proposal


def _refuse_decided(proposal: OutageProposal, now: datetime) -> None:
    """A proposal already declared or marked not related: AlreadyDone saying by whom."""
    by, at = proposal.decided_by or "-", proposal.decided_at or now
    if proposal.state == PROPOSAL_DECLARED:
        raise AlreadyDone("outage.already_declared", number=proposal.outage_id, by=by, at=at)
    if proposal.state == PROPOSAL_DISMISSED:
        raise AlreadyDone("outage.already_dismissed", by=by, at=at)


def declare(
    *,
    session: Session,
    actor: str,
    now: datetime,
    proposal_id: int | None = None,
    ticket_id: int | None = None,
    title: str | None = None,
    triage_channel: str | None = None,
) -> Change:
    """Declare an outage from a proposal (all its reports) or from a ticket (with the
    proposal it is part of, if any); the declaring agent owns it. Twice: AlreadyDone."""
    _may_run(session, actor)
    proposal: OutageProposal | None = None
    ticket: Ticket | None = None
    numbers: list[int] = []
    if ticket_id is not None:
        ticket = locked(session, ticket_id)
        if ticket.outage_id is not None:
            raise AlreadyDone("outage.ticket_linked", number=ticket_id, outage=ticket.outage_id)
        if ticket.state not in OPEN_STATES:
            raise DomainError("outage.ticket_closed", number=ticket_id)
        found = containing(session, ticket_id)
        proposal = _locked_proposal(session, found.id or 0) if found else None
        numbers = [ticket_id]
    if proposal_id is not None:
        proposal = _locked_proposal(session, proposal_id)
    if proposal is not None:
        _refuse_decided(proposal, now)
        numbers = sorted({*proposal.tickets, *numbers})
    resource_id = proposal.resource_id if proposal else None
    if resource_id is None and ticket is not None:
        resource_id = ticket.resource_id
    # Other open proposals on the same resource are the same outage: their reports join it
    # too, so none is left behind as separate tickets (nor its Declare refused later).
    same_resource = (
        session.exec(
            for_update(
                select(OutageProposal).where(
                    OutageProposal.state == PROPOSAL_OPEN,
                    OutageProposal.resource_id == resource_id,
                    col(OutageProposal.id) != (proposal.id if proposal else None),
                )
            )
        ).all()
        if resource_id is not None
        else []
    )
    numbers = sorted({*numbers, *(n for p in same_resource for n in p.tickets)})
    reports = [
        t
        for t in session.exec(
            for_update(select(Ticket).where(col(Ticket.id).in_(numbers)).order_by(col(Ticket.id)))
        ).all()
        if t.state in OPEN_STATES and t.outage_id is None
    ]
    if not reports:
        raise DomainError("outage.nothing_open")
    if resource_id is not None:
        # one outage per resource: a declaration from another ticket waits here, then sees it
        session.exec(for_update(select(Resource.id).where(Resource.id == resource_id))).first()
        running = session.exec(
            select(Outage.id).where(
                Outage.state == OUTAGE_ACTIVE, Outage.resource_id == resource_id
            )
        ).first()
        if running is not None:
            raise AlreadyDone("outage.resource_running", number=running)
    title = " ".join((title or "").split())[:OUTAGE_TITLE_MAX] or _default_title(
        session, resource_id, reports[0]
    )
    outage = Outage(
        title=title,
        state=OUTAGE_ACTIVE,
        owner_id=actor,
        resource_id=resource_id,
        match_text="\n".join(
            " ".join(x for x in (t.summary, t.details or "") if x)
            for t in reports[: links.MATCH_TEXTS]
        ),
        first_report_at=min(t.created_at for t in reports),
        declared_at=now,
    )
    session.add(outage)
    session.flush()
    assert outage.id is not None
    change = Change(outage.id)
    for ticket in reports:
        ticket.state, ticket.outage_id, ticket.agent_id = STATE_OUTAGE, outage.id, actor
        add_event(
            session, ticket, "linked", actor=actor, agent=actor, note=f"outage {outage.id}", now=now
        )
        touch(session, ticket, now)
        links.join(session, outage.id, ticket.reporter_id, ticket_id=ticket.id, now=now)
        session.flush()
        change.deliveries.append(
            enqueue_notice(session, outage.id, ticket.id or 0, ticket.reporter_id, now)
        )
        change.tickets.append(ticket.id or 0)
    for decided in [*([proposal] if proposal else []), *same_resource]:
        decided.state, decided.decided_by, decided.decided_at = PROPOSAL_DECLARED, actor, now
        decided.outage_id = outage.id
        session.add(decided)
        change.prefixes.append(proposal_prefix(decided.id or 0))
    change.deliveries[:0] = enqueue_card(session, outage.id, actor, triage_channel, now)
    return change


def dismiss(*, session: Session, proposal_id: int, actor: str, now: datetime) -> Change:
    """ "Not related": the proposal's cluster is silenced (later reports join it quietly)."""
    _may_run(session, actor)
    proposal = _locked_proposal(session, proposal_id)
    _refuse_decided(proposal, now)
    proposal.state, proposal.decided_by, proposal.decided_at = PROPOSAL_DISMISSED, actor, now
    session.add(proposal)
    return Change(None, prefixes=[proposal_prefix(proposal_id)])


def post_update(
    *, session: Session, outage_id: int, actor: str, text: str, now: datetime
) -> Change:
    """The owner's update, to every affected person once."""
    outage = _locked(session, outage_id)
    _owner_or_admin(session, outage, actor)
    if outage.state != OUTAGE_ACTIVE:
        raise DomainError("outage.not_active", number=outage_id)
    text = text.strip()
    if not text:
        raise DomainError("outage.update_empty")
    if len(text) > NOTE_MAX:
        raise DomainError("outage.update_too_long", limit=NOTE_MAX)
    posted = OutageUpdate(outage_id=outage_id, author_id=actor, text=text, created_at=now)
    session.add(posted)
    outage.version += 1
    session.add(outage)
    session.flush()
    change = Change(outage_id, prefixes=redrawn(outage_id))
    change.deliveries = broadcast(
        session,
        outage_id,
        what=f"update:{posted.id}",
        members=_reachable_members(session, outage_id),
        template=T_UPDATE,
        params={"update": posted.id},
        now=now,
    )
    change.told = len(change.deliveries)
    return change


def resolve(
    *,
    session: Session,
    outage_id: int,
    actor: str,
    note: str,
    now: datetime,
    triage_channel: str | None = None,
) -> Change:
    """Resolved once: every linked report resolved (each with its own Reopen), resource
    claims released, every affected person told once, the triage channel given a summary."""
    outage = _locked(session, outage_id)
    _owner_or_admin(session, outage, actor)
    if outage.state == OUTAGE_RESOLVED:
        raise AlreadyDone(
            "outage.already_resolved",
            number=outage_id,
            by=outage.resolved_by or "-",
            at=outage.resolved_at or now,
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError("outage.update_too_long", limit=NOTE_MAX)
    outage.state, outage.resolved_at, outage.resolved_by = OUTAGE_RESOLVED, now, actor
    outage.resolution = note or None
    outage.version += 1
    session.add(outage)
    conn = connection(session)
    # Hundreds of reports: a few statements, not hundreds of ORM round trips; only reports
    # still linked (one taken out at this moment keeps its own ticket).
    numbers: list[int] = [
        n
        for n in conn.execute(
            update(Ticket)
            .where(col(Ticket.outage_id) == outage_id, col(Ticket.state) == STATE_OUTAGE)
            .values(
                state=STATE_RESOLVED,
                resolved_by=outage.owner_id,
                resolution=note or None,
                version=Ticket.version + 1,
                updated_at=now,
            )
            .returning(TICKET.c.id)
        ).scalars()
    ]
    if numbers:
        conn.execute(
            insert(TICKET_EVENT),
            [
                {
                    "ticket_id": n,
                    "actor_id": actor,
                    "kind": "resolved",
                    "agent_id": outage.owner_id,
                    "note": note or None,
                    "created_at": now,
                }
                for n in numbers
            ],
        )
        claims.release_tickets(session, numbers, now=now, reason="resolved")
        session.expire_all()
    change = Change(
        outage_id, tickets=_with_messages(session, numbers), prefixes=redrawn(outage_id)
    )
    change.deliveries = broadcast(
        session,
        outage_id,
        what="resolved",
        members=_reachable_members(session, outage_id),
        template=T_RESOLVED,
        now=now,
    )
    change.told = len(change.deliveries)
    if triage_channel:
        change.deliveries.append(
            outbox.enqueue(
                session,
                key=f"outage:{outage_id}:summary",
                recipient=triage_channel,
                template=T_SUMMARY,
                params={"outage": outage_id},
                now=now,
            )
        )
    return change


def _reachable_members(session: Session, outage_id: int) -> list[tuple[str, int | None]]:
    """Who hears an outage's news: every affected person, except people who have left
    (deactivated in Slack, or by `people sync`)."""
    rows = session.exec(
        select(OutageMember.slack_id, OutageMember.ticket_id)
        .join(Person, col(Person.slack_id) == col(OutageMember.slack_id), isouter=True)
        .where(OutageMember.outage_id == outage_id, col(Person.active).is_not(False))
        .order_by(col(OutageMember.joined_at), col(OutageMember.slack_id))
    ).all()
    return [(str(s), t) for s, t in rows]


def _with_messages(session: Session, numbers: list[int]) -> list[int]:
    """Of these tickets, those with messages already posted (a card, a ticket DM): the
    reports linked when the outage was declared. Reports linked later have none."""
    if not numbers:
        return []
    found = session.exec(
        select(Delivery.ticket_id).where(col(Delivery.ticket_id).in_(numbers)).distinct()
    ).all()
    return sorted(int(n) for n in found if n is not None)


def different(
    *, session: Session, number: int, actor: str, now: datetime, triage_channel: str | None = None
) -> Outcome:
    """ "My problem is different": the reporter's linked report becomes a ticket of its own,
    routed like any new report (their agent, else a rotation turn)."""
    seen = session.get(Ticket, number)
    if seen is not None and seen.outage_id is not None:
        # the outage's shared lock before the ticket's, as a report filing takes them: a
        # resolve under way finishes first (then this report is resolved, not taken out)
        links.still_active(session, seen.outage_id)
    ticket = locked(session, number)
    if actor != ticket.reporter_id:
        raise DomainError("outage.not_your_report", number=number)
    if ticket.state != STATE_OUTAGE:
        if last_event(session, ticket, "unlinked") is not None:
            raise AlreadyDone("outage.already_separate", number=number)
        raise DomainError("outage.report_closed", number=number)
    outage_id = ticket.outage_id or 0
    ticket.outage_id = None
    add_event(session, ticket, "unlinked", actor=actor, note=f"outage {outage_id}", now=now)
    assign(session, ticket, route(session, ticket.reporter_id), actor=None, now=now)
    touch(session, ticket, now)
    others = session.exec(
        select(Ticket.id).where(
            Ticket.outage_id == outage_id,
            Ticket.reporter_id == actor,
            Ticket.state == STATE_OUTAGE,
        )
    ).first()
    member = session.get(OutageMember, (outage_id, actor))
    if member is not None and others is None:
        session.delete(member)
    elif member is not None and member.ticket_id == number:
        member.ticket_id = others  # their Reopen, later, is for the report still linked
        session.add(member)
    deliveries = enqueue_ticket_card(session, ticket, now) if ticket.agent_id else []
    deliveries.append(
        enqueue_message(session, ticket, key="home", recipient=actor, template=T_HOME, now=now)
    )
    if triage_channel:
        deliveries.append(
            enqueue_message(
                session, ticket, key="mirror", recipient=triage_channel, template=T_MIRROR, now=now
            )
        )
    session.flush()
    due = links.card_due(session, outage_id, now=now)
    return Outcome(ticket, deliveries, outage=outage_id, card_due=due)


def me_too(*, session: Session, outage_id: int, actor: str, now: datetime) -> datetime | None:
    """Someone who did not report it says it hurts them too: they hear the fix. Returns
    when the owner's card is redrawn, if this asked for it."""
    if session.get(Outage, outage_id) is None:
        raise DomainError("outage.unknown", number=outage_id)
    if links.still_active(session, outage_id) is None:
        raise DomainError("outage.not_active", number=outage_id)
    people.ensure_locked(session, actor, now=now)
    if not links.join(session, outage_id, actor, ticket_id=None, now=now):
        raise AlreadyDone("outage.already_affected", number=outage_id)
    session.flush()
    return links.card_due(session, outage_id, now=now)


def check_owner(session: Session, outage_id: int, actor: str) -> None:
    """Before a modal opens: the outage is active and `actor` runs it (or is an admin)."""
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise DomainError("outage.unknown", number=outage_id)
    _owner_or_admin(session, outage, actor)
    if outage.state != OUTAGE_ACTIVE:
        raise AlreadyDone(
            "outage.already_resolved",
            number=outage_id,
            by=outage.resolved_by or "-",
            at=outage.resolved_at or outage.declared_at,
        )
