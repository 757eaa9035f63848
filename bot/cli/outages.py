"""`rekan outages`: what happened in each outage, for the helpdesk lead and the review."""

from __future__ import annotations

from datetime import datetime

import click

from bot.blocks.common import cut
from bot.cli.common import print_rows
from bot.cli.state import State, pass_state
from storage.outages import views
from storage.types import OutageView


@click.group("outages")
def outages_group() -> None:
    """Outages: many reports, one incident (list, show one)."""


def _when(state: State, moment: datetime | None) -> str:
    return moment.astimezone(state.settings.tz).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _minutes(start: datetime, end: datetime | None) -> str:
    return f"{round((end - start).total_seconds() / 60)}" if end else "-"


def _row(state: State, outage: OutageView) -> tuple[str, ...]:
    return (
        f"#{outage.id}",
        outage.state,
        cut(outage.title, 40),
        outage.owner_id,
        _when(state, outage.first_report_at),
        _when(state, outage.declared_at),
        _when(state, outage.resolved_at),
        str(outage.affected),
    )


@outages_group.command("list")
@pass_state
def outages_list(state: State) -> None:
    """Outages, newest first."""
    with state.session() as session:
        rows = [_row(state, o) for o in views.listing(session)]
    columns = ["outage", "status", "title", "owner", "first_report", "declared", "resolved"]
    print_rows(state, [*columns, "affected"], rows)


@outages_group.command("show")
@click.argument("number", type=click.IntRange(1))
@pass_state
def outages_show(state: State, number: int) -> None:
    """One outage: first report, declared, resolved, people affected, updates, and the time
    to declare and to resolve (minutes)."""
    with state.session() as session:
        outage = views.view(session, number)
    facts = [
        ("outage", f"#{outage.id} {outage.title}"),
        ("status", outage.state),
        ("owner", outage.owner_id),
        ("first_report", _when(state, outage.first_report_at)),
        ("declared", _when(state, outage.declared_at)),
        ("resolved", _when(state, outage.resolved_at)),
        ("affected", str(outage.affected)),
        ("reports", str(outage.reports)),
        ("to_declare", _minutes(outage.first_report_at, outage.declared_at)),
        ("to_resolve", _minutes(outage.declared_at, outage.resolved_at)),
    ]
    if outage.resolution:
        facts.append(("note", outage.resolution))
    for key, value in facts:
        click.echo(f"{state.msg(f'col.{key}')}: {value}")
    click.echo("\n" + state.msg("cli.outage_updates"))
    updates = [(_when(state, u.created_at), u.author_id, cut(u.text, 80)) for u in outage.updates]
    print_rows(state, ["when", "agent", "note"], updates)
