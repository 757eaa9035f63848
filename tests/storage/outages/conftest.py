"""Outage storage tests: reports filed the way /lapor files them (storage.tickets.file_ticket,
with the real repeat matcher: outages compare texts with storage.matching.judge itself), then
the outage operations called directly, with time passed in.

The texts are ones the real matcher certainly reads as one problem ("VPN mati" / "vpn mati
lagi") or certainly not ("Printer lantai 3 macet"); a registered resource ("VPN") makes a
cluster by resource whatever the texts say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from storage import resources
from storage.errors import DomainError
from storage.models import Delivery, OutageMember, OutageProposal, Person, Rotation, Ticket
from storage.outages import lifecycle, views
from storage.tickets import Outcome
from storage.types import OutageView
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, TIER1, new_ticket, sent

A, B, C = TIER1
TRIAGE = "C0TRIAGE"  # the triage channel
PEOPLE = tuple(f"U0STAFF{i:02d}" for i in range(1, 13))  # reporters, none of them an agent
DECLARED = NOW + timedelta(minutes=10)  # when an agent declares (the burst is over by then)
LATER = NOW + timedelta(minutes=20)


@pytest.fixture
def vpn(org: Engine, tx: Tx) -> int:
    """A registered resource: every report naming "VPN" is about it."""
    with tx() as s:
        return resources.add(session=s, name="VPN", aliases=["vpn kantor"], now=NOW).id or 0


def file(tx: Tx, who: str, text: str = "VPN mati", at: datetime = NOW, **fields: Any) -> Outcome:
    """One report, as /lapor files it (the triage channel set)."""
    with tx() as s:
        return new_ticket(s, reporter=who, summary=text, now=at, triage_channel=TRIAGE, **fields)


def burst(
    tx: Tx,
    people: int,
    text: str = "VPN mati",
    *,
    start: datetime = NOW,
    first: int = 0,
) -> list[Outcome]:
    """`people` different people report, a minute apart."""
    return [file(tx, PEOPLE[first + i], text, start + timedelta(minutes=i)) for i in range(people)]


def numbers(outcomes: list[Outcome]) -> list[int]:
    return [o.ticket.id or 0 for o in outcomes]


def all_proposals(tx: Tx) -> list[OutageProposal]:
    with tx() as s:
        return list(s.exec(select(OutageProposal).order_by(col(OutageProposal.id))).all())


def only_proposal(tx: Tx) -> OutageProposal:
    found = all_proposals(tx)
    assert len(found) == 1, found
    return found[0]


def declare(tx: Tx, actor: str = A, at: datetime = DECLARED, **kwargs: Any) -> lifecycle.Change:
    with tx() as s:
        return lifecycle.declare(session=s, actor=actor, now=at, triage_channel=TRIAGE, **kwargs)


def outage_of(tx: Tx, people: int = 5, text: str = "VPN mati") -> tuple[int, list[Outcome]]:
    """`people` reports proposed as one outage, declared by agent A: (outage, reports)."""
    reports = burst(tx, people, text)
    change = declare(tx, proposal_id=only_proposal(tx).id)
    assert change.outage_id is not None
    return change.outage_id, reports


def refused(tx: Tx, operation: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """(error class, catalog key) of an operation that must be refused."""
    with pytest.raises(DomainError) as info, tx() as s:
        operation(session=s, **kwargs)
    return type(info.value).__name__, info.value.key


def rows(tx: Tx, ids: list[int]) -> list[tuple[str, str, str]]:
    """(template, recipient, key) of outbox rows."""
    with tx() as s:
        return sent(s, ids)


def outbox_rows(tx: Tx, template: str | None = None) -> list[Delivery]:
    with tx() as s:
        query = select(Delivery).order_by(col(Delivery.id))
        if template is not None:
            query = query.where(Delivery.template == template)
        return list(s.exec(query).all())


def count(tx: Tx, model: type) -> int:
    with tx() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def turns(tx: Tx, tier: int = 1) -> tuple[int, int]:
    """(turns given, last position served) of a tier's rotation."""
    with tx() as s:
        row = s.get(Rotation, tier)
        return (row.turns, row.last_position) if row else (0, 0)


def members(tx: Tx, outage_id: int) -> set[str]:
    with tx() as s:
        found = s.exec(select(OutageMember.slack_id).where(OutageMember.outage_id == outage_id))
        return set(found.all())


def ticket(tx: Tx, number: int) -> Ticket:
    with tx() as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def view(tx: Tx, outage_id: int) -> OutageView:
    with tx() as s:
        return views.view(s, outage_id)


def deactivate(tx: Tx, slack_id: str) -> None:
    """The person left (deactivated in Slack, or by `people sync`)."""
    with tx() as s:
        person = s.get(Person, slack_id)
        assert person is not None
        person.active = False
        s.add(person)
