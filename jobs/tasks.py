"""Daily tasks: the workday prompt at each person's local time, the morning digest of what
is still pending for each lead and the weekly summary (drawn by bot/render/tasks.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from sqlmodel import Session, col, select

from jobs.campaigns import CampaignJob, iso_week
from jobs.context import JobSettings
from storage.models import TASKS_PENDING, Person, TaskReport

T_PROMPT = "tasks.prompt"
T_DIGEST = "tasks.digest"
T_SUMMARY = "tasks.summary"


def jobs(settings: JobSettings) -> list[CampaignJob]:
    return [
        CampaignJob(
            name="tasks-prompt",
            at=settings.tasks_at,
            template=T_PROMPT,
            period=lambda d: d.isoformat(),
            recipients=_with_lead,
            weekdays=settings.tasks_weekdays,
            workdays_only=True,
            skip_if_late=True,
        ),
        CampaignJob(
            name="tasks-digest",
            at=time(8, 30),
            template=T_DIGEST,
            period=lambda d: d.isoformat(),
            recipients=_leads_with_old_pending,
            workdays_only=True,
            skip_if_late=True,
            params=lambda day, period: {"day": day.isoformat()},
        ),
        CampaignJob(
            name="tasks-summary",
            at=time(16, 0),
            template=T_SUMMARY,
            period=iso_week,
            recipients=_leads,
            weekdays=frozenset({4}),
            workdays_only=False,
            params=lambda day, period: {"since": (day - timedelta(days=6)).isoformat()},
        ),
    ]


def _with_lead(session: Session, _day: date) -> Sequence[Person]:
    return session.exec(
        select(Person).where(
            col(Person.active).is_(True),
            col(Person.away_since).is_(None),
            col(Person.lead_slack_id).is_not(None),
        )
    ).all()


def _leads(session: Session, _day: date) -> Sequence[Person]:
    lead_ids = set(
        session.exec(
            select(Person.lead_slack_id).where(col(Person.lead_slack_id).is_not(None))
        ).all()
    )
    return session.exec(
        select(Person).where(col(Person.slack_id).in_(lead_ids), col(Person.active).is_(True))
    ).all()


def _leads_with_old_pending(session: Session, day: date) -> Sequence[Person]:
    """Leads with submissions still pending from an earlier day (the previous workday's end)."""
    ids = set(
        session.exec(
            select(TaskReport.lead_id).where(
                TaskReport.state == TASKS_PENDING, col(TaskReport.day) < day
            )
        ).all()
    )
    return session.exec(select(Person).where(col(Person.slack_id).in_(ids))).all()
