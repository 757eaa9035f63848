"""A linked report is not a ticket of its own for the other ticket operations while its
outage is active: the outage resolves it (and its reporter hears once), so the per-ticket
state machine must not move it out from under the outage."""

from __future__ import annotations

import pytest

from storage import tickets
from storage.errors import DomainError
from storage.outages.messages import T_RESOLVED
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    LATER,
    A,
    file,
    outage_of,
    outbox_rows,
    ticket,
)
from tests.storage.seed import REPORTER


def linked_report(tx: Tx) -> int:
    outage_of(tx)
    number = file(tx, REPORTER, "VPN mati", LATER).ticket.id or 0
    assert ticket(tx, number).state == "outage"
    return number


def test_escalating_a_linked_report_is_refused(vpn: int, tx: Tx) -> None:
    number = linked_report(tx)
    with pytest.raises(DomainError), tx() as s:
        tickets.escalate(session=s, number=number, actor=A, note="tolong", now=LATER)


def test_reopen_of_a_report_still_linked_is_refused(vpn: int, tx: Tx) -> None:
    number = linked_report(tx)
    with pytest.raises(DomainError), tx() as s:
        tickets.reopen(session=s, number=number, actor=REPORTER, now=LATER)


def test_resolving_a_linked_report_on_its_own_is_refused(vpn: int, tx: Tx) -> None:
    number = linked_report(tx)
    with pytest.raises(DomainError), tx() as s:
        tickets.resolve(session=s, number=number, actor=A, resolution="ok", now=LATER)


def test_taking_a_linked_report_is_refused(vpn: int, tx: Tx) -> None:
    number = linked_report(tx)
    with pytest.raises(DomainError), tx() as s:
        tickets.take(session=s, number=number, actor=A, now=LATER)


def test_the_reporter_of_a_resolved_report_hears_once(vpn: int, tx: Tx) -> None:
    """The outage's resolution is the one message: one row per person, whatever they filed."""
    number = linked_report(tx)
    from storage.outages import lifecycle

    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER)
    assert [r.recipient for r in outbox_rows(tx, T_RESOLVED)].count(REPORTER) == 1
    assert ticket(tx, number).state == "resolved"
