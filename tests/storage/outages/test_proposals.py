"""storage.outages.proposals: enough different people reporting one resource, or matching
texts, within the window are put to the agents holding those reports and the triage channel,
once per cluster; "Not related" silences the cluster."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from storage.models import OutageProposal, Ticket
from storage.outages import lifecycle
from storage.outages.messages import T_PROPOSAL
from storage.outages.proposals import OutageRule
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    PEOPLE,
    TRIAGE,
    A,
    B,
    C,
    all_proposals,
    burst,
    count,
    file,
    numbers,
    only_proposal,
    outbox_rows,
    refused,
    rows,
)
from tests.storage.seed import NOW, OUTSIDER, REPORTER, new_ticket


def proposal_rows(tx: Tx) -> list[tuple[str, str]]:
    return [(r.recipient, r.key) for r in outbox_rows(tx, T_PROPOSAL)]


# ---------------------------------------------------------------- by resource


def test_five_people_on_one_resource_make_one_proposal(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 5)
    proposal = only_proposal(tx)
    assert (proposal.state, proposal.resource_id, proposal.cluster) == (
        "proposed",
        vpn,
        f"resource:{reports[0].ticket.id}:0",
    )
    assert proposal.tickets == numbers(reports)
    assert proposal.last_report_at == NOW + timedelta(minutes=4)


def test_the_proposal_goes_to_the_agent_holding_the_reports_and_the_triage_channel(
    vpn: int, tx: Tx
) -> None:
    reports = burst(tx, 5)
    assert {r.ticket.agent_id for r in reports} == {A}  # the resource's holder has them all
    fifth = [r for r in rows(tx, reports[-1].deliveries) if r[0] == T_PROPOSAL]
    assert fifth == [
        (T_PROPOSAL, TRIAGE, f"outage-proposal:1:{TRIAGE}"),
        (T_PROPOSAL, A, f"outage-proposal:1:{A}"),
    ]
    assert proposal_rows(tx) == [
        (TRIAGE, f"outage-proposal:1:{TRIAGE}"),
        (A, f"outage-proposal:1:{A}"),
    ]
    assert [r.params for r in outbox_rows(tx, T_PROPOSAL)] == [{"proposal": 1}] * 2


def test_without_a_triage_channel_only_the_agents_are_asked(vpn: int, tx: Tx) -> None:
    for i in range(5):
        with tx() as s:
            new_ticket(s, reporter=PEOPLE[i], summary="VPN mati", now=NOW)
    assert proposal_rows(tx) == [(A, f"outage-proposal:1:{A}")]


def test_four_people_are_not_an_outage(vpn: int, tx: Tx) -> None:
    burst(tx, 4)
    assert all_proposals(tx) == []
    assert proposal_rows(tx) == []


def test_one_person_reporting_five_times_is_not_an_outage(vpn: int, tx: Tx) -> None:
    texts = (
        "VPN mati",
        "VPN lambat sekali",
        "VPN putus putus",
        "VPN error 809",
        "VPN password expired",
    )
    for i, text in enumerate(texts):
        file(tx, REPORTER, text, NOW + timedelta(minutes=i))
    assert count(tx, Ticket) == 5  # five tickets of their own on the resource: the cluster
    assert all_proposals(tx) == []
    assert proposal_rows(tx) == []


def test_four_people_one_of_them_twice_are_not_an_outage(vpn: int, tx: Tx) -> None:
    burst(tx, 4)
    file(tx, PEOPLE[0], "VPN password expired", NOW + timedelta(minutes=5))
    assert count(tx, Ticket) == 5
    assert all_proposals(tx) == []


def test_reports_older_than_the_window_do_not_count(vpn: int, tx: Tx) -> None:
    file(tx, PEOPLE[0], at=NOW)
    burst(tx, 4, start=NOW + timedelta(minutes=16), first=1)  # the first is 19 minutes old
    assert all_proposals(tx) == []
    fifth = file(tx, PEOPLE[5], at=NOW + timedelta(minutes=20))
    assert only_proposal(tx).tickets == [2, 3, 4, 5, fifth.ticket.id]


def test_a_custom_rule_sets_how_many_people_and_how_long(vpn: int, tx: Tx) -> None:
    three = OutageRule(reporters=3, window=timedelta(minutes=2))
    for i, minute in enumerate((0, 1, 2)):
        file(tx, PEOPLE[i], at=NOW + timedelta(minutes=minute), outage_rule=three)
    assert len(all_proposals(tx)) == 1


def test_the_window_of_a_custom_rule_is_kept(vpn: int, tx: Tx) -> None:
    three = OutageRule(reporters=3, window=timedelta(minutes=2))
    for i, minute in enumerate((0, 2, 4)):
        file(tx, PEOPLE[i], at=NOW + timedelta(minutes=minute), outage_rule=three)
    assert all_proposals(tx) == []


# ---------------------------------------------------------------- by text


def test_matching_texts_from_five_people_make_a_proposal(org: Engine, tx: Tx) -> None:
    texts = ("VPN mati", "vpn mati lagi", "VPN mati", "vpn mati", "VPN mati lagi")
    reports = [file(tx, PEOPLE[i], t, NOW + timedelta(minutes=i)) for i, t in enumerate(texts)]
    assert [r.ticket.agent_id for r in reports] == [A, B, C, A, B]  # no resource: the rotation
    proposal = only_proposal(tx)
    assert (proposal.resource_id, proposal.cluster, proposal.tickets) == (
        None,
        "text:1:0",
        numbers(reports),
    )
    assert proposal_rows(tx) == [
        (TRIAGE, f"outage-proposal:1:{TRIAGE}"),
        (A, f"outage-proposal:1:{A}"),
        (B, f"outage-proposal:1:{B}"),
        (C, f"outage-proposal:1:{C}"),
    ]


def test_texts_that_do_not_match_are_no_cluster(org: Engine, tx: Tx) -> None:
    burst(tx, 4)
    file(tx, PEOPLE[4], "Printer lantai 3 macet", NOW + timedelta(minutes=5))
    assert all_proposals(tx) == []


def test_a_text_cluster_ignores_reports_about_a_resource(vpn: int, tx: Tx) -> None:
    """Reports naming the resource are the resource's cluster, not the text's."""
    burst(tx, 4)  # about VPN
    file(tx, PEOPLE[4], "Email kantor tidak bisa dibuka", NOW + timedelta(minutes=5))
    assert all_proposals(tx) == []


# ---------------------------------------------------------------- one proposal per cluster


def test_a_sixth_report_joins_the_proposal_without_a_second_one(vpn: int, tx: Tx) -> None:
    reports = burst(tx, 6)
    proposal = only_proposal(tx)
    assert proposal.tickets == numbers(reports)
    assert proposal.last_report_at == NOW + timedelta(minutes=5)
    assert [r for r in rows(tx, reports[-1].deliveries) if r[0] == T_PROPOSAL] == []
    assert len(proposal_rows(tx)) == 2


def test_a_sixth_matching_text_joins_the_text_proposal(org: Engine, tx: Tx) -> None:
    reports = burst(tx, 6)
    assert only_proposal(tx).tickets == numbers(reports)
    assert len(proposal_rows(tx)) == 4  # triage and A, B, C: once


def test_after_not_related_further_reports_are_silent(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    with tx() as s:
        change = lifecycle.dismiss(
            session=s, proposal_id=1, actor=A, now=NOW + timedelta(minutes=5)
        )
    assert (change.outage_id, change.deliveries, change.prefixes) == (
        None,
        [],
        ["outage-proposal:1:"],
    )
    later = burst(tx, 5, start=NOW + timedelta(minutes=6), first=5)
    proposal = only_proposal(tx)
    assert (proposal.state, proposal.decided_by) == ("dismissed", A)
    assert len(proposal.tickets) == 10
    assert len(proposal_rows(tx)) == 2  # the first proposal's, nothing since
    for report in later:
        assert [r for r in rows(tx, report.deliveries) if r[0] == T_PROPOSAL] == []


def test_not_related_twice_is_already_done(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    with tx() as s:
        lifecycle.dismiss(session=s, proposal_id=1, actor=A, now=NOW)
    assert refused(tx, lifecycle.dismiss, proposal_id=1, actor=B, now=NOW) == (
        "AlreadyDone",
        "outage.already_dismissed",
    )


def test_not_related_after_declare_is_already_done(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    with tx() as s:
        lifecycle.declare(session=s, proposal_id=1, actor=A, now=NOW)
    assert refused(tx, lifecycle.dismiss, proposal_id=1, actor=B, now=NOW) == (
        "AlreadyDone",
        "outage.already_declared",
    )
    assert only_proposal(tx).state == "declared"


def test_only_agents_may_say_not_related(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    assert refused(tx, lifecycle.dismiss, proposal_id=1, actor=OUTSIDER, now=NOW) == (
        "DomainError",
        "outage.agents_only",
    )
    assert only_proposal(tx).state == "proposed"


def test_an_unknown_proposal_is_refused(vpn: int, tx: Tx) -> None:
    assert refused(tx, lifecycle.dismiss, proposal_id=9, actor=A, now=NOW) == (
        "DomainError",
        "outage.unknown_proposal",
    )
    assert count(tx, OutageProposal) == 0


def test_a_report_taken_out_of_a_declared_outage_may_start_a_new_proposal(vpn: int, tx: Tx) -> None:
    burst(tx, 5)  # tickets 1-5, proposal "resource:1"
    with tx() as s:
        lifecycle.declare(session=s, proposal_id=1, actor=A, now=NOW + timedelta(minutes=5))
        lifecycle.different(session=s, number=1, actor=PEOPLE[0], now=NOW + timedelta(minutes=6))
        lifecycle.resolve(
            session=s, outage_id=1, actor=A, note="ok", now=NOW + timedelta(minutes=7)
        )
    burst(tx, 4, start=NOW + timedelta(minutes=8), first=5)  # the VPN is down again
    assert [p.state for p in all_proposals(tx)] == ["declared", "proposed"]
