"""The `sla` job's work: find the open tickets whose service-level warning or breach is due,
send each once (the alert row is the claim; the ticket is locked while it is decided), mark a
breached ticket, tell its agent in the card's thread and the helpdesk leads, and (with
REKAN_SLA_REASSIGN) hand a tier-1 ticket whose first response breached to the next agent."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, or_, update
from sqlmodel import Session, col, select

from storage import campaigns, claims, hours, people, rotation
from storage.models import OPEN_STATES, SlaAlert, Ticket, TicketEvent, TicketMessage
from storage.sla import ALERTS, OWN_CLOCK, Policy, Status, Target, has_own_clock, status
from storage.tables import TICKET, connection

__all__ = ["ALERTS", "Policy"]
from storage.tickets.core import assign, locked
from storage.tickets.messages import card_key, enqueue_card, enqueue_message, tell_reporter
from storage.types import ROLE_HELPDESK_LEAD, EventRecord, SlaView, TicketRecord
from storage.worktime import DeskClock

T_SLA = "ticket.sla"  # a warning or breach notice to the agent or a helpdesk lead
SWEEP_LIMIT = 500  # tickets decided per run; the rest the next minute


class DeskSettings(Protocol):
    """The settings the desk's clock is made of (bot.config.Settings has them)."""

    @property
    def tz(self) -> ZoneInfo: ...
    @property
    def desk_days(self) -> frozenset[int]: ...
    @property
    def desk_opens(self) -> int: ...
    @property
    def desk_closes(self) -> int: ...
    @property
    def desk_holidays(self) -> bool: ...
    @property
    def cuti_bersama(self) -> bool: ...
    @property
    def sla(self) -> Mapping[str, Target]: ...


def policy_of(session: Session, settings: DeskSettings) -> Policy:
    """The desk's clock with the company's days off and the dated periods from the store."""
    off: Collection[date] = frozenset(campaigns.days_off(session))
    clock = DeskClock(
        tz=settings.tz,
        days=settings.desk_days,
        opens=settings.desk_opens,
        closes=settings.desk_closes,
        holidays=settings.desk_holidays,
        cuti_bersama=settings.cuti_bersama,
        days_off=off,
        periods=tuple(hours.periods(session)),
    )
    return Policy(clock, settings.sla)


def first_replies(session: Session, numbers: Collection[int]) -> dict[int, datetime]:
    """The first agent message in each ticket's thread (internal notes are not replies)."""
    if not numbers:
        return {}
    rows = session.exec(
        select(TicketMessage.ticket_id, func.min(TicketMessage.created_at))
        .where(col(TicketMessage.ticket_id).in_(sorted(numbers)), TicketMessage.kind == "agent")
        .group_by(col(TicketMessage.ticket_id))
    ).all()
    return {int(n): _aware(at) for n, at in rows if at is not None}


def _aware(moment: datetime) -> datetime:
    # an aggregate bypasses the column type: SQLite gives it back naive (and UTC)
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _events(session: Session, number: int) -> Sequence[TicketEvent]:
    return session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == number).order_by(col(TicketEvent.id))
    ).all()


def ticket_status(session: Session, policy: Policy, ticket: Ticket) -> Status:
    number = ticket.id or 0
    reply = first_replies(session, [number]).get(number)
    return status(policy, ticket, _events(session, number), reply)


def view_of(
    session: Session, policy: Policy, ticket: TicketRecord, events: Sequence[EventRecord]
) -> SlaView | None:
    """What the card and the reporter's DM show; None for a ticket without a clock or closed."""
    if not has_own_clock(ticket) or ticket.state not in OPEN_STATES:
        return None
    number = ticket.id or 0
    reply = first_replies(session, [number]).get(number)
    return status(policy, ticket, events, reply).view(ticket.sla_breached)


def views_of(
    session: Session,
    policy: Policy,
    shown: Sequence[tuple[TicketRecord, Sequence[EventRecord]]],
) -> dict[int, SlaView | None]:
    """view_of() of several tickets (a renderer's batch), their first replies read together."""
    counted = [(t, e) for t, e in shown if has_own_clock(t) and t.state in OPEN_STATES]
    replies = first_replies(session, [t.id or 0 for t, _ in counted])
    found: dict[int, SlaView | None] = {t.id or 0: None for t, _ in shown}
    for ticket, events in counted:
        number = ticket.id or 0
        found[number] = status(policy, ticket, events, replies.get(number)).view(
            ticket.sla_breached
        )
    return found


