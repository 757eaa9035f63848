"""storage.tickets.access: who may read a ticket, who may act on it, and in which order the
refusals come (permission first, so someone who may not see a ticket learns nothing of it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from storage.errors import DomainError
from storage.models import Ticket
from storage.tickets import (
    AlreadyDone,
    check_escalate,
    check_resolve,
    escalate,
    get,
    is_admin,
    may_act,
    may_view,
    resolve,
)
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, HR, LEAD, NOW, OUTSIDER, REPORTER, TIER1, TIER2, new_ticket

A, B, C = TIER1
X, Y = TIER2


def ticket(*, agent: str | None, tier: int = 1) -> Ticket:
    return Ticket(
        id=7, source_key="k", reporter_id=REPORTER, summary="s", agent_id=agent, tier=tier
    )


@pytest.mark.parametrize(
    ("agent", "tier", "allowed"),
    [
        (A, 1, {A, X, Y, ADMIN}),  # its agent, any higher tier, admins
        (X, 2, {X, ADMIN}),  # nobody is above tier 2
        (None, 1, {A, B, C, X, Y, ADMIN}),  # waiting: its tier or higher picks it up
        (None, 2, {X, Y, ADMIN}),
    ],
)
def test_who_may_act(org: Engine, tx: Tx, agent: str | None, tier: int, allowed: set[str]) -> None:
    everyone = {*TIER1, *TIER2, ADMIN, *HR, LEAD, OUTSIDER, REPORTER}
    with tx() as s:
        acting = {p for p in everyone if may_act(s, ticket(agent=agent, tier=tier), p)}
    assert acting == allowed


def test_who_may_read(org: Engine, tx: Tx) -> None:
    everyone = {*TIER1, *TIER2, ADMIN, *HR, LEAD, OUTSIDER, REPORTER, "U0NOBODY"}
    with tx() as s:
        readers = {p for p in everyone if may_view(s, ticket(agent=A), p)}
        assert readers == {*TIER1, *TIER2, ADMIN, REPORTER}
        assert [p for p in sorted(everyone) if is_admin(s, p)] == [ADMIN]


def test_may_act_reads_a_plain_record_too(org: Engine, tx: Tx) -> None:
    """The builders hold TicketRecords (read-only copies), not session rows."""
    with tx() as s:
        out = new_ticket(s)
        assert may_act(s, out.ticket, A) and not may_act(s, out.ticket, B)


def reason(tx: Tx, check: Any, number: int, actor: str) -> tuple[str, str, dict[str, Any]]:
    with pytest.raises(DomainError) as info, tx() as s:
        check(s, get(s, number), actor)
    return type(info.value).__name__, info.value.key, info.value.params


@pytest.mark.parametrize("check", [check_resolve, check_escalate])
def test_an_outsider_hears_only_that_it_is_not_theirs_even_when_it_is_closed(
    org: Engine, tx: Tx, check: Any
) -> None:
    with tx() as s:
        new_ticket(s)
        resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
    assert reason(tx, check, 1, OUTSIDER) == (
        "DomainError",
        "ticket.not_yours_private",
        {"number": 1},
    )


@pytest.mark.parametrize("check", [check_resolve, check_escalate])
def test_a_reader_who_may_not_act_is_told_it_is_already_closed(
    org: Engine, tx: Tx, check: Any
) -> None:
    with tx() as s:
        new_ticket(s)
        resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
    assert reason(tx, check, 1, B) == (
        "AlreadyDone",
        "ticket.already_resolved",
        {"number": 1, "by": A, "at": NOW},
    )


@pytest.mark.parametrize("check", [check_resolve, check_escalate])
def test_the_checks_pass_for_its_agent(org: Engine, tx: Tx, check: Any) -> None:
    with tx() as s:
        new_ticket(s)
        check(s, get(s, 1), A)  # no exception
        check(s, get(s, 1), ADMIN)


def test_escalation_checks_tell_its_tier_two_agent_and_others_apart(org: Engine, tx: Tx) -> None:
    later = NOW + timedelta(minutes=5)
    with tx() as s:
        new_ticket(s)
        escalate(session=s, number=1, actor=A, note="n", now=later)
    assert reason(tx, check_escalate, 1, X) == ("DomainError", "ticket.top_tier", {"number": 1})
    assert reason(tx, check_escalate, 1, Y) == (
        "AlreadyDone",
        "ticket.already_escalated",
        {"number": 1, "by": A, "agent": X, "at": later},
    )
    assert reason(tx, check_resolve, 1, A) == (
        "DomainError",
        "ticket.not_yours",
        {"number": 1, "agent": X},
    )
    assert issubclass(AlreadyDone, DomainError)
