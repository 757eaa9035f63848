""" "How did we do?" in the reporter's ticket DM: a score button rates the resolution (the
same score again changes nothing; anyone but the reporter is refused), "Add a comment" opens
a modal whose text joins the rating."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import csat as blocks
from bot.listeners._common import bind, clicked, clicked_number, parse_number, submitted
from bot.listeners.tickets._shared import field
from bot.runtime import Runtime
from storage import csat
from storage.db import session_scope, transaction
from storage.errors import DomainError


def rate_clicked(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        score, _, raw = click.value.partition(":")
        number, value = parse_number(raw), parse_number(score)
        if number is None or value is None:
            raise DomainError("ticket.bad_button")
        outcome = transaction(
            runtime.engine,
            lambda session: csat.rate(
                session=session, number=number, actor=click.user, score=value, now=runtime.now()
            ),
        )
        runtime.send(outcome.deliveries, refresh_ticket=number)


def comment_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        if not click.trigger_id:
            raise DomainError("ticket.bad_button")
        with session_scope(runtime.engine) as session:
            ticket = csat.rated_ticket(session, number, click.user)
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=blocks.build_comment_modal(ticket, click.lang),
        )


def comment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    number = clicked_number(form.metadata.get("ticket"))
    text = field(form.values, blocks.B_COMMENT) or ""
    if number is None:
        form.refuse(blocks.B_COMMENT, "ticket.bad_button")
        return
    user = form.user
    try:
        outcome = transaction(
            runtime.engine,
            lambda session: csat.comment(
                session=session, number=number, actor=user, text=text, now=runtime.now()
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_COMMENT, error)
        return
    ack()
    runtime.send(outcome.deliveries, refresh_ticket=number)


def register(app: App, runtime: Runtime) -> None:
    app.action(blocks.A_RATE)(bind(rate_clicked, runtime=runtime))
    app.action(blocks.A_RATE_COMMENT)(bind(comment_clicked, runtime=runtime))
    app.view(blocks.V_RATE_COMMENT)(bind(comment_submitted, runtime=runtime))
