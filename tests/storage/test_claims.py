"""storage.claims: one agent at a time works on a resource. Taking a ticket about it claims
it (a conflict needs confirming), escalation hands the claim over, closing releases it, and
claims run out with a warning first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage import claims, people, resources, tickets
from storage.claims import ClaimConflict
from storage.models import Claim
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, NOW, OUTSIDER, REPORTER, RINA, TIER1, TIER2, new_ticket

A, B, C = TIER1
X = TIER2[0]
SOON = NOW + timedelta(minutes=10)


def all_claims(s: Session) -> list[tuple[int, str, str | None, str | None]]:
    """(ticket, agent, why it was released, "released" if it was) of every claim, oldest first."""
    rows = s.exec(select(Claim).order_by(col(Claim.id))).all()
    return [
        (c.ticket_id, c.agent_id, c.release_reason, "released" if c.released_at else None)
        for c in rows
    ]


@pytest.fixture
def server(org: Engine, tx: Tx) -> int:
    """#1 (REPORTER, A) and #2 (RINA, given to B) are about Server Kantor 123; #3 is not."""
    with tx() as s:
        resource = resources.add(session=s, name="Server Kantor 123", aliases=[], now=NOW)
        new_ticket(s, summary="Server Kantor 123 mati")
        new_ticket(s, reporter=RINA, summary="Server Kantor 123 lambat")
        tickets.assign_to(session=s, number=2, agent=B, now=NOW)
        new_ticket(s, reporter=OUTSIDER, summary="printer")
        return resource.id or 0


def test_taking_a_ticket_claims_its_resource(server: int, tx: Tx) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW, claim_hours=2)
        tickets.take(session=s, number=3, actor=tickets.get(s, 3).agent_id or "", now=NOW)
    with tx() as s:
        (claim,) = claims.active(s, now=SOON)
        assert (claim.resource_id, claim.ticket_id, claim.agent_id) == (server, 1, A)
        assert (claim.since, claim.expires_at, claim.warned) == (
            NOW,
            NOW + timedelta(hours=2),
            False,
        )
        assert [(c.agent_id, name) for c, name in claims.listing(s, now=SOON)] == [
            (A, "Server Kantor 123")
        ]
        assert claims.active(s, now=SOON, resource_id=server + 1) == []
        assert claims.active(s, now=NOW + timedelta(hours=2)) == []  # run out


def test_someone_elses_claim_needs_confirming_then_is_taken_over(server: int, tx: Tx) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW)
    with pytest.raises(ClaimConflict) as info, tx() as s:
        tickets.take(session=s, number=2, actor=B, now=SOON)
    assert (info.value.key, info.value.params) == (
        "claim.held",
        {"resource": "Server Kantor 123", "agent": A, "number": 1, "since": NOW, "ticket": 2},
    )
    with tx() as s:
        assert tickets.get(s, 2).state == "open"
        tickets.take(session=s, number=2, actor=B, now=SOON, confirm=True)
    with tx() as s:
        assert all_claims(s) == [(1, A, "taken_over", "released"), (2, B, None, None)]
        assert tickets.get(s, 2).state == "in_progress"
        claims.check(s, tickets.get(s, 2), B, now=SOON)  # B holds it: no conflict for B


def test_taking_again_renews_the_claim(server: int, tx: Tx) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW, claim_hours=1)
        claim = claims.active(s, now=NOW)[0]
        claim.warned = True
        ticket = tickets.get(s, 1)
        renewed = claims.take(s, ticket, A, now=SOON, hours=1)
        assert renewed is not None and renewed.id == claim.id
        assert (renewed.expires_at, renewed.warned) == (SOON + timedelta(hours=1), False)
        assert claims.take(s, tickets.get(s, 3), C, now=SOON, hours=1) is None  # no resource
        claims.check(s, tickets.get(s, 3), C, now=SOON)


def test_escalation_hands_the_claim_to_the_tier_two_agent(server: int, tx: Tx) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW)
        tickets.escalate(session=s, number=1, actor=A, note="butuh tier 2", now=SOON)
        assert [(c.ticket_id, c.agent_id) for c in claims.active(s, now=SOON)] == [(1, X)]


def test_escalation_with_nobody_at_tier_two_ends_the_claim(server: int, tx: Tx) -> None:
    with tx() as s:
        for sid in TIER2:
            people.set_away(session=s, slack_id=sid, now=NOW)
        tickets.take(session=s, number=1, actor=A, now=NOW)
        tickets.escalate(session=s, number=1, actor=A, note="butuh tier 2", now=SOON)
        assert all_claims(s) == [(1, A, "escalated", "released")]
        assert claims.active(s, now=SOON) == []


@pytest.mark.parametrize(
    ("close", "reason"),
    [
        (
            lambda s: tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=SOON),
            "resolved",
        ),
        (lambda s: tickets.cancel(session=s, number=1, actor=REPORTER, now=SOON), "cancelled"),
        (lambda s: tickets.merge(session=s, number=1, into=2, actor=ADMIN, now=SOON), "merged"),
    ],
)
def test_closing_a_ticket_releases_its_claim(
    server: int, tx: Tx, close: object, reason: str
) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW)
        close(s)  # type: ignore[operator]
    with tx() as s:
        (claim,) = s.exec(select(Claim)).all()
        assert (claim.release_reason, claim.released_at) == (reason, SOON)
        assert claims.active(s, now=SOON) == []


def test_claims_warn_before_they_run_out_then_expire(server: int, tx: Tx) -> None:
    with tx() as s:
        tickets.take(session=s, number=1, actor=A, now=NOW, claim_hours=1)
    with tx() as s:
        assert claims.due_warnings(s, now=NOW + timedelta(minutes=44)) == []
        due = claims.due_warnings(s, now=NOW + timedelta(minutes=45))
        assert [(c.ticket_id, c.agent_id) for c in due] == [(1, A)]
        due[0].warned = True
        s.add(due[0])
    with tx() as s:
        assert claims.due_warnings(s, now=NOW + timedelta(minutes=50)) == []  # warned once
        assert claims.expire(s, now=NOW + timedelta(minutes=59)) == []
        ended = claims.expire(s, now=NOW + timedelta(hours=1))
        assert [c.ticket_id for c in ended] == [1]
        assert claims.expire(s, now=NOW + timedelta(hours=2)) == []
        assert claims.due_warnings(s, now=NOW + timedelta(minutes=50)) == []  # released
    with tx() as s:
        assert all_claims(s) == [(1, A, "expired", "released")]
