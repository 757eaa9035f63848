"""The anonymity floor of the wellbeing numbers, as one pure rule: which (week, team) groups
may show figures, for the text report, the CSV and the chart alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from storage.checkins import ALL_TEAMS, GroupNumbers


def visible(groups: Sequence[GroupNumbers], min_group: int) -> frozenset[tuple[str, str]]:
    """The anonymity floor, for the text report, the CSV and the chart alike: the (period, team)
    groups whose numbers may be shown. Each has at least `min_group` respondents, and no
    difference of shown figures isolates fewer people (see `_visible_teams`)."""
    periods: dict[str, list[GroupNumbers]] = defaultdict(list)
    for group in groups:
        periods[group.period].append(group)
    return frozenset(
        (period, team)
        for period, members in periods.items()
        for team in _visible_teams(members, min_group)
    )


def _visible_teams(members: Sequence[GroupNumbers], min_group: int) -> set[str]:
    # Teams split everyone, so besides the shown groups the only figure one can work out is
    # everyone minus the shown teams: the hidden teams together. While that remainder holds
    # 1 to min_group - 1 people, the smallest shown team is withheld too. The total stays:
    # the weekly line of the chart rests on it. Nobody left over (0) gives away no answer.
    teams = sorted(
        (g for g in members if g.team != ALL_TEAMS and g.respondents >= min_group),
        key=lambda g: (g.respondents, g.team),
    )
    total = next((g for g in members if g.team == ALL_TEAMS), None)
    if total is None or total.respondents < min_group:
        # without the total no two shown figures overlap; a total below the floor means every
        # team is below it too
        return {g.team for g in teams}
    remainder = total.respondents - sum(g.respondents for g in teams)
    while teams and 0 < remainder < min_group:
        remainder += teams.pop(0).respondents
    return {ALL_TEAMS} | {g.team for g in teams}


def hidden_key(group: GroupNumbers, min_group: int) -> str:
    """Why a group shows no numbers: below the floor itself, or withheld to protect another."""
    return "too_few" if group.respondents < min_group else "withheld"
