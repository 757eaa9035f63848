"""Send a saved reply (issue 18): the card's button opens a modal with a select of the saved
replies and a preview of the chosen one in the reporter's language; choosing another one
updates the modal in place (views.update); submitting sends it as the agent's own message,
through the same storage path as a message written in the card's thread.

The preview is advisory: what is sent is the reply selected when the modal is submitted,
filled afresh from the store, so a preview that a lost update left behind (or a reply an
admin changed meanwhile) never decides what the reporter reads."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import tickets as blocks
from bot.blocks.common import build_message_view
from bot.i18n import t
from bot.listeners._common import (
    bind,
    clicked,
    clicked_number,
    dict_of,
    first_action,
    metadata,
    slack_id,
    state_values,
    string,
    submitted,
    user_of,
)
from bot.runtime import Runtime
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.tickets import conversation

log = logging.getLogger(__name__)


def _view(choice: conversation.SavedChoice, lang: str) -> dict[str, Any]:
    return blocks.build_saved_modal(
        ticket_number=choice.number,
        reporter=choice.reporter,
        keys=choice.keys,
        selected=choice.key,
        preview=choice.text,
        preview_language=choice.language,
        lang=lang,
    )


def _choice(runtime: Runtime, number: int, user: str, key: str | None) -> conversation.SavedChoice:
    with session_scope(runtime.engine) as session:
        return conversation.saved_choice(
            session=session,
            number=number,
            author=user,
            default_language=runtime.settings.language,
            key=key,
        )


def open_saved(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """ "Send a saved reply" on the card: the modal, for those who may act on an open ticket
    while there are saved replies; otherwise an ephemeral answer saying why."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        if not click.trigger_id:
            raise DomainError("ticket.bad_button")
        choice = _choice(runtime, number, click.user, None)
        runtime.urgent(
            client.views_open, trigger_id=click.trigger_id, view=_view(choice, click.lang)
        )


def picked(ack: Ack, body: dict[str, Any], client: WebClient, *, runtime: Runtime) -> None:
    """Another reply chosen in the modal: the modal is updated with its preview, or replaced
    by the reason it can no longer be sent (the ticket closed, the reply removed)."""
    ack()
    user, view = user_of(body), dict_of(body.get("view"))
    view_id = slack_id(view.get("id"))
    number = clicked_number(metadata(view).get("ticket"))
    key = string(dict_of(first_action(body).get("selected_option")).get("value"))
    if user is None or view_id is None or number is None or not key:
        return
    lang = runtime.language_of(user)
    try:
        updated = _view(_choice(runtime, number, user, key), lang)
    except DomainError as error:
        title = t("saved_modal.title", lang, number=f"#{number}")
        updated = build_message_view(title, runtime.explain(error, user), lang)
    # No `hash`: the last choice made is the one to show (Slack would refuse a second quick
    # choice's update as a hash conflict and leave the first one's preview).
    runtime.urgent(client.views_update, view_id=view_id, view=updated)


def _selected(values: dict[str, dict[str, Any]]) -> str:
    """The key chosen in the modal's select ("" when none is)."""
    element = dict_of(values.get(blocks.B_SAVED)).get(blocks.A_SAVED_PICK)
    return string(dict_of(dict_of(element).get("selected_option")).get("value"))


def saved_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The modal submitted: the reply is sent as the agent's message (once per modal)."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    key = _selected(state_values(form.view))
    number = clicked_number(form.metadata.get("ticket"))
    if number is None or not key:
        form.refuse(blocks.B_SAVED, "ticket.bad_button")
        return
    view_id = slack_id(form.view.get("id"))
    # The modal is the request: submitted twice (a retry, a double click), it sends once.
    once = f"saved:{number}:{form.user}:{view_id}" if view_id else None
    try:
        said = transaction(
            runtime.engine,
            lambda session: conversation.send_saved(
                session=session,
                number=number,
                author=form.user,
                key=key,
                now=runtime.now(),
                default_language=runtime.settings.language,
                source_key=once,
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_SAVED, error)
        return
    ack()
    if not said.again:
        runtime.send(said.deliveries, refresh_ticket=said.ticket.id if said.moved else None)


def register(app: App, runtime: Runtime) -> None:
    app.action(blocks.A_SAVED)(bind(open_saved, runtime=runtime))
    app.action(blocks.A_SAVED_PICK)(bind(picked, runtime=runtime))
    app.view(blocks.V_SAVED)(bind(saved_submitted, runtime=runtime))
