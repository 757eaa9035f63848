"""The helpdesk's working-time clock, which service levels count in: its own days and hours
(REKAN_DESK_DAYS, REKAN_DESK_HOURS, 00:00-24:00 for round the clock), public holidays and
company days off (REKAN_DESK_HOLIDAYS), cuti bersama (REKAN_CUTI_BERSAMA), and dated periods
of other hours (`rekan hours add`, e.g. Ramadan). Pure functions: moments in, moments out."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.calendar import public_holidays

DAY_MINUTES = 24 * 60
_SEARCH_DAYS = 800  # how far ahead a deadline is looked for (two years of days off at most)


@dataclass(frozen=True)
class Period:
    """Other working hours from `starts` to `ends` (both included), e.g. Ramadan's."""

    name: str
    starts: date
    ends: date
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight, up to 1440 (24:00)

    def covers(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class DeskClock:
    """The desk's working time on its own zone's clock."""

    tz: ZoneInfo
    days: frozenset[int] = frozenset(range(5))  # 0 = Monday
    opens: int = 9 * 60  # minutes after midnight
    closes: int = 17 * 60  # up to 1440: round the clock is 0-1440
    holidays: bool = True  # public holidays and company days off stop the clock
    cuti_bersama: bool = True
    days_off: Collection[date] = frozenset()
    periods: Sequence[Period] = field(default_factory=tuple)

    def hours_on(self, day: date) -> tuple[int, int] | None:
        """(opens, closes) in minutes on `day`, or None when the desk does not work that day."""
        if day.weekday() not in self.days:
            return None
        if self.holidays and (
            day in self.days_off or day in public_holidays(day.year, self.cuti_bersama)
        ):
            return None
        period = next((p for p in self.periods if p.covers(day)), None)
        return (period.opens, period.closes) if period else (self.opens, self.closes)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working interval of `day` as moments (UTC), or None."""
        hours = self.hours_on(day)
        if hours is None:
            return None
        midnight = datetime.combine(day, time(0), self.tz)
        # wall-clock minutes: on a day a zone changes its offset, the interval follows the clock
        start = _at(midnight, hours[0], self.tz)
        end = _at(midnight, hours[1], self.tz)
        return start, end

    def day_seconds(self) -> int:
        """A working day's length, for targets given in days ("1d")."""
        return (self.closes - self.opens) * 60


def _at(midnight: datetime, minutes: int, tz: ZoneInfo) -> datetime:
    if minutes >= DAY_MINUTES:
        return datetime.combine(midnight.date() + timedelta(days=1), time(0), tz)
    return datetime.combine(midnight.date(), time(minutes // 60, minutes % 60), tz)


def working_seconds(clock: DeskClock, start: datetime, end: datetime) -> float:
    """Working seconds between two moments."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(clock.tz).date()
    last = end.astimezone(clock.tz).date()
    while day <= last:
        window = clock.window(day)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def add_working(clock: DeskClock, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of working time after `start` (a target's deadline). Zero seconds
    from outside working hours is the next opening."""
    left = max(0.0, seconds)
    day = start.astimezone(clock.tz).date()
    for _ in range(_SEARCH_DAYS):
        window = clock.window(day)
        if window is not None:
            lo, hi = max(window[0], start), window[1]
            if hi > lo:
                available = (hi - lo).total_seconds()
                if left <= available:
                    return lo + timedelta(seconds=left)
                left -= available
        day += timedelta(days=1)
    raise ValueError("no working time found: the desk never works")


def is_working(clock: DeskClock, moment: datetime) -> bool:
    window = clock.window(moment.astimezone(clock.tz).date())
    return window is not None and window[0] <= moment < window[1]


def parse_days(raw: str) -> frozenset[int]:
    """'Mon-Fri', 'Mon-Sun', 'Mon,Wed,Fri' or 'Sun-Thu' (wrapping) → weekdays (0 = Monday);
    ValueError when malformed."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    found: set[int] = set()
    for part in raw.lower().replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if low not in names or (dash and high not in names):
            raise ValueError(raw)
        first, last = names.index(low), names.index(high or low)
        span = (last - first) % 7
        found |= {(first + i) % 7 for i in range(span + 1)}
    return frozenset(found)


def parse_hours(raw: str) -> tuple[int, int]:
    """'09:00-17:00' or '00:00-24:00' → minutes after midnight; ValueError when malformed,
    empty or backwards."""
    text = raw.strip().replace(" ", "")
    start, dash, end = text.partition("-")
    if not dash:
        raise ValueError(raw)
    opens, closes = _minutes(start), _minutes(end)
    if opens >= closes or opens >= DAY_MINUTES:
        raise ValueError(raw)
    return opens, closes


def _minutes(text: str) -> int:
    hour, colon, minute = text.partition(":")
    if not (colon and hour.isdigit() and minute.isdigit() and len(minute) == 2 and len(hour) <= 2):
        raise ValueError(text)
    value = int(hour) * 60 + int(minute)
    if int(minute) >= 60 or value > DAY_MINUTES:
        raise ValueError(text)
    return value


def clock_text(minutes: int) -> str:
    """Minutes after midnight as '08:00' (1440 is '24:00')."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
