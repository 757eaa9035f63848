"""storage.outages.lifecycle.declare: from a proposal (all its reports) or from a ticket (with
the proposal containing it, if any); the declaring agent owns it; a second declare, a
dismissed proposal, a closed ticket or a resource already down are refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import tickets
from storage.models import Outage, OutageProposal
from storage.outages import lifecycle
from storage.outages.messages import T_CARD, T_NOTICE, T_STATUS
from storage.types import OUTAGE_TITLE_MAX
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    DECLARED,
    PEOPLE,
    TRIAGE,
    A,
    B,
    all_proposals,
    burst,
    count,
    declare,
    file,
    members,
    numbers,
    only_proposal,
    outbox_rows,
    refused,
    rows,
    ticket,
    view,
)
from tests.storage.seed import ADMIN, NOW, OUTSIDER, REPORTER, timeline


def outage(tx: Tx, number: int) -> Outage:
    with tx() as s:
        found = s.get(Outage, number)
        assert found is not None
        return found


# ---------------------------------------------------------------- from a proposal


def test_the_declaring_agent_owns_the_outage(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    change = declare(tx, actor=B, proposal_id=1)
    assert change.outage_id == 1
    declared = outage(tx, 1)
    assert (declared.state, declared.owner_id, declared.resource_id, declared.title) == (
        "active",
        B,
        vpn,
        "VPN",  # no title given: the resource's name
    )
    assert (declared.first_report_at, declared.declared_at, declared.resolved_at) == (
        NOW,
        DECLARED,
        None,
    )


def test_declaring_links_every_report_of_the_cluster(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 5)
    change = declare(tx, actor=B, proposal_id=1)
    assert change.tickets == numbers(reports)
    for number in numbers(reports):
        linked = ticket(tx, number)
        assert (linked.state, linked.outage_id, linked.agent_id) == ("outage", 1, B)
        with tx() as s:
            assert timeline(s, number)[-1] == ("linked", B, B)
    assert members(tx, 1) == set(PEOPLE[:5])
    assert (view(tx, 1).affected, view(tx, 1).reports) == (5, 5)


def test_declaring_marks_the_proposal_declared(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    change = declare(tx, actor=B, proposal_id=1)
    proposal = only_proposal(tx)
    assert (proposal.state, proposal.decided_by, proposal.decided_at, proposal.outage_id) == (
        "declared",
        B,
        DECLARED,
        1,
    )
    assert "outage-proposal:1:" in change.prefixes  # the proposal's messages are redrawn


def test_declaring_writes_the_card_the_status_and_a_notice_to_each_reporter(
    vpn: int, tx: Tx
) -> None:
    reports = burst(tx, 5)
    change = declare(tx, actor=B, proposal_id=1)
    assert rows(tx, change.deliveries) == [
        (T_CARD, B, "outage:1:card"),
        (T_STATUS, TRIAGE, "outage:1:status"),
        *[
            (T_NOTICE, who, f"outage:1:notice:{number}")
            for who, number in zip(PEOPLE[:5], numbers(reports), strict=True)
        ],
    ]
    assert [r.params for r in outbox_rows(tx, T_NOTICE)] == [
        {"outage": 1, "ticket": number} for number in numbers(reports)
    ]


def test_without_a_triage_channel_there_is_no_status_message(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    with tx() as s:
        change = lifecycle.declare(session=s, actor=B, proposal_id=1, now=DECLARED)
    assert [t for t, _, _ in rows(tx, change.deliveries)] == [T_CARD] + [T_NOTICE] * 5


def test_a_title_is_given_in_one_line_and_cut_to_its_limit(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    declare(tx, proposal_id=1, title="  VPN   kantor\n down " + "x" * 300)
    title = outage(tx, 1).title
    assert title.startswith("VPN kantor down xxx")
    assert len(title) == OUTAGE_TITLE_MAX


def test_an_outage_without_a_resource_is_named_after_its_first_report(org: Engine, tx: Tx) -> None:
    burst(tx, 5, "Email kantor tidak bisa dibuka")
    declare(tx, proposal_id=1)
    declared = outage(tx, 1)
    assert (declared.resource_id, declared.title) == (None, "Email kantor tidak bisa dibuka")


def test_declaring_twice_is_already_done(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    declare(tx, actor=B, proposal_id=1)
    before = len(outbox_rows(tx))
    with tx() as s:
        try:
            lifecycle.declare(session=s, actor=A, proposal_id=1, now=DECLARED)
        except tickets.AlreadyDone as done:
            assert (done.key, done.params["number"], done.params["by"]) == (
                "outage.already_declared",
                1,
                B,
            )
        else:
            raise AssertionError("declared twice")
    assert (count(tx, Outage), len(outbox_rows(tx))) == (1, before)
    assert outage(tx, 1).owner_id == B


def test_declaring_a_dismissed_proposal_is_already_done(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    with tx() as s:
        lifecycle.dismiss(session=s, proposal_id=1, actor=A, now=DECLARED)
    assert refused(tx, lifecycle.declare, actor=B, proposal_id=1, now=DECLARED) == (
        "AlreadyDone",
        "outage.already_dismissed",
    )
    assert count(tx, Outage) == 0


def test_only_agents_may_declare(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    for who in (OUTSIDER, PEOPLE[0]):
        assert refused(tx, lifecycle.declare, actor=who, proposal_id=1, now=DECLARED) == (
            "DomainError",
            "outage.agents_only",
        )
    assert count(tx, Outage) == 0
    assert only_proposal(tx).state == "proposed"


def test_an_admin_may_declare(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    declare(tx, actor=ADMIN, proposal_id=1)
    assert outage(tx, 1).owner_id == ADMIN


def test_an_unknown_proposal_is_refused(vpn: int, tx: Tx) -> None:
    assert refused(tx, lifecycle.declare, actor=A, proposal_id=7, now=DECLARED) == (
        "DomainError",
        "outage.unknown_proposal",
    )


def test_reports_closed_since_the_proposal_are_left_out(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 5)
    first = numbers(reports)[0]
    with tx() as s:
        tickets.resolve(session=s, number=first, actor=A, resolution="restart", now=NOW)
    change = declare(tx, proposal_id=1)
    assert change.tickets == numbers(reports)[1:]
    assert ticket(tx, first).state == "resolved"
    assert PEOPLE[0] not in members(tx, 1)


def test_a_proposal_whose_reports_are_all_closed_is_refused(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 5)
    with tx() as s:
        for number in numbers(reports):
            tickets.resolve(session=s, number=number, actor=A, resolution="restart", now=NOW)
    assert refused(tx, lifecycle.declare, actor=A, proposal_id=1, now=DECLARED) == (
        "DomainError",
        "outage.nothing_open",
    )
    assert (count(tx, Outage), only_proposal(tx).state) == (0, "proposed")


# ---------------------------------------------------------------- from a ticket


def test_declaring_from_a_ticket_links_only_that_ticket(vpn: int, tx: Tx) -> None:
    mine, other = file(tx, REPORTER), file(tx, PEOPLE[0])
    change = declare(tx, actor=B, ticket_id=mine.ticket.id, title="VPN down")
    assert (change.outage_id, change.tickets) == (1, [mine.ticket.id])
    assert (ticket(tx, mine.ticket.id or 0).state, ticket(tx, mine.ticket.id or 0).outage_id) == (
        "outage",
        1,
    )
    assert (ticket(tx, other.ticket.id or 0).state, ticket(tx, other.ticket.id or 0).outage_id) == (
        "open",
        None,
    )
    declared = outage(tx, 1)
    assert (declared.owner_id, declared.resource_id, declared.title) == (B, vpn, "VPN down")
    assert members(tx, 1) == {REPORTER}
    assert all_proposals(tx) == []


def test_declaring_from_a_ticket_of_a_proposal_declares_the_proposal(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 5)
    change = declare(tx, actor=B, ticket_id=numbers(reports)[2])
    assert change.tickets == numbers(reports)
    assert members(tx, 1) == set(PEOPLE[:5])
    proposal = only_proposal(tx)
    assert (proposal.state, proposal.outage_id, proposal.decided_by) == ("declared", 1, B)
    assert refused(tx, lifecycle.declare, actor=A, proposal_id=1, now=DECLARED) == (
        "AlreadyDone",
        "outage.already_declared",
    )


def test_declaring_from_a_ticket_twice_is_already_done(vpn: int, tx: Tx) -> None:
    mine = file(tx, REPORTER)
    declare(tx, ticket_id=mine.ticket.id)
    assert refused(tx, lifecycle.declare, actor=B, ticket_id=mine.ticket.id, now=DECLARED) == (
        "AlreadyDone",
        "outage.ticket_linked",
    )
    assert count(tx, Outage) == 1


def test_declaring_on_a_closed_ticket_is_refused(vpn: int, tx: Tx) -> None:
    mine = file(tx, REPORTER)
    number = mine.ticket.id or 0
    with tx() as s:
        tickets.resolve(session=s, number=number, actor=A, resolution="restart", now=NOW)
    assert refused(tx, lifecycle.declare, actor=A, ticket_id=number, now=DECLARED) == (
        "DomainError",
        "outage.ticket_closed",
    )
    assert count(tx, Outage) == 0
    assert ticket(tx, number).state == "resolved"


def test_declaring_on_a_cancelled_ticket_is_refused(vpn: int, tx: Tx) -> None:
    number = file(tx, REPORTER).ticket.id or 0
    with tx() as s:
        tickets.cancel(session=s, number=number, actor=REPORTER, now=NOW)
    assert refused(tx, lifecycle.declare, actor=A, ticket_id=number, now=DECLARED) == (
        "DomainError",
        "outage.ticket_closed",
    )


def test_an_unknown_ticket_is_refused(vpn: int, tx: Tx) -> None:
    assert refused(tx, lifecycle.declare, actor=A, ticket_id=42, now=DECLARED) == (
        "NotFound",
        "ticket.unknown",
    )


def test_a_second_outage_on_a_resource_already_down_is_refused(vpn: int, tx: Tx) -> None:
    first, second = file(tx, REPORTER), file(tx, PEOPLE[0])
    declare(tx, ticket_id=first.ticket.id)
    assert refused(tx, lifecycle.declare, actor=B, ticket_id=second.ticket.id, now=DECLARED) == (
        "AlreadyDone",
        "outage.resource_running",
    )
    assert count(tx, Outage) == 1
    assert ticket(tx, second.ticket.id or 0).outage_id is None


def test_after_resolving_the_resource_may_go_down_again(vpn: int, tx: Tx) -> None:
    first = file(tx, REPORTER)
    declare(tx, ticket_id=first.ticket.id)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="fixed", now=DECLARED)
    later = file(tx, PEOPLE[0], at=DECLARED + timedelta(hours=1))
    assert later.outage is None
    change = declare(tx, actor=B, ticket_id=later.ticket.id, at=DECLARED + timedelta(hours=2))
    assert change.outage_id == 2
    assert count(tx, OutageProposal) == 0


def test_declaring_from_an_older_report_takes_in_the_open_proposal_on_its_resource(
    vpn: int, tx: Tx
) -> None:
    """An old report about the resource (outside the window) and a proposal of five newer
    ones: declaring from the old one links all six and closes the proposal."""
    old = file(tx, PEOPLE[11], "VPN mati", NOW - timedelta(hours=1))
    newer = burst(tx, 5)
    with tx() as s:
        change = lifecycle.declare(
            session=s, actor=A, now=DECLARED, ticket_id=old.ticket.id or 0, title="VPN"
        )
    assert sorted(change.tickets) == sorted([old.ticket.id or 0, *numbers(newer)])
    with tx() as s:
        assert {p.state for p in s.exec(select(OutageProposal)).all()} == {"declared"}
