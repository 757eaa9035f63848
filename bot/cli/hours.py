"""Dated working-hour periods (`rekan hours`): e.g. Ramadan's shorter hours, which the
helpdesk's service-level clock counts and the daily prompts and check-ins move with."""

from __future__ import annotations

import click

from bot.cli.common import parse_date, print_rows
from bot.cli.state import State, pass_state
from storage import hours
from storage.types import utcnow


@click.group("hours")
def hours_group() -> None:
    """Periods of other working hours (e.g. Ramadan)."""


@hours_group.command("add")
@click.argument("starts")
@click.argument("ends")
@click.argument("span", metavar="HH:MM-HH:MM")
@click.option("--name", default="", help="What the period is (e.g. Ramadan).")
@pass_state
def hours_add(state: State, starts: str, ends: str, span: str, name: str) -> None:
    """Work SPAN from STARTS to ENDS (dates YYYY-MM-DD, both included)."""
    first, last = parse_date(state, starts), parse_date(state, ends)
    assert first is not None and last is not None
    with state.session(write=True) as session:
        row = hours.add(
            session=session, starts=first, ends=last, hours=span, name=name, now=utcnow()
        )
        said = state.msg(
            "cli.hours_added",
            name=row.name,
            starts=row.starts.isoformat(),
            ends=row.ends.isoformat(),
            hours=hours.hours_text(row),
        )
    click.echo(said)


@hours_group.command("list")
@pass_state
def hours_list(state: State) -> None:
    """Every period, by start date."""
    with state.session() as session:
        rows = [
            (r.name, r.starts.isoformat(), r.ends.isoformat(), hours.hours_text(r))
            for r in hours.listing(session)
        ]
    print_rows(state, ["name", "starts", "ends", "hours"], rows)


@hours_group.command("remove")
@click.argument("name")
@pass_state
def hours_remove(state: State, name: str) -> None:
    """Remove the period NAME (or the one starting on that date)."""
    with state.session(write=True) as session:
        row = hours.remove(session=session, name=name)
        said = state.msg("cli.hours_removed", name=row.name)
    click.echo(said)
