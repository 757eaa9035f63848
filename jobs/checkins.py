"""People Experience check-ins: the weekly round, one reminder, closing, retention, and the
renderers of the check-in DM and the HR follow-up. Health data: nothing here logs a person
together with a score."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.blocks.checkins import CheckinView, Support, build_checkin, build_followup
from bot.blocks.common import format_time
from jobs.campaigns import CampaignJob, iso_week
from jobs.context import JobContext, JobSettings
from jobs.render import RENDERERS, CannotRender, Rendered, reader
from storage import checkins, people
from storage.calendar import is_workday
from storage.db import session_scope
from storage.models import DELIVERY_SENT, CheckinRound, Delivery, FollowUp, Person

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


def _open_round(session: Session) -> CheckinRound | None:
    return session.exec(
        select(CheckinRound)
        .where(col(CheckinRound.closed_at).is_(None))
        .order_by(col(CheckinRound.opened_at).desc())
    ).first()


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _unanswered_today(session: Session, day: date) -> Sequence[Person]:
    """On the workday after the round opened: those asked who have not answered at all."""
    round_ = _open_round(session)
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


def checkin_view(
    session: Session,
    round_key: str,
    slack_id: str,
    settings: JobSettings,
    *,
    reminder: bool = False,
    intro: bool = False,
    now: datetime | None = None,
) -> CheckinView:
    round_ = session.get(CheckinRound, round_key)
    if round_ is None:
        raise CannotRender("round is gone")
    lang, tz = reader(session, slack_id, settings)
    consented = (
        session.exec(
            select(FollowUp.id).where(
                FollowUp.round_key == round_key, FollowUp.slack_id == slack_id
            )
        ).first()
        is not None
    )
    closed = round_.closed_at is not None or (now is not None and round_.closes_at <= now)
    return CheckinView(
        round_key=round_key,
        lang=lang,
        closes=format_time(round_.closes_at, tz, lang),
        answers=checkins.answers(session, round_key, slack_id),
        intro=intro,
        reminder=reminder,
        low=settings.low_score,
        consented=consented,
        noted=checkins.note_of(session, round_key, slack_id) is not None,
        support=[
            Support(o.name, o.description, o.link, o.contact)
            for o in checkins.support_options(session)
        ],
        closed=closed,
    )


def _first_checkin(session: Session, row: Delivery) -> bool:
    earlier = session.exec(
        select(Delivery.id).where(
            Delivery.recipient == row.recipient,
            Delivery.template == T_ASK,
            Delivery.state == DELIVERY_SENT,
            Delivery.id != row.id,
        )
    ).first()
    return earlier is None


def render_ask(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    round_key = row.campaign or ""
    intro = _first_checkin(session, row) if row.state != DELIVERY_SENT or row.ts is None else False
    return Rendered(
        build_checkin(checkin_view(session, round_key, row.recipient, settings, intro=intro))
    )


def render_reminder(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    round_ = _open_round(session)
    if round_ is None:
        raise CannotRender("no open round")
    return Rendered(
        build_checkin(checkin_view(session, round_.key, row.recipient, settings, reminder=True))
    )


def render_followup(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    followup = session.get(FollowUp, int(row.params.get("followup", 0)))
    if followup is None or followup.id is None:
        raise CannotRender("follow-up is gone")
    lang, tz = reader(session, row.recipient, settings)
    person = people.get(session, followup.slack_id)
    return Rendered(
        build_followup(
            followup_id=followup.id,
            person=followup.slack_id,
            name=person.name if person else followup.slack_id,
            answers=checkins.answers(session, followup.round_key, followup.slack_id),
            note=checkins.note_of(session, followup.round_key, followup.slack_id),
            contacted_by=followup.contacted_by,
            contacted_at=format_time(followup.contacted_at, tz, lang)
            if followup.contacted_at
            else None,
            lang=lang,
        )
    )


RENDERERS[T_ASK] = render_ask
RENDERERS[T_REMINDER] = render_reminder
RENDERERS[checkins.T_FOLLOWUP] = render_followup


def run_close(ctx: JobContext, now: datetime) -> str:
    """Job `checkin-close`: close rounds whose days are up and keep their numbers."""
    with session_scope(ctx.engine, write=True) as session:
        closed = checkins.close_due(session, now=now, low=ctx.settings.low_score)
    return f"closed={len(closed)}"


def run_retention(ctx: JobContext, now: datetime) -> str:
    """Job `retention`: answers older than REKAN_RETENTION_MONTHS go; aggregates stay."""
    before = now - timedelta(days=round(30.44 * ctx.settings.retention_months))
    with session_scope(ctx.engine, write=True) as session:
        deleted = checkins.delete_older_than(session, before=before)
    return f"deleted={deleted}"
