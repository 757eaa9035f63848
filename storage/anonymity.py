"""The anonymity floor of the wellbeing numbers, as one pure rule: which (week, team) groups
may show figures, for the text report, the CSV and the chart alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from storage.checkins import ALL_TEAMS, GroupNumbers


def visible(groups: Sequence[GroupNumbers], min_group: int) -> frozenset[tuple[str, str]]:
    """The anonymity floor, for the text report, the CSV and the chart alike: the (period, team)
    groups whose numbers may be shown. Each has at least `min_group` respondents; no difference
    of shown figures of one period isolates fewer people (see `_visible_teams`); and none across
    periods either (see `_steady`). Periods are fixed ISO weeks (one check-in round each, never
    an arbitrary range), and only closed ones, whose numbers no longer move, are shown."""
    periods: dict[str, list[GroupNumbers]] = defaultdict(list)
    for group in groups:
        periods[group.period].append(group)
    shown: dict[str, set[int]] = defaultdict(set)  # team -> respondents of its shown periods
    keep: set[tuple[str, str]] = set()
    for period in periods:  # in the order given: the report lists weeks oldest first
        members = periods[period]
        blocked = {g.team for g in members if not g.final or not _steady(g, shown, min_group)}
        for team in _visible_teams(members, min_group, blocked):
            keep.add((period, team))
            shown[team].add(next(g.respondents for g in members if g.team == team))
    return frozenset(keep)


def _steady(group: GroupNumbers, shown: dict[str, set[int]], min_group: int) -> bool:
    # Across periods: a group's figure minus its figure in another shown period gives away
    # the answers of those who came or went. While that is 1 to min_group - 1 people for any
    # period already shown (the neighbouring one, and any before it, which could be compared
    # just as well), the newer figure is withheld. Counted by respondents, which is what the
    # report shows; an unchanged count singles out no one (at most two people's difference).
    return all(
        abs(group.respondents - before) == 0 or abs(group.respondents - before) >= min_group
        for before in shown.get(group.team, ())
    )


def _visible_teams(
    members: Sequence[GroupNumbers], min_group: int, blocked: Collection[str] = ()
) -> set[str]:
    # Teams split everyone, so besides the shown groups the only figure one can work out is
    # everyone minus the shown teams: the hidden teams together. While that remainder holds
    # 1 to min_group - 1 people, the smallest shown team is withheld too. The total stays:
    # the weekly line of the chart rests on it. Nobody left over (0) gives away no answer.
    teams = sorted(
        (
            g
            for g in members
            if g.team != ALL_TEAMS and g.respondents >= min_group and g.team not in blocked
        ),
        key=lambda g: (g.respondents, g.team),
    )
    total = next((g for g in members if g.team == ALL_TEAMS), None)
    if total is None or total.respondents < min_group or ALL_TEAMS in blocked:
        # without the total no two shown figures overlap; a total below the floor means every
        # team is below it too
        return {g.team for g in teams}
    remainder = total.respondents - sum(g.respondents for g in teams)
    while teams and 0 < remainder < min_group:
        remainder += teams.pop(0).respondents
    return {ALL_TEAMS} | {g.team for g in teams}


def hidden_key(group: GroupNumbers, min_group: int) -> str:
    """Why a group shows no numbers: its week still open, below the floor itself, or withheld
    to protect another (in its week, or against a neighbouring week)."""
    if not group.final:
        return "open"
    return "too_few" if group.respondents < min_group else "withheld"
