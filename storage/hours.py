"""Dated working-hour periods (`rekan hours add 2027-02-18 2027-03-20 08:00-15:00 --name
Ramadan`): on their days the helpdesk's clock counts these hours, and the daily prompts and
check-ins move with them. Periods never overlap, so a day has one set of hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from storage.errors import DomainError, NotFound
from storage.models import HourPeriod
from storage.worktime import DAY_MINUTES, Period, clock_text, parse_hours

NAME_MAX = 100


def add(
    *, session: Session, starts: date, ends: date, hours: str, name: str, now: datetime
) -> HourPeriod:
    """Keep a period; refused (nothing stored) when it ends before it starts, its hours are
    malformed, or it overlaps another."""
    if ends < starts:
        raise DomainError("hours.end_before_start", starts=starts, ends=ends)
    try:
        opens, closes = parse_hours(hours)
    except ValueError:
        raise DomainError("hours.bad_hours", value=hours) from None
    name = " ".join(name.split())[:NAME_MAX] or f"{starts.isoformat()}"
    clash = session.exec(
        select(HourPeriod).where(HourPeriod.starts <= ends, HourPeriod.ends >= starts)
    ).first()
    if clash is not None:
        raise DomainError(
            "hours.overlap",
            name=clash.name,
            starts=clash.starts.isoformat(),
            ends=clash.ends.isoformat(),
        )
    row = HourPeriod(name=name, starts=starts, ends=ends, opens=opens, closes=closes)
    row.created_at = now
    session.add(row)
    session.flush()
    return row


def listing(session: Session) -> Sequence[HourPeriod]:
    return session.exec(select(HourPeriod).order_by(col(HourPeriod.starts))).all()


def remove(*, session: Session, name: str) -> HourPeriod:
    """Remove the period named `name` (or starting on that date, written YYYY-MM-DD)."""
    wanted = " ".join(name.split())
    rows = [r for r in listing(session) if r.name == wanted or r.starts.isoformat() == wanted]
    if not rows:
        raise NotFound("hours.unknown", name=wanted)
    if len(rows) > 1:
        raise DomainError("hours.ambiguous", name=wanted)
    session.delete(rows[0])
    session.flush()
    return rows[0]


def periods(session: Session) -> list[Period]:
    """Every period, as the working-time clock reads them."""
    return [Period(r.name, r.starts, r.ends, r.opens, r.closes) for r in listing(session)]


def hours_text(row: HourPeriod) -> str:
    return f"{clock_text(row.opens)}-{clock_text(row.closes)}"


def shifted(at: time, day: date, *, periods: Sequence[Period], work_start: time) -> time:
    """A daily send time (the task prompt, the check-in) on `day`: moved with the period that
    covers the day by as much as its opening moves from the company's (09:00 → 08:00 moves
    10:00 to 09:00), kept inside the period's hours; unchanged outside any period."""
    period = next((p for p in periods if p.covers(day)), None)
    if period is None:
        return at
    moved = at.hour * 60 + at.minute + period.opens - (work_start.hour * 60 + work_start.minute)
    latest = min(period.closes, DAY_MINUTES) - 1
    minutes = max(period.opens, min(moved, latest))
    return (datetime.combine(day, time(0)) + timedelta(minutes=minutes)).time()
