"""Scheduled messages keep to each reader's working hours: a daily prompt later than its
grace is skipped for the day, a weekly check-in waits for the next working morning, and an
operator's `rekan jobs run` still sends at once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.sandbox import SlackStandIn
from bot.slack import make_job_context
from jobs.campaigns import CampaignJob, run_campaign
from jobs.registry import JobSpec, campaign_jobs, find
from storage import people
from storage.db import session_scope
from storage.models import Delivery
from tests.helpers import NOW

WIB = ZoneInfo("Asia/Jakarta")
STAFF = {"U0RINA": "Asia/Jakarta", "U0SARI": "Asia/Jayapura"}


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 on the Jakarta clock (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def staff(engine: Engine) -> list[str]:
    rows = [
        (
            i + 2,
            {
                "slack_id": sid,
                "name": sid,
                "email": "",
                "team": "T",
                "lead_slack_id": "" if sid == "U0LEAD" else "U0LEAD",
                "timezone": zone,
            },
        )
        for i, (sid, zone) in enumerate({**STAFF, "U0LEAD": "Asia/Jakarta"}.items())
    ]
    with session_scope(engine, write=True) as s:
        people.import_rows(session=s, rows=rows, now=NOW)
    return list(STAFF)


def job(settings: Settings, name: str) -> CampaignJob:
    return next(j for j in campaign_jobs(settings) if j.name == name)


def tick(settings: Settings, engine: Engine, now: datetime) -> str:
    spec = find(settings, "campaigns")
    assert isinstance(spec, JobSpec)
    return spec.func(make_job_context(settings, engine), now)


def dms(standin: SlackStandIn) -> Counter[str]:
    return Counter(m.channel for m in standin.messages())


def errors(engine: Engine) -> Counter[str | None]:
    with session_scope(engine) as s:
        return Counter(d.error for d in s.exec(select(Delivery)).all())


def test_started_at_night_the_days_prompt_is_skipped_not_sent(
    settings: Settings, engine: Engine, standin: SlackStandIn, staff: list[str]
) -> None:
    tick(settings, engine, wib(24, 20))  # Tuesday 20:00 WIB: Rekan starts, catches up
    assert standin.messages() == []
    assert errors(engine)["skipped:late"] == 2
    # The operator's `rekan jobs run tasks-prompt` sends it now, night or not.
    ctx = make_job_context(settings, engine)
    run = run_campaign(ctx, job(settings, "tasks-prompt"), now=wib(24, 20, 5), force=True)
    assert run.outcome == "done"
    assert dms(standin) == {standin.dm_channel(s): 1 for s in staff}


def test_a_prompt_within_its_grace_goes_later_than_that_is_skipped(
    settings: Settings, engine: Engine, standin: SlackStandIn, staff: list[str]
) -> None:
    # 11:30 WIB: 2.5 h late in Jakarta, but 13:30 WIT is 4.5 h late in Jayapura.
    tick(settings, engine, wib(24, 11, 30))
    assert dms(standin) == {standin.dm_channel("U0RINA"): 1}
    assert errors(engine)["skipped:late"] == 1


def test_a_weekly_checkin_missed_at_night_goes_the_next_working_morning(
    settings: Settings, engine: Engine, standin: SlackStandIn, staff: list[str]
) -> None:
    tick(settings, engine, wib(23, 20))  # Monday 20:00 WIB
    assert standin.messages() == []
    # The round's rows wait in the outbox; deliveries-retry sends each on its reader's morning.
    retry = find(settings, "deliveries-retry")
    assert isinstance(retry, JobSpec)
    ctx = make_job_context(settings, engine)
    retry.func(ctx, wib(24, 7, 30))  # 09:30 WIT: Sari's morning, not yet Rina's
    assert dms(standin) == {standin.dm_channel("U0SARI"): 1}
    retry.func(ctx, wib(24, 9, 0))
    assert dms(standin) == {standin.dm_channel(s): 1 for s in [*staff, "U0LEAD"]}
