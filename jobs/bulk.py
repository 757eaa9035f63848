"""Sending many outbox rows at once (a campaign round, a broadcast, what a job swept up): rows
are claimed a batch per transaction with their working-hours checks, rendered a batch per
read, posted with bounded concurrency, and marked sent — DM channels learnt included — a
batch per transaction by one marking thread. SQLite has one writer at a time: a message
costs a share of three transactions, not three of its own, so posting threads never queue
on the writer lock. Exactly once as ever: claimed before the post, marked after it, the
DM history checked before any resend (jobs.delivery)."""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from jobs import delivery
from jobs.context import JobContext
from jobs.render import CannotRender, Rendered, render_many
from jobs.updates import refresh_stale, update_message
from storage import outbox
from storage.db import session_scope
from storage.types import utcnow

log = logging.getLogger(__name__)

CLAIM_BATCH = 50  # rows claimed (and rendered) per transaction
MARK_BATCH = 200  # rows marked sent per transaction at most
MARK_GATHER = 0.1  # seconds posted rows are gathered before they are marked
PAGE = 2000  # due rows read per statement by deliveries-retry
ROUNDS = 5  # rows waiting for a thread's parent sent in the same call are tried this often


def deliver_many(
    ctx: JobContext,
    ids: Iterable[int],
    *,
    concurrency: int = 1,
    now: datetime | None = None,
    by_hand: bool = False,
    hours_at: datetime | None = None,
) -> dict[str, int]:
    """Send rows due at `now` with at most `concurrency` posts in flight; counts by outcome.
    A scheduled row keeps to its reader's working hours at `hours_at` (default `now`) unless
    sent `by_hand` (`rekan jobs run`). A row waiting for its thread's parent, sent in this
    same call, goes once the parent is marked."""
    results: Counter[str] = Counter()
    at = now or utcnow()
    todo: list[int] = []
    pending: Iterable[int] = ids  # read lazily: a campaign hands its rows page by page
    for _ in range(ROUNDS):
        counted = Counter(results)
        todo = _round(ctx, pending, concurrency, at, by_hand, hours_at, results)
        handled = sum(results.values()) - sum(counted.values())
        if not todo or handled == 0:  # nothing left, or no parent was sent meanwhile
            break
        pending = todo
    if todo:
        results["waiting"] += len(todo)
    return dict(results)


def _round(
    ctx: JobContext,
    ids: Iterable[int],
    concurrency: int,
    now: datetime,
    by_hand: bool,
    hours_at: datetime | None,
    results: Counter[str],
) -> list[int]:
    """One pass over `ids`; returns those waiting for their thread's parent."""
    workers = max(1, concurrency)
    posted: queue.SimpleQueue[delivery.Posted | None] = queue.SimpleQueue()
    moved: list[int] = []
    lock = threading.Lock()
    marker = threading.Thread(
        target=_mark_loop, args=(ctx, posted, results, lock, moved), name="rekan-mark-round"
    )
    marker.start()
    # Claimed rows not yet on a posting thread: bounded, so a crash strands few in `sending`.
    slots = threading.Semaphore(workers + CLAIM_BATCH)
    waiting: list[int] = []

    def post(claimed: outbox.Claimed, rendered: Rendered) -> None:
        slots.release()
        try:
            result = delivery.send(ctx, claimed, lambda: rendered)
        except Exception:  # left `sending`: released as uncertain later, then reconciled
            log.exception("delivery %s failed unexpectedly", claimed.row.id)
            result = "error"
        if isinstance(result, delivery.Posted):
            posted.put(result)
        else:
            with lock:
                results[result] += 1

    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="rekan-deliver") as pool:
            source = iter(ids)
            while chunk := list(itertools.islice(source, CLAIM_BATCH)):
                ready, later = _claim(ctx, chunk, now, by_hand, hours_at, results, lock)
                waiting += later
                for claimed, rendered in ready:
                    slots.acquire()
                    pool.submit(post, claimed, rendered)
    finally:
        posted.put(None)
        marker.join()
    for row_id in moved:
        update_message(ctx, row_id)
    return waiting


def _claim(
    ctx: JobContext,
    ids: list[int],
    now: datetime,
    by_hand: bool,
    hours_at: datetime | None,
    results: Counter[str],
    lock: threading.Lock,
) -> tuple[list[tuple[outbox.Claimed, Rendered]], list[int]]:
    """Claim a batch in one write transaction and render it in one read: what to post, and
    the ids waiting for their thread's parent."""
    with session_scope(ctx.engine, write=True) as session:
        hours = None if by_hand else delivery.Hours.of(session, ctx)
        taken, waiting, held = delivery.take_many(
            session, ids, now=now, hours=hours, hours_at=hours_at
        )
    with lock:
        results.update(held)
    if not taken:
        return [], waiting
    with session_scope(ctx.engine) as session:
        rendered = render_many(session, [c.row for c in taken], ctx)
    ready: list[tuple[outbox.Claimed, Rendered]] = []
    for claimed, result in zip(taken, rendered, strict=True):
        if isinstance(result, CannotRender):
            outcome = delivery.fail(ctx, claimed.row, str(result))
            with lock:
                results[outcome] += 1
        else:
            ready.append((claimed, result))
    return ready, waiting


def _mark_loop(
    ctx: JobContext,
    posted: queue.SimpleQueue[delivery.Posted | None],
    results: Counter[str],
    lock: threading.Lock,
    moved: list[int],
) -> None:
    """Mark posted rows sent, as many per transaction as have arrived, until told to stop."""
    done = False
    while not done:
        batch = [posted.get()]
        # Gather what arrives for a moment: one transaction marks many rows, not each few.
        until = time.monotonic() + MARK_GATHER
        while len(batch) < MARK_BATCH and None not in batch:
            try:
                batch.append(posted.get(timeout=max(0.0, until - time.monotonic())))
            except queue.Empty:
                break
        done = None in batch
        rows = [p for p in batch if p is not None]
        if not rows:
            continue
        try:
            moved += delivery.record(ctx, rows)
        except Exception:  # left `sending`: released as uncertain, then reconciled
            log.exception("could not mark %s deliveries sent", len(rows))
            continue
        with lock:
            results["sent"] += len(rows)


def _due(ctx: JobContext, now: datetime) -> Iterator[int]:
    """Every row due at `now` outside a leased campaign (a broadcast of thousands included),
    a page at a time as the engine asks for more."""
    after = 0
    while True:
        with session_scope(ctx.engine) as session:
            page = outbox.due_ids(session, now=now, limit=PAGE, after=after)
        if not page:
            return
        yield from page
        after = page[-1]


def run_deliveries_retry(ctx: JobContext, now: datetime) -> str:
    """Job `deliveries-retry`: release rows of dead senders, then send whatever is due."""
    with session_scope(ctx.engine, write=True) as session:
        released = outbox.release_stale(session, now=now)
    results = deliver_many(ctx, _due(ctx, now), concurrency=ctx.settings.notify_threads, now=now)
    updated = refresh_stale(ctx, now=now)
    done = " ".join(f"{k}={v}" for k, v in sorted(results.items()))
    return f"released={released} updated={updated} {done}".strip()
