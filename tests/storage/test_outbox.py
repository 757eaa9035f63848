"""storage.outbox: rows written once per key, claimed by one worker, marked sent, retried
with back-off, deferred, released, and found again for updates in place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import campaigns, outbox, people, tickets
from storage.models import Delivery, Person
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, RINA, TIER1, new_ticket

A = TIER1[0]
SOON = NOW + timedelta(seconds=30)


def add(s: Session, key: str, recipient: str = REPORTER, **kw: object) -> int:
    return outbox.enqueue(
        s,
        key=key,
        recipient=recipient,
        template=str(kw.pop("template", "t")),
        params=dict(kw.pop("params", {})),  # type: ignore[call-overload]
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def row(tx: Tx, delivery_id: int) -> Delivery:
    with tx() as s:
        found = s.get(Delivery, delivery_id)
        assert found is not None
        return found


def test_a_key_is_written_once(org: Engine, tx: Tx) -> None:
    with tx() as s:
        first = add(s, "k1", params={"a": 1}, due=SOON, campaign="c")
        assert add(s, "k1", recipient=RINA, params={"a": 2}) == first
    written = row(tx, first)
    assert (written.recipient, written.params, written.campaign, written.state) == (
        REPORTER,
        {"a": 1},
        "c",
        "pending",
    )
    assert (written.next_attempt_at, written.created_at, written.attempts) == (SOON, NOW, 0)


def test_claiming_moves_a_due_row_to_sending_once(org: Engine, tx: Tx) -> None:
    with tx() as s:
        s.get(Person, REPORTER).dm_channel = "D0REPORT"  # type: ignore[union-attr]
        people.set_away(session=s, slack_id=RINA, now=NOW)
        mine, away, channel, later = (
            add(s, "k1"),
            add(s, "k2", RINA),
            add(s, "k3", "C0TRIAGE"),
            add(s, "k4", due=SOON),
        )
    with tx() as s:
        won = outbox.claim_many(s, [mine, away, channel, later], now=NOW)
    assert sorted(won) == [mine, away, channel]
    assert (won[mine].dm_channel, won[mine].known, won[mine].reachable, won[mine].timezone) == (
        "D0REPORT",
        True,
        True,
        "Asia/Jakarta",
    )
    assert (won[away].known, won[away].reachable) == (True, False)
    assert (won[channel].known, won[channel].reachable, won[channel].timezone) == (
        False,
        False,
        None,
    )
    assert (won[mine].row.state, won[mine].row.attempts, won[mine].row.claimed_at) == (
        "sending",
        1,
        NOW,
    )
    with tx() as s:
        assert outbox.claim(s, mine, now=SOON) is None  # another worker has it
        assert outbox.claim(s, later, now=SOON) is not None
        assert outbox.claim(s, 999, now=SOON) is None


def test_a_sent_row_records_where_it_went(org: Engine, tx: Tx) -> None:
    with tx() as s:
        one, two = add(s, "k1"), add(s, "k2")
        outbox.claim_many(s, [one, two], now=NOW)
        outbox.mark_retry(s, one, error="timeout", uncertain=True, now=NOW)
    with tx() as s:
        outbox.claim(s, one, now=NOW + timedelta(seconds=2))
        outbox.mark_sent_many(s, [(one, "D1", "1.1", 3), (two, "D2", "2.2", None)], now=SOON)
        outbox.mark_sent_many(s, [], now=SOON)
    first, second = row(tx, one), row(tx, two)
    assert (first.state, first.channel, first.ts, first.sent_at, first.rendered_version) == (
        "sent",
        "D1",
        "1.1",
        SOON,
        3,
    )
    assert (first.uncertain, first.error, first.attempts) == (False, None, 2)
    assert (second.channel, second.ts, second.rendered_version) == ("D2", "2.2", None)


@pytest.mark.parametrize(("attempts", "delay"), [(1, 2), (2, 10), (3, 30), (7, 1800), (9, 1800)])
def test_a_retry_backs_off_by_attempts(org: Engine, tx: Tx, attempts: int, delay: int) -> None:
    with tx() as s:
        key = add(s, "k")
        s.get(Delivery, key).attempts = attempts  # type: ignore[union-attr]
        s.get(Delivery, key).state = "sending"  # type: ignore[union-attr]
    with tx() as s:
        outbox.mark_retry(s, key, error="x" * 300, uncertain=False, now=NOW)
    retried = row(tx, key)
    assert (retried.state, retried.next_attempt_at, retried.error) == (
        "pending",
        NOW + timedelta(seconds=delay),
        "x" * 200,
    )


def test_uncertainty_sticks_until_the_row_is_sent(org: Engine, tx: Tx) -> None:
    with tx() as s:
        key = add(s, "k")
        outbox.mark_retry(s, key, error="dropped", uncertain=True, now=NOW)  # attempts 0: 2 s
        outbox.mark_retry(s, key, error="429", uncertain=False, now=NOW)
        outbox.mark_retry(s, 999, error="gone", uncertain=True, now=NOW)  # nothing to do
    retried = row(tx, key)
    assert (retried.uncertain, retried.error, retried.next_attempt_at) == (
        True,
        "429",
        NOW + timedelta(seconds=2),
    )


def test_deferring_gives_the_attempt_back(org: Engine, tx: Tx) -> None:
    evening = NOW + timedelta(hours=8)
    with tx() as s:
        claimed, pending = add(s, "k1"), add(s, "k2")
        outbox.claim(s, claimed, now=NOW)
        outbox.defer(s, claimed, until=evening)
        outbox.defer(s, pending, until=evening)  # not claimed: left alone
    assert (row(tx, claimed).state, row(tx, claimed).attempts) == ("pending", 0)
    assert row(tx, claimed).next_attempt_at == evening
    assert row(tx, pending).next_attempt_at == NOW


def test_failed_released_and_stale_rows(org: Engine, tx: Tx) -> None:
    with tx() as s:
        failed, released, stale, fresh = (add(s, f"k{i}") for i in range(4))
        outbox.claim_many(s, [failed, released, stale], now=NOW)
        outbox.claim(s, fresh, now=NOW + timedelta(minutes=2))
        outbox.mark_failed(s, failed, error="channel_not_found")
        outbox.mark_failed(s, 999, error="gone")
        outbox.release(s, [released])
        outbox.release(s, [])
    at = NOW + timedelta(minutes=3)
    with tx() as s:
        assert outbox.release_stale(s, now=at) == 1  # claimed three minutes ago: its holder died
    assert (row(tx, failed).state, row(tx, failed).error) == ("failed", "channel_not_found")
    assert (row(tx, released).state, row(tx, released).uncertain) == ("pending", False)
    assert (row(tx, stale).state, row(tx, stale).uncertain) == ("pending", True)
    assert row(tx, stale).next_attempt_at == at
    assert row(tx, fresh).state == "sending"
    with tx() as s:
        assert outbox.counts(s) == {"failed": 1, "pending": 2, "sending": 1}
        assert outbox.failures(s) == {"channel_not_found": 1}
        retried = add(s, "c:p:U0A", campaign="c:p")
        outbox.mark_retry(s, retried, error="ratelimited", uncertain=False, now=at)
        assert outbox.counts(s, campaign="c:p") == {"pending": 1}
        assert outbox.failures(s, campaign="c:p") == {"ratelimited": 1}  # pending, with an error
        assert outbox.failures(s) == {"channel_not_found": 1, "ratelimited": 1}


def test_due_rows_in_order_leaving_a_leased_campaign_to_its_run(org: Engine, tx: Tx) -> None:
    with tx() as s:
        late = add(s, "k1", due=NOW - timedelta(minutes=5))
        due = add(s, "k2")
        soon = add(s, "k3", due=SOON)
        leased = add(s, "c1:p:U0A", campaign="c1:p")
        free = add(s, "c2:p:U0A", campaign="c2:p", due=NOW - timedelta(minutes=9))
        campaigns.claim(s, job="c1", period="p", owner="me", now=NOW, lease=timedelta(minutes=1))
    with tx() as s:
        assert outbox.due_ids(s, now=NOW) == [free, late, due]
        assert outbox.due_ids(s, now=NOW, limit=2) == [free, late]
        assert outbox.due_ids(s, now=NOW, campaign="c1:p") == [leased]
        later = NOW + timedelta(minutes=2)  # the lease has run out
        assert outbox.due_ids(s, now=later) == [free, late, due, leased, soon]


def test_lookups_by_key_ticket_and_prefix(org: Engine, tx: Tx) -> None:
    with tx() as s:
        card, home = new_ticket(s).deliveries
        told = tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=NOW).deliveries[0]
        other = add(s, "followup:1:U0HR")
        outbox.claim_many(s, [card, other], now=NOW)
        outbox.mark_sent_many(s, [(card, "D", "1", 1), (other, "D", "2", None)], now=NOW)
        assert [d.id for d in outbox.for_ticket(s, 1)] == [card, home, told]
        assert [d.id for d in outbox.sent_for_ticket(s, 1)] == [card]
        assert [d.id for d in outbox.sent_with_prefix(s, "ticket:1:")] == [card]
        assert [d.id for d in outbox.sent_with_prefix(s, "followup:1:")] == [other]
        assert outbox.by_key(s, "followup:1:U0HR").id == other  # type: ignore[union-attr]
        assert outbox.by_key(s, "nope") is None


# ---------------------------------------------------------------- updates in place


def test_messages_showing_an_old_version_are_found_for_updating(org: Engine, tx: Tx) -> None:
    with tx() as s:
        card = new_ticket(s).deliveries[0]
        outbox.claim(s, card, now=NOW)
        outbox.mark_sent(s, card, channel="D", ts="1", now=NOW, rendered_version=1)
        assert outbox.stale_ids(s, now=NOW, templates=[tickets.T_CARD]) == []
        tickets.take(session=s, number=1, actor=A, now=NOW)  # version 2
        assert outbox.stale_ids(s, now=NOW, templates=[tickets.T_CARD]) == [card]
        assert outbox.stale_ids(s, now=NOW, templates=[tickets.T_REPORTER]) == []
        # a day after the ticket's last change its messages are left as they are
        assert (
            outbox.stale_ids(s, now=NOW + timedelta(days=1, seconds=1), templates=[tickets.T_CARD])
            == []
        )
        outbox.mark_update_failed(s, card, error="ratelimited", permanent=False, now=NOW)
    updated = row(tx, card)
    assert (updated.error, updated.attempts, updated.next_attempt_at, updated.state) == (
        "update_retry:ratelimited",
        2,
        NOW + timedelta(seconds=10),
        "sent",
    )
    with tx() as s:
        assert outbox.stale_ids(s, now=NOW, templates=[tickets.T_CARD]) == []  # backing off
        assert outbox.stale_ids(s, now=NOW + timedelta(seconds=10), templates=[tickets.T_CARD]) == [
            card
        ]
        outbox.mark_updated(s, card, rendered_version=2)
    assert (row(tx, card).error, row(tx, card).rendered_version) == (None, 2)
    with tx() as s:
        tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
        outbox.mark_update_failed(s, card, error="message_not_found", permanent=True, now=NOW)
    with tx() as s:
        later = NOW + timedelta(hours=1)
        assert outbox.stale_ids(s, now=later, templates=[tickets.T_CARD]) == []  # gone for good
        outbox.mark_updated(s, 999, rendered_version=1)
        outbox.mark_update_failed(s, 999, error="x", permanent=True, now=NOW)
    assert row(tx, card).error == "update_failed:message_not_found"


def test_a_row_with_another_error_keeps_it_when_updated(org: Engine, tx: Tx) -> None:
    with tx() as s:
        key = add(s, "k")
        outbox.mark_retry(s, key, error="timeout", uncertain=False, now=NOW)
        outbox.mark_updated(s, key, rendered_version=4)
    assert (row(tx, key).error, row(tx, key).rendered_version) == ("timeout", 4)


def test_a_batch_is_claimed_in_one_statement_and_each_row_by_one_claimer(
    org: Engine, tx: Tx
) -> None:
    """claim_many moves every due pending row of a batch at once; a second claimer of the
    same batch (another thread, another instance) wins only what the first did not."""
    with tx() as s:
        due = [add(s, f"b{i}", RINA if i % 2 else REPORTER) for i in range(120)]
        later = add(s, "later", due=SOON)
    with tx() as s:
        first = outbox.claim_many(s, [*due[:80], later], now=NOW)
    with tx() as s:
        second = outbox.claim_many(s, [*due, later], now=NOW)
    assert sorted(first) == due[:80] and sorted(second) == due[80:]
    assert {c.row.state for c in [*first.values(), *second.values()]} == {"sending"}
    assert row(tx, later).state == "pending" and row(tx, due[0]).attempts == 1
    with tx() as s:
        assert outbox.claim_many(s, due, now=NOW) == {} and outbox.claim_many(s, [], now=NOW) == {}


def test_racing_claimers_split_a_batch_without_overlap(org: Engine, tx: Tx) -> None:
    import threading

    with tx() as s:
        ids = [add(s, f"r{i}") for i in range(200)]
    won: list[list[int]] = []
    barrier = threading.Barrier(2)

    def claimer(order: list[int]) -> None:
        barrier.wait()
        mine: list[int] = []
        for start in range(0, len(order), 20):
            with tx() as s:
                mine += outbox.claim_many(s, order[start : start + 20], now=NOW)
        won.append(mine)

    threads = [
        threading.Thread(target=claimer, args=(order,)) for order in (ids, list(reversed(ids)))
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(won[0] + won[1]) == ids  # every row claimed, none twice


def test_who_was_sent_a_template_before_is_read_for_a_batch(org: Engine, tx: Tx) -> None:
    with tx() as s:
        old = add(s, "w1:rep", template="ask")
        outbox.mark_sent(s, old, channel="D0REPORT", ts="1.0", now=NOW)
        other = add(s, "x:rina", RINA, template="other")
        outbox.mark_sent(s, other, channel="D0RINA", ts="2.0", now=NOW)
        unsent = add(s, "w1:rina", RINA, template="ask")  # pending: not sent
        new_rep, new_rina = (
            add(s, "w2:rep", template="ask"),
            add(s, "w2:rina", RINA, template="ask"),
        )
    rows = [row(tx, i) for i in (new_rep, new_rina, old, unsent)]
    with tx() as s:
        assert outbox.sent_before_many(s, rows) == {new_rep}
        assert outbox.sent_before_many(s, []) == set()
        assert all(outbox.sent_before(s, r) == (r.id == new_rep) for r in rows)
