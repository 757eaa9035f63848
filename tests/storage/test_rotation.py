"""The round-robin rule as a pure function."""

from __future__ import annotations

from storage.rotation import next_in_order

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
