"""The weekly wellbeing report: numbers per week and team with an anonymity floor, as text,
CSV and a matplotlib chart uploaded to each HR member."""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # no display: render to PNG only
import matplotlib.pyplot as plt
from slack_sdk.errors import SlackApiError

from bot.i18n import t
from jobs.context import JobContext
from jobs.csvfile import csv_text
from jobs.delivery import open_channel
from storage import checkins, people
from storage.checkins import ALL_TEAMS, GroupNumbers
from storage.db import session_scope
from storage.models import ROLE_HR

log = logging.getLogger(__name__)


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


def _hidden_key(group: GroupNumbers, min_group: int) -> str:
    """Why a group shows no numbers: below the floor itself, or withheld to protect another."""
    return "too_few" if group.respondents < min_group else "withheld"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _avg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def line(group: GroupNumbers, keep: frozenset[tuple[str, str]], min_group: int, lang: str) -> str:
    label = t("report.everyone", lang) if group.team == ALL_TEAMS else group.team
    if (group.period, group.team) not in keep:
        key = f"report.{_hidden_key(group, min_group)}"
        return t(key, lang, period=group.period, team=label)
    return t(
        "report.line",
        lang,
        period=group.period,
        team=label,
        participation=_pct(group.participation),
        physical=_avg(group.physical_avg),
        mental=_avg(group.mental_avg),
        low=_pct(group.low_share),
    )


def text_report(groups: Sequence[GroupNumbers], min_group: int, lang: str) -> str:
    keep = visible(groups, min_group)
    overall = [g for g in groups if g.team == ALL_TEAMS]
    lines = [f"*{t('report.title', lang, weeks=len(overall))}*"]
    lines += [line(g, keep, min_group, lang) for g in overall]
    if overall:
        latest = overall[-1].period
        teams = [g for g in groups if g.period == latest and g.team != ALL_TEAMS]
        if teams:
            lines.append(f"*{t('report.by_team', lang, period=latest)}*")
            lines += [line(g, keep, min_group, lang) for g in teams]
    lines.append(t("report.floor", lang, min_group=min_group))
    return "\n".join(lines)


def csv_report(groups: Sequence[GroupNumbers], min_group: int, lang: str) -> str:
    """One row per week and group, everyone as the team `everyone`; hidden groups keep their
    row with no numbers and the reason."""
    keep = visible(groups, min_group)
    header = [
        "week",
        "team",
        "recipients",
        "respondents",
        "participation",
        "physical_avg",
        "mental_avg",
        "low_share",
    ]
    return csv_text(header, [_csv_row(g, keep, min_group, lang) for g in groups])


def _csv_row(
    g: GroupNumbers, keep: frozenset[tuple[str, str]], min_group: int, lang: str
) -> list[object]:
    team = "everyone" if g.team == ALL_TEAMS else g.team
    if (g.period, g.team) not in keep:
        reason = t(f"report.csv_{_hidden_key(g, min_group)}", lang)
        return [g.period, team, "", "", reason, "", "", ""]
    return [
        g.period,
        team,
        g.recipients,
        g.respondents,
        f"{g.participation:.3f}" if g.participation is not None else "",
        f"{g.physical_avg:.2f}" if g.physical_avg is not None else "",
        f"{g.mental_avg:.2f}" if g.mental_avg is not None else "",
        f"{g.low_share:.3f}" if g.low_share is not None else "",
    ]


def chart(groups: Sequence[GroupNumbers], min_group: int, lang: str) -> bytes:
    """A PNG: average physical and mental score per week, everyone, floor applied."""
    keep = visible(groups, min_group)
    overall = [g for g in groups if g.team == ALL_TEAMS]
    weeks = [g.period for g in overall]
    figure, axis = plt.subplots(figsize=(8, 4), dpi=100)
    for attr, label in (
        ("physical_avg", t("checkin.short_physical", lang)),
        ("mental_avg", t("checkin.short_mental", lang)),
    ):
        values = [getattr(g, attr) if (g.period, g.team) in keep else None for g in overall]
        axis.plot(
            weeks, [v if v is not None else float("nan") for v in values], marker="o", label=label
        )
    axis.set_ylim(1, 5)
    axis.set_ylabel(t("report.axis", lang))
    axis.set_title(t("report.chart_title", lang))
    axis.legend()
    axis.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def numbers(ctx: JobContext, weeks: int) -> list[GroupNumbers]:
    with session_scope(ctx.engine) as session:
        return checkins.report(session, weeks=weeks, low=ctx.settings.low_score)


def run_weekly(ctx: JobContext, now: datetime) -> str:
    """Job `report-weekly`: each HR member gets the chart and the same numbers as text."""
    groups = numbers(ctx, 12)
    with session_scope(ctx.engine) as session:
        hr = [
            (p.slack_id, p.language or ctx.settings.language)
            for _, p in people.list_role(session, ROLE_HR)
        ]
    sent = 0
    for slack_id, lang in hr:
        text = text_report(groups, ctx.settings.min_group, lang)
        try:
            channel = open_channel(ctx, slack_id)
            ctx.client.files_upload_v2(
                channel=channel,
                content=chart(groups, ctx.settings.min_group, lang),
                filename="wellbeing.png",
                title=t("report.chart_title", lang),
                initial_comment=text,
            )
            sent += 1
        except SlackApiError as exc:
            log.warning("weekly report to an HR member failed: %s", exc.response.get("error"))
    return f"hr={len(hr)} sent={sent}"
