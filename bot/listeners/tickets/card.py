"""The buttons on a ticket's card and what they open: Take and Reopen move the ticket at
once; Escalate and Resolve ask for a note in a modal first; "take it anyway" or "leave it"
answer a claim conflict; the overflow menu opens the merge modal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import tickets as blocks
from bot.blocks.common import mention
from bot.blocks.outages import build_declare_modal
from bot.listeners._common import clicked, clicked_number, dict_of, submitted, text_problem
from bot.listeners.tickets._shared import conflict_message, counted, escalate_or_resolve, field
from bot.runtime import Runtime
from storage import claims, tickets
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.models import Ticket


def button(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    *,
    runtime: Runtime,
    action: Callable[..., tickets.Outcome],
) -> None:
    """A click that moves the ticket at once: `action` is tickets.take, tickets.reopen, or
    waiting.wait_for_reporter / waiting.stop_waiting ("Waiting for reply")."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        try:
            outcome = transaction(
                runtime.engine,
                lambda session: action(
                    session=session, number=number, actor=click.user, now=runtime.now()
                ),
            )
        except claims.ClaimConflict as conflict:
            message = conflict_message(conflict, click.user, runtime=runtime)
            runtime.urgent(respond, response_type="ephemeral", replace_original=False, **message)
            return
        runtime.send(outcome.deliveries, refresh_ticket=number)


def note_button(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    *,
    runtime: Runtime,
    kind: str,
    check: Callable[[Session, Ticket, str], None],
) -> None:
    """Escalate and Resolve: `check` (may this person?) first, then the note modal of `kind`."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        if not click.trigger_id:
            raise DomainError("ticket.bad_button")
        with session_scope(runtime.engine) as session:
            ticket = tickets.get(session, number)
            check(session, ticket, click.user)
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=blocks.build_note_modal(kind, ticket, click.lang),
        )


def note_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime, kind: str
) -> None:
    """The note modal of `kind` ("escalate" or "resolve") submitted: the ticket moves."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    note = (field(form.values, blocks.B_NOTE) or "").strip()
    number = clicked_number(form.metadata.get("ticket"))
    if number is None:
        form.refuse(blocks.B_NOTE, "ticket.bad_button")
        return
    problem = text_problem(note, tickets.DETAILS_MAX)
    if problem is not None:
        form.refuse(blocks.B_NOTE, problem[0], **problem[1])
        return
    if not note:
        key = "ticket.note_required" if kind == "escalate" else "ticket.resolution_required"
        form.refuse(blocks.B_NOTE, key)
        return
    user = form.user
    try:
        outcome = transaction(
            runtime.engine,
            lambda session: escalate_or_resolve(
                session, kind=kind, number=number, actor=user, note=note, now=runtime.now()
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_NOTE, error)
        return
    ack()
    counted(kind)
    runtime.send(outcome.deliveries, refresh_ticket=number)


def take_anyway(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """A claim conflict's "Take it anyway": the claim moves to the one who clicked."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    number = click.number
    if number is None:
        click.refuse("ticket.bad_button")
        return
    try:
        outcome = transaction(
            runtime.engine,
            lambda session: tickets.take(
                session=session,
                number=number,
                actor=click.user,
                now=runtime.now(),
                confirm=True,
                claim_hours=runtime.settings.claim_hours,
            ),
        )
    except DomainError as error:
        # the conflict's message is replaced by the answer, as by the one below
        runtime.answer(respond, click.explain(error), replace=True)
        return
    taken = click.explain("cmd.take", number=f"#{number}", agent=mention(click.user))
    runtime.answer(respond, taken, replace=True)
    runtime.send(outcome.deliveries, refresh_ticket=number)


def leave_it(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """A claim conflict's "Leave it": nothing changes; the question is answered."""
    click = clicked(ack, body, respond, runtime)
    if click is not None:
        runtime.answer(respond, click.explain("claim.left"), replace=True)


def more(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """The card's overflow menu: mark as a duplicate of another ticket (the merge modal), or
    declare an outage from it (the title modal)."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        selected = dict_of(click.action.get("selected_option")).get("value")
        outage = clicked_number(selected, tag="outage")
        if outage is not None and click.trigger_id:
            with session_scope(runtime.engine) as session:
                ticket = tickets.get(session, outage)
                tickets.check_resolve(session, ticket, click.user)
            modal = build_declare_modal(outage, ticket.summary, click.lang)
            runtime.urgent(client.views_open, trigger_id=click.trigger_id, view=modal)
            return
        number = clicked_number(selected, tag="merge")
        if number is None or not click.trigger_id:
            raise DomainError("ticket.bad_button")
        with session_scope(runtime.engine) as session:
            ticket = tickets.get(session, number)
            tickets.check_resolve(session, ticket, click.user)
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=blocks.build_merge_modal(ticket, click.lang),
        )
