"""People Experience check-ins: the weekly round, one reminder, closing and retention (their
messages are drawn by bot/render/checkins.py). Health data: nothing here logs a person
together with a score."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from jobs.campaigns import CampaignJob, iso_week
from jobs.context import JobContext, JobSettings
from storage import audit, checkins, retention
from storage.calendar import is_workday
from storage.db import session_scope
from storage.models import DELIVERY_SENT, Delivery, Person

T_ASK = "checkin.ask"
T_REMINDER = "checkin.reminder"


def jobs(settings: JobSettings) -> list[CampaignJob]:
    """The round (default Mondays 10:00 local) and its one reminder on the next workday."""

    def prepare(session: Session, key: str, day: date, now: datetime) -> None:
        checkins.open_round(
            session,
            key=key,
            period=iso_week(day),
            now=now,
            closes_at=now + timedelta(days=settings.checkin_days),
        )

    return [
        CampaignJob(
            name="checkin",
            at=settings.checkin_at,
            template=T_ASK,
            period=iso_week,
            recipients=_askable,
            weekdays=settings.checkin_weekdays,
            workdays_only=False,
            prepare=prepare,
        ),
        CampaignJob(
            name="checkin-reminder",
            at=settings.checkin_at,
            template=T_REMINDER,
            period=iso_week,
            recipients=_unanswered_today,
            workdays_only=True,
        ),
    ]


def _askable(session: Session, _day: date) -> Sequence[Person]:
    return session.exec(
        select(Person).where(
            col(Person.active).is_(True),
            col(Person.away_since).is_(None),
            col(Person.checkin_opt_out).is_(False),
        )
    ).all()


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _unanswered_today(session: Session, day: date) -> Sequence[Person]:
    """On the workday after the round opened: those asked who have not answered at all."""
    round_ = checkins.current_round(session)
    if round_ is None or next_workday(round_.opened_at.date()) != day:
        return []
    asked = session.exec(
        select(Delivery.recipient).where(
            Delivery.campaign == round_.key, Delivery.state == DELIVERY_SENT
        )
    ).all()
    answered = {
        a
        for a in session.exec(
            select(checkins.CheckinAnswer.slack_id).where(
                checkins.CheckinAnswer.round_key == round_.key
            )
        ).all()
    }
    wanted = [p for p in asked if p not in answered]
    return [p for p in _askable(session, day) if p.slack_id in wanted]


def run_close(ctx: JobContext, now: datetime) -> str:
    """Job `checkin-close`: close rounds whose days are up and keep their numbers."""
    with session_scope(ctx.engine, write=True) as session:
        closed = checkins.close_due(session, now=now, low=ctx.settings.low_score)
    return f"closed={len(closed)}"


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(30.44 * months))


def run_retention(ctx: JobContext, now: datetime) -> str:
    """Job `retention`: answers older than REKAN_RETENTION_MONTHS go (aggregates stay); audit
    rows older than REKAN_AUDIT_RETENTION_MONTHS; task days older than
    REKAN_TASK_RETENTION_MONTHS; the parameters of deliveries older than
    REKAN_DELIVERY_RETENTION_DAYS. Says how many of each it deleted."""
    settings = ctx.settings
    with session_scope(ctx.engine, write=True) as session:
        answers = checkins.delete_older_than(
            session, before=_months_ago(now, settings.retention_months)
        )
        trail = audit.delete_older_than(
            session, before=_months_ago(now, settings.audit_retention_months)
        )
        task_days = retention.delete_task_days_before(
            session,
            before=_months_ago(now, settings.task_retention_months).astimezone(settings.tz).date(),
        )
        params = retention.clear_delivery_params_before(
            session, before=now - timedelta(days=settings.delivery_retention_days)
        )
    return f"deleted={answers} audit={trail} task_days={task_days} delivery_params={params}"
