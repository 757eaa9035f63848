"""Sending what listeners commit, in batches: the outbox rows of many requests are claimed in
one transaction, rendered in one read, posted concurrently on the notification pool, and
marked sent in one transaction. Each row is still posted exactly once (claim before the
post, mark after it, history checked before any resend); what batching saves is two write
transactions per message, and SQLite has one writer at a time."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from jobs import delivery, updates
from jobs.context import JobContext
from jobs.render import CannotRender, Rendered, render_many
from storage import outbox
from storage.db import session_scope
from storage.types import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 64  # rows claimed (and marked) per transaction at most
# A row whose thread's parent is still being posted is tried again this often, this many
# times (10 s), then left to deliveries-retry.
WAIT_SECONDS, WAIT_TRIES = 0.2, 50


class BatchSender:
    """Two threads of its own: one claims and renders, one marks sent; the posts run on
    `pool`. Stateful by nature (queues, threads), hence a class."""

    def __init__(self, ctx: JobContext, pool: ThreadPoolExecutor, *, slots: int) -> None:
        self._ctx = ctx
        self._pool = pool
        self._todo: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._posted: queue.SimpleQueue[delivery.Posted | None] = queue.SimpleQueue()
        # Claimed rows waiting for a post: bounded, so a slow Slack holds rows in the outbox
        # (pending, where any instance may send them) rather than claimed in this process.
        self._slots = threading.Semaphore(slots)
        self._unposted: set[int] = set()
        self._waits: dict[int, int] = {}
        self._lock = threading.Lock()
        self._closing = False
        self._claimer = threading.Thread(target=self._claim_loop, name="rekan-claim", daemon=True)
        self._marker = threading.Thread(target=self._mark_loop, name="rekan-mark", daemon=True)
        self._claimer.start()
        self._marker.start()

    def put(self, ids: list[int]) -> None:
        """Send these committed outbox rows soon."""
        for delivery_id in ids:
            self._todo.put(delivery_id)

    def close(self) -> None:
        """Stop claiming: rows not claimed yet stay pending in the outbox (sent by
        `deliveries-retry`, which also runs at the next start). Call before shutting the
        pool down, then finish()."""
        self._closing = True
        self._todo.put(None)
        self._claimer.join()

    def finish(self) -> None:
        """After the pool has shut down: mark what was posted, and hand rows that were
        claimed but never posted back to the outbox."""
        self._posted.put(None)
        self._marker.join()
        with self._lock:
            unposted, self._unposted = sorted(self._unposted), set()
        if unposted:
            with session_scope(self._ctx.engine, write=True) as session:
                outbox.release(session, unposted)

    def _claim_loop(self) -> None:
        while True:
            first = self._todo.get()
            if first is None or self._closing:
                return
            ids = [first, *_drain(self._todo, BATCH - 1)]
            if None in ids or self._closing:
                return
            try:
                self._claim([i for i in ids if i is not None])
            except Exception:  # the rows stay in the outbox: deliveries-retry sends them
                log.exception("could not claim deliveries %s", ids)

    def _claim(self, ids: list[int]) -> None:
        now = utcnow()
        with session_scope(self._ctx.engine, write=True) as session:
            taken, waiting, _ = delivery.take_many(session, ids, now=now)
        self._later(waiting)
        ready: list[tuple[outbox.Claimed, Rendered]] = []
        gone: list[tuple[outbox.Claimed, str]] = []
        with session_scope(self._ctx.engine) as session:
            results = render_many(session, [c.row for c in taken], self._ctx)
        for claimed, result in zip(taken, results, strict=True):
            if isinstance(result, CannotRender):
                gone.append((claimed, str(result)))
            else:
                ready.append((claimed, result))
        for claimed, reason in gone:
            delivery.fail(self._ctx, claimed.row, reason)
        with self._lock:
            self._unposted.update(claimed.row.id or 0 for claimed, _ in ready)
        for claimed, message in ready:
            if not self._slot():
                return  # stopping: finish() hands the rest back to the outbox
            self._pool.submit(self._post, claimed, message)

    def _later(self, ids: list[int]) -> None:
        """Rows waiting for their thread's parent: claimed again shortly."""
        again = []
        with self._lock:
            for row_id in ids:
                tries = self._waits.get(row_id, 0) + 1
                if tries <= WAIT_TRIES:
                    self._waits[row_id] = tries
                    again.append(row_id)
                else:
                    self._waits.pop(row_id, None)
        if again and not self._closing:
            timer = threading.Timer(WAIT_SECONDS, self.put, args=(again,))
            timer.daemon = True
            timer.start()

    def _slot(self) -> bool:
        """Wait for room on the pool; False once the sender is closing."""
        while not self._slots.acquire(timeout=0.1):
            if self._closing:
                return False
        if self._closing:
            self._slots.release()
            return False
        return True

    def _post(self, claimed: outbox.Claimed, rendered: Rendered) -> None:
        with self._lock:
            self._unposted.discard(claimed.row.id or 0)
        try:
            result = delivery.send(self._ctx, claimed, lambda: rendered)
            if isinstance(result, delivery.Posted):
                self._posted.put(result)
        except Exception:
            log.exception("delivery %s failed unexpectedly", claimed.row.id)
        finally:
            self._slots.release()

    def _mark_loop(self) -> None:
        while True:
            first = self._posted.get()
            batch = [first, *_drain(self._posted, BATCH - 1)]
            posted = [p for p in batch if p is not None]
            if posted:
                try:
                    moved = delivery.record(self._ctx, posted)
                except Exception:  # left `sending`: released as uncertain, then reconciled
                    log.exception("could not mark %s deliveries sent", len(posted))
                    moved = []
                for row_id in moved:
                    self._update(row_id)
            if None in batch:
                return

    def _update(self, row_id: int) -> None:
        """Bring a message whose ticket moved up to date, on the pool while it runs."""
        try:
            self._pool.submit(updates.update_message, self._ctx, row_id)
        except RuntimeError:  # the pool has shut down: the process is stopping
            updates.update_message(self._ctx, row_id)


def _drain(source: queue.SimpleQueue[T], most: int) -> list[T]:
    """Up to `most` items already waiting in `source`, without blocking."""
    items: list[T] = []
    while len(items) < most:
        try:
            items.append(source.get_nowait())
        except queue.Empty:
            break
    return items
