"""storage.worktime: the helpdesk's working-time clock across a weekend, public holidays and
cuti bersama, a Ramadan period of other hours, and round the clock; and its settings' parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.hours import shifted
from storage.worktime import (
    DeskClock,
    Period,
    add_working,
    is_working,
    parse_days,
    parse_hours,
    working_seconds,
)

WIB = ZoneInfo("Asia/Jakarta")
DESK = DeskClock(tz=WIB)  # Mon-Fri 09:00-17:00, holidays and cuti bersama off work
RAMADAN = Period("Ramadan", date(2027, 2, 8), date(2027, 3, 9), 8 * 60, 15 * 60)
MINUTE = 60


def wib(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def test_a_weekend_stops_the_clock() -> None:
    friday = wib(2026, 11, 27, 16, 30)
    assert add_working(DESK, friday, 60 * MINUTE) == wib(2026, 11, 30, 9, 30)
    assert working_seconds(DESK, friday, wib(2026, 11, 30, 9, 30)) == 60 * MINUTE
    # a moment in UTC gives the same answer
    assert add_working(DESK, friday.astimezone(UTC), 3600) == wib(2026, 11, 30, 9, 30)
    # filed on Saturday: the clock starts on Monday's opening
    assert add_working(DESK, wib(2026, 11, 28, 12), 0) == wib(2026, 11, 30, 9)
    assert not is_working(DESK, wib(2026, 11, 28, 12))
    assert is_working(DESK, wib(2026, 11, 30, 9))


def test_a_holiday_and_cuti_bersama_stop_it_unless_the_desk_works_them() -> None:
    before = wib(2026, 12, 23, 16)  # the 24th is cuti bersama, the 25th Christmas
    assert add_working(DESK, before, 2 * 3600) == wib(2026, 12, 28, 10)
    working_cuti = DeskClock(tz=WIB, cuti_bersama=False)
    assert add_working(working_cuti, before, 2 * 3600) == wib(2026, 12, 24, 10)
    open_on_holidays = DeskClock(tz=WIB, holidays=False)
    assert add_working(open_on_holidays, before, 2 * 3600) == wib(2026, 12, 24, 10)
    # a company day off stops it too
    company = DeskClock(tz=WIB, days_off=frozenset({date(2026, 11, 30)}))
    assert add_working(company, wib(2026, 11, 27, 16, 30), 3600) == wib(2026, 12, 1, 9, 30)
    assert working_seconds(DESK, before, wib(2026, 12, 28, 10)) == 2 * 3600


def test_a_ramadan_period_counts_its_own_hours() -> None:
    clock = DeskClock(tz=WIB, periods=(RAMADAN,))
    # inside Ramadan the desk works 08:00-15:00
    assert add_working(clock, wib(2027, 2, 15, 14, 30), 60 * MINUTE) == wib(2027, 2, 16, 8, 30)
    assert working_seconds(clock, wib(2027, 2, 15, 7), wib(2027, 2, 15, 18)) == 7 * 3600
    assert working_seconds(DESK, wib(2027, 2, 15, 7), wib(2027, 2, 15, 18)) == 8 * 3600
    # late Friday before Nyepi, cuti bersama and Idul Fitri: 15 minutes on Friday, the rest
    # on the first working day after them, on ordinary hours again
    friday = wib(2027, 3, 5, 14, 45)
    assert add_working(clock, friday, 30 * MINUTE) == wib(2027, 3, 16, 9, 15)
    # a desk that works cuti bersama: Tuesday the 9th, still Ramadan hours
    works_cuti = DeskClock(tz=WIB, cuti_bersama=False, periods=(RAMADAN,))
    assert add_working(works_cuti, friday, 30 * MINUTE) == wib(2027, 3, 9, 8, 15)


def test_round_the_clock() -> None:
    always = DeskClock(tz=WIB, days=frozenset(range(7)), opens=0, closes=24 * 60, holidays=False)
    saturday = wib(2026, 11, 28, 23, 50)
    assert add_working(always, saturday, 30 * MINUTE) == wib(2026, 11, 29, 0, 20)
    assert working_seconds(always, saturday, saturday + timedelta(days=2)) == 2 * 86400
    assert always.day_seconds() == 86400 and DESK.day_seconds() == 8 * 3600


def test_a_deadline_exactly_at_closing_is_that_evening() -> None:
    assert add_working(DESK, wib(2026, 11, 23, 9), 8 * 3600) == wib(2026, 11, 23, 17)


def test_a_desk_that_never_works_is_an_error() -> None:
    never = DeskClock(tz=WIB, days=frozenset())
    with pytest.raises(ValueError):
        add_working(never, wib(2026, 11, 23, 9), 60)


@pytest.mark.parametrize(
    ("raw", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon-sun", set(range(7))),
        ("Sun-Thu", {6, 0, 1, 2, 3}),
        ("Mon, Wed,Fri", {0, 2, 4}),
    ],
)
def test_parse_days(raw: str, days: set[int]) -> None:
    assert parse_days(raw) == frozenset(days)


@pytest.mark.parametrize("raw", ["", "Monday-Friday", "Mon-", "Mon-Fri-Sat", "1-5"])
def test_parse_days_refuses(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_days(raw)


def test_parse_hours() -> None:
    assert parse_hours("08:00-15:00") == (480, 900)
    assert parse_hours("00:00 - 24:00") == (0, 1440)
    for bad in ("17:00-09:00", "9-17", "08:00-24:30", "25:00-26:00", "08:60-09:00", "x"):
        with pytest.raises(ValueError):
            parse_hours(bad)


def test_daily_send_times_move_with_a_period() -> None:
    inside, outside = date(2027, 2, 15), date(2027, 4, 1)
    nine = time(9)
    assert shifted(time(10), inside, periods=[RAMADAN], work_start=nine) == time(9)
    assert shifted(time(9), inside, periods=[RAMADAN], work_start=nine) == time(8)
    assert shifted(time(10), outside, periods=[RAMADAN], work_start=nine) == time(10)
    # never outside the period's hours
    assert shifted(time(16, 30), inside, periods=[RAMADAN], work_start=nine) == time(14, 59)
