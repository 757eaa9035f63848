"""Round-robin per tier, persisted: the next available agent after the last one served."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import ROLE_AGENT, Person, Role, Rotation


def next_in_order(
    agents: Sequence[tuple[int, str]], last_position: int, exclude: Collection[str] = ()
) -> tuple[int, str] | None:
    """The first (position, agent) after `last_position`, wrapping around; None if nobody."""
    eligible = sorted((p, a) for p, a in agents if a not in exclude)
    if not eligible:
        return None
    for position, agent in eligible:
        if position > last_position:
            return position, agent
    return eligible[0]


def available_agents(session: Session, tier: int) -> list[tuple[int, str]]:
    """(position, slack id) of the tier's agents who are active and not away."""
    query = (
        select(Role.position, Role.slack_id)
        .join(Person, col(Person.slack_id) == col(Role.slack_id))
        .where(
            Role.role == ROLE_AGENT,
            Role.tier == tier,
            col(Person.active).is_(True),
            col(Person.away_since).is_(None),
        )
    )
    return [(int(p or 0), s) for p, s in session.exec(query).all()]


def lock(session: Session, tier: int) -> Rotation:
    """The tier's rotation row, locked until the transaction ends (SQLite: BEGIN IMMEDIATE)."""
    rotation = session.exec(select(Rotation).where(Rotation.tier == tier).with_for_update()).first()
    if rotation is None:
        rotation = Rotation(tier=tier, last_position=0, turns=0)
        session.add(rotation)
        session.flush()
    return rotation


def take_turn(
    session: Session, tier: int, *, exclude: Collection[str] = (), now: datetime | None = None
) -> str | None:
    """Give the next turn of `tier`'s rotation; None when no agent is available."""
    rotation = lock(session, tier)
    chosen = next_in_order(available_agents(session, tier), rotation.last_position, exclude)
    if chosen is None:
        return None
    rotation.last_position = chosen[0]
    rotation.turns += 1
    session.add(rotation)
    return chosen[1]
