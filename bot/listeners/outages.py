"""Outages in Slack: Declare / Not related on a proposal, "My problem is different" for a
linked reporter, "Me too" on the Home tab, and the owner's Post update / Resolve outage
(modals). Each is one short transaction; what people hear goes through the outbox."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import outages as blocks
from bot.blocks.common import build_message_view, mention
from bot.listeners._common import (
    Submission,
    bind,
    clicked,
    clicked_number,
    input_text,
    submitted,
    text_problem,
)
from bot.listeners.home import publish
from bot.runtime import Runtime
from jobs import metrics
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.outages import lifecycle, views
from storage.types import OUTAGE_TITLE_MAX

log = logging.getLogger(__name__)


def _declared(runtime: Runtime, change: lifecycle.Change) -> None:
    """After a declaration committed: send, and redraw what it changed."""
    runtime.send(change.deliveries)
    runtime.redraw(prefixes=change.prefixes, tickets=change.tickets)
    metrics.TICKETS.labels("outage").inc()


def declare(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Declare outage, on a proposal: the one who pressed it runs it."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        proposal = click.required_number("ticket.bad_button")
        change = transaction(
            runtime.engine,
            lambda session: lifecycle.declare(
                session=session,
                actor=click.user,
                now=runtime.now(),
                proposal_id=proposal,
                triage_channel=runtime.settings.triage_channel,
            ),
        )
        title = _title(runtime, change.outage_id or 0)
        click.refuse(
            "outage.declared_ack",
            number=f"{change.outage_id}",
            title=title,
            count=len(change.tickets),
        )
        _declared(runtime, change)


def _title(runtime: Runtime, outage_id: int) -> str:
    with session_scope(runtime.engine) as session:
        return views.get(session, outage_id).title


def dismiss(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Not related: the cluster is silenced."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        proposal = click.required_number("ticket.bad_button")
        change = transaction(
            runtime.engine,
            lambda session: lifecycle.dismiss(
                session=session, proposal_id=proposal, actor=click.user, now=runtime.now()
            ),
        )
        click.refuse("outage.dismissed_ack")
        runtime.redraw(prefixes=change.prefixes)


def different(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """My problem is different: the reporter's linked report becomes a ticket of its own."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        outcome = transaction(
            runtime.engine,
            lambda session: lifecycle.different(
                session=session,
                number=number,
                actor=click.user,
                now=runtime.now(),
                triage_channel=runtime.settings.triage_channel,
            ),
        )
        agent = outcome.ticket.agent_id
        if agent:
            click.refuse("outage.different_ack", number=number, agent=mention(agent))
        else:
            click.refuse("outage.different_waiting", number=number)
        runtime.send(outcome.deliveries)
        runtime.redraw_outage_at(outcome.outage or 0, outcome.card_due)
        metrics.TICKETS.labels("filed").inc()


