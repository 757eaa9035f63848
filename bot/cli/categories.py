"""Ticket categories (`rekan categories`): what the /lapor form offers, named in both
languages; tickets keep their category's key."""

from __future__ import annotations

import click

from bot.cli.common import print_rows
from bot.cli.state import State, pass_state
from storage import categories
from storage.types import utcnow


@click.group("categories")
def categories_group() -> None:
    """Ticket categories people choose in the /lapor form."""


@categories_group.command("add")
@click.argument("key")
@click.option("--id", "text_id", required=True, help="The name in Bahasa Indonesia.")
@click.option("--en", "text_en", required=True, help="The name in English.")
@pass_state
def categories_add(state: State, key: str, text_id: str, text_en: str) -> None:
    """Add a category under KEY (a short slug such as printer), or rename it."""
    with state.session(write=True) as session:
        row, created = categories.add(
            session=session, key=key, text_id=text_id, text_en=text_en, now=utcnow()
        )
        name = row.key
    click.echo(state.msg("cli.category_added" if created else "cli.category_renamed", name=name))


@categories_group.command("list")
@pass_state
def categories_list(state: State) -> None:
    """List the categories in the form's order."""
    with state.session() as session:
        rows = [(c.key, c.text_id, c.text_en) for c in categories.listing(session)]
    print_rows(state, ["key", "text_id", "text_en"], rows)


@categories_group.command("remove")
@click.argument("key")
@pass_state
def categories_remove(state: State, key: str) -> None:
    """Take the category KEY out of the form (its tickets keep it)."""
    with state.session(write=True) as session:
        categories.remove(session=session, key=key)
    click.echo(state.msg("cli.category_removed", name=categories.normal_key(key)))
