"""Daily tasks: submissions, lead approval (with delegates and admins), progress, reports."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage import outbox, people
from storage.errors import DomainError, NotFound
from storage.models import (
    ROLE_ADMIN,
    TASKS_APPROVED,
    TASKS_CHANGES,
    TASKS_PENDING,
    Delegate,
    Person,
    TaskItem,
    TaskReport,
)
from storage.tables import for_update
from storage.tickets import AlreadyDone

MAX_ITEMS = 10  # a checkboxes element holds at most 10 options
ITEM_MAX = 200
NOTE_MAX = 2000
T_APPROVAL = "tasks.approval"
T_MINE = "tasks.mine"
T_DECISION = "tasks.decision"
T_CHANGED = "tasks.changed"
BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")


@dataclass
class Submitted:
    report: TaskReport
    replaced: bool
    deliveries: list[int] = field(default_factory=list)


def parse_items(text: str) -> list[str]:
    """One task per line; blank lines and leading bullets or numbers dropped."""
    return [
        BULLET.sub("", line).strip() for line in text.splitlines() if BULLET.sub("", line).strip()
    ]


def check_items(items: Sequence[str]) -> tuple[str, dict[str, object]] | None:
    """The catalog key and parameters of what is wrong with the list, or None."""
    if not items:
        return "tasks.empty", {}
    if len(items) > MAX_ITEMS:
        return "tasks.too_many", {"count": len(items), "limit": MAX_ITEMS}
    for number, item in enumerate(items, start=1):
        if len(item) > ITEM_MAX:
            return "tasks.too_long", {"line": number, "length": len(item), "limit": ITEM_MAX}
    return None


def current(session: Session, slack_id: str, day: date) -> TaskReport | None:
    return session.exec(
        select(TaskReport)
        .where(TaskReport.slack_id == slack_id, TaskReport.day == day)
        .order_by(col(TaskReport.round).desc())
    ).first()


def items_of(session: Session, report_id: int) -> list[TaskItem]:
    return list(
        session.exec(
            select(TaskItem).where(TaskItem.report_id == report_id).order_by(col(TaskItem.position))
        ).all()
    )


def admins(session: Session) -> list[str]:
    return [p.slack_id for _, p in people.list_role(session, ROLE_ADMIN)]


def _send(
    session: Session,
    report: TaskReport,
    what: str,
    template: str,
    recipient: str,
    now: datetime,
    **params: object,
) -> int:
    return outbox.enqueue(
        session,
        key=f"tasks:{report.id}:{what}:{recipient}:{report.changed}",
        recipient=recipient,
        template=template,
        params={"report": report.id, **params},
        now=now,
    )


def submit(
    *,
    session: Session,
    slack_id: str,
    day: date,
    items: Sequence[str],
    note: str | None,
    now: datetime,
) -> Submitted:
    """Today's list: replaces a pending one (the lead is told it changed); after a decision,
    starts a new approval."""
    problem = check_items(items)
    if problem is not None:
        raise DomainError(problem[0], **problem[1])
    person = session.exec(for_update(select(Person).where(Person.slack_id == slack_id))).first()
    if person is None or not person.lead_slack_id:
        raise DomainError(
            "tasks.no_lead", admins=", ".join(f"<@{a}>" for a in admins(session)) or "admin"
        )
    latest = current(session, slack_id, day)
    replaced = latest is not None and latest.state == TASKS_PENDING
    if latest is not None and replaced:
        report = latest
        report.changed += 1
        report.submitted_at = now
    else:
        report = TaskReport(
            slack_id=slack_id,
            day=day,
            round=(latest.round + 1) if latest else 1,
            lead_id=person.lead_slack_id,
            submitted_at=now,
        )
    report.note = (note or "").strip()[:NOTE_MAX] or None
    session.add(report)
    session.flush()
    assert report.id is not None
    # Keep the rows (and their ids) by position, so a tick on the list the person already has
    # still means the same task; a task whose text changed starts undone.
    existing = items_of(session, report.id) if replaced else []
    for position, text in enumerate(items):
        item = (
            existing[position]
            if position < len(existing)
            else TaskItem(report_id=report.id, position=position, text=text)
        )
        if item.text != text:
            item.text, item.done = text, False
        session.add(item)
    for extra in existing[len(items) :]:
        session.delete(extra)
    session.flush()
    deliveries = []
    if replaced:
        deliveries.append(_send(session, report, "changed", T_CHANGED, report.lead_id, now))
    else:
        deliveries.append(_send(session, report, "approval", T_APPROVAL, report.lead_id, now))
        deliveries.append(_send(session, report, "mine", T_MINE, slack_id, now))
    return Submitted(report, replaced, deliveries)


def delegation(session: Session, lead_id: str, today: date) -> Delegate | None:
    """The lead's delegation when it still runs today."""
    row = session.get(Delegate, lead_id)
    return row if row is not None and row.until >= today else None


def delegate_of(session: Session, lead_id: str, today: date) -> str | None:
    row = delegation(session, lead_id, today)
    return row.delegate_id if row is not None else None


