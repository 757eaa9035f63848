"""Dated working-hour periods move the daily-task prompt and the weekly check-in (issue 20):
in a Ramadan period of 08:00-15:00 the 09:00 prompt goes at 08:00 and the 10:00 check-in at
09:00, on each reader's clock; outside the period nothing moves."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.sandbox import SlackStandIn
from storage import hours
from storage.db import session_scope
from tests.helpers import NOW
from tests.jobs.test_working_hours import dms, staff, tick, wib

__all__ = ["staff"]  # the fixture, shared


def _ramadan(engine: Engine, starts: date, ends: date) -> None:
    with session_scope(engine, write=True) as s:
        hours.add(session=s, starts=starts, ends=ends, hours="08:00-15:00", name="Ramadan", now=NOW)


def test_inside_a_period_the_prompt_and_the_checkin_come_an_hour_earlier(
    settings: Settings, engine: Engine, standin: SlackStandIn, staff: list[str]
) -> None:
    _ramadan(engine, date(2026, 11, 23), date(2026, 11, 27))
    rina = standin.dm_channel("U0RINA")
    tick(settings, engine, wib(23, 7, 59))  # Monday, before Ramadan's opening: nothing yet
    assert dms(standin)[rina] == 0
    tick(settings, engine, wib(23, 8, 0))  # the 09:00 prompt, at Ramadan's 08:00
    assert dms(standin)[rina] == 1
    tick(settings, engine, wib(23, 9, 0))  # the 10:00 check-in, at 09:00
    assert dms(standin)[rina] == 2


def test_outside_a_period_nothing_moves(
    settings: Settings, engine: Engine, standin: SlackStandIn, staff: list[str]
) -> None:
    _ramadan(engine, date(2027, 2, 8), date(2027, 3, 9))
    rina = standin.dm_channel("U0RINA")
    tick(settings, engine, wib(23, 8, 0))
    assert dms(standin)[rina] == 0
    tick(settings, engine, wib(23, 9, 0))
    assert dms(standin)[rina] == 1  # the prompt only
    tick(settings, engine, wib(23, 10, 0))
    assert dms(standin)[rina] == 2
