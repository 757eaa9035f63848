"""Round-robin per tier, persisted: the next available agent after the last one served.

Every filing takes a turn, so this runs on Core statements built once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from storage.models import ROLE_AGENT
from storage.tables import PERSON, ROLE, ROTATION, connection, for_update

_AVAILABLE = (
    select(ROLE.c.position, ROLE.c.slack_id)
    .join(PERSON, PERSON.c.slack_id == ROLE.c.slack_id)
    .where(
        ROLE.c.role == ROLE_AGENT,
        ROLE.c.tier == bindparam("tier"),
        PERSON.c.active.is_(True),
        PERSON.c.away_since.is_(None),
    )
)
_LOCK = for_update(select(ROTATION.c.last_position).where(ROTATION.c.tier == bindparam("tier")))
_CREATE = insert(ROTATION)
_ADVANCE = (
    update(ROTATION)
    .where(ROTATION.c.tier == bindparam("which"))
    .values(last_position=bindparam("position"), turns=ROTATION.c.turns + 1)
)


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
    rows = connection(session).execute(_AVAILABLE, {"tier": tier}).all()
    return [(int(p or 0), str(s)) for p, s in rows]


def lock(session: Session, tier: int) -> int:
    """The tier's last served position, its row locked until the transaction ends
    (SQLite: BEGIN IMMEDIATE already holds the database)."""
    conn = connection(session)
    last = conn.execute(_LOCK, {"tier": tier}).scalar()
    if last is None:
        conn.execute(_CREATE, {"tier": tier, "last_position": 0, "turns": 0})
        return 0
    return int(last)


def take_turn(
    session: Session, tier: int, *, exclude: Collection[str] = (), now: datetime | None = None
) -> str | None:
    """Give the next turn of `tier`'s rotation; None when no agent is available."""
    last = lock(session, tier)
    chosen = next_in_order(available_agents(session, tier), last, exclude)
    if chosen is None:
        return None
    connection(session).execute(_ADVANCE, {"which": tier, "position": chosen[0]})
    return chosen[1]
