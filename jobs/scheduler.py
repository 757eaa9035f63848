"""The APScheduler scheduler (in-memory job store) and the registry of named jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from jobs import campaigns, checkins, claims, delivery, people, reports, tasks
from jobs.context import JobContext
from storage.types import utcnow

log = logging.getLogger(__name__)

JobFunc = Callable[[JobContext, datetime], str]


@dataclass(frozen=True)
class JobSpec:
    name: str
    schedule: str  # a crontab line (company clock) or "every N minutes"
    func: JobFunc

    def trigger(self, timezone: Any) -> CronTrigger | IntervalTrigger:
        if self.schedule.startswith("every "):
            minutes = int(self.schedule.split()[1])
            return IntervalTrigger(minutes=minutes, timezone=timezone)
        return CronTrigger.from_crontab(self.schedule, timezone=timezone)


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job Rekan runs, by its stable name."""
    return [
        JobSpec("people-sync", "0 2 * * *", people.run_people_sync),
        JobSpec("availability", "every 5 minutes", people.run_availability),
        JobSpec("deliveries-retry", "every 1 minutes", delivery.run_deliveries_retry),
        JobSpec("claims-expiry", "every 5 minutes", claims.run_claims_expiry),
        JobSpec(
            "campaigns",
            "every 1 minutes",
            lambda ctx, now: campaigns.tick(ctx, now, campaign_jobs(ctx.settings)),
        ),
        JobSpec("checkin-close", "every 5 minutes", checkins.run_close),
        JobSpec("retention", "30 3 * * *", checkins.run_retention),
        JobSpec("report-weekly", "0 8 * * 1", reports.run_weekly),
    ]


def campaign_jobs(settings: Settings) -> list[campaigns.CampaignJob]:
    """Jobs that send one message per person per period, built in and registered."""
    return [*checkins.jobs(settings), *tasks.jobs(settings), *campaigns.REGISTRY.values()]


def find_job(settings: Settings, name: str) -> JobSpec | None:
    return next((spec for spec in job_specs(settings) if spec.name == name), None)


def run_job(ctx: JobContext, spec: JobSpec, now: datetime | None = None) -> str:
    return spec.func(ctx, now or utcnow())


def build_scheduler(ctx: JobContext) -> BackgroundScheduler:
    """A scheduler whose jobs have stable ids (their names); not started. The campaign tick
    also runs at start, so a campaign missed while Rekan was down is caught up at once."""
    scheduler = BackgroundScheduler(timezone=ctx.settings.tz)
    for spec in job_specs(ctx.settings):
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


def next_runs(settings: Settings, now: datetime) -> list[tuple[JobSpec, datetime | None]]:
    result = []
    for spec in job_specs(settings):
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
