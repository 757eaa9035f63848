"""What Rekan holds about one person (UU PDP: the right of access and to a copy): the export
as plain JSON-ready data, and the short summary the Home tab shows. Only the person's own
data: tickets they handled for others are listed by number and state, without others' words."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage import people
from storage.models import (
    Audit,
    CheckinAnswer,
    CheckinNote,
    CheckinRound,
    FollowUp,
    Role,
    TaskItem,
    TaskReport,
    Ticket,
    TicketMessage,
)

EXPORT_VERSION = 1


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(session: Session, *, slack_id: str, now: datetime) -> dict[str, Any]:
    """Everything Rekan holds about this person, in one JSON-ready document."""
    person = people.require(session, slack_id)
    periods = {r.key: r.period for r in session.exec(select(CheckinRound)).all()}
    rounds: dict[str, dict[str, Any]] = defaultdict(lambda: {"answers": {}, "note": None})
    for answer in session.exec(select(CheckinAnswer).where(CheckinAnswer.slack_id == slack_id)):
        rounds[answer.round_key]["answers"][answer.question] = answer.score
        rounds[answer.round_key]["answered_at"] = _when(answer.answered_at)
    for note in session.exec(select(CheckinNote).where(CheckinNote.slack_id == slack_id)):
        rounds[note.round_key]["note"] = note.note
    filed = session.exec(
        select(Ticket).where(Ticket.reporter_id == slack_id).order_by(col(Ticket.id))
    ).all()
    own_words: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for message in session.exec(
        select(TicketMessage)
        .where(TicketMessage.author_id == slack_id, col(TicketMessage.deleted_at).is_(None))
        .order_by(col(TicketMessage.id))
    ):
        own_words[message.ticket_id].append(
            {"at": _when(message.created_at), "kind": message.kind, "text": message.text}
        )
    handled = session.exec(
        select(Ticket)
        .where(
            or_(col(Ticket.agent_id) == slack_id, col(Ticket.resolved_by) == slack_id),
            col(Ticket.reporter_id) != slack_id,
        )
        .order_by(col(Ticket.id))
    ).all()
    reports = session.exec(
        select(TaskReport).where(TaskReport.slack_id == slack_id).order_by(col(TaskReport.day))
    ).all()
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if reports:
        for item in session.exec(
            select(TaskItem)
            .where(col(TaskItem.report_id).in_([r.id for r in reports]))
            .order_by(col(TaskItem.position))
        ):
            items[item.report_id].append({"text": item.text, "done": item.done})
    return {
        "format": "rekan-personal-data",
        "version": EXPORT_VERSION,
        "generated_at": now.isoformat(),
        "profile": {
            "slack_id": person.slack_id,
            "name": person.name,
            "email": person.email,
            "team": person.team,
            "lead_slack_id": person.lead_slack_id,
            "timezone": person.timezone,
            "language": person.language,
            "active": person.active,
            "away_since": _when(person.away_since),
            "away_until": _when(person.away_until),
            "checkins_stopped": person.checkin_opt_out,
            "known_since": _when(person.created_at),
        },
        "roles": [
            {"role": r.role, "tier": r.tier, "since": _when(r.created_at)}
            for r in session.exec(select(Role).where(Role.slack_id == slack_id)).all()
        ],
        "tickets_filed": [
            {
                "number": t.id,
                "summary": t.summary,
                "details": t.details,
                "category": t.category,
                "location": t.location,
                "urgency": t.urgency,
                "state": t.state,
                "filed_at": _when(t.created_at),
                "resolution": t.resolution,
                "my_messages": own_words.get(t.id or 0, []),
            }
            for t in filed
        ],
        "tickets_handled": [
            {
                "number": t.id,
                "state": t.state,
                "filed_at": _when(t.created_at),
                "my_messages": own_words.get(t.id or 0, []),
            }
            for t in handled
        ],
        "checkins": [
            {"round": key, "period": periods.get(key, key), **values}
            for key, values in sorted(rounds.items())
        ],
        "consents": [
            {
                "round": f.round_key,
                "asked_at": _when(f.created_at),
                "contacted_by": f.contacted_by,
                "contacted_at": _when(f.contacted_at),
                "withdrawn_at": _when(f.withdrawn_at),
            }
            for f in session.exec(
                select(FollowUp).where(FollowUp.slack_id == slack_id).order_by(col(FollowUp.id))
            ).all()
        ],
        "task_days": [
            {
                "day": _when(r.day),
                "round": r.round,
                "state": r.state,
                "lead": r.lead_id,
                "note": r.note,
                "submitted_at": _when(r.submitted_at),
                "decided_by": r.decided_by,
                "comment": r.comment,
                "tasks": items.get(r.id or 0, []),
            }
            for r in reports
        ],
        "accesses": [
            {"at": _when(a.at), "action": a.action, "by": a.actor}
            for a in session.exec(
                select(Audit).where(Audit.subject == slack_id).order_by(col(Audit.id))
            ).all()
        ],
    }


def summary(session: Session, *, slack_id: str) -> dict[str, int]:
    """How much of each kind Rekan holds about this person (the Home tab's "My data")."""

    def count(query: Any) -> int:
        return int(session.exec(query).one() or 0)

    return {
        "roles": count(select(func.count()).where(Role.slack_id == slack_id)),
        "tickets_filed": count(select(func.count()).where(Ticket.reporter_id == slack_id)),
        "tickets_handled": count(
            select(func.count()).where(
                Ticket.agent_id == slack_id, col(Ticket.reporter_id) != slack_id
            )
        ),
        "answers": count(select(func.count()).where(CheckinAnswer.slack_id == slack_id)),
        "notes": count(select(func.count()).where(CheckinNote.slack_id == slack_id)),
        "consents": count(select(func.count()).where(FollowUp.slack_id == slack_id)),
        "task_days": count(select(func.count()).where(TaskReport.slack_id == slack_id)),
    }