@dataclass
class Swept:
    alerts: list[tuple[int, str]] = field(default_factory=list)  # (ticket, kind) sent now
    deliveries: list[int] = field(default_factory=list)
    refresh: list[int] = field(default_factory=list)  # tickets whose messages to redraw
    reassigned: list[int] = field(default_factory=list)


def _candidates(session: Session, now: datetime, limit: int) -> list[int]:
    """Open tickets with a clock that changed since last planned, or whose next alert is due."""
    query = (
        select(Ticket.id)
        .where(
            col(Ticket.state).in_(OPEN_STATES),
            OWN_CLOCK,
            or_(
                col(Ticket.sla_version).is_(None),
                col(Ticket.sla_version) != col(Ticket.version),
                col(Ticket.sla_next_at) <= now,
            ),
        )
        .order_by(col(Ticket.id))
        .limit(limit)
    )
    return [int(n) for n in session.exec(query).all() if n is not None]


@dataclass(frozen=True)
class Plan:
    """What one ticket needs, as read: the alerts due now (not yet sent) and the moment of its
    next one; `version` is the ticket's as read, so a plan for a ticket changed since is moot."""

    number: int
    version: int
    due: tuple[str, ...]
    next_at: datetime | None


def plan(
    *, session: Session, policy: Policy, now: datetime, limit: int = SWEEP_LIMIT
) -> list[Plan]:
    """A read: the candidates, their timelines read together, what each needs."""
    numbers = _candidates(session, now, limit)
    if not numbers:
        return []
    found = session.exec(select(Ticket).where(col(Ticket.id).in_(numbers))).all()
    events: dict[int, list[TicketEvent]] = {}
    for e in session.exec(
        select(TicketEvent)
        .where(col(TicketEvent.ticket_id).in_(numbers))
        .order_by(col(TicketEvent.id))
    ).all():
        events.setdefault(e.ticket_id, []).append(e)
    replies = first_replies(session, numbers)
    sent: dict[int, set[str]] = {}
    for number, kind in session.exec(
        select(SlaAlert.ticket_id, SlaAlert.kind).where(col(SlaAlert.ticket_id).in_(numbers))
    ).all():
        sent.setdefault(number, set()).add(kind)
    plans = []
    for ticket in sorted(found, key=lambda t: t.id or 0):
        number = ticket.id or 0
        if ticket.state not in OPEN_STATES or not has_own_clock(ticket):
            plans.append(Plan(number, ticket.version, (), None))
            continue
        pending = _pending(
            status(policy, ticket, events.get(number, []), replies.get(number)),
            sent.get(number, set()),
        )
        due = tuple(k for k, at in pending.items() if at <= now)
        future = [at for k, at in pending.items() if k not in due]
        plans.append(Plan(number, ticket.version, due, min(future, default=None)))
    return plans


def _pending(found: Status, sent: Collection[str]) -> dict[str, datetime]:
    return {k: at for k, at in found.moments().items() if at is not None and k not in sent}


_SAVE = (
    update(TICKET)
    .where(TICKET.c.id == bindparam("number"), TICKET.c.version == bindparam("seen"))
    .values(sla_next_at=bindparam("next_at"), sla_version=bindparam("seen"))
)


def save(*, session: Session, plans: Sequence[Plan]) -> None:
    """The next moment of each planned ticket with nothing due, unless it changed since it was
    read (then it is planned again the next minute). One short write, whatever the count."""
    rows = [
        {"number": p.number, "seen": p.version, "next_at": p.next_at} for p in plans if not p.due
    ]
    if rows:
        connection(session).execute(_SAVE, rows)


