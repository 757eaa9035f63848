"""Time: scheduled jobs (list, run one now), days off, and the state of deliveries.

The job registry and the scheduler are imported inside the commands: they pull in APScheduler
and every job (the wellbeing chart's matplotlib among them), which no other command needs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import click

from bot.cli.common import job_context, parse_date, print_rows
from bot.cli.state import Failure, State, pass_state
from storage import campaigns, outbox
from storage.calendar import public_holidays
from storage.types import utcnow

if TYPE_CHECKING:
    from jobs.campaigns import CampaignJob


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs."""


@jobs_group.command("list")
@pass_state
def jobs_list(state: State) -> None:
    """List every job, one a line: its name, schedule and next run (company clock)."""
    from jobs.registry import campaign_jobs
    from jobs.scheduler import next_runs

    tz = state.settings.tz
    now = utcnow()
    rows = [
        (
            spec.name,
            spec.schedule,
            when.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if when else "-",
        )
        for spec, when in next_runs(state.settings, now)
    ]
    for job in campaign_jobs(state.settings):
        day = next_campaign_day(job, now.astimezone(tz).date())
        rows.append(
            (
                job.name,
                state.msg("cli.local_schedule", time=job.at.strftime("%H:%M")),
                f"{day.isoformat()} {job.at:%H:%M}" if day else "-",
            )
        )
    print_rows(state, ["job", "schedule", "next_run"], rows)


def next_campaign_day(job: CampaignJob, start: date) -> date | None:
    for offset in range(370):
        day = start + timedelta(days=offset)
        if job.runs_on(day):
            return day
    return None


@jobs_group.command("run")
@click.argument("name")
@pass_state
def jobs_run(state: State, name: str) -> None:
    """Run a job's current period now, in this process, to everyone not yet sent."""
    from jobs.campaigns import run_campaign
    from jobs.registry import JobSpec, all_jobs, find
    from jobs.scheduler import run_job

    job = find(state.settings, name)
    if job is None:
        names = ", ".join(j.name for j in all_jobs(state.settings))
        raise Failure(state.msg("cli.job_unknown", name=name, names=names))
    ctx = replace(job_context(state), by_hand=True)
    if isinstance(job, JobSpec):
        click.echo(state.msg("cli.job_done", name=name, summary=run_job(ctx, job)))
        return

    def progress(done: int, total: int) -> None:
        click.echo(state.msg("cli.progress", done=done, total=total), err=True)

    run = run_campaign(ctx, job, force=True, wait_for_retries=True, on_progress=progress)
    if run.outcome == "not_today":
        click.echo(state.msg("cli.not_today", name=name))
        return
    if run.outcome == "claimed_elsewhere":
        raise Failure(state.msg("cli.claimed_elsewhere", campaign=run.key or name))
    click.echo(state.msg("cli.job_done", name=name, summary=run.summary()))


# ---------------------------------------------------------------- holidays and deliveries


@click.group("holidays")
def holidays_group() -> None:
    """Days off: Indonesian public holidays and cuti bersama, plus company days off."""


@holidays_group.command("add")
@click.argument("day", metavar="YYYY-MM-DD")
@click.argument("name")
@pass_state
def holidays_add(state: State, day: str, name: str) -> None:
    """Add a company day off: no workday prompts are sent on it."""
    parsed = parse_date(state, day)
    assert parsed is not None
    with state.session(write=True) as session:
        campaigns.add_day_off(session, day=parsed, name=name)
    click.echo(state.msg("cli.day_off_added", day=parsed.isoformat(), name=name))


@holidays_group.command("list")
@click.argument("year", required=False, type=click.IntRange(1970, 2100))
@pass_state
def holidays_list(state: State, year: int | None) -> None:
    """List the year's days off (public holidays, cuti bersama, company days)."""
    year = year or utcnow().astimezone(state.settings.tz).year
    with state.session() as session:
        company = campaigns.days_off(session, year)
    rows = [
        (d.isoformat(), n, state.msg("cli.public_holiday"))
        for d, n in public_holidays(year).items()
    ]
    rows += [(d.isoformat(), n, state.msg("cli.company_day_off")) for d, n in company.items()]
    print_rows(state, ["when", "what", "note"], sorted(rows))


@click.group("deliveries")
def deliveries_group() -> None:
    """Scheduled and ticket messages: what was sent, what waits, what failed."""


@deliveries_group.command("status")
@click.argument("campaign", required=False)
@pass_state
def deliveries_status(state: State, campaign: str | None) -> None:
    """Sent / pending / failed counts and failure reasons (all, or one campaign)."""
    with state.session() as session:
        counts = outbox.counts(session, campaign)
        reasons = outbox.failures(session, campaign)
    rows = [(name, counts.get(name, 0)) for name in ("sent", "pending", "sending", "failed")]
    print_rows(state, ["status", "count"], rows)
    if reasons:
        click.echo()
        print_rows(state, ["error", "count"], sorted(reasons.items()))
