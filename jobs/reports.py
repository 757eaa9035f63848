"""The weekly wellbeing report: numbers per week and team with an anonymity floor, as text,
CSV and a matplotlib chart uploaded to each HR member."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # no display: render to PNG only
import matplotlib.pyplot as plt
from slack_sdk.errors import SlackApiError

from bot.i18n import t
from jobs.context import JobContext
from jobs.delivery import open_channel
from storage import checkins, people
from storage.checkins import ALL_TEAMS, GroupNumbers
from storage.db import session_scope
from storage.models import ROLE_HR

log = logging.getLogger(__name__)


def shown(group: GroupNumbers, min_group: int) -> bool:
    """The anonymity floor: a group with fewer respondents shows no numbers at all."""
    return group.respondents >= min_group


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _avg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def line(group: GroupNumbers, min_group: int, lang: str) -> str:
    label = t("report.everyone", lang) if group.team == ALL_TEAMS else group.team
    if not shown(group, min_group):
        return t("report.too_few", lang, period=group.period, team=label)
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
    overall = [g for g in groups if g.team == ALL_TEAMS]
    lines = [f"*{t('report.title', lang, weeks=len(overall))}*"]
    lines += [line(g, min_group, lang) for g in overall]
    if overall:
        latest = overall[-1].period
        teams = [g for g in groups if g.period == latest and g.team != ALL_TEAMS]
        if teams:
            lines.append(f"*{t('report.by_team', lang, period=latest)}*")
            lines += [line(g, min_group, lang) for g in teams]
    lines.append(t("report.floor", lang, min_group=min_group))
    return "\n".join(lines)


def csv_report(groups: Sequence[GroupNumbers], min_group: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "week",
            "team",
            "recipients",
            "respondents",
            "participation",
            "physical_avg",
            "mental_avg",
            "low_share",
        ]
    )
    for g in groups:
        if shown(g, min_group):
            writer.writerow(
                [
                    g.period,
                    g.team,
                    g.recipients,
                    g.respondents,
                    f"{g.participation:.3f}" if g.participation is not None else "",
                    f"{g.physical_avg:.2f}" if g.physical_avg is not None else "",
                    f"{g.mental_avg:.2f}" if g.mental_avg is not None else "",
                    f"{g.low_share:.3f}" if g.low_share is not None else "",
                ]
            )
        else:
            writer.writerow([g.period, g.team, "", "", "too few answers", "", "", ""])
    return out.getvalue()


def chart(groups: Sequence[GroupNumbers], min_group: int, lang: str) -> bytes:
    """A PNG: average physical and mental score per week, everyone, floor applied."""
    overall = [g for g in groups if g.team == ALL_TEAMS]
    weeks = [g.period for g in overall]
    figure, axis = plt.subplots(figsize=(8, 4), dpi=100)
    for attr, label in (
        ("physical_avg", t("checkin.short_physical", lang)),
        ("mental_avg", t("checkin.short_mental", lang)),
    ):
        values = [getattr(g, attr) if shown(g, min_group) else None for g in overall]
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
