"""The answers to the matcher's guesses: the reporter's "Not the same problem" on a silent
join and "Same problem as #N" on a suggestion, and the agent's merge of a suggested repeat
from the card. Each is one short transaction; a second click finds it done."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlmodel import Session

from bot.blocks.common import mention
from bot.i18n import t
from bot.listeners._common import clicked
from bot.runtime import Runtime
from storage import tickets
from storage.db import transaction
from storage.errors import DomainError


def split_clicked(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Not the same problem: the joined report becomes its own ticket, same agent."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        if not click.value:
            raise DomainError("repeat.unknown")
        outcome, joined = transaction(
            runtime.engine,
            lambda session: tickets.split_out(
                session=session,
                source_key=click.value,
                actor=click.user,
                now=runtime.now(),
                triage_channel=runtime.settings.triage_channel,
            ),
        )
        ticket = outcome.ticket
        key = "repeat.split" if ticket.agent_id else "repeat.split_waiting"
        text = t(key, click.lang, number=f"#{ticket.id}", agent=mention(ticket.agent_id))
        runtime.answer(respond, text, replace=True)
        runtime.send(outcome.deliveries, refresh_ticket=joined)


def same_clicked(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """Same problem as #N: the new ticket is merged into the one it may repeat."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        outcome, agent = transaction(
            runtime.engine,
            lambda session: _with_agent(
                session,
                tickets.confirm_repeat(
                    session=session, number=number, actor=click.user, now=runtime.now()
                ),
            ),
        )
        runtime.answer(respond, _merged_text(outcome, agent, click.lang), replace=True)
        _refresh(runtime, outcome)


def merge_suggested(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """The agent's "Merge into #N" on a card that shows a possible repeat."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")

        def work(session: Session) -> tuple[tickets.Outcome, str | None]:
            into = tickets.get(session, number).possible_repeat_of
            if into is None:
                raise DomainError("repeat.no_suggestion", number=number)
            merged = tickets.merge(
                session=session, number=number, into=into, actor=click.user, now=runtime.now()
            )
            return _with_agent(session, merged)

        outcome, agent = transaction(runtime.engine, work)
        runtime.answer(respond, _merged_text(outcome, agent, click.lang))
        _refresh(runtime, outcome)


def _with_agent(session: Session, outcome: tickets.Outcome) -> tuple[tickets.Outcome, str | None]:
    """The merge's outcome and the agent of the ticket it went into, read in its transaction."""
    into = outcome.ticket.merged_into
    return outcome, tickets.get(session, into).agent_id if into is not None else None


def _merged_text(outcome: tickets.Outcome, agent: str | None, lang: str) -> str:
    number, into = f"#{outcome.ticket.id}", f"#{outcome.ticket.merged_into}"
    if agent is None:
        return t("repeat.merged_waiting", lang, number=number, into=into)
    return t("repeat.merged", lang, number=number, into=into, agent=mention(agent))


def _refresh(runtime: Runtime, outcome: tickets.Outcome) -> None:
    runtime.send(outcome.deliveries, refresh_ticket=outcome.ticket.id)
    if outcome.ticket.merged_into is not None:
        runtime.send([], refresh_ticket=outcome.ticket.merged_into)
