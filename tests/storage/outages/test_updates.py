"""storage.outages.lifecycle.post_update: the owner's update, one row to each affected person,
once; refused when empty, too long, by someone else, or once the outage is resolved."""

from __future__ import annotations

from datetime import timedelta

from storage.models import Delivery, OutageUpdate
from storage.outages import lifecycle
from storage.outages.messages import T_UPDATE
from storage.types import NOTE_MAX
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    LATER,
    PEOPLE,
    A,
    B,
    count,
    deactivate,
    file,
    numbers,
    outage_of,
    outbox_rows,
    refused,
    rows,
)
from tests.storage.seed import ADMIN, OUTSIDER, REPORTER

SOON = LATER + timedelta(minutes=5)


def post(tx: Tx, text: str = "Vendor sedang memperbaiki", actor: str = A) -> lifecycle.Change:
    with tx() as s:
        return lifecycle.post_update(session=s, outage_id=1, actor=actor, text=text, now=SOON)


def test_an_update_goes_to_every_affected_person_once(vpn: int, tx: Tx) -> None:
    _, reports = outage_of(tx)
    change = post(tx)
    assert sorted(rows(tx, change.deliveries)) == [
        (T_UPDATE, who, f"outage:1:update:1:{who}") for who in PEOPLE[:5]
    ]
    assert {r.recipient: r.params for r in outbox_rows(tx, T_UPDATE)} == {
        who: {"outage": 1, "ticket": number, "update": 1}
        for who, number in zip(PEOPLE[:5], numbers(reports), strict=True)
    }


def test_an_update_is_kept_and_redraws_the_card_and_status(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    change = post(tx, "  Vendor sedang memperbaiki  ")
    with tx() as s:
        posted = s.get(OutageUpdate, 1)
        assert posted is not None
        assert (posted.author_id, posted.text, posted.created_at) == (
            A,
            "Vendor sedang memperbaiki",
            SOON,
        )
    assert change.prefixes == ["outage:1:card", "outage:1:status"]


def test_each_update_is_its_own_broadcast(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    first, second = post(tx, "Sedang dicek"), post(tx, "Hampir selesai")
    assert set(first.deliveries).isdisjoint(second.deliveries)
    assert len(outbox_rows(tx, T_UPDATE)) == 10


def test_reporters_linked_later_and_me_too_hear_it(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, REPORTER, "VPN mati", LATER)
    with tx() as s:
        lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER)
    change = post(tx)
    assert sorted(who for _, who, _ in rows(tx, change.deliveries)) == sorted(
        [*PEOPLE[:5], REPORTER, OUTSIDER]
    )
    said = {r.recipient: r.params for r in outbox_rows(tx, T_UPDATE)}
    assert said[OUTSIDER] == {"outage": 1, "ticket": None, "update": 1}


def test_a_person_who_reported_twice_hears_it_once(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    file(tx, PEOPLE[0], "VPN mati lagi", LATER)
    change = post(tx)
    assert len(change.deliveries) == 5


def test_a_deactivated_person_hears_no_update(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    deactivate(tx, PEOPLE[1])
    change = post(tx)
    assert PEOPLE[1] not in [who for _, who, _ in rows(tx, change.deliveries)]
    assert len(change.deliveries) == 4


def test_an_empty_update_is_refused_and_nothing_written(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    before = count(tx, Delivery)
    assert refused(tx, lifecycle.post_update, outage_id=1, actor=A, text="  \n ", now=SOON) == (
        "DomainError",
        "outage.update_empty",
    )
    assert (count(tx, OutageUpdate), count(tx, Delivery)) == (0, before)


def test_a_too_long_update_is_refused(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    assert refused(
        tx, lifecycle.post_update, outage_id=1, actor=A, text="x" * (NOTE_MAX + 1), now=SOON
    ) == ("DomainError", "outage.update_too_long")
    assert count(tx, OutageUpdate) == 0


def test_only_the_owner_or_an_admin_may_post(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    for who in (B, PEOPLE[0], OUTSIDER):
        assert refused(
            tx, lifecycle.post_update, outage_id=1, actor=who, text="Sudah normal?", now=SOON
        ) == ("DomainError", "outage.owner_only")
    assert count(tx, OutageUpdate) == 0
    assert len(post(tx, actor=ADMIN).deliveries) == 5


def test_no_update_once_resolved(vpn: int, tx: Tx) -> None:
    outage_of(tx)
    with tx() as s:
        lifecycle.resolve(session=s, outage_id=1, actor=A, note="fixed", now=LATER)
    before = count(tx, Delivery)
    assert refused(tx, lifecycle.post_update, outage_id=1, actor=A, text="Masih?", now=SOON) == (
        "DomainError",
        "outage.not_active",
    )
    assert (count(tx, OutageUpdate), count(tx, Delivery)) == (0, before)


def test_an_unknown_outage_is_refused(vpn: int, tx: Tx) -> None:
    assert refused(tx, lifecycle.post_update, outage_id=3, actor=A, text="Masih?", now=SOON) == (
        "DomainError",
        "outage.unknown",
    )
