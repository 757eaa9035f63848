"""Talk on the ticket (issue 18): what people write in their tickets' threads is kept and
relayed to the other side, edits and deletions follow; "Add internal note" on the card;
"File as a new ticket" under a reply to a closed ticket. Bolt acknowledges events before
the listener runs, so a listener here does one short transaction and sends through the
outbox."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import tickets as blocks
from bot.blocks.common import actions, button, section
from bot.blocks.tickets.conversation import build_note_modal
from bot.i18n import t
from bot.listeners._common import (
    bind,
    clicked,
    dict_of,
    slack_id,
    slack_ts,
    string,
    submitted,
)
from bot.listeners.tickets._shared import field
from bot.runtime import Runtime
from jobs.updates import update_message
from storage.db import session_scope, transaction
from storage.errors import DomainError
from storage.tickets import conversation
from storage.types import SUMMARY_MAX

log = logging.getLogger(__name__)
FILE_FIELDS = ("id", "name", "title", "mimetype", "filetype", "size", "url_private_download")


def source_key(channel: str, ts: str) -> str:
    return f"msg:{channel}:{ts}"


def _clean(text: str) -> str:
    """A NUL cannot be stored in PostgreSQL's text: dropped, the rest of the words kept."""
    return text.replace("\x00", "")


def _files(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared files' facts Rekan needs to relay them (plain strings and sizes only)."""
    found = event.get("files")
    items = found if isinstance(found, list) else []
    kept = []
    for item in items:
        if not isinstance(item, dict):
            continue
        facts = {
            k: _clean(v) if isinstance(v, str) else v
            for k in FILE_FIELDS
            if isinstance(v := item.get(k), str | int) and not isinstance(v, bool)
        }
        if facts.get("id"):
            kept.append(facts)
    return kept


def message(event: dict[str, Any], client: WebClient, *, runtime: Runtime) -> None:
    """A message in a DM with Rekan (`message.im`)."""
    if event.get("channel_type") not in (None, "im") or event.get("bot_id"):
        return  # Rekan's own messages and other bots' are not the conversation
    subtype = event.get("subtype")
    channel = slack_id(event.get("channel"))
    if channel is None:
        return
    if subtype in ("message_changed", "message_deleted"):
        _changed(event, channel, runtime=runtime)
        return
    if subtype not in (None, "file_share", "thread_broadcast"):
        return
    user = slack_id(event.get("user"))
    ts, thread_ts = slack_ts(event.get("ts")), slack_ts(event.get("thread_ts"))
    if user is None or not ts:
        return
    text, files = _clean(string(event.get("text"))), _files(event)
    if not text.strip() and not files:
        return  # nothing said (a reaction, an empty edit): nothing to keep
    said = _said(user, channel, ts, thread_ts, text, files, runtime=runtime)
    if said is None:
        _hint(client, user, channel, thread_ts or None, "conversation.outside_thread", runtime)
        return
    if said.again:
        return  # Slack delivered it again (a retry): it was relayed once already
    if said.refusal is not None:
        _refused(client, user, channel, thread_ts, said, runtime)
        return
    # a question made the ticket wait for its reporter, or their reply ended the wait: the
    # card and the reporter's ticket DM show it
    runtime.send(said.deliveries, refresh_ticket=said.ticket.id if said.moved else None)


def _said(
    user: str,
    channel: str,
    ts: str,
    thread_ts: str,
    text: str,
    files: list[dict[str, Any]],
    *,
    runtime: Runtime,
) -> conversation.Said | None:
    """Keep and relay it in one transaction; None when it is not in a ticket's thread."""
    if not thread_ts or thread_ts == ts:
        return None

    def work(session: Session) -> conversation.Said | None:
        thread = conversation.thread_at(session, channel, thread_ts)
        if thread is None:
            return None
        return conversation.say(
            session=session,
            thread=thread,
            author=user,
            text=text,
            files=files,
            source_key=source_key(channel, ts),
            now=runtime.now(),
        )

    try:
        return transaction(runtime.engine, work)
    except DomainError as error:
        log.info("message in a ticket thread refused: %s", error.key)
        return None


def _refused(
    client: WebClient,
    user: str,
    channel: str,
    thread_ts: str,
    said: conversation.Said,
    runtime: Runtime,
) -> None:
    """The message is kept; the writer learns why it went no further and what to do."""
    lang = runtime.language_of(user)
    number = f"#{said.ticket.id}"
    text = t(str(said.refusal), lang, number=number, into=f"#{said.params.get('into')}")
    parts: list[dict[str, Any]] = [section(text)]
    if said.refusal == "conversation.resolved":
        reopen = button(t("button.ticket_reopen", lang), blocks.A_REOPEN, str(said.ticket.id))
        parts.append(actions(f"ticket:{said.ticket.id}", [reopen]))
    if said.refusal == "conversation.closed" and said.message is not None:
        label = t("button.ticket_file_new", lang)
        parts.append(actions("file_new", [button(label, blocks.A_FILE_NEW, str(said.message.id))]))
    runtime.urgent(
        client.chat_postEphemeral,
        channel=channel,
        user=user,
        thread_ts=thread_ts or None,
        text=text,
        blocks=parts,
    )


def _hint(
    client: WebClient,
    user: str,
    channel: str,
    thread_ts: str | None,
    key: str,
    runtime: Runtime,
) -> None:
    text = t(key, runtime.language_of(user))
    runtime.urgent(
        client.chat_postEphemeral, channel=channel, user=user, thread_ts=thread_ts, text=text
    )


def _changed(event: dict[str, Any], channel: str, *, runtime: Runtime) -> None:
    """An edit relays the new words in place; a deletion is noted in place."""
    if event.get("subtype") == "message_changed":
        changed = dict_of(event.get("message"))
        text: str | None = _clean(string(changed.get("text")))
        ts = slack_ts(changed.get("ts"))
    else:
        ts = slack_ts(dict_of(event.get("previous_message")).get("ts")) or slack_ts(
            event.get("deleted_ts")
        )
        text = None
    if not ts:
        return
    rows = transaction(
        runtime.engine,
        lambda session: conversation.changed(
            session=session, source_key=source_key(channel, ts), text=text, now=runtime.now()
        ),
    )
    for row in rows:
        runtime.submit(update_message, runtime.jobs, row)


def add_note(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, runtime: Runtime
) -> None:
    """ "Add internal note" on the card: the note modal, for those who may act on it."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        number = click.required_number("ticket.bad_button")
        if not click.trigger_id:
            raise DomainError("ticket.bad_button")
        with session_scope(runtime.engine) as session:  # a check: nothing is written
            conversation.require_agent(session, number, click.user)
        runtime.urgent(
            client.views_open,
            trigger_id=click.trigger_id,
            view=build_note_modal(number, click.lang),
        )


def note_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, runtime: Runtime
) -> None:
    """The internal note: kept and posted in every agent's card thread."""
    form = submitted(ack, body, view, runtime)
    if form is None:
        return
    text = (field(form.values, blocks.B_NOTE) or "").strip()
    number = form.metadata.get("ticket")
    if not text or not isinstance(number, int):
        form.refuse(blocks.B_NOTE, "note.empty")
        return
    try:
        said = transaction(
            runtime.engine,
            lambda session: conversation.note(
                session=session, number=number, author=form.user, text=text, now=runtime.now()
            ),
        )
    except DomainError as error:
        form.refuse(blocks.B_NOTE, error)
        return
    ack()
    runtime.send(said.deliveries)


def file_new(ack: Ack, body: dict[str, Any], respond: Respond, *, runtime: Runtime) -> None:
    """A reply to a closed ticket, filed as a new ticket linked to the old one."""
    click = clicked(ack, body, respond, runtime)
    if click is None:
        return
    with click.refusing():
        message_id = click.required_number("ticket.bad_button")
        outcome = transaction(
            runtime.engine,
            lambda session: conversation.file_as_new(
                session=session,
                message_id=message_id,
                actor=click.user,
                now=runtime.now(),
                triage_channel=runtime.settings.triage_channel,
                summary_max=SUMMARY_MAX,
            ),
        )
        ticket = outcome.ticket
        runtime.answer(
            respond,
            t("conversation.filed_new", click.lang, number=f"#{ticket.id}"),
            replace=True,
        )
        runtime.send(outcome.deliveries)


def register(app: App, runtime: Runtime) -> None:
    app.event("message")(bind(message, runtime=runtime))
    app.action(blocks.A_NOTE)(bind(add_note, runtime=runtime))
    app.view(blocks.V_NOTE)(bind(note_submitted, runtime=runtime))
    app.action(blocks.A_FILE_NEW)(bind(file_new, runtime=runtime))
