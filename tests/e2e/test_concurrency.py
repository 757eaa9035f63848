"""Simultaneous /lapor requests never break the rotation (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Delivery, Ticket
from tests.helpers import seed

FILINGS = 100
AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")


def test_concurrent_filings_share_the_rotation_evenly(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)

    def file(i: int) -> str:
        reply = sender.command(f"U0R{i:04d}", f"masalah berbeda nomor {i}")
        assert reply.status == 200, reply.body
        return reply.text

    with ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(file, range(FILINGS)))

    numbers = [int(m.group(1)) for r in replies if (m := re.search(r"#(\d+)", r))]
    assert len(numbers) == FILINGS and len(set(numbers)) == FILINGS
    with session_scope(engine) as s:
        tickets = s.exec(select(Ticket)).all()
        cards = s.exec(select(Delivery).where(Delivery.template == "ticket.card")).all()
    assert len(tickets) == FILINGS
    assert all(t.agent_id in AGENTS for t in tickets)
    turns = Counter(t.agent_id for t in tickets)
    assert max(turns.values()) - min(turns.values()) <= 1, turns
    # one card per ticket, to its own agent
    assert Counter(c.ticket_id for c in cards) == Counter({t.id: 1 for t in tickets})
    # each filing: the agent's card and the reporter's ticket DM
    standin.wait_for(lambda: len(standin.calls("chat.postMessage")) >= 2 * FILINGS, 30)
    agents = {standin.dm_channel(a) for a in AGENTS}
    dms = Counter(m.channel for m in standin.messages() if m.channel in agents)
    assert dms == Counter({standin.dm_channel(a): n for a, n in turns.items()})
