"""storage.outages.lifecycle.resolve: once for all — every linked report resolved (each with
its own Reopen), resource claims released, every reachable affected person told once, a
summary to the triage channel; a second press is AlreadyDone and sends nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage import people, tickets
from storage.models import Claim, Delivery, TicketEvent
from storage.outages import lifecycle
from storage.outages.messages import T_RESOLVED, T_SUMMARY
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    LATER,
    PEOPLE,
    TRIAGE,
    A,
    B,
    count,
    deactivate,
    declare,
    file,
    numbers,
    outage_of,
    outbox_rows,
    refused,
    rows,
    ticket,
    view,
)
from tests.storage.seed import ADMIN, NOW, OUTSIDER, REPORTER, timeline

FIXED = LATER + timedelta(minutes=30)


def resolve(tx: Tx, actor: str = A, note: str = "VPN sudah normal") -> lifecycle.Change:
    with tx() as s:
        return lifecycle.resolve(
            session=s, outage_id=1, actor=actor, note=note, now=FIXED, triage_channel=TRIAGE
        )


def test_every_linked_report_is_resolved_by_the_owner(vpn: int, tx: Tx) -> None:
    _, reports = outage_of(tx)
    later = file(tx, REPORTER, "VPN mati", LATER)
    resolve(tx)
    for number in [*numbers(reports), later.ticket.id or 0]:
        done = ticket(tx, number)
        assert (done.state, done.resolved_by, done.resolution, done.outage_id) == (
            "resolved",
            A,
            "VPN sudah normal",
            1,
        )
        with tx() as s:
            assert timeline(s, number)[-1] == ("resolved", A, A)


def test_the_outage_is_marked_resolved(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    change = resolve(tx, actor=ADMIN)
    shown = view(tx, 1)
    assert (shown.state, shown.resolved_at, shown.resolution) == (
        "resolved",
        FIXED,
        "VPN sudah normal",
    )
    assert change.prefixes == ["outage:1:card", "outage:1:status"]
    with tx() as s:
        for number in range(1, 6):  # an admin resolved it: the tickets' resolver is the owner
            assert tickets.get(s, number).resolved_by == A


def test_reports_declared_with_messages_are_redrawn(vpn: int, tx: Tx) -> None:
    _, reports = outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)  # linked later: no card or ticket DM to redraw
    assert resolve(tx).tickets == numbers(reports)


def test_one_resolution_row_per_affected_person(vpn: int, tx: Tx) -> None:
    _, reports = outage_of(tx)
    later = file(tx, REPORTER, "VPN mati", LATER)
    file(tx, PEOPLE[0], "VPN mati lagi", LATER)  # a second report: still one message
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
    resolve(tx)
    said = {r.recipient: (r.key, r.params) for r in outbox_rows(tx, T_RESOLVED)}
    assert len(outbox_rows(tx, T_RESOLVED)) == 7
    assert said == {
        **{
            who: (f"outage:1:resolved:{who}", {"outage": 1, "ticket": number})
            for who, number in zip(PEOPLE[:5], numbers(reports), strict=True)
        },
        REPORTER: (f"outage:1:resolved:{REPORTER}", {"outage": 1, "ticket": later.ticket.id}),
        OUTSIDER: (f"outage:1:resolved:{OUTSIDER}", {"outage": 1, "ticket": None}),
    }


def test_a_me_too_who_then_reports_gets_their_reports_reopen(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
    report = file(tx, OUTSIDER, "VPN mati", LATER + timedelta(minutes=1)).ticket.id
    resolve(tx)
    said = {r.recipient: r.params for r in outbox_rows(tx, T_RESOLVED)}
    assert said[OUTSIDER] == {"outage": 1, "ticket": report}


def test_a_deactivated_person_gets_no_resolution(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    deactivate(tx, PEOPLE[2])
    change = resolve(tx)
    told = [who for template, who, _ in rows(tx, change.deliveries) if template == T_RESOLVED]
    assert sorted(told) == sorted(set(PEOPLE[:5]) - {PEOPLE[2]})
    assert ticket(tx, 3).state == "resolved"  # their report is resolved all the same


def test_an_away_person_still_gets_their_one_resolution(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        people.set_away(session=s, slack_id=PEOPLE[3], now=LATER)
    resolve(tx)
    assert [r.recipient for r in outbox_rows(tx, T_RESOLVED)].count(PEOPLE[3]) == 1


def test_a_summary_goes_to_the_triage_channel(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    change = resolve(tx)
    assert rows(tx, change.deliveries)[-1] == (T_SUMMARY, TRIAGE, "outage:1:summary")
    assert outbox_rows(tx, T_SUMMARY)[0].params == {"outage": 1}


def test_without_a_triage_channel_there_is_no_summary(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="", now=FIXED)
    assert outbox_rows(tx, T_SUMMARY) == []
    assert view(tx, 1).resolution is None


def test_resource_claims_of_linked_reports_are_released(vpn: int, tx: Tx) -> None:
    first = file(tx, REPORTER, "VPN mati")
    number = first.ticket.id or 0
    with tx() as s:
        tickets.take(session=s, number=number, actor=A, now=NOW)
    declare(tx, ticket_id=number)
    with tx() as s:
        claim = s.exec(select(Claim).where(Claim.ticket_id == number)).one()
        assert claim.released_at is None
    resolve(tx)
    with tx() as s:
        claim = s.exec(select(Claim).where(Claim.ticket_id == number)).one()
        assert (claim.released_at, claim.release_reason) == (FIXED, "resolved")


def test_resolving_twice_is_already_done_and_sends_nothing(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    resolve(tx)
    before = (count(tx, Delivery), count(tx, TicketEvent))
    with tx() as s:
        try:
            lifecycle.resolve(session=s, outage_id=1, actor=A, note="again", now=FIXED)
        except tickets.AlreadyDone as done:
            assert (done.key, done.params["by"], done.params["at"]) == (
                "outage.already_resolved",
                A,
                FIXED,
            )
        else:
            raise AssertionError("resolved twice")
    assert (count(tx, Delivery), count(tx, TicketEvent)) == before
    assert view(tx, 1).resolution == "VPN sudah normal"


def test_only_the_owner_or_an_admin_may_resolve(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    for who in (B, PEOPLE[0]):
        assert refused(tx, lifecycle.resolve, outage_id=1, actor=who, note="x", now=FIXED) == (
            "DomainError",
            "outage.owner_only",
        )
    assert view(tx, 1).state == "active"
    assert outbox_rows(tx, T_RESOLVED) == []


def test_a_report_taken_out_as_different_is_not_resolved(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.different(session=s, number=2, actor=PEOPLE[1], now=LATER)
    resolve(tx)
    assert ticket(tx, 2).state == "open"
    assert PEOPLE[1] not in [r.recipient for r in outbox_rows(tx, T_RESOLVED)]


# ---------------------------------------------------------------- reopen afterwards


def test_reopening_one_report_makes_only_it_a_normal_ticket(vpn: int, tx: Tx) -> None:
    _, reports = outage_of(tx)
    resolve(tx)
    with tx() as s:
        out = tickets.reopen(session=s, number=3, actor=PEOPLE[2], now=FIXED)
    assert out.deliveries  # the card of its agent
    reopened = ticket(tx, 3)
    assert (reopened.state, reopened.outage_id, reopened.agent_id) == ("open", None, A)
    for number in numbers(reports):
        if number != 3:
            assert (ticket(tx, number).state, ticket(tx, number).outage_id) == ("resolved", 1)
    assert view(tx, 1).state == "resolved"


def test_a_reopened_report_may_start_a_new_outage(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    resolve(tx)
    with tx() as s:
        tickets.reopen(session=s, number=1, actor=PEOPLE[0], now=FIXED)
    change = declare(tx, actor=B, ticket_id=1, at=FIXED + timedelta(minutes=1))
    assert (change.outage_id, change.tickets) == (2, [1])
    assert (ticket(tx, 1).outage_id, ticket(tx, 2).outage_id) == (2, 1)
