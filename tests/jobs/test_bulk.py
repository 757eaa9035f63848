"""The batch path for rows no campaign run holds (a broadcast written with enqueue_many, what
a job swept up): deliveries-retry sends every due row in one pass, exactly once, posting to
user ids without a conversations.open, and a thread's reply after its parent."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.sandbox import SlackStandIn
from jobs import bulk
from storage import outbox
from storage.db import session_scope
from tests.helpers import NOW
from tests.jobs.test_campaigns import context, per_person, seed_people


def broadcast(engine: Engine, ids: list[str], name: str) -> None:
    with session_scope(engine, write=True) as s:
        outbox.enqueue_many(
            s,
            [
                outbox.NewMessage(f"{name}:{who}", who, "test.hello", {"period": name})
                for who in ids
            ],
            now=NOW,
        )


def test_a_broadcast_goes_out_in_one_retry_pass_exactly_once(
    settings: Settings,
    engine: Engine,
    standin: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "PAGE", 40)  # several pages in the one pass
    ids = seed_people(engine, 130)
    broadcast(engine, ids, "update-1")
    standin.ratelimit_every = 30
    ctx = context(settings, engine, notify_threads=6)
    summary = bulk.run_deliveries_retry(ctx, NOW)
    assert "sent=130" in summary, summary
    assert per_person(standin) == {standin.dm_channel(i): 1 for i in ids}
    assert standin.calls("conversations.open") == []
    assert "sent" not in bulk.run_deliveries_retry(ctx, NOW)  # nothing is sent twice
    assert len(standin.messages()) == 130


def test_a_reply_waits_for_its_parent_in_the_same_call(
    settings: Settings, engine: Engine, standin: SlackStandIn
) -> None:
    """A threaded row claimed in the same batch as its parent goes once the parent is
    marked, in the parent's thread, within the same call."""
    ids = seed_people(engine, 3)
    with session_scope(engine, write=True) as s:
        rows = [
            outbox.enqueue(
                s, key=f"top:{w}", recipient=w, template="test.hello", params={}, now=NOW
            )
            for w in ids
        ] + [
            outbox.enqueue(
                s,
                key=f"reply:{w}",
                recipient=w,
                template="test.hello",
                params={outbox.THREAD: f"top:{w}"},
                now=NOW,
            )
            for w in ids
        ]
    results = bulk.deliver_many(context(settings, engine), rows, concurrency=4, now=NOW)
    assert results == {"sent": 6}
    for who in ids:
        top, reply = standin.dms_to(who)
        assert top.thread_ts is None and reply.thread_ts == top.ts
    assert Counter(m.channel for m in standin.messages()) == {standin.dm_channel(w): 2 for w in ids}
