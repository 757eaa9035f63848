"""The check-in DM (the ask and the reminder, also redrawn after each answer) and the HR
follow-up request, from the current state in the store."""

from __future__ import annotations

from collections.abc import Sequence
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


def render_asks(
    session: Session, rows: Sequence[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    """The check-in of each row (its campaign is the round), the first one a person receives
    with the introduction. A round's batch reads each thing once: its round, readers,
    standings, support options and who was asked before."""
    unsent = [r for r in rows if r.state != DELIVERY_SENT or r.ts is None]
    before = outbox.sent_before_many(session, unsent)
    intro = {r.id for r in unsent if r.id not in before}
    return _render(
        session, [(r, r.campaign or "") for r in rows], settings, intro=intro, reminder=False
    )


def render_reminders(
    session: Session, rows: Sequence[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    """The reminder: the current round's check-in again, with a line saying so."""
    round_ = checkins.current_round(session)
    if round_ is None:
        return [CannotRender("no open round") for _ in rows]
    return _render(session, [(r, round_.key) for r in rows], settings, intro=set(), reminder=True)


def _render(
    session: Session,
    asked: Sequence[tuple[Delivery, str]],
    settings: JobSettings,
    *,
    intro: set[int | None],
    reminder: bool,
) -> list[Rendered | CannotRender]:
    """What checkin_view() reads, once per batch, and each row's check-in drawn from it."""
    keys = {key for _, key in asked}
    rounds = {key: session.get(CheckinRound, key) for key in keys}
    recipients = {row.recipient for row, _ in asked}
    readers = people.readers(session, recipients, settings.language, settings.timezone)
    standing = {
        key: checkins.standings(session, key, [r.recipient for r, k in asked if k == key])
        for key, found in rounds.items()
        if found is not None
    }
    support = [
        Support(o.name, o.description, o.link, o.contact) for o in checkins.support_options(session)
    ]
    closes: dict[tuple[str, str, str], str] = {}  # one formatting per round, zone and language
    made: dict[tuple[object, ...], Rendered] = {}
    results: list[Rendered | CannotRender] = []
    for row, key in asked:
        round_ = rounds[key]
        if round_ is None:
            results.append(CannotRender("round is gone"))
            continue
        lang, tz = readers[row.recipient]
        if (key, tz, lang) not in closes:
            closes[key, tz, lang] = format_time(round_.closes_at, tz, lang)
        stands = standing[key][row.recipient]
        view = CheckinView(
            round_key=key,
            lang=lang,
            closes=closes[key, tz, lang],
            answers=stands.answers,
            intro=row.id in intro,
            reminder=reminder,
            low=settings.low_score,
            consented=stands.consented,
            noted=stands.noted,
            support=support,
            closed=round_.closed_at is not None,
        )
        # Views without answers look alike (a round's first message to a team, in one
        # language and zone): each distinct one is drawn once per batch.
        same = (key, lang, view.closes, view.intro, tuple(sorted(view.answers.items())))
        drawn = made.get((*same, view.consented, view.noted))
        if drawn is None:
            drawn = made[(*same, view.consented, view.noted)] = Rendered(build_checkin(view))
        results.append(drawn)
    return results


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
