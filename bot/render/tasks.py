"""Daily-task messages from the current state: the workday prompt, the lead's approval card,
the person's own copy, decisions and changes, the morning digest and the weekly summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered
from storage import people, tasks
from storage.models import Delivery, Person, TaskReport


def _report(session: Session, row: Delivery) -> TaskReport:
    report = session.get(TaskReport, int(row.params.get("report", 0)))
    if report is None or report.id is None:
        raise CannotRender("report is gone")
    return report


def _decided(report: TaskReport, tz: str, lang: str) -> str | None:
    return format_time(report.decided_at, tz, lang) if report.decided_at else None


def render_prompts(
    session: Session, rows: Sequence[Delivery], settings: JobSettings
) -> list[Rendered | CannotRender]:
    """The daily prompt in each reader's language, their languages read in one statement."""
    found = people.readers(
        session, {r.recipient for r in rows}, settings.language, settings.timezone
    )
    return [Rendered(build_prompt(found[r.recipient][0])) for r in rows]


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
