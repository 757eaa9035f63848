"""Erasure (UU PDP: the right to have personal data erased). The person's check-in answers,
notes, consents, follow-ups, task days, delegations and roles are deleted; everywhere else
(tickets, their conversation, the outbox, tables added later) the person's Slack id, name and
email become a pseudonym, found by sweeping every text column the tables declare. The person's
own row stays: someone still employed keeps their account (name and email come from Slack).
The audit trail keeps its rows, with the subject's id replaced by the pseudonym."""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, func, or_, select, update
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sm_select

from storage import audit, people
from storage.checkins import followup_copies
from storage.errors import DomainError
from storage.models import (
    DELIVERY_SENDING,
    DELIVERY_SENT,
    OPEN_STATES,
    ROLE_ADMIN,
    CheckinAnswer,
    CheckinNote,
    Delegate,
    Delivery,
    FollowUp,
    PendingForm,
    Person,
    Role,
    TaskItem,
    TaskReport,
    Ticket,
)
from storage.types import STATE_OUTAGE

ERASED_NAME = "erased person"
T_ERASED = "privacy.erased"  # what a blanked message of Rekan's says now
CHECKIN_TEMPLATES = ("checkin.ask", "checkin.reminder")
NAME_MIN = 3  # a shorter name would match inside ordinary words
# Not swept: the person's own account (kept), and the audit trail (its subject column only).
NOT_SWEPT = frozenset({"person", "audit"})


@dataclass
class Erased:
    """What an erasure did: rows deleted by kind, values pseudonymised by table, and the
    messages of Rekan's to blank in Slack (delivery ids)."""

    slack_id: str
    pseudonym: str
    deleted: Counter[str] = field(default_factory=Counter)
    pseudonymised: Counter[str] = field(default_factory=Counter)
    tickets: list[int] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)


def new_pseudonym() -> str:
    """Stable within the erasure (every table gets the same one), random across erasures so
    it cannot be worked back to the Slack id. Never shaped like a Slack user id (U…/W…)."""
    return "ERASED" + secrets.token_hex(5).upper()


def check(session: Session, slack_id: str) -> Person:
    """The person to erase, or the reason not to: unknown, the last admin, or an agent still
    holding open tickets (which would be left with nobody: reassign them first)."""
    person = people.require(session, slack_id)
    admins = [p.slack_id for _, p in people.list_role(session, ROLE_ADMIN)]
    if admins == [slack_id]:
        raise DomainError("privacy.last_admin", slack_id=slack_id)
    held = session.exec(
        sm_select(Ticket.id)
        .where(Ticket.agent_id == slack_id, col(Ticket.state).in_(OPEN_STATES))
        .order_by(col(Ticket.id))
    ).all()
    if held:
        numbers = ", ".join(f"#{n}" for n in held)
        raise DomainError("privacy.holds_tickets", slack_id=slack_id, numbers=numbers)
    # their own open reports would go on talking to a pseudonym nobody reads: close them first
    filed = session.exec(
        sm_select(Ticket.id)
        .where(
            Ticket.reporter_id == slack_id,
            col(Ticket.state).in_((*OPEN_STATES, STATE_OUTAGE)),
        )
        .order_by(col(Ticket.id))
    ).all()
    if filed:
        numbers = ", ".join(f"#{n}" for n in filed)
        raise DomainError("privacy.files_open_tickets", slack_id=slack_id, numbers=numbers)
    return person


