"""storage.tickets.waiting: an agent's question (or the card's toggle) makes a ticket wait for
its reporter, the reporter's reply ends the wait and tells the agent, and the sweep reminds
the reporter once and later resolves the ticket as "no answer" — all in working time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from storage import campaigns, people
from storage.errors import DomainError
from storage.tickets import (
    AlreadyDone,
    cancel,
    escalate,
    get,
    queue,
    reopen,
    reporters_agent,
    request_escalation,
    resolve,
    take,
    waiting,
)
from storage.tickets import conversation as talk
from storage.types import RESOLUTION_NO_ANSWER
from tests.storage.conftest import Tx
from tests.storage.seed import (
    ADMIN,
    NOW,
    REPORTER,
    RINA,
    TIER1,
    TIER2,
    new_ticket,
    outbox,
    sent,
    timeline,
)
from tests.storage.tickets.conftest import Matcher

A, B, C = TIER1
X, _Y = TIER2
WIB = ZoneInfo("Asia/Jakarta")
CLOCK = waiting.WorkingClock(WIB, time(9), time(17))
DAY = 8 * 3600.0  # one working day of 09:00-17:00
NUDGE, CLOSE = DAY, 3 * DAY
_keys = itertools.count(1)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 on the company clock (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def taken(tx: Tx, *, reporter: str = REPORTER, now: datetime = NOW) -> int:
    """A ticket of `reporter`, taken by the agent the rotation gave it to."""
    with tx() as s:
        ticket = new_ticket(s, reporter=reporter, now=now).ticket
        assert ticket.id is not None and ticket.agent_id is not None
        take(session=s, number=ticket.id, actor=ticket.agent_id, now=now)
    return ticket.id


def agent_of(tx: Tx, number: int) -> str:
    with tx() as s:
        return get(s, number).agent_id or "-"


def ask(tx: Tx, number: int, text: str, now: datetime) -> talk.Said:
    """The ticket's agent writes `text` under their card."""
    return say(tx, number, agent_of(tx, number), text, now)


def say(tx: Tx, number: int, who: str, text: str, now: datetime) -> talk.Said:
    """`who` writes `text` in their thread of the ticket: the reporter in their ticket DM's,
    an agent under their card."""
    with tx() as s:
        side = talk.REPORTER if who == get(s, number).reporter_id else talk.AGENT
        return talk.say(
            session=s,
            thread=talk.Thread(number, who, side),
            author=who,
            text=text,
            files=[],
            source_key=f"msg:test:{next(_keys)}",
            now=now,
        )


def state(tx: Tx, number: int) -> str:
    with tx() as s:
        return get(s, number).state


def kinds(tx: Tx, number: int) -> list[str]:
    with tx() as s:
        return [kind for kind, _actor, _agent in timeline(s, number)]


def sweep(tx: Tx, now: datetime, **kw: Any) -> waiting.Swept:
    with tx() as s:
        return waiting.sweep(
            session=s, now=now, nudge_after=NUDGE, close_after=CLOSE, clock=CLOCK, **kw
        )


def refused(tx: Tx, operation: Callable[..., Any], **kw: Any) -> tuple[str, str]:
    with pytest.raises(DomainError) as info, tx() as s:
        operation(session=s, **kw)
    return type(info.value).__name__, info.value.key


# ---------------------------------------------------------------- the "?" rule


