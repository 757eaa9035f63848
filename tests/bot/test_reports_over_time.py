"""Subtraction across reports (issue 21): figures of one group in two periods, or of one open
week read twice, must not single out fewer than the floor. Each test is an attack that fails."""

from __future__ import annotations

import random
from dataclasses import replace

from bot.reports import csv_report, text_report
from storage.anonymity import visible
from storage.checkins import ALL_TEAMS, GroupNumbers

FLOOR = 5


def week(period: str, **teams: int) -> list[GroupNumbers]:
    """A week's groups (all asked answered) and everyone; the averages are made up."""
    rows = [GroupNumbers(period, name, n, n, 3.0, 3.0, 0.0) for name, n in teams.items()]
    total = sum(teams.values())
    return [*rows, GroupNumbers(period, ALL_TEAMS, total, total, 3.0, 3.0, 0.0)]


def test_one_newcomer_cannot_be_worked_out_from_two_weeks() -> None:
    # the attack: Ops had 6 respondents in W47, 7 in W48; W48 x 7 - W47 x 6 = the newcomer
    groups = week("2026-W47", Ops=6, Legal=6) + week("2026-W48", Ops=7, Legal=6)
    keep = visible(groups, FLOOR)
    assert ("2026-W47", "Ops") in keep and ("2026-W48", "Ops") not in keep
    # and everyone (12 then 13) would give the same person away
    assert ("2026-W47", ALL_TEAMS) in keep and ("2026-W48", ALL_TEAMS) not in keep
    assert ("2026-W48", "Legal") in keep  # Legal did not change: nothing to subtract
    text = text_report(groups, FLOOR, "en")
    assert "2026-W48 · Ops: withheld" in text
    rows = csv_report(groups, FLOOR, "en").splitlines()
    assert any(r.startswith("2026-W48,Ops,,,withheld") for r in rows)


def test_one_leaver_cannot_be_worked_out_either() -> None:
    groups = week("2026-W47", Ops=9) + week("2026-W48", Ops=8)
    assert ("2026-W48", "Ops") not in visible(groups, FLOOR)


def test_skipping_the_hidden_week_does_not_help() -> None:
    # W48 hidden (6 -> 7); W49 has 8: compared with W47 it would single out two people
    groups = (week("2026-W47", Ops=6) + week("2026-W48", Ops=7) + week("2026-W49", Ops=8)) + week(
        "2026-W50", Ops=11
    )
    keep = {p for p, team in visible(groups, FLOOR) if team == "Ops"}
    assert keep == {"2026-W47", "2026-W50"}  # 11 - 6 = 5 people: at the floor, shown


def test_an_older_shown_week_cannot_be_used_either() -> None:
    # 6, then 11 (+5), then 16 (+5), then 10: 10 - 6 = 4 people against the first week
    groups = week("W1", Ops=6) + week("W2", Ops=11) + week("W3", Ops=16) + week("W4", Ops=10)
    keep = {p for p, team in visible(groups, FLOOR) if team == "Ops"}
    assert keep == {"W1", "W2", "W3"}


def test_an_open_week_read_twice_cannot_be_subtracted() -> None:
    # the attack: read the report on Monday (6 answered) and on Tuesday (7 answered)
    monday = [replace(g, final=False) for g in week("2026-W48", Ops=6, Legal=6)]
    tuesday = [replace(g, final=False) for g in week("2026-W48", Ops=7, Legal=6)]
    assert visible(monday, FLOOR) == visible(tuesday, FLOOR) == frozenset()
    assert "this week is still open" in text_report(tuesday, FLOOR, "en")


def test_no_two_shown_figures_of_a_group_differ_by_fewer_than_the_floor() -> None:
    """Across many random histories: any two shown weeks of a group (everyone included)
    differ by no respondent or by at least the floor."""
    rng = random.Random(21)
    for _ in range(300):
        groups: list[GroupNumbers] = []
        for n in range(12):
            groups += week(f"2026-W{n + 10}", A=rng.randint(0, 14), B=rng.randint(0, 14))
        keep = visible(groups, FLOOR)
        for team in ("A", "B", ALL_TEAMS):
            counts = [g.respondents for g in groups if g.team == team and (g.period, team) in keep]
            assert all(abs(x - y) in {0} | set(range(FLOOR, 99)) for x in counts for y in counts)
            assert all(c >= FLOOR for c in counts)
        for period in {g.period for g in groups}:  # and within a week, as before
            by_team = {g.team: g.respondents for g in groups if g.period == period}
            if (period, ALL_TEAMS) in keep:
                left = by_team[ALL_TEAMS] - sum(
                    n for t, n in by_team.items() if t != ALL_TEAMS and (period, t) in keep
                )
                assert left == 0 or left >= FLOOR
