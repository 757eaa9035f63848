"""Who an outage affects: "My problem is different" takes a reporter's report out as a ticket
of its own (only that reporter, once); "Me too" counts someone who did not report (once, and
only while it is active)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from storage.models import OutageMember
from storage.outages import lifecycle, links
from storage.tickets import T_CARD, T_HOME, T_MIRROR
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    LATER,
    PEOPLE,
    TRIAGE,
    A,
    B,
    C,
    count,
    file,
    members,
    outage_of,
    refused,
    ticket,
    turns,
    view,
)
from tests.storage.seed import ADMIN, OUTSIDER, REPORTER, sent, timeline

SOON = LATER + timedelta(minutes=2)


def different(tx: Tx, number: int, actor: str) -> list[tuple[str, str, str]]:
    with tx() as s:
        out = lifecycle.different(
            session=s, number=number, actor=actor, now=SOON, triage_channel=TRIAGE
        )
        return sent(s, out.deliveries)


# ---------------------------------------------------------------- my problem is different


def test_only_the_reporter_may_say_their_problem_is_different(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    for who in (PEOPLE[1], A, ADMIN):
        assert refused(tx, lifecycle.different, number=1, actor=who, now=SOON) == (
            "DomainError",
            "outage.not_your_report",
        )
    assert (ticket(tx, 1).state, ticket(tx, 1).outage_id) == ("outage", 1)
    assert view(tx, 1).affected == 5


def test_a_different_problem_becomes_a_routed_ticket(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    out = file(tx, REPORTER, "VPN mati", LATER)  # linked later: no card, no ticket DM yet
    number = out.ticket.id or 0
    before = turns(tx)
    said = different(tx, number, REPORTER)
    separate = ticket(tx, number)
    assert (separate.state, separate.outage_id) == ("open", None)
    assert separate.agent_id in (A, B, C)
    assert turns(tx)[0] == before[0] + 1  # a rotation turn, like any new report
    agent = separate.agent_id or ""
    assert said == [
        (T_CARD, agent, f"ticket:{number}:card:{agent}:v{separate.version}"),
        (T_HOME, REPORTER, f"ticket:{number}:home"),
        (T_MIRROR, TRIAGE, f"ticket:{number}:mirror"),
    ]
    with tx() as s:
        assert timeline(s, number)[-2:] == [("unlinked", REPORTER, None), ("assigned", None, agent)]


def test_a_different_problem_leaves_the_outage_and_its_count(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    different(tx, 2, PEOPLE[1])
    assert PEOPLE[1] not in members(tx, 1)
    shown = view(tx, 1)
    assert (shown.affected, shown.reports) == (4, 4)


def test_a_declared_report_taken_out_goes_back_to_a_queue(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    said = different(tx, 3, PEOPLE[2])
    assert [t for t, _, _ in said] == [T_CARD, T_HOME, T_MIRROR]
    assert ticket(tx, 3).state == "open"


def test_saying_different_twice_is_already_done(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    different(tx, 2, PEOPLE[1])
    assert refused(tx, lifecycle.different, number=2, actor=PEOPLE[1], now=SOON) == (
        "AlreadyDone",
        "outage.already_separate",
    )
    assert view(tx, 1).affected == 4


def test_different_after_the_outage_is_resolved_is_refused(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="fixed", now=LATER)
    assert refused(tx, lifecycle.different, number=2, actor=PEOPLE[1], now=SOON) == (
        "DomainError",
        "outage.report_closed",
    )
    assert ticket(tx, 2).state == "resolved"


def test_a_person_with_two_reports_stays_affected_by_the_other(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, PEOPLE[0], "VPN mati lagi", LATER)  # a second report of theirs, linked
    different(tx, 1, PEOPLE[0])
    assert PEOPLE[0] in members(tx, 1)
    assert view(tx, 1).affected == 5


def test_the_resolution_carries_the_report_still_linked(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    second = file(tx, PEOPLE[0], "VPN mati lagi", LATER).ticket.id
    different(tx, 1, PEOPLE[0])
    with tx() as s:
        member = s.get(OutageMember, (1, PEOPLE[0]))
        assert member is not None
        assert member.ticket_id == second


def test_taking_a_report_out_asks_for_the_card_to_be_redrawn(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    different(tx, 2, PEOPLE[1])
    with tx() as s:
        assert links.due_cards(s, now=SOON + links.CARD_EVERY) == [1]


# ---------------------------------------------------------------- me too


def test_me_too_counts_someone_who_did_not_report(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        due = lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
    assert due == LATER + links.CARD_EVERY  # the owner's card shows the new count
    assert OUTSIDER in members(tx, 1)
    with tx() as s:
        member = s.get(OutageMember, (1, OUTSIDER))
        assert member is not None and (member.ticket_id, member.joined_at) == (None, LATER)
    assert view(tx, 1).affected == 6


def test_me_too_from_someone_rekan_never_saw_adds_them(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor="U0NEWBIE", now=LATER)
    assert "U0NEWBIE" in members(tx, 1)


def test_me_too_twice_is_already_done(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
    assert refused(tx, lifecycle.me_too, outage_id=1, actor=OUTSIDER, now=SOON) == (
        "AlreadyDone",
        "outage.already_affected",
    )
    assert count(tx, OutageMember) == 6


def test_me_too_from_a_reporter_is_already_done(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    assert refused(tx, lifecycle.me_too, outage_id=1, actor=PEOPLE[0], now=SOON) == (
        "AlreadyDone",
        "outage.already_affected",
    )


def test_me_too_on_a_resolved_outage_is_refused(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="fixed", now=LATER)
    assert refused(tx, lifecycle.me_too, outage_id=1, actor=OUTSIDER, now=SOON) == (
        "DomainError",
        "outage.not_active",
    )
    assert OUTSIDER not in members(tx, 1)


def test_me_too_on_an_unknown_outage_is_refused(org: Engine, tx: Tx) -> None:
    assert refused(tx, lifecycle.me_too, outage_id=4, actor=OUTSIDER, now=SOON) == (
        "DomainError",
        "outage.unknown",
    )
