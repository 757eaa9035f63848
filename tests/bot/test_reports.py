"""The anonymity floor of the wellbeing report as one pure rule: which groups may show numbers
so that no shown figure, nor any difference of them, isolates fewer than the floor."""

from __future__ import annotations

import csv
import io

import pytest

from bot.reports import csv_report, text_report
from storage.anonymity import visible
from storage.checkins import ALL_TEAMS, GroupNumbers

FLOOR = 5
WEEK = "2026-W48"


def week(period: str = WEEK, **teams: int) -> list[GroupNumbers]:
    """One week's groups: each team with that many respondents (all asked answered), plus
    everyone; the averages are made up, the rule looks only at who answered."""
    rows = [GroupNumbers(period, name, n, n, 3.0, 3.0, 0.0) for name, n in teams.items()]
    total = sum(teams.values())
    return [*rows, GroupNumbers(period, ALL_TEAMS, total, total, 3.0, 3.0, 0.0)]


def shown_teams(groups: list[GroupNumbers], period: str = WEEK) -> set[str]:
    return {team for p, team in visible(groups, FLOOR) if p == period}


def isolated(groups: list[GroupNumbers], period: str = WEEK) -> int:
    """How many people everyone minus the shown teams leaves over (0 when everyone is hidden)."""
    keep = shown_teams(groups, period)
    if ALL_TEAMS not in keep:
        return 0
    by_team = {g.team: g.respondents for g in groups if g.period == period}
    return by_team[ALL_TEAMS] - sum(n for t, n in by_team.items() if t in keep and t != ALL_TEAMS)


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        # the issue: everyone 7 minus Ops 6 is Sales' one person
        ({"Ops": 6, "Sales": 1}, {ALL_TEAMS}),
        # 13 - 6 - 6 = 1: one of the two sixes goes too (the first by name on a tie)
        ({"A": 6, "B": 6, "C": 1}, {ALL_TEAMS, "B"}),
        # two hidden groups of 2 and 1 still isolate 3: the smallest shown team goes
        ({"Big": 20, "Mid": 8, "X": 2, "Y": 1}, {ALL_TEAMS, "Big"}),
        # hidden groups that together reach the floor are safe as they are
        ({"Ops": 10, "X": 3, "Y": 2}, {ALL_TEAMS, "Ops"}),
        # groups exactly at the floor are shown, nothing hidden
        ({"A": 5, "B": 5}, {ALL_TEAMS, "A", "B"}),
        # a hidden team where nobody answered gives away no answer
        ({"Ops": 6, "Legal": 0}, {ALL_TEAMS, "Ops"}),
        # everyone below the floor: nothing at all
        ({"A": 3, "B": 1}, set()),
    ],
)
def test_visible_leaves_no_difference_below_the_floor(
    teams: dict[str, int], expected: set[str]
) -> None:
    groups = week(**teams)
    assert shown_teams(groups) == expected
    assert isolated(groups) == 0 or isolated(groups) >= FLOOR


def test_visible_takes_each_week_on_its_own() -> None:
    groups = week("2026-W47", Ops=6, Sales=6) + week("2026-W48", Ops=6, Sales=1)
    assert shown_teams(groups, "2026-W47") == {ALL_TEAMS, "Ops", "Sales"}
    assert shown_teams(groups, "2026-W48") == {ALL_TEAMS}


def test_text_report_withholds_the_team_that_would_give_the_small_one_away() -> None:
    text = text_report(week(Ops=6, Sales=1), FLOOR, "en")
    assert f"{WEEK} · everyone: participation 100%" in text
    assert f"{WEEK} · Sales: too few answers" in text
    assert f"{WEEK} · Ops: withheld so that a smaller group cannot be worked out" in text
    assert "Ops: participation" not in text
    indonesian = text_report(week(Ops=6, Sales=1), FLOOR, "id")
    assert "Ops: disembunyikan agar kelompok yang lebih kecil tidak bisa dihitung" in indonesian


def test_csv_report_names_everyone_and_escapes_formulas() -> None:
    groups = week(Ops=6, **{"=HYPERLINK(1)": 7})
    rows = list(csv.reader(io.StringIO(csv_report(groups, FLOOR, "en"))))
    assert rows[0][:4] == ["week", "team", "recipients", "respondents"]
    assert [r[:4] for r in rows[1:]] == [
        [WEEK, "Ops", "6", "6"],
        [WEEK, "'=HYPERLINK(1)", "7", "7"],
        [WEEK, "everyone", "13", "13"],
    ]
