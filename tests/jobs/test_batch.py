"""The batch sender behind the listeners: exactly once, and nothing stranded when stopping."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.app import build_runtime
from bot.config import Settings
from bot.sandbox import SlackStandIn
from storage import tickets
from storage.db import session_scope
from storage.models import Delivery
from tests.helpers import NOW, seed


def file_tickets(engine: Engine, count: int) -> list[int]:
    """`count` tickets filed directly in the store; the ids of their agents' cards."""
    ids: list[int] = []
    with session_scope(engine, write=True) as session:
        for i in range(count):
            outcome = tickets.file_ticket(
                session=session,
                reporter_id=f"U0R{i:03d}",
                summary=f"monitor {i} di ruang {i} berkedip",
                source_key=f"batch:{i}",
                now=NOW,
            )
            ids.append(outcome.deliveries[0])  # the card (the reporter's ticket DM follows)
    return ids


def states(engine: Engine, ids: list[int]) -> Counter[tuple[str, bool]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.id.in_(ids))).all()  # type: ignore[union-attr]
    return Counter((r.state, r.uncertain) for r in rows)


def test_rows_are_sent_once_in_batches(
    engine: Engine, standin: SlackStandIn, settings: Settings
) -> None:
    seed(engine)
    ids = file_tickets(engine, 150)
    runtime = build_runtime(settings, engine=engine)
    try:
        runtime.send(ids[:70])
        runtime.send(ids[70:])
        standin.wait_for(lambda: states(engine, ids) == Counter({("sent", False): 150}), 30)
    finally:
        runtime.close()
    keys = Counter(m.metadata["event_payload"]["key"] for m in standin.messages() if m.metadata)
    assert len(keys) == 150 and set(keys.values()) == {1}
    assert states(engine, ids) == Counter({("sent", False): 150})


def test_stopping_hands_claimed_but_unposted_rows_back(
    engine: Engine, standin: SlackStandIn, settings: Settings
) -> None:
    """One post in flight when the process stops: it finishes and is marked sent; the rows
    claimed with it but not posted go back to pending (not uncertain: they were not posted),
    for deliveries-retry to send."""
    seed(engine)
    ids = file_tickets(engine, 6)
    standin.inject("chat.postMessage", "slow", times=6, delay=1.0)
    runtime = build_runtime(replace(settings, notify_threads=1), engine=engine)
    runtime.send(ids)
    # all six are claimed in one transaction; one is being posted, slowly (it has met its
    # fault: the stand-in is holding it)
    standin.wait_for(lambda: states(engine, ids) == Counter({("sending", False): 6}), 10)
    standin.wait_for(lambda: standin.faults_left("chat.postMessage") == 5, 10)
    runtime.close()
    assert states(engine, ids) == Counter({("sent", False): 1, ("pending", False): 5})
    assert len(standin.calls("chat.postMessage")) == 1
