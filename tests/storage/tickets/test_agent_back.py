"""An agent back from away gets the waiting tickets, in the caller's one transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from storage import people, tickets
from storage.db import session_scope
from storage.errors import NotFound
from storage.models import ROLE_AGENT, STATE_OPEN, STATE_WAITING, Person, Ticket

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def seed_away(engine: Engine, *, until: date | None = None) -> None:
    """One reporter and one tier-1 agent, away: a problem filed now waits for an agent."""
    with session_scope(engine, write=True) as s:
        for sid in ("U0REPORT", "U0AGENTA"):
            people.ensure(s, sid, now=NOW, name=sid[3:].title())
        people.add_role(session=s, slack_id="U0AGENTA", role=ROLE_AGENT, tier=1, now=NOW)
        people.set_away(session=s, slack_id="U0AGENTA", now=NOW, until=until, today=NOW.date())
        filed = tickets.file_ticket(
            session=s, reporter_id="U0REPORT", summary="printer macet", source_key="t:1", now=NOW
        )
        assert filed.ticket.state == STATE_WAITING and filed.ticket.agent_id is None


def state(engine: Engine) -> tuple[bool, str, str | None]:
    """(agent away?, ticket 1's state, its agent)."""
    with session_scope(engine) as s:
        agent, ticket = s.get(Person, "U0AGENTA"), s.get(Ticket, 1)
        assert agent is not None and ticket is not None
        return agent.is_away, ticket.state, ticket.agent_id


def test_agent_back_hands_out_the_waiting_tickets(engine: Engine) -> None:
    seed_away(engine)
    with session_scope(engine, write=True) as s:
        outcomes = tickets.agent_back(session=s, slack_id="U0AGENTA", now=NOW)
    assert [(o.ticket.id, o.ticket.agent_id) for o in outcomes] == [(1, "U0AGENTA")]
    assert all(o.deliveries for o in outcomes)  # the card for the agent, the reporter's notice
    assert state(engine) == (False, STATE_OPEN, "U0AGENTA")
    with session_scope(engine, write=True) as s:  # back again: nothing is waiting any more
        assert tickets.agent_back(session=s, slack_id="U0AGENTA", now=NOW) == []


def test_agent_back_is_in_the_callers_transaction(engine: Engine) -> None:
    seed_away(engine)
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as s:
        tickets.agent_back(session=s, slack_id="U0AGENTA", now=NOW)
        raise RuntimeError("the caller's next step failed")
    # rolled back together: still away, the ticket still waiting
    assert state(engine) == (True, STATE_WAITING, None)


def test_agent_back_refuses_someone_unknown(engine: Engine) -> None:
    seed_away(engine)
    with pytest.raises(NotFound), session_scope(engine, write=True) as s:
        tickets.agent_back(session=s, slack_id="U0NOBODY", now=NOW)
    assert state(engine) == (True, STATE_WAITING, None)


def test_expired_away_back_brings_back_and_hands_out(engine: Engine) -> None:
    seed_away(engine, until=date(2026, 11, 25))
    with session_scope(engine, write=True) as s:
        back, outcomes = tickets.expired_away_back(session=s, today=date(2026, 11, 25), now=NOW)
    assert (back, outcomes) == ([], [])  # the last day away is still away
    assert state(engine) == (True, STATE_WAITING, None)
    with session_scope(engine, write=True) as s:
        back, outcomes = tickets.expired_away_back(session=s, today=date(2026, 11, 26), now=NOW)
    assert back == ["U0AGENTA"] and [o.ticket.agent_id for o in outcomes] == ["U0AGENTA"]
    assert state(engine) == (False, STATE_OPEN, "U0AGENTA")
