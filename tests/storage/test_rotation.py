"""storage.rotation: the round-robin rule as a pure function, and the turns of each tier
kept in the database."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import people, rotation
from storage.models import ROLE_AGENT, Person, Rotation
from storage.rotation import next_in_order
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, TIER1, TIER2

AGENTS = [(1, "A"), (2, "B"), (3, "C")]


def test_next_after_last_and_wraps() -> None:
    assert next_in_order(AGENTS, 0) == (1, "A")
    assert next_in_order(AGENTS, 1) == (2, "B")
    assert next_in_order(AGENTS, 3) == (1, "A")


def test_skips_excluded_and_missing() -> None:
    assert next_in_order(AGENTS, 1, exclude={"B"}) == (3, "C")
    assert next_in_order([(1, "A"), (3, "C")], 1) == (3, "C")  # B away: not in the list
    assert next_in_order(AGENTS, 0, exclude={"A", "B", "C"}) is None
    assert next_in_order([], 0) is None


def test_returning_agent_rejoins_at_their_place() -> None:
    # B was away while the pointer passed; once back, B is served after A again
    assert next_in_order(AGENTS, 1) == (2, "B")
    assert next_in_order(AGENTS, 2) == (3, "C")


# ---------------------------------------------------------------- the persisted rotation


def turns(tx: Tx, tier: int, count: int, exclude: tuple[str, ...] = ()) -> list[str | None]:
    with tx() as s:
        return [rotation.take_turn(s, tier, exclude=exclude) for _ in range(count)]


def test_each_tier_goes_round_on_its_own(org: Engine, tx: Tx) -> None:
    assert turns(tx, 1, 4) == [*TIER1, TIER1[0]]
    assert turns(tx, 2, 3) == [*TIER2, TIER2[0]]
    assert turns(tx, 1, 1) == [TIER1[1]]  # tier 1 carries on where it stopped
    with tx() as s:
        kept = {r.tier: (r.last_position, r.turns) for r in s.exec(select(Rotation)).all()}
    assert kept == {1: (2, 5), 2: (4, 3)}  # positions: tier 1 agents 1-3, tier 2 agents 4-5


def test_away_and_inactive_agents_are_skipped_and_rejoin_at_their_place(
    org: Engine, tx: Tx
) -> None:
    a, b, c = TIER1
    with tx() as s:
        people.set_away(session=s, slack_id=b, now=NOW)
        s.get(Person, c).active = False  # type: ignore[union-attr]
    assert turns(tx, 1, 3) == [a, a, a]
    with tx() as s:
        people.set_back(session=s, slack_id=b, now=NOW)
    assert turns(tx, 1, 2) == [b, a]


def test_excluded_agents_are_passed_over_without_losing_their_place(org: Engine, tx: Tx) -> None:
    a, b, c = TIER1
    assert turns(tx, 1, 1, exclude=(a,)) == [b]
    assert turns(tx, 1, 2) == [c, a]


def test_with_nobody_available_no_turn_is_taken(org: Engine, tx: Tx) -> None:
    with tx() as s:
        for sid in TIER2:
            people.set_away(session=s, slack_id=sid, now=NOW)
    assert turns(tx, 2, 2) == [None, None]
    assert turns(tx, 3, 1) == [None]  # a tier nobody is in
    with tx() as s:
        kept = {r.tier: (r.last_position, r.turns) for r in s.exec(select(Rotation)).all()}
        assert kept == {1: (0, 0), 2: (0, 0), 3: (0, 0)}  # tier 3's row made on first ask
        assert rotation.available_agents(s, 2) == []
        assert rotation.lock(s, 2) == 0


def test_an_agent_moved_to_another_tier_joins_its_rotation_at_the_end(org: Engine, tx: Tx) -> None:
    a, b, c = TIER1
    with tx() as s:
        people.add_role(session=s, slack_id=a, role=ROLE_AGENT, tier=2, now=NOW)
        assert sorted(rotation.available_agents(s, 1)) == [(2, b), (3, c)]
        assert sorted(rotation.available_agents(s, 2)) == [(4, TIER2[0]), (5, TIER2[1]), (6, a)]
    assert turns(tx, 2, 3) == [*TIER2, a]


def test_available_agents_are_the_tiers_active_ones_not_away(org: Engine, tx: Tx) -> None:
    a, b, c = TIER1
    with tx() as s:
        people.set_away(session=s, slack_id=b, now=NOW)
        assert sorted(rotation.available_agents(s, 1)) == [(1, a), (3, c)]
        assert sorted(rotation.available_agents(s, 2)) == [(4, TIER2[0]), (5, TIER2[1])]
