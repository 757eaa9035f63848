"""Tickets (list, timeline, hand assignment) and the resources one agent at a time works on."""

from __future__ import annotations

from datetime import datetime

import click

from bot.blocks.common import cut
from bot.blocks.tickets import resolution_text
from bot.cli.common import print_rows, send
from bot.cli.state import State, pass_state
from bot.i18n import t
from storage import claims, outbox, resources, tickets
from storage.models import TicketMessage
from storage.tickets import conversation
from storage.tickets.priority import set_priority
from storage.types import utcnow


@click.group("tickets")
def tickets_group() -> None:
    """Helpdesk tickets: list, show a timeline, assign by hand."""


def _when(state: State, moment: datetime) -> str:
    return moment.astimezone(state.settings.tz).strftime("%Y-%m-%d %H:%M")


@tickets_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only tickets not yet closed.")
@click.option("--agent", default=None, help="Only this agent's tickets.")
@pass_state
def tickets_list(state: State, open_only: bool, agent: str | None) -> None:
    """List tickets, newest first."""
    with state.session() as session:
        rows = [
            (
                f"#{t.id}",
                t.state,
                t.priority + (" !" if t.sla_breached else ""),
                t.category or "-",
                t.tier,
                t.agent_id or "-",
                t.reporter_id,
                _when(state, t.created_at),
                cut(" ".join(t.summary.split()), 60),
            )
            for t in tickets.list_tickets(session, open_only=open_only, agent=agent)
        ]
    print_rows(
        state,
        [
            "ticket",
            "status",
            "priority",
            "category",
            "tier",
            "agent",
            "reporter",
            "created",
            "summary",
        ],
        rows,
    )


@tickets_group.command("show")
@click.argument("number", type=click.IntRange(1))
@pass_state
def tickets_show(state: State, number: int) -> None:
    """A ticket with its timeline and the state of every notification."""
    with state.session() as session:
        snap = tickets.snapshot(session, number)
        deliveries = outbox.for_ticket(session, number)
        said = conversation.messages_of(session, number)
    ticket = snap.ticket
    lang = state.lang
    click.echo(
        t("ticket.card_title", lang, number=f"#{ticket.id}", tier=ticket.tier)
        + f" · {ticket.state}"
    )
    click.echo(f"{state.msg('col.reporter')}: {ticket.reporter_id} ({snap.reporter_name})")
    click.echo(f"{state.msg('col.agent')}: {ticket.agent_id or '-'} ({snap.agent_name or '-'})")
    click.echo(f"{state.msg('col.summary')}: {ticket.summary}")
    for label, value in (
        ("ticket.category_label", ticket.category),
        ("ticket.location_label", ticket.location),
        ("ticket.priority_label", ticket.priority),
        ("ticket.urgency_label", ticket.urgency),
        ("ticket.resolution_label", resolution_text(ticket, lang)),
    ):
        if value:
            click.echo(f"{state.msg(label)}: {value}")
    click.echo("\n" + state.msg("cli.timeline"))
    lines = [
        (
            e.created_at,
            t(f"event.{e.kind}", lang, actor=e.actor_id or "Rekan", agent=e.agent_id or "-"),
            cut(e.note or "", 80),
        )
        for e in snap.events
    ]
    # the conversation (issue 18), notes marked, in the same timeline
    lines += [
        (m.created_at, t(f"event.message_{m.kind}", lang, actor=m.author_id), _said(state, m))
        for m in said
    ]
    lines.sort(key=lambda line: line[0])
    print_rows(state, ["when", "what", "note"], [(_when(state, w), a, n) for w, a, n in lines])
    click.echo("\n" + state.msg("cli.notifications"))
    rows = [(d.recipient, d.template, d.state, d.attempts, d.error or "") for d in deliveries]
    print_rows(state, ["recipient", "message", "status", "attempts", "error"], rows)


def _said(state: State, message: TicketMessage) -> str:
    text = state.msg("relay.deleted") if message.deleted_at else cut(message.text, 80)
    files = ", ".join(str(f.get("name")) for f in message.files)
    edited = f" {state.msg('relay.edited')}" if message.edited_at and not message.deleted_at else ""
    return text + edited + (f" [{files}]" if files else "")


@tickets_group.command("assign")
@click.argument("number", type=click.IntRange(1))
@click.argument("slack_id")
@pass_state
def tickets_assign(state: State, number: int, slack_id: str) -> None:
    """Give a ticket to a named agent (no rotation turn is used)."""
    with state.session(write=True) as session:
        outcome = tickets.assign_to(session=session, number=number, agent=slack_id, now=utcnow())
    click.echo(state.msg("cli.ticket_assigned", number=f"#{number}", agent=slack_id))
    send(state, outcome.deliveries)


@tickets_group.command("priority")
@click.argument("number", type=click.IntRange(1))
@click.argument("priority")
@click.option("--by", "actor", required=True, help="The agent or admin who changes it.")
@pass_state
def tickets_priority(state: State, number: int, priority: str, actor: str) -> None:
    """Give a ticket another priority (urgent, high, normal, low), as the card's menu does."""
    with state.session(write=True) as session:
        outcome = set_priority(
            session=session, number=number, actor=actor, priority=priority, now=utcnow()
        )
        value = outcome.ticket.priority
    click.echo(state.msg("cli.priority_set", number=f"#{number}", priority=value))
    send(state, outcome.deliveries)


# ---------------------------------------------------------------- resources


@click.group("resources")
def resources_group() -> None:
    """Resources that one agent at a time should work on (servers, shared machines)."""


@resources_group.command("add")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name people use for it.")
@pass_state
def resources_add(state: State, name: str, aliases: tuple[str, ...]) -> None:
    """Register a resource (or add aliases to one)."""
    with state.session(write=True) as session:
        resource = resources.add(session=session, name=name, aliases=list(aliases), now=utcnow())
        found = dict((r.id, a) for r, a in resources.listing(session))
    click.echo(
        state.msg(
            "cli.resource_added",
            name=resource.name,
            aliases=", ".join(found.get(resource.id, [])) or "-",
        )
    )


@resources_group.command("list")
@pass_state
def resources_list(state: State) -> None:
    """List resources, their aliases and who holds them now."""
    with state.session() as session:
        held = {
            c.resource_id: (c.agent_id, c.ticket_id)
            for c, _ in claims.listing(session, now=utcnow())
        }
        rows = [
            (
                r.name,
                ", ".join(a),
                *((held[r.id][0], f"#{held[r.id][1]}") if r.id in held else ("-", "-")),
            )
            for r, a in resources.listing(session)
        ]
    print_rows(state, ["resource", "aliases", "agent", "ticket"], rows)


@resources_group.command("remove")
@click.argument("name")
@pass_state
def resources_remove(state: State, name: str) -> None:
    """Unregister a resource (refused while an open ticket is about it)."""
    with state.session(write=True) as session:
        resources.remove(session=session, name=name)
    click.echo(state.msg("cli.resource_removed", name=name))
