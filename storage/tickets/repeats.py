"""Repeats of the same reporter's open ticket: which one a report repeats and how sure the
matcher is, a silent join (which keeps the report, so it can be split out again), and the
reporter's answer to a suggestion ("same problem as #N")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from storage.errors import DomainError, NotFound
from storage.matching import DEFAULT_THRESHOLDS, Report, Thresholds, Verdict, judge
from storage.models import OPEN_STATES, Ticket, TicketSource
from storage.tables import TICKET, connection, for_update
from storage.tickets import waiting
from storage.tickets.core import REPEAT_WINDOW, AlreadyDone, Outcome, add_event, locked, touch
from storage.tickets.messages import tell_agent, tell_reporter
from storage.tickets.workflow import merge_into
from storage.types import NOTE_MAX

_CANDIDATES = (
    sa_select(
        TICKET.c.id, TICKET.c.summary, TICKET.c.details, TICKET.c.category, TICKET.c.resource_id
    )
    .where(
        TICKET.c.reporter_id == bindparam("reporter"),
        TICKET.c.state.in_(OPEN_STATES),
        TICKET.c.updated_at >= bindparam("since"),
    )
    .order_by(TICKET.c.updated_at.desc(), TICKET.c.id.desc())
)
_RANK = {Verdict.CERTAIN: 2, Verdict.PLAUSIBLE: 1, Verdict.DIFFERENT: 0}


@dataclass(frozen=True)
class Match:
    """The open ticket a report may repeat, and how sure the matcher is."""

    number: int
    verdict: Verdict  # certain or plausible


def find_repeat(
    session: Session,
    *,
    reporter_id: str,
    report: Report,
    now: datetime,
    window: timedelta = REPEAT_WINDOW,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Match | None:
    """The reporter's open ticket (filed or updated within `window`) this report most likely
    repeats: a certain match before a plausible one, the most recently active first."""
    candidates = connection(session).execute(
        _CANDIDATES, {"reporter": reporter_id, "since": now - window}
    )
    best: Match | None = None
    for number, summary, details, category, resource_id in candidates.all():
        old = Report(
            " ".join(x for x in (summary, details or "") if x),
            category,
            frozenset({resource_id}) if resource_id else frozenset(),
        )
        verdict = judge(report, old, thresholds).verdict
        if verdict != Verdict.DIFFERENT and (best is None or _RANK[verdict] > _RANK[best.verdict]):
            best = Match(int(number), verdict)
            if verdict == Verdict.CERTAIN:
                break
    return best


def attach(
    session: Session,
    ticket: Ticket,
    *,
    reporter_id: str,
    fields: dict[str, Any],
    source_key: str,
    now: datetime,
) -> Outcome:
    """A repeat joins the open ticket: no new agent, one short DM to the one it has. The
    report is kept with its source, so "not the same problem" can file it whole later."""
    assert ticket.id is not None
    text = " ".join(x for x in (fields.get("summary"), fields.get("details")) if x)
    ticket.repeats += 1
    add_event(session, ticket, "followup", actor=reporter_id, note=text[:NOTE_MAX], now=now)
    # the reporter spoke: a ticket waiting for them is back in progress (the notice below
    # tells the agent)
    waiting.reporter_wrote(session=session, ticket=ticket, actor=reporter_id, now=now, tell=False)
    touch(session, ticket, now)
    session.add(
        TicketSource(
            source_key=source_key, ticket_id=ticket.id, repeat=True, report=fields, created_at=now
        )
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
    # in the reporter's ticket thread, with "Not the same problem" (the ack is ephemeral)
    joined = tell_reporter(session, ticket, "joined", now, split=source_key)
    return Outcome(ticket, [*([told] if told else []), joined], created=False, repeat=True)


def still_joined(session: Session, source_key: str) -> bool:
    """Whether the report filed with this key is still part of the ticket it joined."""
    source = session.get(TicketSource, source_key)
    return source is not None and source.repeat


@dataclass(frozen=True)
class Joined:
    """A silent join being split out: the ticket it joined and the report it took in."""

    ticket: Ticket
    fields: dict[str, Any]


def unjoin(*, session: Session, source_key: str, actor: str, now: datetime) -> Joined:
    """The reporter says a silent join was not the same problem: the join is undone on the
    ticket it joined (the caller files the report as a new ticket and calls `rejoined`).
    Refused for anyone but the reporter; a second click finds it split already."""
    source = session.exec(
        for_update(select(TicketSource).where(TicketSource.source_key == source_key))
    ).first()
    if source is None:
        raise NotFound("repeat.unknown")
    ticket = locked(session, source.ticket_id)
    if ticket.reporter_id != actor:
        raise DomainError("repeat.not_yours")
    if not source.repeat or source.report is None:
        raise AlreadyDone("repeat.already_split", number=source.ticket_id)
    ticket.repeats = max(0, ticket.repeats - 1)
    touch(session, ticket, now)
    return Joined(ticket, dict(source.report))


def rejoined(
    session: Session, *, source_key: str, joined: Joined, into: Outcome, actor: str, now: datetime
) -> None:
    """After `unjoin`: the source now names the new ticket, and both timelines say so."""
    new = into.ticket
    source = session.get(TicketSource, source_key)
    assert source is not None and new.id is not None
    source.ticket_id, source.repeat, source.report = new.id, False, None
    session.add(source)
    add_event(session, joined.ticket, "split", actor=actor, note=f"#{new.id}", now=now)
    add_event(session, new, "split_from", actor=actor, note=f"#{joined.ticket.id}", now=now)


def confirm_repeat(*, session: Session, number: int, actor: str, now: datetime) -> Outcome:
    """The reporter answers a suggestion: ticket `number` is the same problem as the one it
    may repeat, so it is merged into it and that ticket's agent is told."""
    duplicate = locked(session, number)
    if duplicate.reporter_id != actor:
        raise DomainError("repeat.not_yours")
    into = duplicate.possible_repeat_of
    if into is None:
        raise DomainError("repeat.no_suggestion", number=number)
    if duplicate.merged_into is not None:
        raise AlreadyDone("repeat.already_merged", number=number, into=duplicate.merged_into)
    if duplicate.state not in OPEN_STATES:
        raise DomainError("repeat.closed", number=number)
    target = locked(session, into)
    if target.state not in OPEN_STATES:
        raise DomainError("repeat.target_closed", number=number, into=into)
    return merge_into(session, duplicate, target, actor=actor, now=now)
