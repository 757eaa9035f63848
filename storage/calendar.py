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
