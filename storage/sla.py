"""Service levels: per-priority targets for the first response and the resolution, counted on
the helpdesk's working-time clock (storage.worktime), paused while a ticket waits for its
reporter; deadlines, the 75 % warning and the breach, each claimed once in the database."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import col

from storage.models import Ticket
from storage.types import (
    PRIORITIES,
    PRIORITY_DEFAULT,
    STATE_WAITING_REPORTER,
    EventRecord,
    SlaView,
    TicketRecord,
)
from storage.worktime import DeskClock, add_working, working_seconds

DEFAULT_SLA = "urgent=30m/4h,high=1h/1d,normal=4h/3d,low=1d/5d"
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


@dataclass(frozen=True)
class Target:
    """Working seconds to the first response and to the resolution of one priority."""

    first_response: int
    resolution: int


def parse_span(raw: str, day_seconds: int) -> int:
    """'30m', '4h', '1d' (a working day of the desk), '1d4h' → seconds; ValueError if not."""
    text = raw.strip().lower()
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(raw)
    days, hours, minutes = (int(g or 0) for g in match.groups())
    seconds = days * day_seconds + hours * 3600 + minutes * 60
    if seconds <= 0:
        raise ValueError(raw)
    return seconds


def parse_targets(raw: str, day_seconds: int) -> dict[str, Target]:
    """REKAN_SLA ('urgent=30m/4h,high=1h/1d,…') → targets by priority; a priority left out
    keeps its default. ValueError naming the faulty part when malformed: an unknown
    priority, a missing '/', a bad duration, a resolution sooner than the first response."""
    targets = _parse(DEFAULT_SLA, day_seconds)
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        priority, eq, spans = part.partition("=")
        priority = priority.strip().lower()
        first, slash, resolution = spans.partition("/")
        if not eq or not slash or priority not in PRIORITIES:
            raise ValueError(part)
        try:
            target = Target(parse_span(first, day_seconds), parse_span(resolution, day_seconds))
        except ValueError:
            raise ValueError(part) from None
        if target.resolution < target.first_response:
            raise ValueError(part)
        targets[priority] = target
    return targets


def _parse(raw: str, day_seconds: int) -> dict[str, Target]:
    found = {}
    for part in raw.split(","):
        priority, _, spans = part.partition("=")
        first, _, resolution = spans.partition("/")
        found[priority] = Target(
            parse_span(first, day_seconds), parse_span(resolution, day_seconds)
        )
    return found


# ---------------------------------------------------------------- the clock of one ticket

# Timeline events that stop the service-level clock (a wait for the reporter, a closing, a
# link to an outage: the outage has the one clock) and
# those that start it again (the reporter answered or the wait was cleared, a reopening, the
# report taken back out of the outage).
_STOPS = frozenset(
    {"waiting_reporter", "resolved", "resolved_no_answer", "cancelled", "merged", "linked"}
)
_STARTS = frozenset({"waiting_cleared", "reporter_replied", "reopened", "unlinked"})
# What the reporter sees from a person first: the agent takes the ticket, replies in its
# thread (storage.tickets.conversation), or resolves it outright.
_RESPONSES = frozenset({"taken", "resolved"})
WARN_SHARE = 0.75

Run = tuple[datetime, datetime | None]  # the clock ran from … to … (None: it still runs)


@dataclass(frozen=True)
class Policy:
    """The desk's clock and the targets by priority."""

    clock: DeskClock
    targets: Mapping[str, Target]

    def target(self, priority: str) -> Target:
        return self.targets.get(priority) or self.targets[PRIORITY_DEFAULT]


def runs(created_at: datetime, events: Sequence[EventRecord]) -> list[Run]:
    """When the ticket's clock ran: from filing, stopped while it waits for its reporter and
    while it is closed."""
    found: list[Run] = []
    since: datetime | None = created_at
    for event in events:
        if event.kind in _STOPS and since is not None:
            found.append((since, max(since, event.created_at)))
            since = None
        elif event.kind in _STARTS and since is None:
            since = event.created_at
    if since is not None:
        found.append((since, None))
    return found


def _until(found: Sequence[Run], moment: datetime) -> list[Run]:
    """The runs cut at `moment`."""
    cut: list[Run] = []
    for start, end in found:
        if start >= moment:
            break
        cut.append((start, moment if end is None or end > moment else end))
    return cut


def reached(clock: DeskClock, found: Sequence[Run], seconds: float) -> datetime | None:
    """The moment the clock reached `seconds` of working time (past or future), or None when
    it stopped before."""
    left = seconds
    for start, end in found:
        if end is None:
            return add_working(clock, start, left)
        available = working_seconds(clock, start, end)
        if left <= available:
            return add_working(clock, start, left)
        left -= available
    return None


def elapsed(clock: DeskClock, found: Sequence[Run], until: datetime) -> float:
    """Working seconds the clock ran up to `until`."""
    return sum(working_seconds(clock, s, until if e is None else min(e, until)) for s, e in found)


def responded_at(events: Sequence[EventRecord], first_reply: datetime | None) -> datetime | None:
    """The first thing the reporter saw from a person."""
    moments = [e.created_at for e in events if e.kind in _RESPONSES and e.actor_id]
    if first_reply is not None:
        moments.append(first_reply)
    return min(moments, default=None)


@dataclass(frozen=True)
class Status:
    """A ticket against its targets: when each warning and breach falls (None: never, as
    things stand — answered in time, or the clock is stopped)."""

    responded_at: datetime | None
    response_warning: datetime | None
    response_breach: datetime | None
    resolution_warning: datetime | None
    resolution_breach: datetime | None
    paused: bool

    def moments(self) -> dict[str, datetime | None]:
        return {kind: getattr(self, kind) for kind in ALERTS}

    def view(self, breached: bool) -> SlaView:
        """What the card and the reporter's ticket DM show."""
        respond_by = None if self.responded_at else self.response_breach
        return SlaView(respond_by, self.resolution_breach, self.paused, breached)


ALERTS = ("response_warning", "response_breach", "resolution_warning", "resolution_breach")


def status(
    policy: Policy,
    ticket: TicketRecord,
    events: Sequence[EventRecord],
    first_reply: datetime | None,
) -> Status:
    target = policy.target(ticket.priority)
    found = runs(ticket.created_at, events)
    answered = responded_at(events, first_reply)
    before_answer = _until(found, answered) if answered else found
    clock = policy.clock
    return Status(
        responded_at=answered,
        response_warning=reached(clock, before_answer, WARN_SHARE * target.first_response),
        response_breach=reached(clock, before_answer, target.first_response),
        resolution_warning=reached(clock, found, WARN_SHARE * target.resolution),
        resolution_breach=reached(clock, found, target.resolution),
        paused=ticket.state == STATE_WAITING_REPORTER,
    )


# ---------------------------------------------------------------- which tickets have a clock


def has_own_clock(ticket: TicketRecord) -> bool:
    """Whether the ticket has a service-level clock, counts toward an agent's cap and gets a
    rating request: every ticket but a report linked to an outage (the outage has the one
    clock, and is one incident). One rule, here and in OWN_CLOCK below."""
    return ticket.outage_id is None


# the same rule as a SQL condition on the ticket table
OWN_CLOCK: ColumnElement[bool] = col(Ticket.outage_id).is_(None)
