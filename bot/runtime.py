"""What the listeners share: settings, the engine, Slack clients and the worker pool."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.blocks.common import explain
from bot.config import Settings
from bot.slack import make_job_context
from jobs import outages, updates
from jobs.batch import BatchSender
from jobs.context import JobContext
from storage import people
from storage.errors import DomainError
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """State shared by every listener of one running Rekan (one per process)."""

    settings: Settings
    engine: Engine
    client: WebClient
    updater: WebClient
    pool: ThreadPoolExecutor
    urgent_pool: ThreadPoolExecutor
    sender: BatchSender
    clock: Callable[[], datetime] = field(default=utcnow)
    # outage card redraws waiting for their moment; cancelled at close (the job redraws them)
    _timers: set[threading.Timer] = field(default_factory=set, repr=False)
    _timers_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closing: bool = False

    def now(self) -> datetime:
        return self.clock()

    def reader(self, slack_id: str | None) -> tuple[str, str]:
        """(language, time zone) of a person: their own, else the company's."""
        if slack_id:
            with self.engine.connect() as conn:
                return people.reader(conn, slack_id, self.settings.language, self.settings.timezone)
        return self.settings.language, self.settings.timezone

    def language_of(self, slack_id: str | None) -> str:
        return self.reader(slack_id)[0]

    def explain(self, error: DomainError, slack_id: str | None) -> str:
        """A refusal in the reader's language and time zone."""
        lang, tz = self.reader(slack_id)
        return explain(error.key, error.params, lang, tz)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Run slow work (Slack calls) after the ack, off the threads that acknowledge."""
        return self.pool.submit(_guarded(fn, args, kwargs))

    def urgent(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """A Slack call that must happen within seconds (a modal: its trigger_id lives 3 s),
        on a pool of its own: it neither holds the acknowledgement nor waits behind DMs."""
        return self.urgent_pool.submit(_guarded(fn, args, kwargs))

    def answer(self, respond: Callable[..., Any], text: str, *, replace: bool = False) -> None:
        """What the person who clicked is waiting to see (their response_url): on the urgent
        pool, so it does not queue behind messages to others."""
        if replace:
            self.urgent(respond, text=text, replace_original=True)
        else:
            self.urgent(respond, text=text, response_type="ephemeral", replace_original=False)

    @property
    def jobs(self) -> JobContext:
        return make_job_context(self.settings, self.engine, self.client, self.updater)

    def send(self, deliveries: list[int], *, refresh_ticket: int | None = None) -> None:
        """After the ack: post the outbox rows, and update the ticket's earlier messages."""
        self.sender.put(deliveries)
        if refresh_ticket is not None:
            self.submit(updates.refresh_ticket, self.jobs, refresh_ticket, skip=set(deliveries))

    def redraw(self, *, prefixes: Sequence[str] = (), tickets: Sequence[int] = ()) -> None:
        """After the ack: update messages already posted (by key prefix, and tickets')."""
        for prefix in prefixes:
            self.submit(updates.refresh_prefix, self.jobs, prefix)
        for number in tickets:
            self.submit(updates.refresh_ticket, self.jobs, number)

    def redraw_outage_at(self, outage_id: int, due: datetime | None) -> None:
        """Redraw an outage's card when `due` (this request asked for it): a timer, so a
        burst of reports costs one update per few seconds; the `outage-cards` job redraws
        it if this process stops first."""
        if due is None:
            return
        delay = max(0.0, (due - self.now()).total_seconds())

        def fire() -> None:
            with self._timers_lock:
                self._timers.discard(timer)
                if self._closing:
                    return
                self.submit(outages.redraw_card, self.jobs, outage_id, now=max(due, self.now()))

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._timers_lock:
            if self._closing:
                return
            self._timers.add(timer)
        timer.start()

    def close(self) -> None:
        """Finish the Slack calls in flight; queued ones stay pending in the outbox, where
        `deliveries-retry` (which also runs at start) picks them up."""
        with self._timers_lock:
            self._closing = True
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
        self.sender.close()
        self.urgent_pool.shutdown(wait=True)
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.sender.finish()


def _guarded(fn: Callable[..., Any], args: Any, kwargs: Any) -> Callable[[], Any]:
    """`fn` with its failure logged (nobody waits for the result to see it)."""

    def guarded() -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("background work %s failed", getattr(fn, "__name__", fn))
            return None

    return guarded
