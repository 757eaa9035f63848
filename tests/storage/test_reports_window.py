"""The floor across periods holds for a report of a short window run again and again: the
weeks before the window are weighed (issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reports import text_report
from storage import checkins
from storage.anonymity import visible
from storage.checkins import ALL_TEAMS
from storage.models import CheckinRound, WellbeingAggregate
from tests.storage.conftest import Tx

FLOOR = 5


def test_a_short_report_run_every_week_is_checked_against_the_weeks_before_it(
    tx: Tx,
) -> None:
    """The attack: `rekan report wellbeing --weeks 2` run each week. W48's Ops (7) came after
    a shown W47 (6): it stays withheld in the two-week report of W48–W49 too, where W47 is
    outside the window (before the fix, the oldest week of a window was never checked)."""
    with tx() as s:
        for n, (period, ops) in enumerate((("2026-W47", 6), ("2026-W48", 7), ("2026-W49", 7))):
            key = f"checkin:{period}"
            opened = datetime(2026, 11, 16, tzinfo=UTC) + timedelta(weeks=n)
            s.add(
                CheckinRound(
                    key=key, period=period, opened_at=opened, closes_at=opened, closed_at=opened
                )
            )
            for team, count in (("Ops", ops), (ALL_TEAMS, ops)):
                s.add(
                    WellbeingAggregate(
                        round_key=key,
                        period=period,
                        team=team,
                        recipients=count,
                        respondents=count,
                        physical_avg=3.0,
                        mental_avg=3.0,
                        low_share=0.0,
                    )
                )
    with tx() as s:
        groups = checkins.report(s, weeks=2, low=2)
    assert [g.period for g in groups if not g.history] == [
        "2026-W48",
        "2026-W48",
        "2026-W49",
        "2026-W49",
    ]
    keep = visible(groups, FLOOR)
    assert ("2026-W48", "Ops") not in keep
    text = text_report(groups, FLOOR, "en")
    assert "2026-W47" not in text  # weighed, not shown
    assert "2026-W48 · everyone: withheld" in text and "2026-W49 · Ops: withheld" in text
