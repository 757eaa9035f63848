"""A report filed while an outage is active: the outage it belongs to, and linking it — a
report, not a ticket of its own (no card, no ticket DM, no turn of the rotation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.matching import DEFAULT_THRESHOLDS, Report, Thresholds, Verdict, judge
from storage.models import Outage, OutageMember
from storage.outages.messages import enqueue_notice
from storage.types import OUTAGE_ACTIVE

# The owner's card shows how many people are affected; during a burst it is redrawn at most
# this often (chat.update allows about 50 calls a minute per workspace).
CARD_EVERY = timedelta(seconds=5)
MATCH_TEXTS = 5  # reports of the outage a new report is compared with


def match_texts(outage: Outage) -> list[str]:
    return [line for line in outage.match_text.split("\n") if line.strip()][:MATCH_TEXTS]


def active_for(
    session: Session, report: Report, *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Outage | None:
    """The active outage a new report belongs to: one on a resource the report names
    (whatever else it says), else one without a resource whose reports it repeats
    (the repeat matcher's certain verdict, across reporters)."""
    active = session.exec(
        select(Outage).where(Outage.state == OUTAGE_ACTIVE).order_by(col(Outage.id))
    ).all()
    for outage in active:
        if outage.resource_id is not None and outage.resource_id in report.resources:
            return still_active(session, outage.id or 0)
    for outage in active:
        if outage.resource_id is not None:
            continue
        for text in match_texts(outage):
            if judge(report, Report(text), thresholds).verdict is Verdict.CERTAIN:
                return still_active(session, outage.id or 0)
    return None


def still_active(session: Session, outage_id: int) -> Outage | None:
    """The outage, read again under a key-share lock, if it is still active. Reports and
    "me too" share the lock with one another; resolving takes it exclusively, so nothing
    joins an outage while it is being resolved, or after (PostgreSQL; SQLite has one writer)."""
    query = (
        select(Outage)
        .where(Outage.id == outage_id)
        .with_for_update(read=True, key_share=True)
        .execution_options(populate_existing=True)
    )
    outage = session.exec(query).first()
    return outage if outage is not None and outage.state == OUTAGE_ACTIVE else None


def join(
    session: Session, outage_id: int, slack_id: str, *, ticket_id: int | None, now: datetime
) -> bool:
    """Count `slack_id` among the people the outage affects; False if they already were
    (a "me too" who then reports has their report kept, for its Reopen)."""
    member = session.get(OutageMember, (outage_id, slack_id))
    if member is not None:
        if member.ticket_id is None and ticket_id is not None:
            member.ticket_id = ticket_id
            session.add(member)
        return False
    session.add(
        OutageMember(outage_id=outage_id, slack_id=slack_id, ticket_id=ticket_id, joined_at=now)
    )
    return True


def card_due(session: Session, outage_id: int, *, now: datetime) -> datetime | None:
    """Ask for the owner's card to be redrawn: returns when, if this call is the one that
    asked (the caller schedules it); None when a redraw is already due (it will show this
    change too). Read first so a burst of reports does not queue on the outage's row."""
    due = session.exec(select(Outage.card_due_at).where(Outage.id == outage_id)).first()
    if due is not None:
        return None
    at = now + CARD_EVERY
    changed = session.exec(
        update(Outage)
        .where(col(Outage.id) == outage_id, col(Outage.card_due_at).is_(None))
        .values(card_due_at=at)
    )
    return at if changed.rowcount else None


def linked(
    session: Session, outage: Outage, *, ticket_id: int, reporter_id: str, now: datetime
) -> list[int]:
    """A report just filed as linked to `outage`: its reporter is affected, and hears so in a
    short DM. Returns the outbox rows."""
    assert outage.id is not None
    join(session, outage.id, reporter_id, ticket_id=ticket_id, now=now)
    session.flush()
    return [enqueue_notice(session, outage.id, ticket_id, reporter_id, now)]


def take_due(session: Session, outage_id: int, *, now: datetime) -> bool:
    """Claim a due redraw of the owner's card (one instance does it); the next report after
    this asks for another."""
    changed = session.exec(
        update(Outage)
        .where(
            col(Outage.id) == outage_id,
            col(Outage.card_due_at).is_not(None),
            col(Outage.card_due_at) <= now,
        )
        .values(card_due_at=None)
    )
    return bool(changed.rowcount)


def due_cards(session: Session, *, now: datetime) -> list[int]:
    """Outages whose card redraw is overdue (the instance that asked for it stopped)."""
    found = session.exec(
        select(Outage.id).where(
            col(Outage.card_due_at).is_not(None), col(Outage.card_due_at) <= now
        )
    ).all()
    return [int(i) for i in found if i is not None]
