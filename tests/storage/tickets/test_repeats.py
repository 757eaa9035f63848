"""storage.tickets.repeats and affinity (issue 17), given the matcher's verdict: a certain
repeat joins and keeps the report, a split files it whole with the same agent, a plausible
one is filed anew and can be confirmed into the old ticket; the reporter's own agent comes
before a rotation turn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import people, tickets
from storage.errors import DomainError
from storage.matching import Verdict
from storage.models import Rotation, TicketSource
from storage.tickets import AlreadyDone
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, REPORTER, RINA, TIER1, new_ticket, sent, timeline
from tests.storage.tickets.conftest import Matcher

A, B, C = TIER1
LATER = NOW + timedelta(minutes=5)


def turns(tx: Tx) -> int:
    with tx() as s:
        row = s.get(Rotation, 1)
        return row.turns if row else 0


def test_a_certain_repeat_joins_and_keeps_the_whole_report(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)
    matcher.answer = Verdict.CERTAIN
    with tx() as s:
        out = new_ticket(
            s, summary="vpn putus", details="x" * 3000, location="rumah", source_key="cmd:2"
        )
    assert (out.created, out.repeat, out.ticket.id, out.suggested) == (False, True, 1, None)
    with tx() as s:
        source = s.get(TicketSource, "cmd:2")
        assert source is not None and source.repeat and source.report is not None
        assert source.report["details"] == "x" * 3000 and source.report["location"] == "rumah"
        assert tickets.get(s, 1).repeats == 1


def test_a_plausible_repeat_is_a_new_ticket_with_the_same_agent_and_a_suggestion(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)
    matcher.answer = Verdict.PLAUSIBLE
    with tx() as s:
        out = new_ticket(s, summary="vpn lambat", now=LATER)
    assert (out.created, out.repeat, out.ticket.id, out.suggested) == (True, False, 2, 1)
    assert out.ticket.agent_id == A and out.ticket.possible_repeat_of == 1
    assert turns(tx) == 1  # the second one took no rotation turn
    with tx() as s:
        assert tickets.get(s, 2).possible_repeat_of == 1


def test_a_certain_match_wins_over_a_plausible_one(
    org: Engine, tx: Tx, matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tx() as s:
        new_ticket(s, summary="printer macet")
        new_ticket(s, summary="VPN mati", now=NOW + timedelta(minutes=1))
    answers = {"VPN mati": Verdict.PLAUSIBLE, "printer macet": Verdict.CERTAIN}
    from storage.matching import Judgement
    from storage.tickets import repeats

    monkeypatch.setattr(
        repeats, "judge", lambda new, old, thresholds=None: Judgement(answers[old.text], 0, "")
    )
    with tx() as s:
        out = new_ticket(s, summary="printer lantai 3", now=LATER)
    assert (out.repeat, out.ticket.id) == (True, 1)


def test_split_out_files_the_report_whole_with_the_agent_it_had_joined(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)  # 1 → A
        new_ticket(s, reporter=RINA)  # 2 → B
    matcher.answer = Verdict.CERTAIN
    with tx() as s:
        new_ticket(s, summary="vpn putus", details="sejak pagi", source_key="cmd:J", now=LATER)
    with tx() as s, pytest.raises(DomainError) as refused:
        tickets.split_out(session=s, source_key="cmd:J", actor=RINA, now=LATER)
    assert refused.value.key == "repeat.not_yours"
    with tx() as s:
        out, joined = tickets.split_out(session=s, source_key="cmd:J", actor=REPORTER, now=LATER)
        assert joined == 1 and out.created and out.ticket.id == 3
        assert (out.ticket.summary, out.ticket.details, out.ticket.agent_id) == (
            "vpn putus",
            "sejak pagi",
            A,
        )
        assert [k for k, *_ in timeline(s, 1)][-1] == "split"
        assert [k for k, *_ in timeline(s, 3)][-1] == "split_from"
        assert tickets.get(s, 1).repeats == 0
        assert ("ticket.card", A) in [(t, r) for t, r, _ in sent(s, out.deliveries)]
        source = s.get(TicketSource, "cmd:J")
        assert source is not None and (source.ticket_id, source.repeat) == (3, False)
    with tx() as s, pytest.raises(AlreadyDone) as twice:
        tickets.split_out(session=s, source_key="cmd:J", actor=REPORTER, now=LATER)
    assert twice.value.key == "repeat.already_split"
    with tx() as s, pytest.raises(DomainError) as unknown:
        tickets.split_out(session=s, source_key="cmd:nope", actor=REPORTER, now=LATER)
    assert unknown.value.key == "repeat.unknown"


def test_confirm_repeat_merges_once_and_refuses_what_it_must(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)
        new_ticket(s, summary="printer macet")  # no suggestion: matcher says different
    matcher.answer = Verdict.PLAUSIBLE
    with tx() as s:
        new_ticket(s, summary="vpn lambat", now=LATER)  # 3, may repeat 2 (the newest open)
    for actor, number, key in (
        (RINA, 3, "repeat.not_yours"),
        (REPORTER, 2, "repeat.no_suggestion"),
    ):
        with tx() as s, pytest.raises(DomainError) as refused:
            tickets.confirm_repeat(session=s, number=number, actor=actor, now=LATER)
        assert refused.value.key == key
    with tx() as s:
        out = tickets.confirm_repeat(session=s, number=3, actor=REPORTER, now=LATER)
        assert out.ticket.state == "merged" and out.ticket.merged_into == 2
        # the agent is told; the reporter, who did it, is not sent a DM about it
        assert [(t, r) for t, r, _ in sent(s, out.deliveries)] == [("ticket.notice", A)]
    with tx() as s, pytest.raises(AlreadyDone) as twice:
        tickets.confirm_repeat(session=s, number=3, actor=REPORTER, now=LATER)
    assert twice.value.key == "repeat.already_merged"


def test_confirm_repeat_into_a_closed_ticket_leaves_both_as_they_are(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)
    matcher.answer = Verdict.PLAUSIBLE
    with tx() as s:
        new_ticket(s, summary="vpn lambat", now=LATER)
        tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=LATER)
    with tx() as s, pytest.raises(DomainError) as refused:
        tickets.confirm_repeat(session=s, number=2, actor=REPORTER, now=LATER)
    assert refused.value.key == "repeat.target_closed"
    with tx() as s:
        assert tickets.get(s, 2).state == "open" and tickets.get(s, 2).merged_into is None


def test_affinity_needs_the_agent_available_and_in_the_tier(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    with tx() as s:
        new_ticket(s)  # 1 → A
        assert tickets.reporters_agent(s, REPORTER) == A
        people.set_away(session=s, slack_id=A, now=NOW)
        assert tickets.reporters_agent(s, REPORTER) is None
        assert new_ticket(s, summary="printer").ticket.agent_id == B  # a turn
        people.set_back(session=s, slack_id=A, now=NOW)
        # the newest open ticket's agent first
        assert tickets.reporters_agent(s, REPORTER) == B
        tickets.escalate(session=s, number=2, actor=B, note="n", now=NOW)
        assert tickets.reporters_agent(s, REPORTER) == A  # #2 is tier 2 now: #1's agent
        assert tickets.reporters_agent(s, RINA) is None
