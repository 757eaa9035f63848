"""storage.tickets.workflow: the state machine. Each operation moves a ticket, says who did
what on its timeline and writes its messages; a second click changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import people
from storage.errors import DomainError
from storage.models import Rotation, TicketEvent
from storage.tickets import (
    NOTE_MAX,
    AlreadyDone,
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
from tests.storage.conftest import Tx
from tests.storage.seed import (
    ADMIN,
    NOW,
    OUTSIDER,
    REPORTER,
    RINA,
    TIER1,
    TIER2,
    new_ticket,
    outbox,
    sent,
    timeline,
)

A, B, C = TIER1
X, Y = TIER2
T1, T2, T3 = (NOW + timedelta(minutes=m) for m in (10, 20, 30))


def refused(
    tx: Tx, operation: Callable[..., Any], **kwargs: Any
) -> tuple[str, str, dict[str, Any]]:
    """(error class, catalog key, parameters) of an operation that must be refused."""
    with pytest.raises(DomainError) as info, tx() as s:
        operation(session=s, **kwargs)
    return type(info.value).__name__, info.value.key, info.value.params


def filed(tx: Tx, **fields: Any) -> int:
    with tx() as s:
        return new_ticket(s, **fields).ticket.id or 0


def state_of(tx: Tx, number: int) -> tuple[str, str | None, int, int]:
    """(state, agent, tier, version)"""
    with tx() as s:
        t = get(s, number)
        return t.state, t.agent_id, t.tier, t.version


def notes(tx: Tx, number: int) -> list[tuple[str, str | None]]:
    with tx() as s:
        rows = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == number)).all()
        return [(e.kind, e.note) for e in sorted(rows, key=lambda e: e.id or 0)]


def away(tx: Tx, *ids: str) -> None:
    with tx() as s:
        for sid in ids:
            people.set_away(session=s, slack_id=sid, now=NOW)


def back(tx: Tx, *ids: str) -> None:
    with tx() as s:
        for sid in ids:
            people.set_back(session=s, slack_id=sid, now=NOW)


# ---------------------------------------------------------------- take


def test_the_assigned_agent_takes_their_ticket(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        out = take(session=s, number=number, actor=A, now=T1)
    assert out.deliveries == []  # the reporter already knows who has it
    assert state_of(tx, number) == ("in_progress", A, 1, 2)
    with tx() as s:
        assert timeline(s, number)[-1] == ("taken", A, A)
        assert get(s, number).updated_at == T1


def test_a_second_take_says_when_and_changes_nothing(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        take(session=s, number=number, actor=A, now=T1)
    assert refused(tx, take, number=number, actor=A, now=T2) == (
        "AlreadyDone",
        "ticket.already_taken",
        {"number": number, "by": A, "at": T1},
    )
    assert state_of(tx, number) == ("in_progress", A, 1, 2)


@pytest.mark.parametrize(
    ("actor", "key", "params"),
    [
        (B, "ticket.not_yours", {"number": 1, "agent": A}),  # same tier, not theirs
        (REPORTER, "ticket.not_yours", {"number": 1, "agent": A}),  # may read, not act
        (OUTSIDER, "ticket.not_yours_private", {"number": 1}),  # learns nothing
    ],
)
def test_who_may_not_take(
    org: Engine, tx: Tx, actor: str, key: str, params: dict[str, Any]
) -> None:
    number = filed(tx)
    assert refused(tx, take, number=number, actor=actor, now=T1) == ("DomainError", key, params)
    assert state_of(tx, number) == ("open", A, 1, 1)


def test_a_higher_tier_takes_it_over_and_the_reporter_is_told(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        out = take(session=s, number=number, actor=X, now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.reporter", REPORTER, "ticket:1:reporter:assigned:v2")
        ]
        assert outbox(s, out.deliveries)[0].params == {
            "ticket": 1,
            "what": "assigned",
            "agent": X,
            "thread": "ticket:1:home",  # in the thread of the reporter's ticket DM
        }
    assert state_of(tx, number) == ("in_progress", X, 2, 2)


def test_an_admin_takes_it_without_moving_its_tier(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        take(session=s, number=number, actor=ADMIN, now=T1)
    assert state_of(tx, number) == ("in_progress", ADMIN, 1, 2)


def test_any_agent_of_its_tier_picks_up_a_waiting_ticket(org: Engine, tx: Tx) -> None:
    away(tx, *TIER1)
    number = filed(tx)
    with tx() as s:
        out = take(session=s, number=number, actor=C, now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.reporter", REPORTER, "ticket:1:reporter:assigned:v2")
        ]
    assert state_of(tx, number) == ("in_progress", C, 1, 2)


# ---------------------------------------------------------------- escalate


def test_escalation_goes_to_the_next_tier_two_agent_with_the_note(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        take(session=s, number=number, actor=A, now=T1)
        out = escalate(session=s, number=number, actor=A, note="  perlu akses server  ", now=T2)
        assert sent(s, out.deliveries) == [
            ("ticket.card", X, "ticket:1:card:U0TIER2X:v3"),
            ("ticket.reporter", REPORTER, "ticket:1:reporter:escalated:v3"),
        ]
        assert outbox(s, out.deliveries)[1].params == {
            "ticket": 1,
            "what": "escalated",
            "agent": X,
            "thread": "ticket:1:home",
        }
        assert timeline(s, number)[-2:] == [("escalated", A, None), ("assigned", A, X)]
    assert state_of(tx, number) == ("open", X, 2, 3)
    assert notes(tx, number)[-2] == ("escalated", "perlu akses server")


def test_a_second_escalation_is_refused_saying_what_happened(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        escalate(session=s, number=number, actor=A, note="butuh tier 2", now=T1)
    assert refused(tx, escalate, number=number, actor=A, note="lagi", now=T2) == (
        "AlreadyDone",
        "ticket.already_escalated",
        {"number": 1, "by": A, "agent": X, "at": T1},
    )
    # its tier-2 agent is told there is no higher tier
    assert refused(tx, escalate, number=number, actor=X, note="lagi", now=T2) == (
        "DomainError",
        "ticket.top_tier",
        {"number": 1},
    )
    assert state_of(tx, number) == ("open", X, 2, 2)


def test_escalation_needs_a_note_and_the_right_person(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    assert refused(tx, escalate, number=number, actor=A, note=" \n ", now=T1) == (
        "DomainError",
        "ticket.note_required",
        {},
    )
    assert refused(tx, escalate, number=number, actor=B, note="x", now=T1)[1] == "ticket.not_yours"
    # permission before anything else: an outsider is not told a note is missing
    assert refused(tx, escalate, number=number, actor=OUTSIDER, note="", now=T1)[1] == (
        "ticket.not_yours_private"
    )
    assert state_of(tx, number) == ("open", A, 1, 1)


def test_escalation_with_no_tier_two_agent_waits_at_tier_two(org: Engine, tx: Tx) -> None:
    away(tx, *TIER2)
    number = filed(tx)
    with tx() as s:
        out = escalate(session=s, number=number, actor=A, note="butuh tier 2", now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.reporter", REPORTER, "ticket:1:reporter:escalated:v2")
        ]
        assert outbox(s, out.deliveries)[0].params["agent"] is None
    assert state_of(tx, number) == ("waiting", None, 2, 2)


def test_escalation_passes_over_the_reporter(org: Engine, tx: Tx) -> None:
    number = filed(tx, reporter=X)
    with tx() as s:
        escalate(session=s, number=number, actor=A, note="butuh tier 2", now=T1)
    assert state_of(tx, number) == ("open", Y, 2, 2)


# ---------------------------------------------------------------- resolve


def test_resolving_closes_it_and_tells_the_reporter(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        out = resolve(session=s, number=number, actor=A, resolution="  reset password  ", now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.reporter", REPORTER, "ticket:1:reporter:resolved:v2")
        ]
        assert outbox(s, out.deliveries)[0].params == {
            "ticket": 1,
            "what": "resolved",
            "agent": A,
            "thread": "ticket:1:home",
        }
        ticket = get(s, number)
        assert (ticket.state, ticket.resolved_by, ticket.resolution) == (
            "resolved",
            A,
            "reset password",
        )
        assert timeline(s, number)[-1] == ("resolved", A, None)


def test_a_second_resolve_names_the_first_resolver_and_changes_nothing(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        resolve(session=s, number=number, actor=A, resolution="done", now=T1)
    for actor in (A, ADMIN, X):
        assert refused(tx, resolve, number=number, actor=actor, resolution="again", now=T2) == (
            "AlreadyDone",
            "ticket.already_resolved",
            {"number": 1, "by": A, "at": T1},
        )
    assert state_of(tx, number) == ("resolved", A, 1, 2)
    with tx() as s:
        assert get(s, number).resolution == "done"


def test_resolving_needs_a_resolution_and_the_right_person(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    assert refused(tx, resolve, number=number, actor=A, resolution="  ", now=T1) == (
        "DomainError",
        "ticket.resolution_required",
        {},
    )
    assert refused(tx, resolve, number=number, actor=C, resolution="x", now=T1) == (
        "DomainError",
        "ticket.not_yours",
        {"number": 1, "agent": A},
    )
    assert refused(tx, resolve, number=number, actor=REPORTER, resolution="x", now=T1)[1] == (
        "ticket.not_yours"
    )
    assert state_of(tx, number) == ("open", A, 1, 1)


@pytest.mark.parametrize("actor", [ADMIN, X])
def test_an_admin_or_a_higher_tier_may_resolve(org: Engine, tx: Tx, actor: str) -> None:
    number = filed(tx)
    with tx() as s:
        resolve(session=s, number=number, actor=actor, resolution="x" * (NOTE_MAX + 10), now=T1)
        ticket = get(s, number)
        assert (ticket.state, ticket.resolved_by, len(ticket.resolution or "")) == (
            "resolved",
            actor,
            NOTE_MAX,
        )


# ---------------------------------------------------------------- reopen


def resolved_by(tx: Tx, actor: str = A, **fields: Any) -> int:
    number = filed(tx, **fields)
    with tx() as s:
        resolve(session=s, number=number, actor=actor, resolution="done", now=T1)
    return number


def test_the_reporter_reopens_and_it_goes_back_to_its_resolver(org: Engine, tx: Tx) -> None:
    number = resolved_by(tx)
    with tx() as s:
        out = reopen(session=s, number=number, actor=REPORTER, note="  masih mati  ", now=T2)
        assert sent(s, out.deliveries) == [("ticket.card", A, "ticket:1:card:U0AGENTA:v3")]
        assert timeline(s, number)[-2:] == [("reopened", REPORTER, None), ("assigned", REPORTER, A)]
        assert get(s, number).resolved_by is None
    assert state_of(tx, number) == ("open", A, 1, 3)
    assert notes(tx, number)[-2] == ("reopened", "masih mati")
    with tx() as s:
        assert s.get(Rotation, 1).turns == 1  # type: ignore[union-attr]


def test_a_second_reopen_says_who_reopened_it(org: Engine, tx: Tx) -> None:
    number = resolved_by(tx)
    with tx() as s:
        reopen(session=s, number=number, actor=REPORTER, now=T2)
    assert refused(tx, reopen, number=number, actor=REPORTER, now=T3) == (
        "AlreadyDone",
        "ticket.already_reopened",
        {"number": 1, "by": REPORTER, "at": T2},
    )
    assert state_of(tx, number) == ("open", A, 1, 3)


def test_a_ticket_never_resolved_has_nothing_to_reopen(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    assert refused(tx, reopen, number=number, actor=REPORTER, now=T1) == (
        "DomainError",
        "ticket.not_resolved",
        {"number": 1},
    )


@pytest.mark.parametrize("actor", [RINA, A, X])
def test_only_the_reporter_or_an_admin_reopens(org: Engine, tx: Tx, actor: str) -> None:
    number = resolved_by(tx)
    assert refused(tx, reopen, number=number, actor=actor, now=T2) == (
        "DomainError",
        "ticket.not_reporter",
        {"number": 1},
    )
    with tx() as s:
        reopen(session=s, number=number, actor=ADMIN, now=T2)
    assert state_of(tx, number)[0] == "open"


def test_a_reopened_ticket_whose_resolver_is_away_takes_a_turn(org: Engine, tx: Tx) -> None:
    number = resolved_by(tx)
    away(tx, A)
    with tx() as s:
        reopen(session=s, number=number, actor=REPORTER, now=T2)
    assert state_of(tx, number) == ("open", B, 1, 3)


def test_a_ticket_resolved_at_tier_two_reopens_with_its_tier_two_resolver(
    org: Engine, tx: Tx
) -> None:
    number = filed(tx)
    with tx() as s:
        escalate(session=s, number=number, actor=A, note="butuh tier 2", now=T1)
        resolve(session=s, number=number, actor=X, resolution="done", now=T2)
        reopen(session=s, number=number, actor=REPORTER, now=T3)
    assert state_of(tx, number) == ("open", X, 2, 4)


def test_a_cancelled_ticket_is_not_reopened(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        cancel(session=s, number=number, actor=REPORTER, now=T1)
    assert refused(tx, reopen, number=number, actor=REPORTER, now=T2) == (
        "DomainError",
        "ticket.cancelled",
        {"number": 1},
    )


def test_a_merged_ticket_is_not_reopened(org: Engine, tx: Tx) -> None:
    """A duplicate stays closed: its text already joined the ticket it was merged into."""
    target = filed(tx, reporter=RINA)
    duplicate = filed(tx)
    with tx() as s:
        merge(session=s, number=duplicate, into=target, actor=B, now=T1)
    assert refused(tx, reopen, number=duplicate, actor=REPORTER, now=T2) == (
        "DomainError",
        "ticket.merged",
        {"number": 2, "into": 1},
    )
    assert state_of(tx, duplicate) == ("merged", B, 1, 2)
    with tx() as s:
        assert get(s, duplicate).merged_into == target


# ---------------------------------------------------------------- cancel


def test_the_reporter_cancels_and_the_agent_is_told(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        out = cancel(session=s, number=number, actor=REPORTER, now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.notice", A, "ticket:1:notice:cancelled:U0AGENTA:3")
        ]
        assert outbox(s, out.deliveries)[0].params == {
            "ticket": 1,
            "what": "cancelled",
            "by": REPORTER,
            "thread": "ticket:1:card:U0AGENTA:v1",  # in the agent's card thread
        }
        assert timeline(s, number)[-1] == ("cancelled", REPORTER, None)
    assert state_of(tx, number) == ("cancelled", A, 1, 2)


def test_a_second_cancel_says_who_cancelled(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        cancel(session=s, number=number, actor=ADMIN, now=T1)
    assert refused(tx, cancel, number=number, actor=REPORTER, now=T2) == (
        "AlreadyDone",
        "ticket.already_cancelled",
        {"number": 1, "by": ADMIN, "at": T1},
    )
    assert state_of(tx, number) == ("cancelled", A, 1, 2)


def test_only_the_reporter_or_an_admin_cancels(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    assert refused(tx, cancel, number=number, actor=A, now=T1) == (
        "DomainError",
        "ticket.not_reporter",
        {"number": 1},
    )


def test_a_waiting_ticket_is_cancelled_without_telling_anyone(org: Engine, tx: Tx) -> None:
    away(tx, *TIER1)
    number = filed(tx)
    with tx() as s:
        assert cancel(session=s, number=number, actor=REPORTER, now=T1).deliveries == []


# ---------------------------------------------------------------- the reporter asks to escalate


def test_asking_early_tells_the_agent_and_moves_nothing(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        asked = request_escalation(
            session=s,
            number=number,
            actor=REPORTER,
            reason="  rapat jam 2  ",
            now=T1,
            waited_enough=False,
        )
        assert asked.escalated is False
        assert sent(s, asked.outcome.deliveries) == [
            ("ticket.notice", A, "ticket:1:notice:escalation_requested:U0AGENTA:3")
        ]
        assert outbox(s, asked.outcome.deliveries)[0].params == {
            "ticket": 1,
            "what": "escalation_requested",
            "by": REPORTER,
            "reason": "rapat jam 2",
            "thread": "ticket:1:card:U0AGENTA:v1",
        }
        again = request_escalation(
            session=s, number=number, actor=REPORTER, reason="lagi", now=T2, waited_enough=False
        )
        assert sent(s, again.outcome.deliveries) == [
            ("ticket.notice", A, "ticket:1:notice:escalation_requested:U0AGENTA:4")
        ]
    assert state_of(tx, number) == ("open", A, 1, 3)
    assert notes(tx, number)[-2:] == [
        ("escalation_requested", "rapat jam 2"),
        ("escalation_requested", "lagi"),
    ]


def test_asking_after_waiting_long_enough_moves_it_to_tier_two(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        asked = request_escalation(
            session=s, number=number, actor=REPORTER, reason="lama", now=T1, waited_enough=True
        )
        assert asked.escalated is True
        assert sent(s, asked.outcome.deliveries) == [
            ("ticket.notice", A, "ticket:1:notice:escalated_by_reporter:U0AGENTA:2"),
            ("ticket.card", X, "ticket:1:card:U0TIER2X:v2"),
        ]
        assert timeline(s, number)[-2:] == [
            ("escalated", REPORTER, None),
            ("assigned", REPORTER, X),
        ]
    assert state_of(tx, number) == ("open", X, 2, 2)


@pytest.mark.parametrize(
    ("actor", "reason", "key"),
    [
        (A, "lama", "ticket.not_reporter"),
        (ADMIN, "lama", "ticket.not_reporter"),
        (REPORTER, "   ", "ticket.reason_required"),
    ],
)
def test_asking_to_escalate_is_the_reporters_and_needs_a_reason(
    org: Engine, tx: Tx, actor: str, reason: str, key: str
) -> None:
    number = filed(tx)
    assert refused(
        tx,
        request_escalation,
        number=number,
        actor=actor,
        reason=reason,
        now=T1,
        waited_enough=True,
    ) == ("DomainError", key, {"number": 1})
    assert state_of(tx, number) == ("open", A, 1, 1)


def test_there_is_no_asking_beyond_tier_two_or_after_the_end(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        escalate(session=s, number=number, actor=A, note="x", now=T1)
    assert refused(
        tx,
        request_escalation,
        number=number,
        actor=REPORTER,
        reason="r",
        now=T2,
        waited_enough=True,
    ) == ("DomainError", "ticket.already_top", {"number": 1, "agent": X})
    done = resolved_by(tx, B, reporter=RINA)
    assert refused(
        tx, request_escalation, number=done, actor=RINA, reason="r", now=T2, waited_enough=True
    )[:2] == ("AlreadyDone", "ticket.already_resolved")


def test_asking_late_with_nobody_to_tell_or_to_take_it(org: Engine, tx: Tx) -> None:
    away(tx, *TIER1, *TIER2)
    number = filed(tx)
    with tx() as s:
        asked = request_escalation(
            session=s, number=number, actor=REPORTER, reason="lama", now=T1, waited_enough=True
        )
        assert (asked.escalated, asked.outcome.deliveries) == (True, [])
    assert state_of(tx, number) == ("waiting", None, 2, 2)


# ---------------------------------------------------------------- assign


def test_assigning_to_a_named_agent_uses_no_turn(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    with tx() as s:
        out = assign_to(session=s, number=number, agent=C, actor=ADMIN, now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.card", C, "ticket:1:card:U0AGENTC:v2"),
            ("ticket.reporter", REPORTER, "ticket:1:reporter:assigned:v2"),
        ]
        assert timeline(s, number)[-1] == ("assigned", ADMIN, C)
        assert s.get(Rotation, 1).turns == 1  # type: ignore[union-attr]
    assert state_of(tx, number) == ("open", C, 1, 2)
    with tx() as s:
        assign_to(session=s, number=number, agent=Y, now=T2)
        assert timeline(s, number)[-1] == ("assigned", None, Y)
    assert state_of(tx, number) == ("open", Y, 2, 3)


def test_assigning_twice_or_to_someone_who_is_no_agent_is_refused(org: Engine, tx: Tx) -> None:
    number = filed(tx)
    assert refused(tx, assign_to, number=number, agent=A, now=T1) == (
        "AlreadyDone",
        "ticket.already_assigned",
        {"number": 1, "agent": A},
    )
    assert refused(tx, assign_to, number=number, agent=ADMIN, now=T1) == (
        "DomainError",
        "ticket.not_an_agent",
        {"agent": ADMIN},
    )
    with tx() as s:
        resolve(session=s, number=number, actor=A, resolution="ok", now=T1)
    assert refused(tx, assign_to, number=number, agent=B, now=T2)[1] == "ticket.already_resolved"
    assert state_of(tx, number) == ("resolved", A, 1, 2)


def test_waiting_tickets_go_out_oldest_first_once_agents_are_back(org: Engine, tx: Tx) -> None:
    away(tx, *TIER1, *TIER2)
    first, second, third = filed(tx), filed(tx, reporter=RINA), filed(tx, reporter=A)
    with tx() as s:
        escalate(session=s, number=first, actor=ADMIN, note="tier 2", now=T1)
        assert assign_waiting(session=s, now=T1) == []
    back(tx, A, X)
    with tx() as s:
        outcomes = assign_waiting(session=s, now=T2)
        assert [o.ticket.id for o in outcomes] == [first, second]
        assert [sent(s, o.deliveries) for o in outcomes] == [
            [
                ("ticket.card", X, "ticket:1:card:U0TIER2X:v3"),
                ("ticket.reporter", REPORTER, "ticket:1:reporter:assigned:v3"),
            ],
            [
                ("ticket.card", A, "ticket:2:card:U0AGENTA:v2"),
                ("ticket.reporter", RINA, "ticket:2:reporter:assigned:v2"),
            ],
        ]
    assert state_of(tx, first) == ("open", X, 2, 3)
    assert state_of(tx, second) == ("open", A, 1, 2)
    assert state_of(tx, third) == ("waiting", None, 1, 1)  # A reported it: still nobody
    with tx() as s:
        assert assign_waiting(session=s, now=T3) == []


# ---------------------------------------------------------------- merge


def test_merging_closes_the_duplicate_into_the_open_ticket(org: Engine, tx: Tx) -> None:
    target = filed(tx)
    duplicate = filed(tx, reporter=RINA, summary="VPN mati", details="dari rumah")
    with tx() as s:
        out = merge(session=s, number=duplicate, into=target, actor=B, now=T1)
        assert sent(s, out.deliveries) == [
            ("ticket.reporter", RINA, "ticket:2:reporter:merged:v2"),
            ("ticket.notice", A, "ticket:1:notice:merged_in:U0AGENTA:3"),
        ]
        assert [r.params for r in outbox(s, out.deliveries)] == [
            {"ticket": 2, "what": "merged", "into": 1, "agent": A, "thread": "ticket:2:home"},
            {
                "ticket": 1,
                "what": "merged_in",
                "by": B,
                "duplicate": 2,
                "reason": "VPN mati dari rumah",
                "thread": "ticket:1:card:U0AGENTA:v1",
            },
        ]
        dup, kept = get(s, duplicate), get(s, target)
        assert (dup.state, dup.merged_into, dup.version) == ("merged", 1, 2)
        assert (kept.state, kept.repeats, kept.version) == ("open", 1, 2)
    assert notes(tx, duplicate)[-1] == ("merged", "#1")
    assert notes(tx, target)[-1] == ("merged_in", "#2: VPN mati dari rumah")


def test_merge_refusals(org: Engine, tx: Tx) -> None:
    one, two, three = filed(tx), filed(tx, reporter=RINA), filed(tx, reporter=OUTSIDER)
    assert refused(tx, merge, number=one, into=one, actor=A, now=T1) == (
        "DomainError",
        "merge.self",
        {"number": 1},
    )
    assert refused(tx, merge, number=two, into=one, actor=C, now=T1)[1:] == (
        "ticket.not_yours",
        {"number": 2, "agent": B},
    )
    assert refused(tx, merge, number=two, into=one, actor=RINA, now=T1)[1] == "ticket.not_yours"
    assert refused(tx, merge, number=two, into=one, actor=REPORTER, now=T1)[1] == (
        "ticket.not_yours_private"
    )
    with tx() as s:
        resolve(session=s, number=three, actor=C, resolution="ok", now=T1)
    assert refused(tx, merge, number=two, into=three, actor=B, now=T2) == (
        "DomainError",
        "merge.closed",
        {"into": 3},
    )
    with tx() as s:
        merge(session=s, number=two, into=one, actor=B, now=T2)
    assert refused(tx, merge, number=two, into=one, actor=B, now=T3) == (
        "DomainError",
        "ticket.merged",
        {"number": 2, "into": 1},
    )
    # merging #1 into #2 would close a loop (#2 was merged into #1)
    assert refused(tx, merge, number=one, into=two, actor=A, now=T3) == (
        "DomainError",
        "merge.loop",
        {"number": 1, "into": 2},
    )
    assert state_of(tx, one) == ("open", A, 1, 2)


def test_a_ticket_merged_elsewhere_takes_no_duplicates(org: Engine, tx: Tx) -> None:
    one, two, three = filed(tx), filed(tx, reporter=RINA), filed(tx, reporter=OUTSIDER)
    with tx() as s:
        merge(session=s, number=three, into=one, actor=C, now=T1)
    assert refused(tx, merge, number=two, into=three, actor=B, now=T2) == (
        "DomainError",
        "merge.closed",
        {"into": 3},
    )
    assert state_of(tx, two) == ("open", B, 1, 1)


def test_merging_into_a_waiting_ticket_tells_only_the_reporter(org: Engine, tx: Tx) -> None:
    away(tx, *TIER1)
    target = filed(tx)
    back(tx, *TIER1)
    duplicate = filed(tx, reporter=RINA)
    with tx() as s:
        out = merge(session=s, number=duplicate, into=target, actor=A, now=T1)
        assert sent(s, out.deliveries) == [("ticket.reporter", RINA, "ticket:2:reporter:merged:v2")]
        assert outbox(s, out.deliveries)[0].params["agent"] is None


# ---------------------------------------------------------------- the state machine as a table

STATES = ("waiting", "open", "in_progress", "resolved", "cancelled", "merged")


def ticket_in(tx: Tx, state: str) -> int:
    """Ticket #2 (REPORTER's; #1 is RINA's, open with A) brought to `state` by the operations."""
    filed(tx, reporter=RINA)
    if state == "waiting":
        away(tx, *TIER1)
    number = filed(tx)
    back(tx, *TIER1)
    with tx() as s:
        if state == "in_progress":
            take(session=s, number=number, actor=B, now=NOW)
        if state == "resolved":
            resolve(session=s, number=number, actor=B, resolution="ok", now=NOW)
        if state == "cancelled":
            cancel(session=s, number=number, actor=REPORTER, now=NOW)
        if state == "merged":
            merge(session=s, number=number, into=1, actor=ADMIN, now=NOW)
    assert state_of(tx, number)[0] == state
    return number


