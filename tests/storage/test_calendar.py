"""storage.calendar: workdays (weekends, Indonesian public holidays and cuti bersama, company
days off) and working hours on the reader's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from storage.calendar import (
    is_workday,
    next_working_moment,
    public_holidays,
    send_deadline,
    working_seconds,
)

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


class Hours(TypedDict):
    work_start: time
    work_end: time


HOURS: Hours = {"work_start": time(9), "work_end": time(17)}


def test_next_working_moment_on_the_readers_clock() -> None:
    hours = HOURS
    monday_night = datetime(2026, 11, 23, 20, 0, tzinfo=WIB)
    assert next_working_moment(monday_night, **hours) == datetime(2026, 11, 24, 9, 0, tzinfo=WIB)
    friday_night = datetime(2026, 11, 27, 18, 0, tzinfo=WIT)
    assert next_working_moment(friday_night, **hours) == datetime(2026, 11, 30, 9, 0, tzinfo=WIT)
    inside = datetime(2026, 11, 24, 11, 0, tzinfo=WIB)
    assert next_working_moment(inside, **hours) == inside
    christmas_eve = datetime(2026, 12, 23, 17, 0, tzinfo=WIB)  # 24th: cuti bersama, 25th
    assert next_working_moment(christmas_eve, **hours).date().isoformat() == "2026-12-28"


def test_send_deadline_is_grace_and_never_past_closing() -> None:
    hours = HOURS
    nine = datetime(2026, 11, 24, 9, 0, tzinfo=WIB)
    assert send_deadline(nine, grace=timedelta(hours=3), **hours) == nine.replace(hour=12)
    four = nine.replace(hour=16)
    assert send_deadline(four, grace=timedelta(hours=3), **hours) == nine.replace(hour=17)
    early = nine.replace(hour=7)  # planned before the opening: grace counts from 09:00
    assert send_deadline(early, grace=timedelta(hours=1), **hours) == nine.replace(hour=10)


def test_public_holidays_include_cuti_bersama() -> None:
    found = public_holidays(2026)
    assert {date(2026, 8, 17), date(2026, 12, 24), date(2026, 12, 25)} <= set(found)
    assert date(2026, 3, 23) in found  # Eid al-Fitr joint holiday (government category)
    assert date(2026, 11, 23) not in found


def test_workdays() -> None:
    assert is_workday(date(2026, 11, 23))  # a Monday
    assert not is_workday(date(2026, 11, 28))  # Saturday
    assert not is_workday(date(2026, 11, 29))  # Sunday
    assert not is_workday(date(2026, 8, 17))  # Independence Day
    assert not is_workday(date(2026, 12, 24))  # cuti bersama
    assert not is_workday(date(2026, 11, 24), days_off={date(2026, 11, 24)})
    assert is_workday(date(2026, 11, 25), days_off={date(2026, 11, 24)})


def test_working_seconds_count_only_open_hours_of_workdays() -> None:
    def wib(d: int, h: int, month: int = 11) -> datetime:
        return datetime(2026, month, d, h, tzinfo=WIB).astimezone(UTC)

    assert working_seconds(wib(23, 8), wib(23, 18), tz=WIB, **HOURS) == 8 * 3600
    assert working_seconds(wib(23, 10), wib(23, 11), tz=WIB, **HOURS) == 3600
    # Friday 16:00 to Monday 10:00: an hour each side of the weekend
    assert working_seconds(wib(27, 16), wib(30, 10), tz=WIB, **HOURS) == 2 * 3600
    assert (
        working_seconds(wib(23, 10), wib(24, 10), tz=WIB, days_off={date(2026, 11, 23)}, **HOURS)
        == 3600
    )
    assert working_seconds(wib(23, 12), wib(23, 11), tz=WIB, **HOURS) == 0.0
    # 15:00 WIB is 17:00 in Jayapura: the day there is over
    assert working_seconds(wib(23, 15), wib(23, 16), tz=WIT, **HOURS) == 0.0
    # from the 23rd at night: cuti bersama, Christmas and a weekend, then Monday 09:00-10:00
    assert working_seconds(wib(23, 23, 12), wib(28, 10, 12), tz=WIB, **HOURS) == 3600


def test_next_working_moment_skips_company_days_off() -> None:
    friday_evening = datetime(2026, 11, 27, 17, 0, tzinfo=WIB)
    assert next_working_moment(friday_evening, days_off={date(2026, 11, 30)}, **HOURS) == datetime(
        2026, 12, 1, 9, 0, tzinfo=WIB
    )
    early = datetime(2026, 11, 24, 6, 30, tzinfo=WIB)
    assert next_working_moment(early, **HOURS) == early.replace(hour=9, minute=0)


def test_send_deadline_planned_after_closing_is_closing_itself() -> None:
    evening = datetime(2026, 11, 24, 18, 0, tzinfo=WIT)
    assert send_deadline(evening, grace=timedelta(hours=1), **HOURS) == evening.replace(hour=17)