def alert(
    *,
    session: Session,
    policy: Policy,
    number: int,
    now: datetime,
    reassign: bool = False,
    leads: Sequence[str] = (),
) -> Swept:
    """One ticket whose alerts are due, decided under its lock: a second instance waits, then
    finds the alert rows and sends nothing."""
    done = Swept()
    ticket = locked(session, number)
    if ticket.state not in OPEN_STATES or not has_own_clock(ticket):
        ticket.sla_next_at, ticket.sla_version = None, ticket.version
        session.add(ticket)
        return done
    sent = set(session.exec(select(SlaAlert.kind).where(SlaAlert.ticket_id == number)).all())
    pending = _pending(ticket_status(session, policy, ticket), sent)
    due = [k for k, at in pending.items() if at <= now]
    for kind in due:
        session.add(SlaAlert(ticket_id=number, kind=kind, created_at=now))
        done.alerts.append((number, kind))
        # a warning whose breach is due too (the job was down) goes unsaid: the breach says it
        stage = kind.split("_")[0]
        if kind.endswith("warning") and f"{stage}_breach" in due:
            continue
        done.deliveries += _notices(session, ticket, kind, leads, now)
    if due:
        if any(k.endswith("breach") for k in due):
            ticket.sla_breached = True
        if reassign and "response_breach" in due and ticket.tier == 1:
            done.deliveries += _reassign(session, ticket, now)
            if ticket.agent_id:
                done.reassigned.append(number)
        # the card and the reporter's DM show the warning or the breach: a new version
        ticket.version += 1
        done.refresh.append(number)
    future = [at for k, at in pending.items() if k not in due]
    ticket.sla_next_at = min(future, default=None)
    ticket.sla_version = ticket.version
    session.add(ticket)
    session.flush()
    return done


def helpdesk_leads(session: Session) -> list[str]:
    return [p.slack_id for _, p in people.list_role(session, ROLE_HELPDESK_LEAD)]


def sweep(*, session: Session, policy: Policy, now: datetime, reassign: bool = False) -> Swept:
    """plan, save and alert in one transaction (the `sla` job splits them: a read, one short
    write, then one short write per ticket with something due)."""
    plans = plan(session=session, policy=policy, now=now)
    save(session=session, plans=plans)
    done = Swept()
    leads = helpdesk_leads(session)
    for due in (p for p in plans if p.due):
        part = alert(
            session=session,
            policy=policy,
            number=due.number,
            now=now,
            reassign=reassign,
            leads=leads,
        )
        done.alerts += part.alerts
        done.deliveries += part.deliveries
        done.refresh += part.refresh
        done.reassigned += part.reassigned
    return done


def _notices(
    session: Session, ticket: Ticket, kind: str, leads: Sequence[str], now: datetime
) -> list[int]:
    """The agent in the card's thread; on a breach, each helpdesk lead too."""
    sent: list[int] = []
    number = ticket.id or 0
    if ticket.agent_id:
        sent.append(
            enqueue_message(
                session,
                ticket,
                key=f"sla:{kind}:{ticket.agent_id}",
                recipient=ticket.agent_id,
                template=T_SLA,
                now=now,
                params={"what": kind, "thread": card_key(session, number, ticket.agent_id)},
            )
        )
    if kind.endswith("breach"):
        for lead in leads:
            if lead == ticket.agent_id:
                continue
            sent.append(
                enqueue_message(
                    session,
                    ticket,
                    key=f"sla:{kind}:{lead}",
                    recipient=lead,
                    template=T_SLA,
                    now=now,
                    params={"what": kind, "lead": True},
                )
            )
    return sent


def _reassign(session: Session, ticket: Ticket, now: datetime) -> list[int]:
    """REKAN_SLA_REASSIGN: the next available tier-1 agent takes over (none: it stays)."""
    exclude = {ticket.reporter_id, *([ticket.agent_id] if ticket.agent_id else [])}
    agent = rotation.take_turn(session, 1, exclude=exclude)
    if agent is None:
        return []
    assign(session, ticket, agent, actor=None, now=now)
    claims.hand_over(session, ticket, agent, now=now)
    ticket.version += 1
    session.add(ticket)
    session.flush()
    return [
        *enqueue_card(session, ticket, now),
        tell_reporter(session, ticket, "assigned", now, agent=agent),
    ]
