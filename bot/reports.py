"""The weekly wellbeing report as people read it: text, CSV and a chart, each with the
anonymity floor of storage.anonymity applied. matplotlib is imported only to draw."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.csvfile import csv_text
from bot.i18n import t
from jobs.context import WeeklyReport
from storage.anonymity import hidden_key, visible
from storage.checkins import ALL_TEAMS, GroupNumbers


def weekly(groups: Sequence[GroupNumbers], min_group: int, lang: str) -> WeeklyReport:
    """What each HR member receives every week: the chart with the text as its comment."""
    return WeeklyReport(
        title=t("report.chart_title", lang),
        text=text_report(groups, min_group, lang),
        png=chart(groups, min_group, lang),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _avg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def line(group: GroupNumbers, keep: frozenset[tuple[str, str]], min_group: int, lang: str) -> str:
    label = t("report.everyone", lang) if group.team == ALL_TEAMS else group.team
    if (group.period, group.team) not in keep:
        key = f"report.{hidden_key(group, min_group)}"
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
    groups = [g for g in groups if not g.history]  # weighed by the floor, not shown
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
    groups = [g for g in groups if not g.history]  # weighed by the floor, not shown
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
        reason = t(f"report.csv_{hidden_key(g, min_group)}", lang)
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
    import matplotlib

    matplotlib.use("Agg")  # no display: render to PNG only
    import matplotlib.pyplot as plt

    keep = visible(groups, min_group)
    groups = [g for g in groups if not g.history]  # weighed by the floor, not shown
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
