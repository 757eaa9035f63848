"""The audit trail (UU PDP): every access to someone else's identifiable personal data, one
append-only row each. Rows carry Slack ids and an action word, nothing else about a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.errors import DomainError
from storage.models import Audit

FOLLOWUP = "followup"  # a follow-up copy (scores, note) goes to an HR member
CONTACTED = "contacted"  # HR marks a follow-up contacted
EXPORT = "export"  # an admin exports a person's data
ERASE = "erase"  # an admin erases a person's history
REPORT = "report"  # a wellbeing report run or sent
ROLE = "role"  # HR or admin granted or removed
ACTIONS = (FOLLOWUP, CONTACTED, EXPORT, ERASE, REPORT, ROLE)
CLI = "cli"  # the actor of a command run on the server (an operator with the database)
REKAN = "rekan"  # the actor of a scheduled job


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    subject: str | None = None,
    ref: str | None = None,
) -> None:
    """Append one row, in the caller's transaction (so the access and its trace commit together)."""
    if action not in ACTIONS:
        raise DomainError("audit.bad_action", action=action)
    session.add(Audit(at=now, actor=actor[:32], action=action, subject=subject, ref=ref))


def listing(
    session: Session, *, since: datetime | None = None, actor: str | None = None
) -> Sequence[Audit]:
    """Rows oldest first, optionally from a moment on and of one actor."""
    query = select(Audit).order_by(col(Audit.at), col(Audit.id))
    if since is not None:
        query = query.where(col(Audit.at) >= since)
    if actor is not None:
        query = query.where(Audit.actor == actor)
    return session.exec(query).all()


def pseudonymise(session: Session, *, slack_id: str, pseudonym: str) -> int:
    """On erasure the subject's id becomes the pseudonym (the trail itself stays)."""
    result = session.execute(
        update(Audit).where(col(Audit.subject) == slack_id).values(subject=pseudonym)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_older_than(session: Session, *, before: datetime) -> int:
    """Retention (REKAN_AUDIT_RETENTION_MONTHS): the only way rows ever leave."""
    result = session.execute(delete(Audit).where(col(Audit.at) < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