def may_decide(session: Session, report: TaskReport, actor: str, today: date) -> bool:
    """The lead, their running delegate or an admin — never the person whose tasks they are."""
    if actor == report.slack_id:
        return False
    return (
        actor == report.lead_id
        or actor == delegate_of(session, report.lead_id, today)
        or people.has_role(session, actor, ROLE_ADMIN)
    )


def get(session: Session, report_id: int) -> TaskReport:
    report = session.get(TaskReport, report_id)
    if report is None:
        raise NotFound("tasks.unknown")
    return report


def check_decide(session: Session, report: TaskReport, actor: str, today: date) -> None:
    # Permission first: who decided, and when, is not told to someone who may not decide.
    if actor == report.slack_id:
        raise DomainError("tasks.own_report")
    if not may_decide(session, report, actor, today):
        raise DomainError("tasks.not_lead", lead=report.lead_id)
    if report.state != TASKS_PENDING:
        raise AlreadyDone(
            "tasks.already_decided",
            by=report.decided_by or "-",
            at=report.decided_at,
            state=report.state,
        )


def decide(
    *,
    session: Session,
    report_id: int,
    actor: str,
    approve: bool,
    comment: str | None,
    now: datetime,
    today: date,
) -> TaskReport:
    report = session.exec(for_update(select(TaskReport).where(TaskReport.id == report_id))).first()
    if report is None:
        raise NotFound("tasks.unknown")
    check_decide(session, report, actor, today)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("tasks.comment_required")
    report.state = TASKS_APPROVED if approve else TASKS_CHANGES
    report.decided_by, report.decided_at, report.comment = actor, now, comment[:NOTE_MAX] or None
    session.add(report)
    session.flush()
    _send(session, report, "decision", T_DECISION, report.slack_id, now)
    return report


def decision_delivery(session: Session, report: TaskReport) -> int | None:
    row = outbox.by_key(session, f"tasks:{report.id}:decision:{report.slack_id}:{report.changed}")
    return row.id if row is not None else None


def set_done(*, session: Session, report_id: int, actor: str, done: set[int]) -> TaskReport:
    report = get(session, report_id)
    if actor != report.slack_id:
        raise DomainError("tasks.not_yours")
    for item in items_of(session, report_id):
        item.done = item.id in done
        session.add(item)
    return report


def set_delegate(
    *, session: Session, lead_id: str, delegate_id: str, until: date, today: date
) -> Delegate:
    for sid in (lead_id, delegate_id):
        people.require(session, sid)
    if lead_id == delegate_id:
        raise DomainError("tasks.self_delegate")
    if until < today:
        raise DomainError("error.until_past", until=until.isoformat())
    row = session.get(Delegate, lead_id) or Delegate(
        lead_id=lead_id, delegate_id=delegate_id, until=until
    )
    row.delegate_id, row.until = delegate_id, until
    session.add(row)
    return row


def pending_for(
    session: Session, lead_id: str, *, before: date | None = None
) -> Sequence[TaskReport]:
    query = select(TaskReport).where(
        TaskReport.lead_id == lead_id, TaskReport.state == TASKS_PENDING
    )
    if before is not None:
        query = query.where(col(TaskReport.day) < before)
    return session.exec(query.order_by(col(TaskReport.day), col(TaskReport.id))).all()


def recent(session: Session, slack_id: str, limit: int = 5) -> Sequence[TaskReport]:
    return session.exec(
        select(TaskReport)
        .where(TaskReport.slack_id == slack_id)
        .order_by(col(TaskReport.day).desc(), col(TaskReport.round).desc())
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class PersonStats:
    team: str
    slack_id: str
    name: str
    days: int
    approved: int
    changes: int
    median_minutes: float | None


def stats(
    session: Session, *, team: str | None = None, since: date | None = None
) -> list[PersonStats]:
    query = select(TaskReport, Person).join(
        Person, col(Person.slack_id) == col(TaskReport.slack_id)
    )
    if team is not None:
        query = query.where(Person.team == team)
    if since is not None:
        query = query.where(col(TaskReport.day) >= since)
    rows: dict[str, list[TaskReport]] = {}
    names: dict[str, Person] = {}
    for report, person in session.exec(query).all():
        rows.setdefault(person.slack_id, []).append(report)
        names[person.slack_id] = person
    result = []
    for sid, reports in sorted(
        rows.items(), key=lambda kv: ((names[kv[0]].team or ""), names[kv[0]].name)
    ):
        waits = [
            (r.decided_at - r.submitted_at).total_seconds() / 60 for r in reports if r.decided_at
        ]
        result.append(
            PersonStats(
                names[sid].team or "-",
                sid,
                names[sid].name,
                len({r.day for r in reports}),
                sum(1 for r in reports if r.state == TASKS_APPROVED),
                sum(1 for r in reports if r.state == TASKS_CHANGES),
                statistics.median(waits) if waits else None,
            )
        )
    return result