def test_a_question_from_the_agent_makes_the_ticket_wait(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    said = ask(tx, number, "Sejak kapan errornya muncul? ", NOW)
    assert said.moved and said.refusal is None
    assert state(tx, number) == "waiting_reporter"
    assert kinds(tx, number)[-1] == "waiting_reporter"
    with tx() as s:
        # the question itself is relayed to the reporter, and nothing else is sent
        assert [r[:2] for r in sent(s, said.deliveries)] == [("ticket.relay", REPORTER)]
        started = waiting.waiting_since(s, get(s, number))
        assert started is not None and started.actor_id == A
        assert started.created_at == NOW


def test_words_without_a_question_mark_change_nothing(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    for text in ("Saya cek dulu ya.", "Is it the VPN? I will look at it.", ""):
        said = ask(tx, number, text or "-", NOW)
        assert not said.moved
    assert state(tx, number) == "in_progress"
    assert waiting.is_question("Which error do you see？")  # a full-width question mark too
    assert not waiting.is_question("?!")


def test_a_ticket_not_yet_taken_does_not_wait(org: Engine, tx: Tx) -> None:
    """An agent who asks before pressing Take has not started work: no wait (Take first)."""
    with tx() as s:
        number = new_ticket(s).ticket.id or 0
    assert not ask(tx, number, "Laptop kantor atau pribadi?", NOW).moved
    assert state(tx, number) == "open"


def test_a_second_question_keeps_the_moment_the_wait_started(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    later = NOW + timedelta(hours=2)
    assert not ask(tx, number, "Dan pakai wifi apa?", later).moved
    with tx() as s:
        started = waiting.waiting_since(s, get(s, number))
        assert started is not None and started.created_at == NOW
    assert kinds(tx, number).count("waiting_reporter") == 1


def test_an_internal_note_is_not_a_question_to_the_reporter(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    with tx() as s:
        talk.note(session=s, number=number, author=A, text="Minta log ke dia?", now=NOW)
    assert state(tx, number) == "in_progress"


# ---------------------------------------------------------------- the reporter answers


def test_the_reporters_reply_brings_it_back_and_tells_the_agent(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    said = say(tx, number, REPORTER, "Sejak pagi ini", NOW + timedelta(minutes=5))
    assert said.moved
    assert state(tx, number) == "in_progress"
    assert kinds(tx, number)[-2:] == ["waiting_reporter", "reporter_replied"]
    with tx() as s:
        rows = outbox(s, said.deliveries)
        # the reply relayed first, then the notice, both in the agent's card thread
        assert [(r.template, r.recipient) for r in rows] == [
            ("ticket.relay", A),
            ("ticket.notice", A),
        ]
        notice = rows[1].params
        assert (notice["what"], notice["by"]) == ("reporter_replied", REPORTER)
        assert notice["thread"] == f"ticket:{number}:card:{A}:v1"
        assert waiting.waiting_since(s, get(s, number)) is None
    # a reply on a ticket that is not waiting tells the agent nothing more
    again = say(tx, number, REPORTER, "Tambahan: pakai wifi rumah", NOW + timedelta(minutes=9))
    assert not again.moved
    with tx() as s:
        assert [r.template for r in outbox(s, again.deliveries)] == ["ticket.relay"]


def test_the_same_slack_message_twice_moves_it_once(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    for _ in range(2):
        with tx() as s:
            said = talk.say(
                session=s,
                thread=talk.Thread(number, A, talk.AGENT),
                author=A,
                text="Sejak kapan?",
                files=[],
                source_key="msg:D0AGENTA:1.000001",
                now=NOW,
            )
    assert said.again and not said.moved
    assert kinds(tx, number).count("waiting_reporter") == 1


def test_a_repeat_filed_by_the_reporter_ends_the_wait(
    org: Engine, tx: Tx, matcher: Matcher
) -> None:
    """A /lapor that joins the waiting ticket is the reporter speaking: back in progress; the
    agent hears it from the "asked again" notice alone."""
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    matcher.answer = True
    with tx() as s:
        joined = new_ticket(s, summary="VPN masih tidak bisa", now=NOW + timedelta(minutes=3))
        assert joined.repeat and joined.ticket.id == number
        told = [(r.recipient, r.params["what"]) for r in outbox(s, joined.deliveries)]
        assert (A, "asked_again") in told and (A, "reporter_replied") not in told
    assert state(tx, number) == "in_progress"
    assert kinds(tx, number)[-2:] == ["followup", "reporter_replied"]


def test_asking_for_an_escalation_is_the_reporter_speaking(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    with tx() as s:
        request = request_escalation(
            session=s,
            number=number,
            actor=REPORTER,
            reason="Sudah dua hari, mohon dipercepat",
            now=NOW + timedelta(minutes=5),
            waited_enough=False,
        )
        assert [r.params["what"] for r in outbox(s, request.outcome.deliveries)] == [
            "escalation_requested"
        ]
    assert state(tx, number) == "in_progress"
    assert kinds(tx, number)[-2:] == ["escalation_requested", "reporter_replied"]


# ---------------------------------------------------------------- the toggle on the card


def test_the_toggle_sets_and_clears_the_wait_by_hand(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    with tx() as s:
        before = get(s, number).version
        out = waiting.wait_for_reporter(session=s, number=number, actor=A, now=NOW)
        assert out.deliveries == [] and out.ticket.version == before + 1
    assert state(tx, number) == "waiting_reporter"
    kind, key = refused(tx, waiting.wait_for_reporter, number=number, actor=A, now=NOW)
    assert (kind, key) == ("AlreadyDone", "ticket.already_waiting")
    with tx() as s:
        waiting.stop_waiting(session=s, number=number, actor=A, now=NOW + timedelta(minutes=1))
    assert state(tx, number) == "in_progress"
    assert kinds(tx, number)[-2:] == ["waiting_reporter", "waiting_cleared"]
    kind, key = refused(tx, waiting.stop_waiting, number=number, actor=A, now=NOW)
    assert (kind, key) == ("AlreadyDone", "ticket.already_not_waiting")


def test_who_may_press_the_toggle(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    # another tier-1 agent may not; the reporter may not even see who handles it
    assert refused(tx, waiting.wait_for_reporter, number=number, actor=B, now=NOW) == (
        "DomainError",
        "ticket.not_yours",
    )
    assert refused(tx, waiting.wait_for_reporter, number=number, actor="U0NOBODY", now=NOW)[1] == (
        "ticket.not_yours_private"
    )
    # an admin and a higher tier may
    with tx() as s:
        waiting.wait_for_reporter(session=s, number=number, actor=ADMIN, now=NOW)
        waiting.stop_waiting(session=s, number=number, actor=X, now=NOW)
    assert state(tx, number) == "in_progress"


def test_the_toggle_needs_a_taken_open_ticket(org: Engine, tx: Tx) -> None:
    with tx() as s:
        fresh = new_ticket(s).ticket.id or 0
    assert refused(tx, waiting.wait_for_reporter, number=fresh, actor=A, now=NOW) == (
        "DomainError",
        "ticket.wait_take_first",
    )
    done = taken(tx, reporter=RINA)
    agent = agent_of(tx, done)
    with tx() as s:
        resolve(session=s, number=done, actor=agent, resolution="ok", now=NOW)
    for operation in (waiting.wait_for_reporter, waiting.stop_waiting):
        assert refused(tx, operation, number=done, actor=agent, now=NOW) == (
            "AlreadyDone",
            "ticket.already_resolved",
        )


# ---------------------------------------------------------------- still open, still theirs


def test_a_waiting_ticket_stays_open_and_its_agents(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    with tx() as s:
        assert [t.id for t in queue(s, A)] == [number]
        assert reporters_agent(s, REPORTER) == A  # affinity: their next ticket goes to A
        second = new_ticket(s, summary="Printer lantai 2 macet", now=NOW).ticket
        assert second.agent_id == A and second.id != number
    # Take again by its agent: already taken; by a higher tier: taken over, the wait ends
    kind, key = refused(tx, take, number=number, actor=A, now=NOW)
    assert (kind, key) == ("AlreadyDone", "ticket.already_taken")
    with tx() as s:
        take(session=s, number=number, actor=X, now=NOW)
    assert state(tx, number) == "in_progress"


def test_resolving_or_escalating_a_waiting_ticket_ends_the_wait(org: Engine, tx: Tx) -> None:
    first, second = taken(tx), taken(tx, reporter=RINA)
    for number in (first, second):
        ask(tx, number, "Sejak kapan?", NOW)
    with tx() as s:
        resolve(session=s, number=first, actor=A, resolution="Sudah normal", now=NOW)
        escalate(session=s, number=second, actor=B, note="butuh akses server", now=NOW)
    assert (state(tx, first), state(tx, second)) == ("resolved", "open")
    assert sweep(tx, NOW + timedelta(days=30)) == waiting.Swept()


# ---------------------------------------------------------------- the sweep: nudge, then close


def test_one_nudge_after_a_working_day_then_no_answer_after_three(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(23, 10))  # Monday 10:00
    assert sweep(tx, wib(24, 9, 59)) == waiting.Swept()  # 7h59m of working time
    nudged = sweep(tx, wib(24, 10))  # Tuesday 10:00: one working day
    assert nudged.nudged == [number] and nudged.closed == []
    with tx() as s:
        row = outbox(s, nudged.deliveries)[0]
        assert (row.template, row.recipient, row.params["what"]) == (
            "ticket.reporter",
            REPORTER,
            "nudge",
        )
        assert row.params["thread"] == f"ticket:{number}:home"  # in their ticket thread
        assert row.params["agent"] == A
    # once: later sweeps of the same wait remind nobody again
    assert sweep(tx, wib(24, 10, 15)) == waiting.Swept()
    assert sweep(tx, wib(25, 16)) == waiting.Swept()
    assert state(tx, number) == "waiting_reporter"
    closed = sweep(tx, wib(26, 10))  # Thursday 10:00: three working days
    assert closed.closed == [number] and closed.nudged == []
    with tx() as s:
        ticket = get(s, number)
        assert (ticket.state, ticket.resolved_by, ticket.resolution) == (
            "resolved",
            A,
            RESOLUTION_NO_ANSWER,
        )
        rows = outbox(s, closed.deliveries)
        assert [(r.template, r.recipient, r.params["what"]) for r in rows] == [
            ("ticket.reporter", REPORTER, "no_answer"),
            ("ticket.notice", A, "closed_no_answer"),
        ]
    assert kinds(tx, number)[-3:] == ["waiting_reporter", "waiting_nudged", "resolved_no_answer"]
    assert sweep(tx, wib(30, 10)) == waiting.Swept()
    # Reopen works, and returns the ticket to the agent who waited
    with tx() as s:
        reopen(session=s, number=number, actor=REPORTER, now=wib(30, 11))
        assert (get(s, number).state, get(s, number).agent_id) == ("open", A)


def test_a_new_wait_gets_a_nudge_of_its_own(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(23, 10))
    assert sweep(tx, wib(24, 10)).nudged == [number]
    say(tx, number, REPORTER, "Sejak Jumat", wib(24, 11))
    ask(tx, number, "Sudah coba restart?", wib(24, 12))
    assert sweep(tx, wib(25, 11, 59)).nudged == []
    assert sweep(tx, wib(25, 12)).nudged == [number]
    assert kinds(tx, number).count("waiting_nudged") == 2


def test_working_time_skips_nights_weekends_and_days_off(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(27, 16))  # Friday 16:00: one working hour left
    assert sweep(tx, wib(30, 15, 59)).nudged == []  # Monday: 1h + 6h59m
    assert sweep(tx, wib(30, 16)).nudged == [number]
    # a company day off does not count either
    other = taken(tx, reporter=RINA)
    ask(tx, other, "Sejak kapan?", wib(30, 10))
    with tx() as s:
        campaigns.add_day_off(s, day=date(2026, 12, 1), name="Hari jadi kantor")
        clock = waiting.company_clock(s, tz=WIB, work_start=time(9), work_end=time(17))
    assert clock.days_off == frozenset({date(2026, 12, 1)})
    with tx() as s:
        kw = {"nudge_after": NUDGE, "close_after": CLOSE, "clock": clock}
        assert (
            waiting.sweep(session=s, now=datetime(2026, 12, 1, 10, tzinfo=WIB), **kw).nudged == []
        )  # Dec 1st
    with tx() as s:
        swept = waiting.sweep(session=s, now=datetime(2026, 12, 2, 10, tzinfo=WIB), **kw)
        assert swept.nudged == [other]


def test_nothing_reaches_the_reporter_outside_their_working_hours(org: Engine, tx: Tx) -> None:
    """Due at 17:05 (the job runs every quarter of an hour), the nudge waits for the
    reporter's morning; a reporter in another zone is nudged in their own working hours."""
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(23, 16, 55))
    late = sweep(tx, wib(24, 17, 5))
    assert (late.nudged, late.held) == ([], 1)
    assert sweep(tx, wib(25, 9)).nudged == [number]
    # Rina works from Makassar (an hour ahead): 16:30 in Jakarta is 17:30 for her
    with tx() as s:
        people.require(s, RINA).timezone = "Asia/Makassar"
    other = taken(tx, reporter=RINA)
    ask(tx, other, "Sejak kapan?", wib(25, 9))
    held = sweep(tx, wib(26, 16, 30))
    assert (held.nudged, held.held) == ([], 1)
    # `rekan jobs run` acts at once, at any hour
    assert sweep(tx, wib(26, 16, 30), anytime=True).nudged == [other]


def test_a_close_due_at_night_waits_for_the_morning(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(23, 10))
    assert sweep(tx, wib(24, 10)).nudged == [number]
    assert sweep(tx, wib(26, 20)).held == 1  # three working days passed at 10:00 Thursday
    assert state(tx, number) == "waiting_reporter"
    # the reporter answers in the evening: the ticket is saved
    say(tx, number, REPORTER, "Maaf baru lihat, sejak Senin", wib(26, 21))
    assert sweep(tx, wib(27, 9)) == waiting.Swept()
    assert state(tx, number) == "in_progress"


def test_no_nudge_when_the_close_comes_first(org: Engine, tx: Tx) -> None:
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", wib(23, 10))
    with tx() as s:
        swept = waiting.sweep(
            session=s, now=wib(24, 10), nudge_after=DAY, close_after=DAY, clock=CLOCK
        )
    assert (swept.nudged, swept.closed) == ([], [number])


def test_a_second_sweep_at_once_acts_once(org: Engine, tx: Tx) -> None:
    first, second = taken(tx), taken(tx, reporter=RINA)
    for number in (first, second):
        ask(tx, number, "Sejak kapan?", wib(23, 10))
    assert sweep(tx, wib(24, 10)).nudged == [first, second]
    assert sweep(tx, wib(24, 10)).nudged == []
    with tx() as s:
        nudges = [r for r in outbox(s) if r.params.get("what") == "nudge"]
        assert len(nudges) == 2


def test_transitions_from_waiting(org: Engine, tx: Tx) -> None:
    """Every operation of the state machine, from waiting_reporter: as from in_progress."""
    operations: dict[str, Callable[..., Any]] = {
        "resolved": lambda s, n: resolve(session=s, number=n, actor=ADMIN, resolution="r", now=NOW),
        "open": lambda s, n: escalate(session=s, number=n, actor=ADMIN, note="n", now=NOW),
        "cancelled": lambda s, n: cancel(session=s, number=n, actor=REPORTER, now=NOW),
    }
    for expected, operation in operations.items():
        number = taken(tx)
        ask(tx, number, "Sejak kapan?", NOW)
        with tx() as s:
            operation(s, number)
        assert state(tx, number) == expected
    number = taken(tx)
    ask(tx, number, "Sejak kapan?", NOW)
    with pytest.raises(DomainError) as info, tx() as s:
        reopen(session=s, number=number, actor=REPORTER, now=NOW)
    assert info.value.key == "ticket.not_resolved" and not isinstance(info.value, AlreadyDone)
