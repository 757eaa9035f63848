"""The audit trail (UU PDP): who accessed someone else's identifiable personal data."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import click

from bot.cli.common import parse_date, print_rows
from bot.cli.state import Failure, State, first_line, pass_state
from bot.csvfile import csv_text
from storage import audit

COLUMNS = ["when", "action", "actor", "subject", "ref"]


@click.group("audit")
def audit_group() -> None:
    """The audit trail: every access to someone else's personal data."""


@audit_group.command("list")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="From this day on (UTC).")
@click.option("--actor", default=None, metavar="SLACK_ID", help="Only what this actor did.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@pass_state
def audit_list(state: State, since: str | None, actor: str | None, csv_path: Path | None) -> None:
    """One row per access, oldest first: when, the action word, who, whose data."""
    day = parse_date(state, since)
    start = datetime.combine(day, time(0), tzinfo=UTC) if day else None
    with state.session() as session:
        rows = [
            (
                a.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                a.action,
                a.actor,
                a.subject or "",
                a.ref or "",
            )
            for a in audit.listing(session, since=start, actor=actor)
        ]
    print_rows(state, COLUMNS, rows)
    if csv_path is not None:
        try:
            csv_path.write_text(csv_text(COLUMNS, rows), encoding="utf-8", newline="")
        except OSError as exc:
            raise Failure(state.msg("cli.error", message=first_line(exc))) from exc
