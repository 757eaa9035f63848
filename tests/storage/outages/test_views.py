"""storage.outages.views: an outage as the builders read it (affected people, reports,
updates), the active ones for the Home tab, a proposal's reports, the listing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from storage.errors import NotFound
from storage.outages import lifecycle, views
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    DECLARED,
    LATER,
    PEOPLE,
    A,
    B,
    burst,
    declare,
    file,
    outage_of,
    view,
)
from tests.storage.seed import NOW, OUTSIDER, REPORTER


def test_view_counts_affected_people_reports_and_updates(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    file(tx, REPORTER, "VPN masih mati", LATER + timedelta(minutes=1))
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
        lifecycle.post_update(session=s, outage_id=1, actor=A, text="Sedang dicek", now=LATER)
        lifecycle.post_update(session=s, outage_id=1, actor=A, text="Hampir", now=LATER)
    shown = view(tx, 1)
    assert (shown.affected, shown.reports) == (7, 7)  # 6 reporters and one "me too"; 7 reports
    assert [(u.author_id, u.text, u.created_at) for u in shown.updates] == [
        (A, "Sedang dicek", LATER),
        (A, "Hampir", LATER),
    ]
    assert (shown.id, shown.title, shown.state, shown.owner_id, shown.resource_name) == (
        1,
        "VPN",
        "active",
        A,
        "VPN",
    )
    assert (shown.first_report_at, shown.declared_at, shown.resolved_at) == (NOW, DECLARED, None)


def test_an_unknown_outage_is_not_found(org: Engine, tx: Tx) -> None:
    with pytest.raises(NotFound) as info, tx() as s:
        views.view(s, 5)
    assert info.value.key == "outage.unknown"


def test_active_lists_only_active_outages_newest_first(vpn: int, tx: Tx) -> None:
    outage_of(tx)  # 1: VPN
    mail = file(tx, REPORTER, "Email kantor tidak bisa dibuka", LATER)
    declare(tx, actor=B, ticket_id=mail.ticket.id, at=LATER)  # 2
    printer = file(tx, PEOPLE[8], "Printer lantai 3 macet", LATER)
    declare(tx, actor=B, ticket_id=printer.ticket.id, at=LATER)  # 3
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=2, actor=B, note="ok", now=LATER)
    with tx() as s:
        assert [o.id for o in views.active(s)] == [3, 1]
        assert [o.id for o in views.listing(s)] == [3, 2, 1]


def test_no_active_outage_lists_nothing(org: Engine, tx: Tx) -> None:
    with tx() as s:
        assert views.active(s) == []


def test_member_of_names_the_active_outages_a_person_is_counted_in(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        assert (views.member_of(s, PEOPLE[0]), views.member_of(s, OUTSIDER)) == ({1}, set())
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER)
    with tx() as s:
        assert views.member_of(s, PEOPLE[0]) == set()


def test_a_proposal_lists_its_reports_and_people(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    file(tx, PEOPLE[0], "VPN password expired", NOW + timedelta(minutes=6))  # again, other words
    with tx() as s:
        shown = views.proposal(s, 1)
    assert (shown.state, shown.resource_name, shown.people, len(shown.reports)) == (
        "proposed",
        "VPN",
        5,
        6,
    )
    assert [r.reporter_id for r in shown.reports] == [*PEOPLE[:5], PEOPLE[0]]
    assert shown.reports[0].summary == "VPN mati"


def test_a_declared_proposal_says_by_whom_and_which_outage(vpn: int, tx: Tx) -> None:
    burst(tx, 5)
    declare(tx, actor=B, proposal_id=1)
    with tx() as s:
        shown = views.proposal(s, 1)
    assert (shown.state, shown.decided_by, shown.outage_id) == ("declared", B, 1)


def test_an_unknown_proposal_is_not_found(org: Engine, tx: Tx) -> None:
    with pytest.raises(NotFound) as info, tx() as s:
        views.proposal(s, 2)
    assert info.value.key == "outage.unknown_proposal"
