"""Workdays and working hours on the company clock: weekends, Indonesian public holidays
including cuti bersama (collective leave), and company days off."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

# Cuti bersama (collective leave) are days off for the whole company unless it works them
# (REKAN_CUTI_BERSAMA=off): a company setting, set once at start (bot.config), read here by
# every clock — prompts, check-ins, waiting tickets and the helpdesk's service levels.
_CUTI_BERSAMA = {"on": True}


def set_cuti_bersama(on: bool) -> None:
    _CUTI_BERSAMA["on"] = on


def cuti_bersama() -> bool:
    return _CUTI_BERSAMA["on"]


def public_holidays(year: int, cuti_bersama: bool | None = None) -> dict[date, str]:
    """Indonesia's public holidays of `year`, with cuti bersama unless the company works them
    (`cuti_bersama`, default: the company setting)."""
    return _holidays(year, _CUTI_BERSAMA["on"] if cuti_bersama is None else cuti_bersama)


@lru_cache(maxsize=32)
def _holidays(year: int, with_cuti_bersama: bool) -> dict[date, str]:
    # cuti bersama are the library's "government" category
    categories = ("public", "government") if with_cuti_bersama else ("public",)
    return dict(holidays.country_holidays("ID", years=year, categories=categories).items())


class HoursPeriod(Protocol):
    """Dated working hours (storage.worktime.Period): minutes after midnight on its days."""

    @property
    def opens(self) -> int: ...
    @property
    def closes(self) -> int: ...
    def covers(self, day: date) -> bool: ...


def day_hours(
    day: date, work_start: time, work_end: time, periods: Sequence[HoursPeriod] = ()
) -> tuple[time, time]:
    """The working hours of `day`: a dated period's (`rekan hours`) when one covers it."""
    period = next((p for p in periods if p.covers(day)), None)
    if period is None:
        return work_start, work_end
    close = time(23, 59, 59) if period.closes >= 24 * 60 else _time(period.closes)
    return _time(period.opens), close


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


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
    moment: datetime,
    *,
    work_start: time,
    work_end: time,
    days_off: Collection[date] = (),
    periods: Sequence[HoursPeriod] = (),
) -> datetime:
    """`moment` itself when it falls within working hours of a workday on its own clock (its
    tzinfo: the reader's zone), else the next opening. Scheduled messages wait for it. A
    dated period (`rekan hours`) gives its days other hours."""
    tz = moment.tzinfo
    day = moment.date()
    for _ in range(370):  # a year of days off at most
        if is_workday(day, days_off):
            opens, closes = day_hours(day, work_start, work_end, periods)
            close_at = datetime.combine(day, closes, tz)
            if moment < close_at:
                return max(moment, datetime.combine(day, opens, tz))
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
