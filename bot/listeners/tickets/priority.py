"""The card's priority menu: an agent who may act on the ticket gives it another priority,
and the ticket's cards are redrawn."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.listeners._common import clicked, dict_of, parse_number, string
from bot.runtime import Runtime
from storage.db import transaction
from storage.errors import DomainError
from storage.tickets.priority import set_priority


def priority_chosen(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """An option "priority:number" chosen on the card."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        value = string(dict_of(click.action.get("selected_option")).get("value"))
        priority, _, raw = value.partition(":")
        number = parse_number(raw)
        if number is None:
            raise DomainError("ticket.bad_button")
        outcome = transaction(
            runtime.engine,
            lambda session: set_priority(
                session=session,
                number=number,
                actor=click.user,
                priority=priority,
                now=runtime.now(),
            ),
        )
        runtime.send(outcome.deliveries, refresh_ticket=number)