def me_too(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Me too, on the Home tab: counted, told of the fix. A click on the Home tab has no
    response_url, so the answer is the Home tab published again, whatever happened: counted
    ("you are on the list"), or the outage gone from it when it was resolved meanwhile."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    outage = click.number
    if outage is not None:
        try:
            due = transaction(
                runtime.engine,
                lambda session: lifecycle.me_too(
                    session=session, outage_id=outage, actor=click.user, now=runtime.now()
                ),
            )
            runtime.redraw_outage_at(outage, due)
        except DomainError as error:
            log.info("me too on outage %s refused: %s", outage, error.key)
    runtime.submit(publish, runtime, click.user)


def open_modal(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    *,
    runtime: Runtime,
    kind: str,
) -> None:
    """Post update / Resolve outage on the owner's card: the modal (kind "update"|"resolve"),
    for the owner or an admin while the outage is active."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        if not click.trigger_id:
            raise DomainError("ticket.bad_button")
        with session_scope(runtime.engine) as session:
            lifecycle.check_owner(session, number, click.user)
            outage = views.view(session, number, updates=False)
        build = blocks.build_update_modal if kind == "update" else blocks.build_resolve_modal
        runtime.urgent(
            client.views_open, trigger_id=click.trigger_id, view=build(outage, click.lang)
        )


def _typed(form: Submission, key: str, limit: int) -> tuple[int, str] | None:
    """The number a text modal carries in its metadata under `key` and the text typed, or
    None once the field's refusal is acknowledged (no number, too long)."""
    number = clicked_number(form.metadata.get(key))
    text = input_text(form.view, blocks.B_TEXT).strip()
    if number is None:
        form.refuse(blocks.B_TEXT, "ticket.bad_button")
        return None
    problem = text_problem(text, limit)
    if problem is not None:
        form.refuse(blocks.B_TEXT, problem[0], **problem[1])
        return None
    return number, text


def _done(form: Submission, title: str, text: str) -> None:
    """Acknowledge the modal by replacing it with what was done."""
    form.ack(response_action="update", view=build_message_view(title, text, form.lang))


def update_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """An update to everyone affected; empty or too long: said under the field."""
    form = submitted(ack, body, view, runtime)
    typed = _typed(form, "outage", blocks.TEXT_SHOWN) if form else None
    if form is None or typed is None:
        return
    number, text = typed
    try:
        change = transaction(
            runtime.engine,
            lambda session: lifecycle.post_update(
                session=session, outage_id=number, actor=form.user, text=text, now=runtime.now()
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_TEXT, error)
        return
    sent = form.explain("outage.update_sent", count=change.told)
    _done(form, form.explain("outage.update_title"), sent)
    runtime.send(change.deliveries)
    runtime.redraw(prefixes=change.prefixes)


def resolve_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """Resolved once, for everyone: a second submission (or another person's) is refused."""
    form = submitted(ack, body, view, runtime)
    typed = _typed(form, "outage", blocks.TEXT_SHOWN) if form else None
    if form is None or typed is None:
        return
    number, note = typed
    try:
        change = transaction(
            runtime.engine,
            lambda session: lifecycle.resolve(
                session=session,
                outage_id=number,
                actor=form.user,
                note=note,
                now=runtime.now(),
                triage_channel=runtime.settings.triage_channel,
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_TEXT, error)
        return
    told = form.explain("outage.resolved_ack", number=number, count=change.told)
    _done(form, form.explain("outage.resolve_title"), told)
    runtime.send(change.deliveries)
    runtime.redraw(prefixes=change.prefixes, tickets=change.tickets)


def declare_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """Declare outage from a ticket's card menu, with the title typed (or the ticket's)."""
    form = submitted(ack, body, view, runtime)
    typed = _typed(form, "ticket", OUTAGE_TITLE_MAX) if form else None
    if form is None or typed is None:
        return
    number, title = typed
    try:
        change = declare_ticket(runtime, form.user, number, title)
    except DomainError as error:
        form.refuse(blocks.B_TEXT, error)
        return
    text = form.explain(
        "outage.declared_ack",
        number=f"{change.outage_id}",
        title=_title(runtime, change.outage_id or 0),
        count=len(change.tickets),
    )
    _done(form, form.explain("outage.declare_title"), text)
    _declared(runtime, change)


def declare_ticket(runtime: Runtime, user: str, number: int, title: str) -> lifecycle.Change:
    """Declare an outage from ticket `number` in one transaction (the card's menu and
    `/lapor gangguan #N`)."""
    return transaction(
        runtime.engine,
        lambda session: lifecycle.declare(
            session=session,
            actor=user,
            now=runtime.now(),
            ticket_id=number,
            title=title,
            triage_channel=runtime.settings.triage_channel,
        ),
    )


def register(app: App, runtime: Runtime) -> None:
    app.action(blocks.A_DECLARE)(bind(declare, runtime=runtime))
    app.action(blocks.A_DISMISS)(bind(dismiss, runtime=runtime))
    app.action(blocks.A_DIFFERENT)(bind(different, runtime=runtime))
    app.action(blocks.A_ME_TOO)(bind(me_too, runtime=runtime))
    app.action(blocks.A_UPDATE)(bind(open_modal, runtime=runtime, kind="update"))
    app.action(blocks.A_RESOLVE)(bind(open_modal, runtime=runtime, kind="resolve"))
    app.view(blocks.V_UPDATE)(bind(update_submitted, runtime=runtime))
    app.view(blocks.V_RESOLVE)(bind(resolve_submitted, runtime=runtime))
    app.view(blocks.V_DECLARE)(bind(declare_submitted, runtime=runtime))
