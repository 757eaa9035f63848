"""Workdays and working hours on the company clock: weekends, Indonesian public holidays
including cuti bersama (collective leave), and company days off."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=16)
def public_holidays(year: int) -> dict[date, str]:
    """Indonesia's public holidays and cuti bersama of `year` (the latter need "government")."""
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return dict(found.items())


def is_workday(day: date, days_off: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in days_off


def working_seconds(
    start: datetime,
    end: datetime,
    *,
    tz: ZoneInfo,
    work_start: time,
    work_end: time,
    days_off: Collection[date] = (),
) -> float:
    """Seconds between two moments that fall within working hours on workdays."""
    if end <= start:
        return 0.0
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if is_workday(day, days_off):
            open_at = datetime.combine(day, work_start, tz)
            close_at = datetime.combine(day, work_end, tz)
            lo, hi = max(open_at, local_start), min(close_at, local_end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def next_working_moment(
    moment: datetime, *, work_start: time, work_end: time, days_off: Collection[date] = ()
) -> datetime:
    """`moment` itself when it falls within working hours of a workday on its own clock (its
    tzinfo: the reader's zone), else the next opening. Scheduled messages wait for it."""
    tz = moment.tzinfo
    day = moment.date()
    for _ in range(370):  # a year of days off at most
        if is_workday(day, days_off):
            close_at = datetime.combine(day, work_end, tz)
            if moment < close_at:
                return max(moment, datetime.combine(day, work_start, tz))
        day += timedelta(days=1)
    return moment


def send_deadline(
    planned: datetime, *, grace: timedelta, work_start: time, work_end: time
) -> datetime:
    """The last moment a daily message planned for `planned` (on the reader's clock) may still
    go: `grace` after it was due (or after the opening, if planned before it), never past that
    day's end of working hours. Later, it is skipped for the day."""
    tz = planned.tzinfo
    start = max(planned, datetime.combine(planned.date(), work_start, tz))
    return min(start + grace, datetime.combine(planned.date(), work_end, tz))
