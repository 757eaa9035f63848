"""Every job Rekan runs, written out by stable name: the interval jobs (a schedule on the
company clock) and the campaign jobs (one message per person per period, at their local
time). The scheduler and the CLI both read this list; nothing adds to it at import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import bulk, campaigns, checkins, claims, outages, people, reports, sla, tasks, tickets
from jobs.campaigns import CampaignJob
from jobs.context import JobContext, JobSettings

JobFunc = Callable[[JobContext, datetime], str]


@dataclass(frozen=True)
class JobSpec:
    """A job run on a schedule of its own (not per person)."""

    name: str
    schedule: str  # a crontab line (company clock) or "every N minutes"
    func: JobFunc

    def trigger(self, timezone: Any) -> CronTrigger | IntervalTrigger:
        if self.schedule.startswith("every "):
            minutes = int(self.schedule.split()[1])
            return IntervalTrigger(minutes=minutes, timezone=timezone)
        return CronTrigger.from_crontab(self.schedule, timezone=timezone)


Job = JobSpec | CampaignJob


def campaign_jobs(settings: JobSettings) -> list[CampaignJob]:
    """Jobs that send one message per person per period."""
    return [*checkins.jobs(settings), *tasks.jobs(settings)]


def _tick(ctx: JobContext, now: datetime) -> str:
    return campaigns.tick(ctx, now, campaign_jobs(ctx.settings))


def interval_jobs() -> list[JobSpec]:
    """Jobs the scheduler runs on their own schedule."""
    return [
        JobSpec("people-sync", "0 2 * * *", people.run_people_sync),
        JobSpec("availability", "every 5 minutes", people.run_availability),
        JobSpec("deliveries-retry", "every 1 minutes", bulk.run_deliveries_retry),
        JobSpec("claims-expiry", "every 5 minutes", claims.run_claims_expiry),
        JobSpec("campaigns", "every 1 minutes", _tick),
        JobSpec("checkin-close", "every 5 minutes", checkins.run_close),
        JobSpec("retention", "30 3 * * *", checkins.run_retention),
        JobSpec("ticket-retention", "45 3 * * *", tickets.run_ticket_retention),
        JobSpec("waiting-reporter", "every 15 minutes", tickets.run_waiting_reporter),
        JobSpec("report-weekly", "0 8 * * 1", reports.run_weekly),
        JobSpec("outage-cards", "every 1 minutes", outages.run_outage_cards),
        JobSpec("sla", "every 1 minutes", sla.run_sla),
        JobSpec("close-resolved", "every 15 minutes", sla.run_close_resolved),
        JobSpec("report-helpdesk", "0 8 * * 1", sla.run_report_helpdesk),
    ]


def all_jobs(settings: JobSettings) -> list[Job]:
    """Every job, interval jobs first, by stable name."""
    return [*interval_jobs(), *campaign_jobs(settings)]


def find(settings: JobSettings, name: str) -> Job | None:
    return next((job for job in all_jobs(settings) if job.name == name), None)
