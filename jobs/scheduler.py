"""The APScheduler scheduler (in-memory job store) over the interval jobs of the registry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from jobs.context import JobContext, JobSettings
from jobs.registry import JobSpec, interval_jobs
from storage.types import utcnow

log = logging.getLogger(__name__)


def run_job(ctx: JobContext, spec: JobSpec, now: datetime | None = None) -> str:
    return spec.func(ctx, now or utcnow())


def build_scheduler(ctx: JobContext) -> BackgroundScheduler:
    """A scheduler whose jobs have stable ids (their names); not started. The campaign tick
    also runs at start, so a campaign missed while Rekan was down is caught up at once
    (within working hours: see jobs.campaigns)."""
    scheduler = BackgroundScheduler(timezone=ctx.settings.tz)
    for spec in interval_jobs():
        at_start = spec.name in ("campaigns", "deliveries-retry")
        extra = {"next_run_time": datetime.now(ctx.settings.tz)} if at_start else {}
        scheduler.add_job(
            _guarded(ctx, spec),
            spec.trigger(ctx.settings.tz),
            id=spec.name,
            name=spec.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            replace_existing=True,
            **extra,
        )
    return scheduler


def next_runs(settings: JobSettings, now: datetime) -> list[tuple[JobSpec, datetime | None]]:
    result = []
    for spec in interval_jobs():
        trigger = spec.trigger(settings.tz)
        result.append((spec, trigger.get_next_fire_time(None, now.astimezone(settings.tz))))
    return result


def _guarded(ctx: JobContext, spec: JobSpec) -> Callable[[], None]:
    def run() -> None:
        try:
            summary = run_job(ctx, spec)
            log.info("job %s done: %s", spec.name, summary)
        except Exception:
            log.exception("job %s failed", spec.name)

    return run
