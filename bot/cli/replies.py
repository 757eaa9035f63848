"""Saved replies: the texts agents send from the ticket's card ("Send a saved reply"), by key,
in Bahasa Indonesia and English, with the placeholders {reporter}, {ticket} and {agent}."""

from __future__ import annotations

import click

from bot.blocks.common import cut
from bot.cli.common import print_rows
from bot.cli.state import State, pass_state
from storage import saved_replies
from storage.types import utcnow


@click.group("replies")
def replies_group() -> None:
    """Saved replies agents send from a ticket's card, in both languages."""


@replies_group.command("add")
@click.argument("key")
@click.option("--id", "text_id", required=True, help="The reply in Bahasa Indonesia.")
@click.option("--en", "text_en", required=True, help="The reply in English.")
@pass_state
def replies_add(state: State, key: str, text_id: str, text_en: str) -> None:
    """Save a reply under KEY (a short slug such as vpn-reset), or replace its texts.
    Placeholders: {reporter}, {ticket}, {agent}."""
    with state.session(write=True) as session:
        reply, created = saved_replies.add(
            session=session, key=key, text_id=text_id, text_en=text_en, now=utcnow()
        )
        name = reply.key
    click.echo(state.msg("cli.reply_added" if created else "cli.reply_replaced", name=name))


@replies_group.command("list")
@pass_state
def replies_list(state: State) -> None:
    """List saved replies, by key."""
    with state.session() as session:
        rows = [
            (
                r.key,
                cut(" ".join(r.text_id.split()), 50),
                cut(" ".join(r.text_en.split()), 50),
                r.updated_at.astimezone(state.settings.tz).strftime("%Y-%m-%d %H:%M"),
            )
            for r in saved_replies.listing(session)
        ]
    print_rows(state, ["key", "text_id", "text_en", "updated"], rows)


@replies_group.command("remove")
@click.argument("key")
@pass_state
def replies_remove(state: State, key: str) -> None:
    """Remove the saved reply KEY."""
    with state.session(write=True) as session:
        saved_replies.remove(session=session, key=key)
    click.echo(state.msg("cli.reply_removed", name=saved_replies.normal_key(key)))
