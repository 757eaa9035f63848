"""The check-in DM (the ask and the reminder, also redrawn after each answer) and the HR
follow-up request, from the current state in the store."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.blocks.checkins import CheckinView, Support, build_checkin, build_followup
from bot.blocks.common import format_time
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered
from storage import checkins, outbox, people
from storage.models import DELIVERY_SENT, CheckinRound, Delivery, FollowUp


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
    closed = round_.closed_at is not None or (now is not None and round_.closes_at <= now)
    return CheckinView(
        round_key=round_key,
        lang=lang,
        closes=format_time(round_.closes_at, tz, lang),
        answers=checkins.answers(session, round_key, slack_id),
        intro=intro,
        reminder=reminder,
        low=settings.low_score,
        consented=checkins.has_consented(session, round_key, slack_id),
        noted=checkins.note_of(session, round_key, slack_id) is not None,
        support=[
            Support(o.name, o.description, o.link, o.contact)
            for o in checkins.support_options(session)
        ],
        closed=closed,
        withdrawn=checkins.withdrawn(session, round_key, slack_id),
    )


def render_ask(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    round_key = row.campaign or ""
    intro = (
        not outbox.sent_before(session, row)
        if row.state != DELIVERY_SENT or row.ts is None
        else False
    )
    return Rendered(
        build_checkin(checkin_view(session, round_key, row.recipient, settings, intro=intro))
    )


def render_reminder(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    round_ = checkins.current_round(session)
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
            withdrawn=followup.withdrawn_at is not None,
        )
    )
