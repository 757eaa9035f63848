"""storage.tickets.filing: a filing handled once per source key, the rotation turn, repeats of
the reporter's open ticket (given the matcher's answer), routing by resource."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from storage import people, resources, tickets
from storage.errors import DomainError, NotFound
from storage.models import Delivery, Person, Rotation, Ticket, TicketEvent, TicketSource
from tests.storage.conftest import Tx
from tests.storage.seed import (
    ADMIN,
    NOW,
    OUTSIDER,
    REPORTER,
    RINA,
    TIER1,
    new_ticket,
    outbox,
    sent,
    timeline,
)
from tests.storage.tickets.conftest import Matcher

A, B, C = TIER1
LATER = NOW + timedelta(hours=1)


def count(tx: Tx, model: type) -> int:
    with tx() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def turns(tx: Tx, tier: int = 1) -> int:
    with tx() as s:
        row = s.get(Rotation, tier)
        return row.turns if row else 0


def away(tx: Tx, *ids: str) -> None:
    with tx() as s:
        for sid in ids:
            people.set_away(session=s, slack_id=sid, now=NOW)


# ---------------------------------------------------------------- a new ticket


def test_a_filing_opens_a_ticket_for_the_next_agent_with_their_card(org: Engine, tx: Tx) -> None:
    with tx() as s:
        out = new_ticket(s, summary="  VPN tidak bisa connect  ", source_key="cmd:T1:1")
    assert (out.created, out.repeat) == (True, False)
    with tx() as s:
        ticket = tickets.get(s, 1)
        assert (ticket.state, ticket.agent_id, ticket.tier, ticket.version) == ("open", A, 1, 1)
        assert (ticket.summary, ticket.reporter_id, ticket.repeats) == (
            "VPN tidak bisa connect",
            REPORTER,
            0,
        )
        assert (ticket.created_at, ticket.updated_at) == (NOW, NOW)
        assert timeline(s, 1) == [("filed", REPORTER, None), ("assigned", None, A)]
        assert sent(s, out.deliveries) == [
            ("ticket.card", A, "ticket:1:card:U0AGENTA:v1"),
            ("ticket.home", REPORTER, "ticket:1:home"),  # the reporter's ticket DM (issue 18)
        ]
        card = outbox(s)[0]
        assert (card.params, card.ticket_id, card.state, card.next_attempt_at) == (
            {"ticket": 1},
            1,
            "pending",
            NOW,
        )
        source = s.get(TicketSource, "cmd:T1:1")
        assert source is not None and (source.ticket_id, source.repeat) == (1, False)
    assert turns(tx) == 1


def test_the_same_source_key_twice_files_once(org: Engine, tx: Tx) -> None:
    with tx() as s:
        first = new_ticket(s, source_key="view:V1")
    with tx() as s:
        again = new_ticket(s, source_key="view:V1", summary="something else entirely")
    assert (again.ticket.id, again.created, again.repeat, again.deliveries) == (
        first.ticket.id,
        False,
        False,
        [],
    )
    assert again.ticket.summary == "VPN tidak bisa connect"
    assert (count(tx, Ticket), count(tx, Delivery), count(tx, TicketEvent)) == (1, 2, 2)
    assert turns(tx) == 1


@pytest.mark.parametrize(
    ("fields", "key", "params"),
    [
        ({"summary": "  \n "}, "ticket.summary_required", {}),
        ({"category": "printer"}, "ticket.bad_category", {"category": "printer"}),
        ({"urgency": "asap"}, "ticket.bad_urgency", {"urgency": "asap"}),
    ],
)
def test_a_bad_filing_is_refused_before_anything_is_written(
    org: Engine, tx: Tx, fields: dict[str, Any], key: str, params: dict[str, str]
) -> None:
    with pytest.raises(DomainError) as info, tx() as s:
        new_ticket(s, reporter="U0NEWBIE", **fields)
    assert (type(info.value), info.value.key, info.value.params) == (DomainError, key, params)
    assert (count(tx, Ticket), count(tx, Delivery)) == (0, 0)
    with tx() as s:
        assert s.get(Person, "U0NEWBIE") is None


def test_fields_are_cleaned_and_kept(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(
            s,
            details="  \n  ",
            location="  " + "x" * 250 + "  ",
            category="network",
            urgency="high",
        )
        new_ticket(s, reporter=RINA, details="  sejak pagi  ", location="   ")
    with tx() as s:
        one, two = tickets.get(s, 1), tickets.get(s, 2)
        assert (one.details, one.location, one.category, one.urgency) == (
            None,
            "x" * 200,
            "network",
            "high",
        )
        assert (two.details, two.location, two.category, two.urgency) == (
            "sejak pagi",
            None,
            None,
            None,
        )


def test_a_reporter_rekan_has_not_met_is_added_with_their_name(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(s, reporter="U0NEWBIE", reporter_name="Nina Baru")
    with tx() as s:
        person = s.get(Person, "U0NEWBIE")
        assert person is not None and (person.name, person.active) == ("Nina Baru", True)
        assert tickets.get(s, 1).agent_id == A


def test_the_rotation_goes_round_and_never_gives_agents_their_own_ticket(
    org: Engine, tx: Tx
) -> None:
    with tx() as s:
        agents = [new_ticket(s, reporter=r).ticket.agent_id for r in (REPORTER, RINA, OUTSIDER)]
        # a fourth reporter: the first one's next ticket would follow their #1 (affinity)
        agents.append(new_ticket(s, reporter="U0FRESH", summary="printer macet").ticket.agent_id)
        agents.append(new_ticket(s, reporter=B).ticket.agent_id)  # B's turn, but B reports
    assert agents == [A, B, C, A, C]
    assert turns(tx) == 5


def test_with_nobody_available_the_ticket_waits_and_only_the_triage_mirror_goes(
    org: Engine, tx: Tx
) -> None:
    away(tx, *TIER1)
    with tx() as s:
        out = new_ticket(s, triage_channel="C0TRIAGE")
    with tx() as s:
        ticket = tickets.get(s, 1)
        assert (ticket.state, ticket.agent_id) == ("waiting", None)
        assert timeline(s, 1) == [("filed", REPORTER, None), ("waiting", None, None)]
        assert sent(s, out.deliveries) == [
            ("ticket.home", REPORTER, "ticket:1:home"),
            ("ticket.mirror", "C0TRIAGE", "ticket:1:mirror"),
        ]
    assert turns(tx) == 0


def test_the_triage_mirror_comes_after_the_agents_card(org: Engine, tx: Tx) -> None:
    with tx() as s:
        out = new_ticket(s, triage_channel="C0TRIAGE")
        assert sent(s, out.deliveries) == [
            ("ticket.card", A, "ticket:1:card:U0AGENTA:v1"),
            ("ticket.home", REPORTER, "ticket:1:home"),
            ("ticket.mirror", "C0TRIAGE", "ticket:1:mirror"),
        ]


# ---------------------------------------------------------------- repeats


def test_a_repeat_joins_the_open_ticket_and_tells_its_agent(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s, category="vpn")
    matcher.answer = True
    with tx() as s:
        out = new_ticket(s, summary="VPN masih mati", details="sudah restart", now=LATER)
    assert (out.ticket.id, out.created, out.repeat) == (1, False, True)
    assert matcher.texts() == [("VPN masih mati sudah restart", "VPN tidak bisa connect")]
    assert matcher.asked[0][1].category == "vpn"
    with tx() as s:
        ticket = tickets.get(s, 1)
        assert (ticket.repeats, ticket.version, ticket.updated_at, ticket.agent_id) == (
            1,
            2,
            LATER,
            A,
        )
        assert timeline(s, 1)[-1] == ("followup", REPORTER, None)
        assert [e.note for e in s.exec(select(TicketEvent).order_by(col(TicketEvent.id))).all()][
            -1
        ] == ("VPN masih mati sudah restart")
        assert sent(s, out.deliveries) == [
            ("ticket.notice", A, "ticket:1:notice:asked_again:U0AGENTA:3"),
            # in the reporter's ticket thread, with "Not the same problem" (issue 18)
            ("ticket.reporter", REPORTER, "ticket:1:reporter:joined:v2"),
        ]
        assert outbox(s, out.deliveries)[0].params == {
            "ticket": 1,
            "what": "asked_again",
            "by": REPORTER,
            "count": 2,
            "reason": "VPN masih mati sudah restart",
            "thread": "ticket:1:card:U0AGENTA:v1",  # in the card's thread (issue 18)
        }
    assert (count(tx, Ticket), turns(tx)) == (1, 1)
    with tx() as s:
        sources = s.exec(select(TicketSource).order_by(col(TicketSource.created_at))).all()
        assert [(x.ticket_id, x.repeat) for x in sources] == [(1, False), (1, True)]


def test_a_repeat_delivered_twice_is_recorded_once(org: Engine, tx: Tx, matcher: Matcher) -> None:
    with tx() as s:
        new_ticket(s)
    matcher.answer = True
    with tx() as s:
        new_ticket(s, source_key="cmd:again", now=LATER)
    with tx() as s:
        out = new_ticket(s, source_key="cmd:again", now=LATER + timedelta(minutes=1))
    assert (out.ticket.id, out.created, out.repeat, out.deliveries) == (1, False, True, [])
    with tx() as s:
        assert tickets.get(s, 1).repeats == 1
    # the card, the reporter's ticket DM, one notice, and the reporter's "joined"
    assert count(tx, Delivery) == 4


def test_the_agent_hears_every_repeat(org: Engine, tx: Tx, matcher: Matcher) -> None:
    with tx() as s:
        new_ticket(s)
    matcher.answer = True
    with tx() as s:
        first = new_ticket(s, now=LATER)
        second = new_ticket(s, now=LATER + timedelta(minutes=5))
        notices = [
            r
            for r in outbox(s, first.deliveries + second.deliveries)
            if r.template == "ticket.notice"
        ]
        assert [r.params["count"] for r in notices] == [2, 3]
        assert tickets.get(s, 1).repeats == 2


def test_a_repeat_of_a_waiting_ticket_tells_nobody(org: Engine, tx: Tx, matcher: Matcher) -> None:
    away(tx, *TIER1)
    with tx() as s:
        new_ticket(s)
    matcher.answer = True
    with tx() as s:
        out = new_ticket(s, now=LATER)
    # no agent to tell; the reporter is told in their ticket thread
    assert (out.ticket.id, out.repeat) == (1, True)
    with tx() as s:
        assert [r.template for r in outbox(s, out.deliveries)] == ["ticket.reporter"]
    with tx() as s:
        assert tickets.get(s, 1).repeats == 1


def test_only_the_same_reporters_open_recent_tickets_are_asked_about(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    matcher.answer = True
    with tx() as s:
        new_ticket(s, reporter=RINA)  # someone else's
        resolved = new_ticket(s, force_new=True).ticket.id or 0
        tickets.resolve(session=s, number=resolved, actor=B, resolution="done", now=NOW)
        old = new_ticket(s, summary="printer macet", force_new=True, now=NOW - timedelta(hours=25))
    assert matcher.asked == []  # force_new asks nothing
    with tx() as s:
        out = new_ticket(s, now=LATER)
    assert (out.created, out.repeat, out.ticket.id) == (True, False, 4)
    assert matcher.asked == []
    with tx() as s:
        tickets.resolve(session=s, number=4, actor=ADMIN, resolution="done", now=LATER)
        joined = new_ticket(s, summary="printer", now=LATER, repeat_window=timedelta(hours=48))
    assert (joined.repeat, joined.ticket.id) == (True, old.ticket.id)
    assert matcher.texts() == [("printer", "printer macet")]


def test_the_most_recently_changed_open_ticket_is_asked_about_first(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s, summary="VPN mati")
        new_ticket(s, summary="email error", now=NOW + timedelta(minutes=1))
    matcher.answer, matcher.asked = True, []
    with tx() as s:
        out = new_ticket(s, summary="tolong", now=LATER)
    assert (out.ticket.id, matcher.texts()) == (2, [("tolong", "email error")])


def test_a_no_from_the_matcher_files_a_new_ticket(org: Engine, tx: Tx, matcher: Matcher) -> None:
    with tx() as s:
        new_ticket(s)
        out = new_ticket(s, summary="printer macet", now=LATER)
    # a new ticket, with the agent of the reporter's open #1 (affinity), and no suggestion
    assert (out.created, out.repeat, out.ticket.id, out.ticket.agent_id) == (True, False, 2, A)
    assert out.suggested is None and out.ticket.possible_repeat_of is None
    assert matcher.texts() == [("printer macet", "VPN tidak bisa connect")]


def test_filing_into_a_named_ticket_joins_it_without_asking_the_matcher(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)
        out = new_ticket(s, summary="lain hal", into=1, now=LATER)
    assert (out.ticket.id, out.repeat, out.created) == (1, True, False)
    assert matcher.asked == []


@pytest.mark.parametrize("whose", ["someone else's", "resolved"])
def test_filing_into_a_ticket_that_is_not_the_reporters_open_one_is_refused(
    org: Engine, tx: Tx, whose: str
) -> None:
    with tx() as s:
        new_ticket(s, reporter=RINA if whose == "someone else's" else REPORTER)
        if whose == "resolved":
            tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
    with pytest.raises(DomainError) as info, tx() as s:
        new_ticket(s, into=1, now=LATER)
    assert (info.value.key, info.value.params) == ("ticket.cannot_add", {"number": 1})
    assert count(tx, Ticket) == 1


def test_filing_into_an_unknown_ticket_is_not_found(org: Engine, tx: Tx) -> None:
    with pytest.raises(NotFound) as info, tx() as s:
        new_ticket(s, into=42)
    assert (info.value.key, info.value.params) == ("ticket.unknown", {"number": 42})


# ---------------------------------------------------------------- routing by resource


@pytest.fixture
def server(org: Engine, tx: Tx) -> int:
    with tx() as s:
        resource = resources.add(session=s, name="Server Kantor 123", aliases=[], now=NOW)
        return resource.id or 0


def test_a_report_about_a_held_resource_goes_to_its_agent_without_a_turn(
    tx: Tx, server: int
) -> None:
    with tx() as s:
        first = new_ticket(s, summary="Server Kantor 123 mati")
    with tx() as s:
        out = new_ticket(
            s, reporter=RINA, summary="tidak bisa remote", location="Server Kantor 123"
        )
    assert (out.ticket.agent_id, out.ticket.resource_id, out.ticket.related_to) == (A, server, 1)
    assert (first.ticket.resource_id, turns(tx)) == (server, 1)
    with tx() as s:
        assert tickets.get(s, 1).related_to == 2
        assert tickets.get(s, 1).version == 2
        assert timeline(s, 2) == [
            ("filed", RINA, None),
            ("assigned", None, A),
            ("related", None, A),
        ]
        assert timeline(s, 1)[-1] == ("related", None, A)
        notes = {e.ticket_id: e.note for e in s.exec(select(TicketEvent)) if e.kind == "related"}
        assert notes == {1: "#2", 2: "#1"}
        assert sent(s, out.deliveries) == [
            ("ticket.card", A, "ticket:2:card:U0AGENTA:v1"),
            ("ticket.home", RINA, "ticket:2:home"),
        ]


@pytest.mark.parametrize("why", ["agent away", "agent reports it", "holder resolved"])
def test_the_resource_holder_is_passed_over_when_they_cannot_take_it(
    tx: Tx, server: int, why: str
) -> None:
    with tx() as s:
        new_ticket(s, summary="Server Kantor 123 mati")
        if why == "agent away":
            people.set_away(session=s, slack_id=A, now=NOW)
        if why == "holder resolved":
            tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
    reporter = A if why == "agent reports it" else RINA
    with tx() as s:
        out = new_ticket(s, reporter=reporter, summary="Server Kantor 123 lambat", now=LATER)
    assert (out.ticket.agent_id, out.ticket.related_to, out.ticket.resource_id) == (
        B,
        None,
        server,
    )
    assert turns(tx) == 2
