"""storage.outages.links through file_ticket: while an outage is active, a report naming its
resource (or, without one, repeating its reports) is linked — a report, not a ticket of its
own: no card, no ticket DM, no rotation turn, one notice; the owner's card is redrawn at most
every few seconds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from storage import tickets
from storage.models import Ticket
from storage.outages import lifecycle, links
from storage.outages.messages import T_NOTICE, T_PROPOSAL
from storage.tickets import T_CARD, T_HOME
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    DECLARED,
    LATER,
    PEOPLE,
    A,
    count,
    declare,
    file,
    members,
    outage_of,
    outbox_rows,
    rows,
    ticket,
    turns,
    view,
)
from tests.storage.seed import REPORTER, timeline


def ticket_rows(tx: Tx, number: int) -> list[str]:
    """The templates of the outbox rows about a ticket (a card, a ticket DM, a mirror)."""
    return [r.template for r in outbox_rows(tx) if r.ticket_id == number]


# ---------------------------------------------------------------- on a resource


def test_a_later_report_naming_the_resource_is_linked(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    out = file(tx, REPORTER, "Laptop saya mati dan VPN juga", LATER)
    number = out.ticket.id or 0
    assert (out.created, out.outage) == (True, 1)
    linked = ticket(tx, number)
    assert (linked.state, linked.outage_id, linked.agent_id, linked.resource_id) == (
        "outage",
        1,
        A,
        vpn,
    )
    with tx() as s:
        assert timeline(s, number) == [("filed", REPORTER, None), ("linked", None, A)]
    assert REPORTER in members(tx, 1)


def test_a_linked_report_gets_only_the_notice_with_its_ticket(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    out = file(tx, REPORTER, "vpn kantor lemot", LATER)
    number = out.ticket.id or 0
    assert rows(tx, out.deliveries) == [(T_NOTICE, REPORTER, f"outage:1:notice:{number}")]
    assert outbox_rows(tx)[-1].params == {"outage": 1, "ticket": number}


def test_a_linked_report_has_no_card_and_no_ticket_dm(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    number = file(tx, REPORTER, "VPN mati", LATER).ticket.id or 0
    assert T_CARD not in ticket_rows(tx, number)
    assert T_HOME not in ticket_rows(tx, number)
    assert ticket_rows(tx, number) == []  # the notice is the outage's, not the ticket's


def test_a_linked_report_takes_no_rotation_turn(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    before = turns(tx)
    for i in range(3):
        file(tx, PEOPLE[5 + i], "VPN mati", LATER + timedelta(seconds=i))
    assert turns(tx) == before


def test_a_linked_report_is_not_proposed_again(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    proposals_before = len(outbox_rows(tx, T_PROPOSAL))
    for i in range(6):
        file(tx, PEOPLE[5 + i], "VPN mati", LATER + timedelta(seconds=i))
    assert len(outbox_rows(tx, T_PROPOSAL)) == proposals_before
    assert view(tx, 1).affected == 11


def test_the_same_person_reporting_twice_counts_once(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    file(tx, REPORTER, "VPN masih mati", LATER + timedelta(minutes=1))
    shown = view(tx, 1)
    assert (shown.affected, shown.reports) == (6, 7)


def test_a_reporter_of_the_cluster_reporting_again_counts_once(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    out = file(tx, PEOPLE[0], "VPN mati lagi", LATER)
    assert out.outage == 1
    assert view(tx, 1).affected == 5


def test_a_report_about_something_else_is_a_ticket_of_its_own(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    before = turns(tx)
    out = file(tx, REPORTER, "Printer lantai 3 macet", LATER)
    assert out.outage is None
    assert ticket(tx, out.ticket.id or 0).state == "open"
    assert T_CARD in ticket_rows(tx, out.ticket.id or 0)
    assert turns(tx)[0] == before[0] + 1


def test_after_the_outage_is_resolved_reports_are_tickets_again(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="fixed", now=LATER)
    out = file(tx, REPORTER, "VPN mati", LATER + timedelta(minutes=1))
    assert out.outage is None
    assert ticket(tx, out.ticket.id or 0).state == "open"


def test_a_report_filed_as_new_on_purpose_is_not_linked(vpn: int, tx: Tx) -> None:
    """force_new: "my problem is different" from a repeat's split: a ticket of its own."""
    outage_of(tx)
    out = file(tx, REPORTER, "VPN mati", LATER, force_new=True)
    assert out.outage is None
    assert ticket(tx, out.ticket.id or 0).outage_id is None


