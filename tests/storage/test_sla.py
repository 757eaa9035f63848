"""storage.sla: REKAN_SLA's parser, the clock of one ticket from its timeline (runs, pauses,
the first response) and the `sla` sweep: alerts once, a breach marks the ticket, and with
REKAN_SLA_REASSIGN a tier-1 first-response breach goes to the next agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import people, sla_alerts
from storage.models import SlaAlert, Ticket
from storage.sla import DEFAULT_SLA, Policy, Target, parse_targets, runs, status
from storage.tickets import take
from storage.types import ROLE_HELPDESK_LEAD
from storage.worktime import DeskClock
from tests.storage.conftest import Tx
from tests.storage.seed import LEAD, NOW, REPORTER, TIER1, new_ticket, outbox

WIB = ZoneInfo("Asia/Jakarta")
DAY = 8 * 3600
POLICY = Policy(DeskClock(tz=WIB), parse_targets(DEFAULT_SLA, DAY))
A, B, C = TIER1


def test_parse_targets() -> None:
    targets = parse_targets("urgent=15m/2h, low=2d/10d", DAY)
    assert targets["urgent"] == Target(900, 7200)
    assert targets["low"] == Target(2 * DAY, 10 * DAY)
    assert targets["normal"] == Target(4 * 3600, 3 * DAY)  # left out: the default
    assert parse_targets("", DAY) == parse_targets(DEFAULT_SLA, DAY)
    for bad in ("urgent=30m", "asap=1h/2h", "urgent=2h/1h", "urgent=1x/2h", "urgent 1h/2h"):
        with pytest.raises(ValueError):
            parse_targets(bad, DAY)


@dataclass
class Event:
    kind: str
    created_at: datetime
    actor_id: str | None = "U0AGENTA"
    ticket_id: int = 1
    agent_id: str | None = None
    note: str | None = None


@dataclass
class FakeTicket:
    created_at: datetime
    priority: str = "normal"
    state: str = "open"


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB)


def test_runs_stop_for_waits_and_closings() -> None:
    filed = wib(23, 9)
    events = [
        Event("filed", filed),
        Event("waiting_reporter", wib(23, 10)),
        Event("reporter_replied", wib(24, 10)),
        Event("resolved", wib(24, 11)),
        Event("reopened", wib(25, 9)),
    ]
    assert runs(filed, events) == [
        (filed, wib(23, 10)),
        (wib(24, 10), wib(24, 11)),
        (wib(25, 9), None),
    ]


def test_the_first_response_is_a_take_a_reply_or_a_resolution() -> None:
    ticket = FakeTicket(wib(23, 9), priority="high")  # 1h / 1d
    quiet = status(POLICY, ticket, [Event("filed", wib(23, 9))], None)
    assert quiet.response_warning == wib(23, 9, 45)
    assert quiet.response_breach == wib(23, 10)
    assert quiet.resolution_breach == wib(23, 17)
    taken = status(POLICY, ticket, [Event("taken", wib(23, 9, 30))], None)
    assert taken.responded_at == wib(23, 9, 30)
    assert taken.response_breach is None and taken.response_warning is None  # in time
    replied_late = status(POLICY, ticket, [], wib(23, 10, 5))
    assert replied_late.response_breach == wib(23, 10)  # breached before the reply
    # the system's own events are no response
    system = status(POLICY, ticket, [Event("taken", wib(23, 9, 30), actor_id=None)], None)
    assert system.responded_at is None


def test_waiting_for_the_reporter_pauses_both_clocks() -> None:
    ticket = FakeTicket(wib(23, 9), state="waiting_reporter")
    events = [Event("taken", wib(23, 9, 10)), Event("waiting_reporter", wib(23, 10))]
    paused = status(POLICY, ticket, events, None)
    assert paused.paused and paused.resolution_breach is None
    assert paused.view(False).resolve_by is None
    resumed = status(
        POLICY,
        FakeTicket(wib(23, 9), state="in_progress"),
        [*events, Event("reporter_replied", wib(24, 10), actor_id=REPORTER)],
        None,
    )
    # 3 working days of 8 hours, plus the 8 working hours it waited
    assert resumed.resolution_breach == wib(26, 17)


# ---------------------------------------------------------------- the sweep, on a database


def _tickets_alerts(tx: Tx) -> list[tuple[int, str]]:
    with tx() as s:
        return [(a.ticket_id, a.kind) for a in s.exec(select(SlaAlert).order_by(SlaAlert.id))]


def test_each_alert_once_and_the_breach_marks_the_ticket(org: Engine, tx: Tx) -> None:
    with tx() as s:
        people.add_role(session=s, slack_id=LEAD, role=ROLE_HELPDESK_LEAD, now=NOW)
        number = new_ticket(s, urgency="high").ticket.id or 0
    filed = NOW  # Monday 10:00 in Jakarta: first response due 11:00, warning 10:45
    with tx() as s:
        first = sla_alerts.sweep(session=s, policy=POLICY, now=filed)
    assert first.alerts == [] and first.deliveries == []
    with tx() as s:
        planned = s.get(Ticket, number)
        assert planned is not None and planned.sla_next_at == filed + timedelta(minutes=45)
    with tx() as s:
        warned = sla_alerts.sweep(session=s, policy=POLICY, now=filed + timedelta(minutes=45))
    assert warned.alerts == [(number, "response_warning")] and len(warned.deliveries) == 1
    with tx() as s:
        again = sla_alerts.sweep(session=s, policy=POLICY, now=filed + timedelta(minutes=50))
    assert again.alerts == []
    with tx() as s:
        breach = sla_alerts.sweep(session=s, policy=POLICY, now=filed + timedelta(hours=1))
        rows = outbox(s, breach.deliveries)
    assert breach.alerts == [(number, "response_breach")]
    assert sorted(r.recipient for r in rows) == sorted([A, LEAD])
    assert breach.refresh == [number]
    with tx() as s:
        ticket = s.get(Ticket, number)
        assert ticket is not None and ticket.sla_breached
        # the resolution's turn next: its warning at 75 % of a working day, 16:00 in Jakarta
        assert ticket.sla_next_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert _tickets_alerts(tx) == [(number, "response_warning"), (number, "response_breach")]


def test_a_late_sweep_says_the_breach_not_the_warning(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, urgency="high").ticket.id or 0
    with tx() as s:
        late = sla_alerts.sweep(session=s, policy=POLICY, now=NOW + timedelta(hours=2))
        rows = outbox(s, late.deliveries)
    assert late.alerts == [(number, "response_warning"), (number, "response_breach")]
    assert [r.params["what"] for r in rows] == ["response_breach"]


def test_answered_in_time_no_response_alerts(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, urgency="high").ticket.id or 0
    with tx() as s:
        take(session=s, number=number, actor=A, now=NOW + timedelta(minutes=20))
    with tx() as s:
        swept = sla_alerts.sweep(session=s, policy=POLICY, now=NOW + timedelta(hours=2))
    assert swept.alerts == []


def test_reassign_on_a_tier_one_first_response_breach(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, urgency="high").ticket.id or 0
    with tx() as s:
        swept = sla_alerts.sweep(
            session=s, policy=POLICY, now=NOW + timedelta(hours=1), reassign=True
        )
        ticket = s.get(Ticket, number)
        assert ticket is not None and ticket.agent_id == B
        rows = outbox(s, swept.deliveries)
    assert swept.reassigned == [number]
    assert {(r.template, r.recipient) for r in rows} >= {
        ("ticket.card", B),
        ("ticket.reporter", REPORTER),
    }
