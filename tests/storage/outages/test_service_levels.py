"""Issue 20 meets issue 19: a report linked to an outage has no clock, rating request or
figures of its own; the outage counts as one incident in the helpdesk report."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from storage import csat, helpdesk_report, tickets
from storage.outages import lifecycle
from storage.sla import DEFAULT_SLA, Policy, has_own_clock, parse_targets, runs
from storage.worktime import DeskClock
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import DECLARED, PEOPLE, A, burst, file, numbers
from tests.storage.seed import NOW

POLICY = Policy(DeskClock(tz=ZoneInfo("Asia/Jakarta")), parse_targets(DEFAULT_SLA, 8 * 3600))
RESOLVED = DECLARED + timedelta(hours=2)


def test_linked_reports_have_no_clock_and_are_not_rated_until_they_are_tickets_again(
    vpn: int, tx: Tx
) -> None:
    first = burst(tx, 5)
    with tx() as s:
        lifecycle.declare(session=s, actor=A, now=DECLARED, proposal_id=1)
    later = file(tx, PEOPLE[6], "VPN mati lagi", DECLARED + timedelta(minutes=1))
    with tx() as s:
        for number in [*numbers(first), later.ticket.id or 0]:
            assert not has_own_clock(tickets.get(s, number))
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=RESOLVED)
    with tx() as s:
        resolved = tickets.get(s, later.ticket.id or 0)
        assert resolved.state == "resolved" and not csat.asks(resolved)
        tickets.reopen(session=s, number=resolved.id or 0, actor=PEOPLE[6], now=RESOLVED)
    with tx() as s:
        reopened = tickets.get(s, later.ticket.id or 0)
        assert has_own_clock(reopened) and csat.asks_if_resolved(reopened)


def test_the_outage_is_one_incident_in_the_helpdesk_report(org: Engine, vpn: int, tx: Tx) -> None:
    burst(tx, 5)  # a minute apart from NOW; declared 10 minutes after the first
    with tx() as s:
        lifecycle.declare(session=s, actor=A, now=DECLARED, proposal_id=1)
    for i in range(5, 12):
        file(tx, PEOPLE[i], "vpn kantor mati", DECLARED + timedelta(minutes=i))
    other = file(tx, PEOPLE[0], "Printer lantai 3 macet", DECLARED + timedelta(minutes=30))
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=RESOLVED)
    day = NOW.astimezone(POLICY.clock.tz).date()
    with tx() as s:
        report = helpdesk_report.build(
            s, policy=POLICY, start=day, end=day, now=RESOLVED + timedelta(hours=1)
        )
    # the twelve linked reports are not twelve tickets: the printer is the one ticket
    assert [r.number for r in report.tickets] == [other.ticket.id]
    assert (report.outages, report.outage_people) == (1, 12)
    assert report.outage_declare_p50 == 10  # minutes from the first report
    assert report.outage_resolve_p50 == 120


def test_the_clock_stands_still_while_a_report_is_linked(vpn: int, tx: Tx) -> None:
    """Linked at filing, taken out two days later: the clock counts from the moment it
    became a ticket of its own, so it is not born breached."""
    burst(tx, 5)
    with tx() as s:
        lifecycle.declare(session=s, actor=A, now=DECLARED, proposal_id=1)
    linked = file(tx, PEOPLE[6], "VPN mati lagi", DECLARED + timedelta(minutes=1))
    out = DECLARED + timedelta(days=2)
    with tx() as s:
        lifecycle.different(session=s, number=linked.ticket.id or 0, actor=PEOPLE[6], now=out)
    with tx() as s:
        number = linked.ticket.id or 0
        events = tickets.snapshot(s, number).events
        ran = runs(tickets.get(s, number).created_at, events)
    assert ran == [(linked.ticket.created_at, linked.ticket.created_at), (out, None)]


def test_a_linked_report_keeps_the_priority_its_urgency_gives(vpn: int, tx: Tx) -> None:
    """Filed with the same row as any ticket: taken out later, it is as urgent as it said."""
    burst(tx, 5)
    with tx() as s:
        lifecycle.declare(session=s, actor=A, now=DECLARED, proposal_id=1)
    linked = file(tx, PEOPLE[6], "VPN mati lagi", DECLARED, urgency="high")
    assert linked.outage == 1
    with tx() as s:
        assert tickets.get(s, linked.ticket.id or 0).priority == "high"
