"""Small helpers the command groups share: dates, tables, availability, sending now."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from bot.cli.state import State
from bot.table import render_table
from storage import people, tickets
from storage.types import utcnow

if TYPE_CHECKING:
    from jobs.context import JobContext
    from storage.models import Person


def parse_date(state: State, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(state.msg("cli.bad_date", value=value)) from None


def person_status(state: State, person: Person) -> str:
    if not person.active:
        return state.msg("status.inactive")
    if person.is_away:
        if person.away_until:
            return state.msg("status.away_until", date=person.away_until.isoformat())
        return state.msg("status.away")
    return state.msg("status.active")


def print_rows(state: State, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        click.echo(state.msg("cli.none"))
        return
    click.echo(render_table([state.msg(f"col.{c}") for c in columns], rows))


def mark_away(state: State, slack_id: str, until: str | None) -> None:
    until_date = parse_date(state, until)
    with state.session(write=True) as session:
        now = utcnow()
        person = people.set_away(
            session=session,
            slack_id=slack_id,
            now=now,
            until=until_date,
            today=now.astimezone(state.settings.tz).date(),
        )
        name = person.name
    suffix = state.msg("cli.away_until", date=until_date.isoformat()) if until_date else ""
    click.echo(state.msg("cli.away_done", name=name, until=suffix))


def mark_back(state: State, slack_id: str) -> None:
    """Back from away, and the tickets that waited for an agent handed out, in one transaction."""
    with state.session(write=True) as session:
        outcomes = tickets.agent_back(session=session, slack_id=slack_id, now=utcnow())
        name = people.require(session, slack_id).name
    click.echo(state.msg("cli.back_done", name=name))
    if outcomes:
        click.echo(state.msg("cli.waiting_assigned", count=len(outcomes)))
        send(state, [d for o in outcomes for d in o.deliveries])


def send(state: State, deliveries: list[int]) -> None:
    """Post now when a bot token is configured; otherwise a running Rekan posts them."""
    if not deliveries:
        return
    if not state.settings.bot_token:
        click.echo(state.msg("cli.deliveries_left", count=len(deliveries)), err=True)
        return
    # Imported here: the delivery engine pulls in every renderer and the metrics.
    from jobs.bulk import deliver_many

    deliver_many(job_context(state), deliveries)


def job_context(state: State) -> JobContext:
    """What a job needs, for commands that run jobs' code in this process."""
    from bot.slack import make_job_context

    return make_job_context(state.settings, state.engine())
