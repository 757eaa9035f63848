"""Daily tasks: the workday prompt at each person's local time, the morning digest of what
is still pending for each lead, the weekly summary, and the renderers of their messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from sqlmodel import Session, col, select

from bot.blocks.common import format_time
from bot.blocks.tasks import (
    build_approval,
    build_changed,
    build_decision,
    build_digest,
    build_mine,
    build_prompt,
    build_summary,
)
from bot.i18n import t
from jobs.campaigns import CampaignJob, iso_week
from jobs.context import JobSettings
from jobs.render import RENDERERS, CannotRender, Rendered, reader
from storage import people, tasks
from storage.models import TASKS_PENDING, Delivery, Person, TaskReport

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


def _report(session: Session, row: Delivery) -> TaskReport:
    report = session.get(TaskReport, int(row.params.get("report", 0)))
    if report is None or report.id is None:
        raise CannotRender("report is gone")
    return report


def _decided(report: TaskReport, tz: str, lang: str) -> str | None:
    return format_time(report.decided_at, tz, lang) if report.decided_at else None


def render_prompt(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    return Rendered(build_prompt(reader(session, row.recipient, settings)[0]))


def render_approval(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    report = _report(session, row)
    lang, tz = reader(session, row.recipient, settings)
    person = people.get(session, report.slack_id)
    return Rendered(
        build_approval(
            report,
            tasks.items_of(session, report.id or 0),
            name=person.name if person else "",
            lang=lang,
            decided_at=_decided(report, tz, lang),
        )
    )


def render_mine(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    report = _report(session, row)
    lang, tz = reader(session, row.recipient, settings)
    return Rendered(
        build_mine(
            report,
            tasks.items_of(session, report.id or 0),
            lang=lang,
            decided_at=_decided(report, tz, lang),
        )
    )


def render_decision(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    return Rendered(
        build_decision(_report(session, row), lang=reader(session, row.recipient, settings)[0])
    )


def render_changed(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    report = _report(session, row)
    person = people.get(session, report.slack_id)
    return Rendered(
        build_changed(
            report,
            name=person.name if person else "",
            lang=reader(session, row.recipient, settings)[0],
        )
    )


def render_digest(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    day = date.fromisoformat(str(row.params.get("day")))
    pending = tasks.pending_for(session, row.recipient, before=day)
    names = {
        p.slack_id: p.name
        for p in session.exec(
            select(Person).where(col(Person.slack_id).in_([r.slack_id for r in pending]))
        ).all()
    }
    return Rendered(
        build_digest(
            [(r, names.get(r.slack_id, "")) for r in pending],
            reader(session, row.recipient, settings)[0],
        )
    )


def render_summary(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    lang = reader(session, row.recipient, settings)[0]
    since = date.fromisoformat(str(row.params.get("since")))
    team_ids = {
        p.slack_id
        for p in session.exec(select(Person).where(Person.lead_slack_id == row.recipient)).all()
    }
    lines = [
        t(
            "tasks.summary_line",
            lang,
            person=f"<@{s.slack_id}>",
            days=s.days,
            approved=s.approved,
            changes=s.changes,
            median=f"{s.median_minutes:.0f}" if s.median_minutes is not None else "—",
        )
        for s in tasks.stats(session, since=since)
        if s.slack_id in team_ids
    ]
    return Rendered(build_summary(lines, lang))


for _template, _renderer in {
    T_PROMPT: render_prompt,
    tasks.T_APPROVAL: render_approval,
    tasks.T_MINE: render_mine,
    tasks.T_DECISION: render_decision,
    tasks.T_CHANGED: render_changed,
    T_DIGEST: render_digest,
    T_SUMMARY: render_summary,
}.items():
    RENDERERS[_template] = _renderer
