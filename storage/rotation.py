"""Round-robin per tier, persisted: the next available agent after the last one served.

Every filing takes a turn, so this runs on Core statements built once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from storage.models import ROLE_AGENT
from storage.sla import OWN_CLOCK
from storage.tables import PERSON, ROLE, ROTATION, TICKET, connection, for_update
from storage.types import HELD_STATES

# REKAN_AGENT_CAP (issue 20): an agent holding this many open tickets is skipped by the
# rotation's turns (not by affinity, a resource's holder or an outage link). A company
# setting, set once at start where the settings are read (bot.config); None: no cap.
_CAP: dict[str, int | None] = {"open_tickets": None}


def set_agent_cap(cap: int | None) -> None:
    _CAP["open_tickets"] = cap


def agent_cap() -> int | None:
    return _CAP["open_tickets"]


def at_cap(session: Session, agents: Collection[str], cap: int | None) -> set[str]:
    """Those of `agents` holding `cap` or more open tickets that count (storage.sla's rule)."""
    if cap is None or not agents:
        return set()
    held = connection(session).execute(
        select(TICKET.c.agent_id, func.count())
        .where(
            TICKET.c.agent_id.in_(sorted(agents)),
            TICKET.c.state.in_(HELD_STATES),
            OWN_CLOCK,
        )
        .group_by(TICKET.c.agent_id)
    )
    return {str(agent) for agent, count in held if count >= cap}


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
    agents = available_agents(session, tier)
    full = at_cap(session, [a for _, a in agents], _CAP["open_tickets"])
    chosen = next_in_order(agents, last, {*exclude, *full})
    if chosen is None:
        return None
    connection(session).execute(_ADVANCE, {"which": tier, "position": chosen[0]})
    return chosen[1]
