"""Campaigns: one scheduled run per job and period, claimed in the database with a lease,
and its delivery rows written once per recipient before anything is posted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage import outbox
from storage.models import (
    CAMPAIGN_DONE,
    CAMPAIGN_SENDING,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
    Campaign,
    DayOff,
    Delivery,
)
from storage.tables import for_update


def key_of(job: str, period: str) -> str:
    return f"{job}:{period}"


def claim(
    session: Session, *, job: str, period: str, owner: str, now: datetime, lease: timedelta
) -> Campaign | None:
    """Take the campaign's lease (creating the campaign the first time); None when another
    instance holds a live lease or the campaign is done."""
    key = key_of(job, period)
    row = session.exec(for_update(select(Campaign).where(Campaign.key == key))).first()
    if row is None:
        row = Campaign(
            key=key,
            job=job,
            period=period,
            lease_owner=owner,
            lease_until=now + lease,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return None  # another instance created it a moment ago and holds it
        return row
    if row.state == CAMPAIGN_DONE:
        return None
    if row.lease_owner != owner and row.lease_until is not None and row.lease_until > now:
        return None
    row.lease_owner, row.lease_until = owner, now + lease
    session.add(row)
    return row


def renew(session: Session, key: str, *, owner: str, now: datetime, lease: timedelta) -> bool:
    result = session.execute(
        update(Campaign)
        .where(col(Campaign.key) == key, col(Campaign.lease_owner) == owner)
        .values(lease_until=now + lease)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, key: str, *, owner: str) -> None:
    session.execute(
        update(Campaign)
        .where(col(Campaign.key) == key, col(Campaign.lease_owner) == owner)
        .values(lease_owner=None, lease_until=None)
    )


def fan_out(
    session: Session,
    key: str,
    *,
    template: str,
    recipients: Sequence[tuple[str, datetime]],
    params: dict[str, Any],
    now: datetime,
    deadlines: Mapping[str, datetime] | None = None,
) -> int:
    """One delivery row per (campaign, recipient), due at the given moment; rows that exist
    already stay as they are. A recipient's deadline (a daily message) goes in the row's
    params as `not_after`. Returns how many were written."""
    existing = set(session.exec(select(Delivery.recipient).where(Delivery.campaign == key)).all())
    new = [
        outbox.NewMessage(
            key=f"{key}:{recipient}",
            recipient=recipient,
            template=template,
            params=_with_deadline(params, (deadlines or {}).get(recipient)),
            campaign=key,
            due=due,
        )
        for recipient, due in recipients
        if recipient not in existing
    ]
    outbox.enqueue_many(session, new, now=now)
    added = len(new)
    campaign = session.get(Campaign, key)
    if campaign is not None:
        campaign.state = CAMPAIGN_SENDING
        campaign.recipients = len(existing) + added
        session.add(campaign)
    session.flush()
    return added


SKIPPED_LATE = "skipped:late"
NOT_AFTER = "not_after"


def _with_deadline(params: dict[str, Any], deadline: datetime | None) -> dict[str, Any]:
    return params if deadline is None else {**params, NOT_AFTER: deadline.isoformat()}


def deadline_of(params: Mapping[str, Any]) -> datetime | None:
    raw = params.get(NOT_AFTER)
    return datetime.fromisoformat(str(raw)) if raw else None


def revive_late(session: Session, key: str, *, now: datetime) -> int:
    """Rows the scheduler skipped as too late: pending again and due now (`rekan jobs run`
    sends them), and their campaign open again if it had finished."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.campaign) == key,
            col(Delivery.state) == DELIVERY_FAILED,
            col(Delivery.error) == SKIPPED_LATE,
        )
        .values(state=DELIVERY_PENDING, error=None, next_attempt_at=now)
    )
    revived = int(result.rowcount or 0)  # type: ignore[attr-defined]
    campaign = session.get(Campaign, key)
    if revived and campaign is not None and campaign.state == CAMPAIGN_DONE:
        campaign.state, campaign.finished_at = CAMPAIGN_SENDING, None
        session.add(campaign)
    return revived


def bring_forward(session: Session, key: str, *, now: datetime) -> int:
    """Make every pending row of the campaign due now (`rekan jobs run`)."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.campaign) == key,
            col(Delivery.state) == DELIVERY_PENDING,
            col(Delivery.next_attempt_at) > now,
            col(Delivery.attempts) == 0,
        )
        .values(next_attempt_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def unfinished(session: Session, key: str) -> int:
    """Rows not yet sent or failed for good."""
    return len(
        session.exec(
            select(Delivery.id).where(
                Delivery.campaign == key,
                col(Delivery.state).in_((DELIVERY_PENDING, DELIVERY_SENDING)),
            )
        ).all()
    )


def finish(session: Session, key: str, *, now: datetime) -> None:
    campaign = session.get(Campaign, key)
    if campaign is not None and campaign.state != CAMPAIGN_DONE:
        campaign.state, campaign.finished_at = CAMPAIGN_DONE, now
        campaign.lease_owner = campaign.lease_until = None
        session.add(campaign)


def get(session: Session, key: str) -> Campaign | None:
    return session.get(Campaign, key)


def is_fanned(campaign: Campaign) -> bool:
    return campaign.state in (CAMPAIGN_SENDING, CAMPAIGN_DONE)


def days_off(session: Session, year: int | None = None) -> dict[date, str]:
    rows = session.exec(select(DayOff).order_by(col(DayOff.day))).all()
    return {r.day: r.name for r in rows if year is None or r.day.year == year}


def add_day_off(session: Session, *, day: date, name: str) -> DayOff:
    row = session.get(DayOff, day) or DayOff(day=day, name=name)
    row.name = name.strip() or row.name
    session.add(row)
    return row


def release_sending(session: Session, key: str, *, now: datetime) -> int:
    """Rows a dead holder left `sending`: pending again and uncertain, so they are looked
    for in the DM history before any resend. Called by the new lease holder."""
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.campaign) == key, col(Delivery.state) == DELIVERY_SENDING)
        .values(state=DELIVERY_PENDING, uncertain=True, next_attempt_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def next_due(session: Session, key: str) -> datetime | None:
    return session.exec(
        select(Delivery.next_attempt_at)
        .where(Delivery.campaign == key, Delivery.state == DELIVERY_PENDING)
        .order_by(col(Delivery.next_attempt_at))
    ).first()
