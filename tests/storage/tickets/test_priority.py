"""A ticket's priority (from the form's urgency, changed by an agent) and the categories
`rekan categories` keeps (checked at filing, named in both languages on the snapshot)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import categories
from storage.errors import DomainError, NotFound
from storage.tickets import resolve, snapshot
from storage.tickets.priority import set_priority
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, TIER1, new_ticket

A, B, _C = TIER1
LATER = NOW + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("urgency", "priority"),
    [(None, "normal"), ("low", "low"), ("normal", "normal"), ("high", "high")],
)
def test_the_form_urgency_sets_the_priority(
    org: Engine, tx: Tx, urgency: str | None, priority: str
) -> None:
    with tx() as s:
        assert new_ticket(s, urgency=urgency).ticket.priority == priority


def test_the_agent_changes_it_once_others_are_refused(org: Engine, tx: Tx) -> None:
    with tx() as s:
        number = new_ticket(s).ticket.id or 0
    assert number and snapshot_of(tx, number).ticket.agent_id == A
    for who, key in ((REPORTER, "ticket.not_yours"), (B, "ticket.not_yours")):
        with tx() as s, pytest.raises(DomainError) as refused:
            set_priority(session=s, number=number, actor=who, priority="urgent", now=LATER)
        assert refused.value.key == key
    with tx() as s, pytest.raises(DomainError) as unknown:
        set_priority(session=s, number=number, actor=A, priority="asap", now=LATER)
    assert unknown.value.key == "ticket.bad_priority"
    assert unknown.value.params["known"] == "urgent, high, normal, low"
    with tx() as s:
        assert set_priority(session=s, number=number, actor=A, priority=" URGENT", now=LATER)
    with tx() as s:  # the same again: nothing changes
        set_priority(session=s, number=number, actor=A, priority="urgent", now=LATER)
    snap = snapshot_of(tx, number)
    assert snap.ticket.priority == "urgent"
    assert [e.note for e in snap.events if e.kind == "priority"] == ["urgent"]
    with tx() as s:
        resolve(session=s, number=number, actor=A, resolution="done", now=LATER)
    with tx() as s, pytest.raises(DomainError) as closed:
        set_priority(session=s, number=number, actor=A, priority="low", now=LATER)
    assert closed.value.key == "ticket.priority_closed"


def snapshot_of(tx: Tx, number: int):  # type: ignore[no-untyped-def]
    with tx() as s:
        return snapshot(s, number)


def test_categories_are_managed_and_checked_at_filing(org: Engine, tx: Tx) -> None:
    with tx() as s:
        keys = [c.key for c in categories.listing(s)]
    assert keys == ["vpn", "hardware", "account", "application", "network", "other"]
    with tx() as s:
        row, created = categories.add(
            session=s, key=" Printer ", text_id="Pencetak", text_en="Printers", now=NOW
        )
        assert (row.key, created) == ("printer", True)
    with tx() as s:
        _, created = categories.add(
            session=s, key="printer", text_id="Printer", text_en="Printer", now=NOW
        )
        assert created is False
        number = new_ticket(s, category="printer").ticket.id or 0
    assert snapshot_of(tx, number).category_names == ("Printer", "Printer")
    for key, text_id, text_en, refusal in (
        ("two words", "a", "b", "categories.bad_key"),
        ("ok", " ", "b", "categories.empty"),
        ("ok", "a", "b" * 76, "categories.too_long"),
    ):
        with tx() as s, pytest.raises(DomainError) as refused:
            categories.add(session=s, key=key, text_id=text_id, text_en=text_en, now=NOW)
        assert refused.value.key == refusal
    with tx() as s:
        categories.remove(session=s, key="PRINTER")
    with tx() as s, pytest.raises(NotFound):
        categories.remove(session=s, key="printer")
    # its ticket keeps the key; a new filing under it is refused
    assert snapshot_of(tx, number).ticket.category == "printer"
    assert snapshot_of(tx, number).category_names is None
    with tx() as s, pytest.raises(DomainError) as gone:
        new_ticket(s, category="printer")
    assert gone.value.key == "ticket.bad_category"