def erase(*, session: Session, slack_id: str, now: datetime, actor: str) -> Erased:
    """Erase one person's history (see the module). All or nothing in the caller's transaction."""
    person = check(session, slack_id)
    done = Erased(slack_id, new_pseudonym())
    _messages(session, slack_id, done)
    _delete_history(session, slack_id, done, now=now, actor=actor)
    session.add(
        Person(
            slack_id=done.pseudonym,
            name=ERASED_NAME,
            active=False,
            checkin_opt_out=True,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    done.tickets = [
        int(i)
        for i in session.exec(
            sm_select(Ticket.id).where(
                or_(
                    col(Ticket.reporter_id) == slack_id,
                    col(Ticket.agent_id) == slack_id,
                    col(Ticket.resolved_by) == slack_id,
                )
            )
        ).all()
        if i is not None
    ]
    needles = _needles(slack_id, person.name, person.email, done.pseudonym)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in NOT_SWEPT:
            _sweep(session, table, needles, done)
    audit.pseudonymise(session, slack_id=slack_id, pseudonym=done.pseudonym)
    audit.record(session, actor=actor, action=audit.ERASE, now=now, subject=done.pseudonym)
    return done


def _messages(session: Session, slack_id: str, done: Erased) -> None:
    """Rekan's own messages showing the check-ins: the person's check-in DMs and HR's copies of
    their follow-ups; and those showing a task day of theirs. Posted ones (and those being
    posted) are to be blanked (redrawn from the T_ERASED template); unposted ones are dropped."""
    ids: list[int] = []
    for followup in session.exec(sm_select(FollowUp.id).where(FollowUp.slack_id == slack_id)):
        ids += followup_copies(session, followup or 0)
    ids += [
        int(i)
        for i in session.exec(
            sm_select(Delivery.id).where(
                Delivery.recipient == slack_id, col(Delivery.template).in_(CHECKIN_TEMPLATES)
            )
        ).all()
        if i is not None
    ]
    for report in session.exec(sm_select(TaskReport.id).where(TaskReport.slack_id == slack_id)):
        # a task day's messages (the lead's approval, the person's own copy, the decision)
        ids += [
            int(i)
            for i in session.exec(
                sm_select(Delivery.id).where(
                    col(Delivery.key).startswith(f"tasks:{report}:", autoescape=True)
                )
            )
            if i is not None
        ]
    for row in session.exec(sm_select(Delivery).where(col(Delivery.id).in_(ids))).all():
        # one being posted right now is kept too: it may show them, and is blanked once sent
        if row.state == DELIVERY_SENDING or (row.state == DELIVERY_SENT and row.channel and row.ts):
            row.template, row.params = T_ERASED, {}
            session.add(row)
            done.blank.append(row.id or 0)
        else:
            session.delete(row)
            done.deleted["unsent_messages"] += 1
    session.flush()


def _delete_history(
    session: Session, slack_id: str, done: Erased, *, now: datetime, actor: str
) -> None:
    def gone(kind: str, statement: Any) -> None:
        done.deleted[kind] += int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]

    gone("answers", delete(CheckinAnswer).where(col(CheckinAnswer.slack_id) == slack_id))
    gone("notes", delete(CheckinNote).where(col(CheckinNote.slack_id) == slack_id))
    gone("consents", delete(FollowUp).where(col(FollowUp.slack_id) == slack_id))
    reports = [
        r
        for r in session.exec(sm_select(TaskReport.id).where(TaskReport.slack_id == slack_id)).all()
        if r is not None
    ]
    if reports:
        gone("tasks", delete(TaskItem).where(col(TaskItem.report_id).in_(reports)))
        gone("task_days", delete(TaskReport).where(col(TaskReport.id).in_(reports)))
    gone(
        "delegations",
        delete(Delegate).where(
            or_(col(Delegate.lead_id) == slack_id, col(Delegate.delegate_id) == slack_id)
        ),
    )
    gone("forms", delete(PendingForm).where(col(PendingForm.reporter_id) == slack_id))
    for role in session.exec(sm_select(Role).where(Role.slack_id == slack_id)).all():
        if role.role != "agent":
            audit.record(
                session,
                actor=actor,
                action=audit.ROLE,
                now=now,
                subject=slack_id,
                ref=f"remove:{role.role}",
            )
        session.delete(role)
        done.deleted["roles"] += 1
    session.flush()


def _needles(
    slack_id: str, name: str, email: str | None, pseudonym: str
) -> list[tuple[str, re.Pattern[str], str]]:
    """(what to look for in SQL, the exact pattern, its replacement)."""
    found = [
        (slack_id, re.compile(rf"(?<![A-Za-z0-9]){re.escape(slack_id)}(?![A-Za-z0-9])"), pseudonym)
    ]
    if email:
        found.append((email, re.compile(re.escape(email), re.IGNORECASE), pseudonym))
    if len(name.strip()) >= NAME_MIN and name.strip() != slack_id:
        pattern = re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
        found.append((name.strip(), pattern, ERASED_NAME))
    return found


def is_text(column: Any) -> bool:
    """Whether a column holds text or JSON (SQLModel's AutoString wraps String)."""
    kind = getattr(column.type, "impl_instance", column.type)
    return isinstance(kind, String | Text | JSON)


def is_json(column: Any) -> bool:
    return isinstance(getattr(column.type, "impl_instance", column.type), JSON)


def text_columns(table: Table) -> list[Any]:
    """Every column of the table that holds text or JSON: where a name or an id could be."""
    return [c for c in table.columns if is_text(c)]


def _sweep(
    session: Session, table: Table, needles: list[tuple[str, re.Pattern[str], str]], done: Erased
) -> None:
    keys = list(table.primary_key.columns)
    for column in text_columns(table):
        as_json = is_json(column)
        as_text = cast(column, Text) if as_json else column
        wanted = or_(
            *(func.lower(as_text).contains(n.lower(), autoescape=True) for n, _, _ in needles)
        )
        rows = session.execute(select(*keys, column).where(wanted)).all()
        for row in rows:
            value = row[-1]
            raw = json.dumps(value, ensure_ascii=False) if as_json else str(value)
            new = raw
            for _, pattern, replacement in needles:
                new = pattern.sub(replacement, new)
            if new == raw:
                continue
            where = [k == row[i] for i, k in enumerate(keys)]
            session.execute(
                update(table)
                .where(*where)
                .values({column.name: json.loads(new) if as_json else new})
            )
            done.pseudonymised[table.name] += 1
