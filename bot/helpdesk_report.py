"""The helpdesk report as people read it: text (with the per-agent table, for helpdesk leads
and admins only), CSV (one row per ticket) and a chart. matplotlib is imported only to draw."""

from __future__ import annotations

import io
from collections.abc import Mapping

from bot.csvfile import csv_text
from bot.i18n import t
from bot.table import render_table
from jobs.context import WeeklyReport
from storage.helpdesk_report import BACKLOG_BUCKETS, HelpdeskReport

CSV_HEADER = [
    "ticket",
    "filed",
    "priority",
    "category",
    "resource",
    "agent",
    "state",
    "first_response_minutes",
    "resolution_minutes",
    "sla_met",
    "csat",
]


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _avg(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "-"


def summary_lines(report: HelpdeskReport, lang: str) -> list[str]:
    """The figures everyone may see (no agent named)."""
    backlog = ", ".join(
        f"{t('helpdesk.age_' + name, lang)}: {report.backlog.get(name, 0)}"
        for _, name in BACKLOG_BUCKETS
    )
    return [
        t("helpdesk.title", lang, start=report.start.isoformat(), end=report.end.isoformat()),
        t(
            "helpdesk.volume",
            lang,
            count=len(report.tickets),
            met=_pct(report.sla_met_share),
            breached=report.breached,
        ),
        t(
            "helpdesk.times",
            lang,
            fr50=_minutes(report.first_response_p50),
            fr90=_minutes(report.first_response_p90),
            res50=_minutes(report.resolution_p50),
            res90=_minutes(report.resolution_p90),
        ),
        t(
            "helpdesk.csat",
            lang,
            avg=_avg(report.csat_avg),
            rate=_pct(report.csat_response_rate),
        ),
        t(
            "helpdesk.by_day",
            lang,
            counts=_counts({d.isoformat(): n for d, n in report.by_day.items()}),
        ),
        t("helpdesk.by_category", lang, counts=_counts(dict(report.by_category))),
        t("helpdesk.by_resource", lang, counts=_counts(dict(report.by_resource))),
        t("helpdesk.backlog", lang, counts=backlog),
        t(
            "helpdesk.outages",
            lang,
            count=report.outages,
            people=report.outage_people,
            declare=_minutes(report.outage_declare_p50),
            resolve=_minutes(report.outage_resolve_p50),
        ),
    ]


def agent_table(report: HelpdeskReport, lang: str) -> str:
    """Per agent: for helpdesk leads and admins only."""
    headers = [
        t(f"helpdesk.col_{c}", lang) for c in ("agent", "assigned", "resolved", "fr", "res", "csat")
    ]
    rows = [
        (
            a.agent,
            a.assigned,
            a.resolved,
            _minutes(a.first_response_median),
            _minutes(a.resolution_median),
            _avg(a.csat_avg),
        )
        for a in report.agents
    ]
    return render_table(headers, rows) if rows else t("cli.none", lang)


def text_report(report: HelpdeskReport, lang: str) -> str:
    return "\n".join(
        [*summary_lines(report, lang), "", t("helpdesk.agents", lang), agent_table(report, lang)]
    )


def csv_report(report: HelpdeskReport) -> str:
    rows = [
        (
            r.number,
            r.filed.isoformat(),
            r.priority,
            r.category or "",
            r.resource or "",
            r.agent or "",
            r.state,
            "" if r.first_response_minutes is None else f"{r.first_response_minutes:.0f}",
            "" if r.resolution_minutes is None else f"{r.resolution_minutes:.0f}",
            "" if r.sla_met is None else ("yes" if r.sla_met else "no"),
            "" if r.csat is None else r.csat,
        )
        for r in report.tickets
    ]
    return csv_text(CSV_HEADER, rows)


def chart(report: HelpdeskReport, lang: str) -> bytes:
    """A PNG: tickets filed per day, and the service levels met in the title."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to PNG only
    import matplotlib.pyplot as plt

    days = [d.isoformat()[5:] for d in report.by_day]
    figure, axis = plt.subplots(figsize=(8, 4), dpi=100)
    axis.bar(days, list(report.by_day.values()), color="#4a90d9")
    axis.set_ylabel(t("helpdesk.axis", lang))
    axis.set_title(
        t("helpdesk.chart_title", lang, met=_pct(report.sla_met_share), breached=report.breached)
    )
    axis.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def weekly_helpdesk(report: HelpdeskReport, lang: str) -> WeeklyReport:
    """What each helpdesk lead receives every week: the chart, with the figures and the
    per-agent table as its comment."""
    text = (
        "\n".join(summary_lines(report, lang))
        + f"\n*{t('helpdesk.agents', lang)}*\n```\n{agent_table(report, lang)}\n```"
    )
    return WeeklyReport(
        title=t(
            "helpdesk.chart_title", lang, met=_pct(report.sla_met_share), breached=report.breached
        ),
        text=text,
        png=chart(report, lang),
    )