def test_the_same_source_key_again_says_it_was_linked(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    first = file(tx, REPORTER, "VPN mati", LATER, source_key="cmd:retry")
    again = file(tx, REPORTER, "VPN mati", LATER, source_key="cmd:retry")
    assert (again.created, again.outage, again.ticket.id, again.deliveries) == (
        False,
        1,
        first.ticket.id,
        [],
    )
    assert view(tx, 1).reports == 6


# ---------------------------------------------------------------- without a resource


def test_without_a_resource_a_matching_text_is_linked(org: Engine, tx: Tx) -> None:
    outage_of(tx, text="VPN mati")
    out = file(tx, REPORTER, "vpn mati lagi", LATER)
    assert out.outage == 1
    assert ticket(tx, out.ticket.id or 0).state == "outage"


def test_without_a_resource_an_unrelated_text_is_not_linked(org: Engine, tx: Tx) -> None:
    outage_of(tx, text="VPN mati")
    out = file(tx, REPORTER, "Printer lantai 3 macet", LATER)
    assert out.outage is None
    number = out.ticket.id or 0
    assert (ticket(tx, number).state, ticket(tx, number).outage_id) == ("open", None)
    assert T_CARD in ticket_rows(tx, number)


def test_an_outage_declared_from_one_ticket_links_its_repeats_by_others(
    org: Engine, tx: Tx
) -> None:
    first = file(tx, REPORTER, "Email kantor tidak bisa dibuka")
    declare(tx, ticket_id=first.ticket.id)
    out = file(tx, PEOPLE[0], "email kantor tidak bisa dibuka sejak pagi", DECLARED)
    assert out.outage == 1
    assert members(tx, 1) == {REPORTER, PEOPLE[0]}


# ---------------------------------------------------------------- the owner's card


def test_the_first_linked_report_asks_for_a_redraw_of_the_card(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    out = file(tx, REPORTER, "VPN mati", LATER)
    assert out.card_due == LATER + links.CARD_EVERY


def test_reports_while_a_redraw_is_due_do_not_ask_again(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    again = [
        file(tx, PEOPLE[5 + i], "VPN mati", LATER + timedelta(seconds=1 + i)).card_due
        for i in range(3)
    ]
    assert again == [None, None, None]


def test_once_the_redraw_is_taken_the_next_report_asks_again(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    due = file(tx, REPORTER, "VPN mati", LATER).card_due
    assert due is not None
    with tx() as s:
        assert links.take_due(s, 1, now=due - timedelta(seconds=1)) is False  # not yet
        assert links.due_cards(s, now=due) == [1]
    with tx() as s:
        assert links.take_due(s, 1, now=due) is True
    with tx() as s:
        assert links.take_due(s, 1, now=due) is False  # one instance redraws it
        assert links.due_cards(s, now=due) == []
    later = due + timedelta(seconds=1)
    assert file(tx, PEOPLE[5], "VPN mati", later).card_due == later + links.CARD_EVERY


def test_every_report_is_kept_as_a_ticket_row(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    for i in range(4):
        file(tx, PEOPLE[5 + i], "VPN mati", LATER + timedelta(seconds=i))
    assert count(tx, Ticket) == 9
    assert view(tx, 1).reports == 9


def test_linked_reports_are_not_in_the_owners_queue(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    with tx() as s:
        assert tickets.queue(s, A) == []


def test_a_linked_report_gives_its_reporter_no_agent_of_their_own(vpn: int, tx: Tx) -> None:
    """Affinity sends a reporter's next ticket to the agent of their open ticket; a linked
    report is not one, so their next problem takes the rotation's turn."""
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    rotation_before = turns(tx)
    file(tx, REPORTER, "Printer lantai 3 macet", LATER + timedelta(minutes=1))
    assert turns(tx)[0] == rotation_before[0] + 1
