"""storage.tickets.messages: the outbox rows a ticket's changes write — keys that make each
message once, recipients and templates — and that every operation writes them through the one
insert path (storage.outbox.enqueue) and returns exactly the rows it wrote."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import people
from storage.tickets import (
    T_CARD,
    T_NOTICE,
    T_REPORTER,
    assign_to,
    assign_waiting,
    cancel,
    escalate,
    get,
    merge,
    reopen,
    request_escalation,
    resolve,
    take,
)
from storage.tickets.messages import enqueue_card, enqueue_message, tell_agent, tell_reporter
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, RINA, TIER1, TIER2, new_ticket, outbox, sent
from tests.storage.tickets.conftest import Matcher

A, B, C = TIER1
X = TIER2[0]
LATER = NOW + timedelta(minutes=7)


def test_a_message_about_a_ticket_is_written_once_per_key(org: Engine, tx: Tx) -> None:
    with tx() as s:
        ticket = get(s, new_ticket(s).ticket.id or 0)
        first = enqueue_message(
            s, ticket, key="hello", recipient="C0X", template="t", now=LATER, params={"a": 1}
        )
        again = enqueue_message(
            s, ticket, key="hello", recipient="C0Y", template="u", now=LATER, params={"a": 2}
        )
        assert first == again
        row = outbox(s, [first])[0]
        assert (row.key, row.recipient, row.template, row.params, row.ticket_id) == (
            "ticket:1:hello",
            "C0X",
            "t",
            {"ticket": 1, "a": 1},
            1,
        )
        assert (row.created_at, row.next_attempt_at) == (LATER, LATER)
        assert len(outbox(s)) == 3  # the filing's card and ticket DM, and this one


def test_cards_and_reporter_messages_are_keyed_by_version(org: Engine, tx: Tx) -> None:
    with tx() as s:
        ticket = get(s, new_ticket(s).ticket.id or 0)
        [card] = enqueue_card(s, ticket, LATER)
        assert card == outbox(s)[0].id  # the filing wrote this very card
        told = tell_reporter(s, ticket, "resolved", LATER, agent=A)
        ticket.version += 1
        ticket.agent_id = B
        [new_card] = enqueue_card(s, ticket, LATER)
        assert sent(s, [card, told, new_card]) == [
            (T_CARD, A, "ticket:1:card:U0AGENTA:v1"),
            (T_REPORTER, REPORTER, "ticket:1:reporter:resolved:v1"),
            (T_CARD, B, "ticket:1:card:U0AGENTB:v2"),
        ]
        assert outbox(s, [told])[0].params == {
            "ticket": 1,
            "what": "resolved",
            "agent": A,
            "thread": "ticket:1:home",
        }


def test_a_notice_goes_to_the_agent_and_is_keyed_by_the_timeline(org: Engine, tx: Tx) -> None:
    with tx() as s:
        ticket = get(s, new_ticket(s).ticket.id or 0)
        first = tell_agent(s, ticket, "asked_again", LATER, by=REPORTER)
        same = tell_agent(s, ticket, "asked_again", LATER, by=REPORTER)
        assert first is not None and first == same  # nothing happened in between
        cancel(session=s, number=1, actor=REPORTER, now=LATER)
        after = tell_agent(s, get(s, 1), "asked_again", LATER, by=REPORTER)
        assert sent(s, [first, after]) == [  # type: ignore[list-item]
            (T_NOTICE, A, "ticket:1:notice:asked_again:U0AGENTA:2"),
            (T_NOTICE, A, "ticket:1:notice:asked_again:U0AGENTA:3"),
        ]


def test_no_notice_without_an_agent(org: Engine, tx: Tx) -> None:
    with tx() as s:
        for sid in TIER1:
            people.set_away(session=s, slack_id=sid, now=NOW)
        ticket = get(s, new_ticket(s).ticket.id or 0)
        assert tell_agent(s, ticket, "cancelled", LATER, by=REPORTER) is None
        # only the reporter's ticket DM (issue 18)
        assert [r.template for r in outbox(s)] == ["ticket.home"]


# ---------------------------------------------------------------- every operation

Operation = Callable[[Session], list[int]]


def _op(name: str) -> Operation:
    def run(s: Session) -> list[int]:
        if name == "file":
            return new_ticket(s, reporter=RINA, triage_channel="C0TRIAGE", now=LATER).deliveries
        if name == "repeat":
            return new_ticket(s, now=LATER).deliveries
        if name == "take over":
            return take(session=s, number=1, actor=X, now=LATER).deliveries
        if name == "escalate":
            return escalate(session=s, number=1, actor=A, note="n", now=LATER).deliveries
        if name == "resolve":
            return resolve(session=s, number=1, actor=A, resolution="r", now=LATER).deliveries
        if name == "reopen":
            return reopen(session=s, number=1, actor=REPORTER, now=LATER).deliveries
        if name == "cancel":
            return cancel(session=s, number=1, actor=REPORTER, now=LATER).deliveries
        if name in ("ask early", "ask late"):
            return request_escalation(
                session=s,
                number=1,
                actor=REPORTER,
                reason="r",
                now=LATER,
                waited_enough=name == "ask late",
            ).outcome.deliveries
        if name == "assign":
            return assign_to(session=s, number=1, agent=C, now=LATER).deliveries
        if name == "assign waiting":
            return [i for o in assign_waiting(session=s, now=LATER) for i in o.deliveries]
        if name == "merge":
            return merge(session=s, number=2, into=1, actor=B, now=LATER).deliveries
        raise AssertionError(name)

    return run


EXPECTED = {
    "file": [(T_CARD, B), ("ticket.home", RINA), ("ticket.mirror", "C0TRIAGE")],
    "repeat": [(T_NOTICE, A), (T_REPORTER, REPORTER)],
    "take over": [(T_REPORTER, REPORTER)],
    "escalate": [(T_CARD, X), (T_REPORTER, REPORTER)],
    "resolve": [(T_REPORTER, REPORTER)],
    "reopen": [(T_CARD, A)],
    "cancel": [(T_NOTICE, A)],
    "ask early": [(T_NOTICE, A)],
    "ask late": [(T_NOTICE, A), (T_CARD, X)],
    "assign": [(T_CARD, C), (T_REPORTER, REPORTER)],
    "assign waiting": [(T_CARD, A), (T_REPORTER, REPORTER)],
    "merge": [(T_REPORTER, RINA), (T_NOTICE, A)],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_operation_writes_its_messages_through_enqueue_and_returns_them(
    org: Engine, tx: Tx, request: pytest.FixtureRequest, matcher: Matcher, name: str
) -> None:
    if name == "assign waiting":
        with tx() as s:
            for sid in TIER1:
                people.set_away(session=s, slack_id=sid, now=NOW)
    with tx() as s:
        new_ticket(s)
        if name == "assign waiting":
            people.set_back(session=s, slack_id=A, now=NOW)
        if name == "reopen":
            resolve(session=s, number=1, actor=A, resolution="r", now=NOW)
        if name == "merge":
            new_ticket(s, reporter=RINA)
        before = {r.id for r in outbox(s)}
    matcher.answer = name == "repeat"
    through = request.getfixturevalue("enqueued")  # from here on
    with tx() as s:
        returned = _op(name)(s)
    with tx() as s:
        written = [r for r in outbox(s) if r.id not in before]
        assert sorted(returned) == sorted(r.id or 0 for r in written)
        assert sorted(through) == sorted(returned)
        assert [(r.template, r.recipient) for r in outbox(s, returned)] == EXPECTED[name]
        assert all(r.ticket_id in (1, 2) and r.state == "pending" for r in written)
