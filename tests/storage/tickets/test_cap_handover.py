"""REKAN_AGENT_CAP (an agent at the cap is skipped by the rotation's turns only; when everyone
is, tickets wait and go out oldest first) and the handover of an away agent's tickets
(REKAN_HANDOVER_AFTER, or sooner when a target would breach first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from storage import handover, people, rotation
from storage.models import Ticket
from storage.sla import DEFAULT_SLA, Policy, parse_targets
from storage.tickets import assign_waiting, resolve, take
from storage.worktime import DeskClock
from tests.storage.conftest import Tx
from tests.storage.seed import HR, LEAD, NOW, OUTSIDER, REPORTER, RINA, TIER1, new_ticket, outbox

A, B, C = TIER1
POLICY = Policy(DeskClock(tz=ZoneInfo("Asia/Jakarta")), parse_targets(DEFAULT_SLA, 8 * 3600))


@pytest.fixture
def cap_of_one() -> Iterator[None]:
    rotation.set_agent_cap(1)
    try:
        yield
    finally:
        rotation.set_agent_cap(None)


def _agent(tx: Tx, number: int) -> str | None:
    with tx() as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found.agent_id


def test_the_cap_limits_turns_not_affinity(org: Engine, tx: Tx, cap_of_one: None) -> None:
    with tx() as s:
        assert new_ticket(s, reporter=REPORTER).ticket.agent_id == A
        # A is at the cap: the next turn goes to B, but Ayu's next ticket still goes to A
        assert new_ticket(s, reporter=RINA, summary="email").ticket.agent_id == B
        assert new_ticket(s, reporter=REPORTER, summary="printer").ticket.agent_id == A
        assert new_ticket(s, reporter=OUTSIDER, summary="laptop").ticket.agent_id == C
        # everyone at the cap: it waits, and so does the next one
        waiting = new_ticket(s, reporter=LEAD, summary="mouse").ticket
        later = new_ticket(s, reporter=HR[0], summary="screen").ticket
        assert (waiting.state, waiting.agent_id, later.state) == ("waiting", None, "waiting")
    with tx() as s:
        take(session=s, number=2, actor=B, now=NOW)
        resolve(session=s, number=2, actor=B, resolution="done", now=NOW)
    with tx() as s:  # B freed: the oldest waiting ticket goes out, the other still waits
        handed = assign_waiting(session=s, now=NOW)
    assert [(o.ticket.id, o.ticket.agent_id) for o in handed] == [(waiting.id, B)]
    assert _agent(tx, later.id or 0) is None


def test_no_cap_by_default(org: Engine, tx: Tx) -> None:
    with tx() as s:
        agents = [
            new_ticket(s, reporter=r, summary=r).ticket.agent_id
            for r in (REPORTER, RINA, OUTSIDER, LEAD)
        ]
    assert agents == [A, B, C, A]


def test_an_away_agents_tickets_go_back_after_the_handover_time(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, reporter=REPORTER).ticket.id or 0  # normal: 4h to respond
        take(session=s, number=number, actor=A, now=NOW)
        people.set_away(session=s, slack_id=A, now=NOW)
    with tx() as s:
        early = handover.hand_over_away(
            session=s, policy=POLICY, now=NOW + timedelta(minutes=29), after_seconds=1800
        )
    assert early == [] and _agent(tx, number) == A
    with tx() as s:
        handed = handover.hand_over_away(
            session=s, policy=POLICY, now=NOW + timedelta(minutes=30), after_seconds=1800
        )
        rows = outbox(s, handed[0].deliveries)
    assert _agent(tx, number) == B
    assert {(r.template, r.recipient) for r in rows} == {
        ("ticket.card", B),
        ("ticket.reporter", REPORTER),
    }
    with tx() as s:  # affinity follows the new agent
        assert new_ticket(s, reporter=REPORTER, summary="printer").ticket.agent_id == B


def test_a_ticket_about_to_breach_goes_at_once(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, reporter=REPORTER, urgency="high").ticket.id or 0  # 1h respond
        people.set_away(session=s, slack_id=A, now=NOW + timedelta(minutes=40))
    with tx() as s:  # away 5 minutes, but the response breaches at 60, before 40 + 30
        handed = handover.hand_over_away(
            session=s, policy=POLICY, now=NOW + timedelta(minutes=45), after_seconds=1800
        )
    assert [o.ticket.id for o in handed] == [number] and _agent(tx, number) == B


def test_nobody_free_it_stays(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s, reporter=REPORTER).ticket.id or 0
        for agent in TIER1:
            people.set_away(session=s, slack_id=agent, now=NOW)
    with tx() as s:
        handed = handover.hand_over_away(
            session=s, policy=POLICY, now=NOW + timedelta(hours=2), after_seconds=1800
        )
    assert handed == [] and _agent(tx, number) == A
