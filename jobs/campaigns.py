"""The campaign engine: a scheduled job's work for one period, sent to each recipient once,
at their own local time, by whichever instance holds the campaign's lease."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time as clock
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from jobs import metrics
from jobs.bulk import deliver_many
from jobs.context import JobContext
from storage import campaigns, hours, outbox
from storage.calendar import day_hours, is_workday, send_deadline
from storage.db import session_scope
from storage.models import Person
from storage.types import utcnow
from storage.worktime import Period

log = logging.getLogger(__name__)

OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
BATCH = 2000


@dataclass(frozen=True)
class CampaignJob:
    """A job that sends one message per recipient per period."""

    name: str
    at: time  # the local time each recipient gets it
    template: str
    period: Callable[[date], str]
    recipients: Callable[[Session, date], Sequence[Person]]
    weekdays: frozenset[int] | None = None  # 0 = Monday; None = every day
    workdays_only: bool = True
    params: Callable[[date, str], dict[str, Any]] = lambda day, period: {"period": period}
    # Runs once, in the transaction that writes the rows (e.g. opens the check-in round).
    prepare: Callable[[Session, str, date, datetime], None] | None = None
    # A daily message: skipped for the day once later than the grace (REKAN_PROMPT_GRACE);
    # otherwise (weekly) it waits for the reader's next working morning.
    skip_if_late: bool = False

    def runs_on(
        self, day: date, days_off: Sequence[date] = (), *, any_weekday: bool = False
    ) -> bool:
        """Whether the job sends on `day`; `any_weekday` (a run by hand) ignores the weekday,
        not the workday rule."""
        if not any_weekday and self.weekdays is not None and day.weekday() not in self.weekdays:
            return False
        return not self.workdays_only or is_workday(day, days_off)


@dataclass
class CampaignRun:
    key: str | None
    outcome: str  # done | pending | claimed_elsewhere | not_today | already_done
    written: int = 0
    results: dict[str, int] | None = None

    def summary(self) -> str:
        sent = " ".join(f"{k}={v}" for k, v in sorted((self.results or {}).items()))
        return f"{self.key or '-'} {self.outcome} written={self.written} {sent}".strip()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def active_people(session: Session, _day: date) -> Sequence[Person]:
    """Everyone active and not away."""
    return session.exec(
        select(Person).where(col(Person.active).is_(True), col(Person.away_since).is_(None))
    ).all()


def local_due(day: date, at: time, tz: str, fallback: ZoneInfo) -> datetime:
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = fallback
    return datetime.combine(day, at, zone)


def _deadlines(
    ctx: JobContext, job: CampaignJob, planned: dict[str, datetime], dated: Sequence[Period] = ()
) -> dict[str, datetime] | None:
    """For a daily job, each reader's last moment to get it (storage.calendar's rule), within
    that day's hours (a dated period's, when one covers it)."""
    if not job.skip_if_late:
        return None
    settings = ctx.settings
    grace = timedelta(seconds=settings.prompt_grace_seconds)
    deadlines = {}
    for who, at in planned.items():
        opens, closes = day_hours(at.date(), settings.work_start, settings.work_end, dated)
        deadlines[who] = send_deadline(at, grace=grace, work_start=opens, work_end=closes)
    return deadlines


def run_campaign(
    ctx: JobContext,
    job: CampaignJob,
    *,
    now: datetime | None = None,
    force: bool = False,
    owner: str = OWNER,
    wait_for_retries: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> CampaignRun:
    """Claim this period's campaign, write its rows once, and send what is due.

    `force` (`rekan jobs run`) makes every recipient due now; `wait_for_retries` keeps going
    until nothing is left pending (rate-limited or uncertain rows are retried after back-off)."""
    now = now or utcnow()
    settings = ctx.settings
    day = now.astimezone(settings.tz).date()
    lease = timedelta(seconds=settings.campaign_lease_seconds)
    with session_scope(ctx.engine) as session:
        off = list(campaigns.days_off(session, day.year))
        dated = hours.periods(session)
    if not job.runs_on(day, off, any_weekday=force):
        return CampaignRun(None, "not_today")
    period = job.period(day)
    key = campaigns.key_of(job.name, period)
    with session_scope(ctx.engine, write=True) as session:
        if force:  # by hand: what the scheduler skipped as too late goes too
            campaigns.revive_late(session, key, now=now)
        campaign = campaigns.claim(
            session, job=job.name, period=period, owner=owner, now=now, lease=lease
        )
        if campaign is None:
            done = campaigns.get(session, key)
            return CampaignRun(
                key, "already_done" if done and done.state == "done" else "claimed_elsewhere"
            )
        campaigns.release_sending(session, key, now=now)
        written = 0
        if not campaigns.is_fanned(campaign):
            if job.prepare is not None:
                job.prepare(session, key, day, now)
            people = job.recipients(session, day)
            # a dated period (`rekan hours`, e.g. Ramadan) moves the send time with its hours
            at = hours.shifted(job.at, day, periods=dated, work_start=settings.work_start)
            planned = {p.slack_id: local_due(day, at, p.timezone, settings.tz) for p in people}
            rows = [(who, now if force else at) for who, at in planned.items()]
            written = campaigns.fan_out(
                session,
                key,
                template=job.template,
                recipients=rows,
                params=job.params(day, period),
                now=now,
                deadlines=_deadlines(ctx, job, planned, dated),
            )
        if force:
            campaigns.bring_forward(session, key, now=now)
    results: dict[str, int] = {}
    started = clock.monotonic()
    try:
        results = _send_due(
            ctx,
            key,
            now=now,
            owner=owner,
            lease=lease,
            force=force,
            wait=wait_for_retries,
            on_progress=on_progress,
        )
        with session_scope(ctx.engine, write=True) as session:
            left = campaigns.unfinished(session, key)
            if left == 0:
                campaigns.finish(session, key, now=utcnow())
    finally:
        with session_scope(ctx.engine, write=True) as session:
            campaigns.release(session, key, owner=owner)
    outcome = "done" if left == 0 else "pending"
    metrics.CAMPAIGN_RUNS.labels(job.name, outcome).inc()
    metrics.CAMPAIGN_SECONDS.labels(job.name).observe(clock.monotonic() - started)
    return CampaignRun(key, outcome, written, results)


def _send_due(
    ctx: JobContext,
    key: str,
    *,
    now: datetime,
    owner: str,
    lease: timedelta,
    force: bool,
    wait: bool,
    on_progress: Callable[[int, int], None] | None,
) -> dict[str, int]:
    results: dict[str, int] = {}
    done = 0
    begun = clock.monotonic()
    deadline = begun + 15 * 60
    lost = threading.Event()
    stop = threading.Event()

    def keep_lease() -> None:
        # Renew while posting, so a long batch never lets the lease lapse under us.
        while not stop.wait(lease.total_seconds() / 3):
            with session_scope(ctx.engine, write=True) as session:
                if not campaigns.renew(session, key, owner=owner, now=utcnow(), lease=lease):
                    lost.set()
                    return

    keeper = threading.Thread(target=keep_lease, name=f"lease-{key}", daemon=True)
    keeper.start()
    try:
        while not lost.is_set():
            # A forced run sends everything now; a scheduled one what is due at `now`.
            at = max(now, utcnow()) if force or wait else now
            with session_scope(ctx.engine) as session:
                ids = outbox.due_ids(session, now=at, campaign=key, limit=BATCH, after=0)
                total = campaigns.unfinished(session, key)
            if not ids:
                if not wait or total == 0 or clock.monotonic() > deadline:
                    break
                with session_scope(ctx.engine) as session:
                    upcoming = campaigns.next_due(session, key)
                if upcoming is None:
                    break  # what is left is being sent by another worker right now
                pause = (upcoming - utcnow()).total_seconds()
                clock.sleep(min(max(pause, 0.05), 5.0))
                continue
            handed: list[int] = []  # the sizes of the pages handed to the engine in this pass
            report = None if on_progress is None else partial(_progress, on_progress, done, total)
            # Working hours are judged at the run's own moment (`now`, as time goes by), not
            # at the wall clock that only paces the retries.
            batch = deliver_many(
                ctx,
                _pass_over(ctx, key, at, ids, handed, lost, report),
                concurrency=ctx.settings.delivery_concurrency,
                now=at,
                by_hand=force,
                hours_at=now + timedelta(seconds=clock.monotonic() - begun),
            )
            for outcome, count in batch.items():
                results[outcome] = results.get(outcome, 0) + count
            done += sum(handed)
            if on_progress is not None:
                on_progress(done, done + total - sum(handed))
        if lost.is_set():
            log.warning("lost the lease of campaign %s; stopping", key)
    finally:
        stop.set()
        keeper.join()
    return results


def _progress(on_progress: Callable[[int, int], None], before: int, total: int, sent: int) -> None:
    """Progress within a pass: `sent` of its `total` rows, after `before` of earlier passes."""
    on_progress(before + sent, before + total)


def _pass_over(
    ctx: JobContext,
    key: str,
    at: datetime,
    page: list[int],
    handed: list[int],
    lost: threading.Event,
    report: Callable[[int], None] | None,
) -> Iterator[int]:
    """Every row of the campaign due at `at`, a page at a time, read as the engine asks for
    more: one pass keeps every posting thread busy, where a pass per page would stall at each
    page's end on its slowest post (a 429's back-off). `handed` gets each page's size."""
    while page:
        yield from page
        handed.append(len(page))
        if report is not None and len(handed) > 1:
            report(sum(handed[:-1]))  # the pages before this one: posted, but for a few
        if lost.is_set():
            return
        with session_scope(ctx.engine) as session:
            page = outbox.due_ids(session, now=at, campaign=key, limit=BATCH, after=page[-1])


def tick(ctx: JobContext, now: datetime, jobs: Sequence[CampaignJob]) -> str:
    """Job `campaigns`: every minute, start or resume each campaign job's current period
    (the jobs come from jobs.registry)."""
    runs = []
    for job in jobs:
        try:
            run = run_campaign(ctx, job, now=now)
        except Exception:
            log.exception("campaign job %s failed", job.name)
            continue
        if run.key:
            runs.append(run.summary())
    return "; ".join(runs) or "nothing due"
