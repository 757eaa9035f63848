"""Reports for People Experience: wellbeing (floor applied) and daily tasks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from bot.cli.common import job_context, parse_date, print_rows
from bot.cli.state import Failure, State, first_line, pass_state
from bot.csvfile import csv_text
from storage import audit
from storage import tasks as daily_tasks
from storage.types import utcnow


@click.group("report")
def report_group() -> None:
    """Reports for People Experience."""


@report_group.command("wellbeing")
@click.option("--weeks", default=12, show_default=True, type=click.IntRange(1, 104))
@click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def report_wellbeing(state: State, weeks: int, png: Path | None, csv_path: Path | None) -> None:
    """Participation, average scores and low answers per week and team (anonymity floor applied)."""
    from bot import reports
    from jobs.reports import numbers

    groups = numbers(job_context(state), weeks)
    floor = state.settings.min_group
    with state.session(write=True) as session:
        audit.record(session, actor=audit.CLI, action=audit.REPORT, now=utcnow(), ref="wellbeing")
    click.echo(reports.text_report(groups, floor, state.lang).replace("*", ""))
    try:
        if png is not None:
            png.write_bytes(reports.chart(groups, floor, state.lang))
        if csv_path is not None:
            text = reports.csv_report(groups, floor, state.lang)
            csv_path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise Failure(state.msg("cli.error", message=first_line(exc))) from exc


@report_group.command("tasks")
@click.option("--team", default=None)
@click.option("--since", default=None, metavar="YYYY-MM-DD")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def report_tasks(state: State, team: str | None, since: str | None, csv_path: Path | None) -> None:
    """Per team and person: days submitted, approved, changes requested, median time to decision."""
    since_date = parse_date(state, since)
    with state.session() as session:
        found = daily_tasks.stats(session, team=team, since=since_date)
    rows = [
        (
            s.team,
            s.slack_id,
            s.name,
            s.days,
            s.approved,
            s.changes,
            f"{s.median_minutes:.0f}" if s.median_minutes is not None else "-",
        )
        for s in found
    ]
    print_rows(state, ["team", "slack_id", "name", "days", "approved", "changes", "median"], rows)
    if csv_path is not None:
        header = ["team", "slack_id", "name", "days", "approved", "changes_requested"]
        # an unknown median is left empty: the table's "-" would be escaped to "'-"
        cells = [
            (*row[:6], "" if s.median_minutes is None else row[6])
            for row, s in zip(rows, found, strict=True)
        ]
        text = csv_text([*header, "median_minutes"], cells)
        try:
            csv_path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise Failure(state.msg("cli.error", message=first_line(exc))) from exc


@report_group.command("tickets")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD", help="Default: 29 days ago.")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def report_tickets(
    state: State, start: str | None, end: str | None, csv_path: Path | None, png: Path | None
) -> None:
    """The helpdesk's figures for tickets filed in a period (default: the last 30 days, today
    included), with the per-agent table; --csv one row per ticket, --png the chart."""
    from bot import helpdesk_report
    from jobs.sla import helpdesk_numbers

    now = utcnow()
    today = now.astimezone(state.settings.tz).date()
    last = parse_date(state, end) or today
    first = parse_date(state, start) or last - timedelta(days=29)
    if last < first:
        raise Failure(state.msg("helpdesk.bad_range", start=first, end=last))
    report = helpdesk_numbers(job_context(state), first, last, now)
    click.echo(helpdesk_report.text_report(report, state.lang).replace("*", ""))
    try:
        if csv_path is not None:
            text = helpdesk_report.csv_report(report)
            csv_path.write_text(text, encoding="utf-8", newline="")
        if png is not None:
            png.write_bytes(helpdesk_report.chart(report, state.lang))
    except OSError as exc:
        raise Failure(state.msg("cli.error", message=first_line(exc))) from exc