OPERATIONS: dict[str, Callable[..., Any]] = {
    "take": lambda s, n: take(session=s, number=n, actor=ADMIN, now=T1),
    "escalate": lambda s, n: escalate(session=s, number=n, actor=ADMIN, note="n", now=T1),
    "resolve": lambda s, n: resolve(session=s, number=n, actor=ADMIN, resolution="r", now=T1),
    "cancel": lambda s, n: cancel(session=s, number=n, actor=REPORTER, now=T1),
    "reopen": lambda s, n: reopen(session=s, number=n, actor=REPORTER, now=T1),
}

# From each state, what each operation leads to: the new state, or the refusal's key.
TRANSITIONS = {
    "waiting": ("in_progress", "open", "resolved", "cancelled", "ticket.not_resolved"),
    "open": ("in_progress", "open", "resolved", "cancelled", "ticket.not_resolved"),
    "in_progress": ("in_progress", "open", "resolved", "cancelled", "ticket.not_resolved"),
    "resolved": (
        "ticket.already_resolved",
        "ticket.already_resolved",
        "ticket.already_resolved",
        "ticket.already_resolved",
        "open",
    ),
    "cancelled": (
        "ticket.cancelled",
        "ticket.cancelled",
        "ticket.cancelled",
        "ticket.already_cancelled",
        "ticket.cancelled",
    ),
    "merged": ("ticket.merged",) * 5,
}


@pytest.mark.parametrize(
    ("start", "operation", "expected"),
    [(start, name, TRANSITIONS[start][i]) for start in STATES for i, name in enumerate(OPERATIONS)],
)
def test_transitions(org: Engine, tx: Tx, start: str, operation: str, expected: str) -> None:
    number = ticket_in(tx, start)
    before = state_of(tx, number)
    try:
        with tx() as s:
            OPERATIONS[operation](s, number)
    except DomainError as error:
        assert error.key == expected
        # "already done" (a second click) is told apart from a refusal
        assert isinstance(error, AlreadyDone) == expected.startswith("ticket.already_")
        assert state_of(tx, number) == before
        return
    state, _agent, _tier, version = state_of(tx, number)
    assert (state, version) == (expected, before[3] + 1)
