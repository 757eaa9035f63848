"""storage.calendar: workdays (weekends, Indonesian public holidays and cuti bersama, company
days off) and working hours on the reader's clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.calendar import next_working_moment, send_deadline

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


def test_next_working_moment_on_the_readers_clock() -> None:
    hours = {"work_start": time(9), "work_end": time(17)}
    monday_night = datetime(2026, 11, 23, 20, 0, tzinfo=WIB)
    assert next_working_moment(monday_night, **hours) == datetime(2026, 11, 24, 9, 0, tzinfo=WIB)
    friday_night = datetime(2026, 11, 27, 18, 0, tzinfo=WIT)
    assert next_working_moment(friday_night, **hours) == datetime(2026, 11, 30, 9, 0, tzinfo=WIT)
    inside = datetime(2026, 11, 24, 11, 0, tzinfo=WIB)
    assert next_working_moment(inside, **hours) == inside
    christmas_eve = datetime(2026, 12, 23, 17, 0, tzinfo=WIB)  # 24th: cuti bersama, 25th
    assert next_working_moment(christmas_eve, **hours).date().isoformat() == "2026-12-28"


def test_send_deadline_is_grace_and_never_past_closing() -> None:
    hours = {"work_start": time(9), "work_end": time(17)}
    nine = datetime(2026, 11, 24, 9, 0, tzinfo=WIB)
    assert send_deadline(nine, grace=timedelta(hours=3), **hours) == nine.replace(hour=12)
    four = nine.replace(hour=16)
    assert send_deadline(four, grace=timedelta(hours=3), **hours) == nine.replace(hour=17)
    early = nine.replace(hour=7)  # planned before the opening: grace counts from 09:00
    assert send_deadline(early, grace=timedelta(hours=1), **hours) == nine.replace(hour=10)
