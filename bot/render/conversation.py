"""The conversation's messages from the store: a relayed message (redrawn after an edit or a
deletion), a relayed file (or its name when it cannot be), and the history for a new agent."""

from __future__ import annotations

from sqlmodel import Session

from bot.blocks.tickets.conversation import (
    build_file_comment,
    build_file_not_relayed,
    build_history,
    build_relay,
)
from bot.render.common import reader
from jobs.context import CannotRender, JobSettings, Rendered, Upload
from storage import people
from storage.models import Delivery, TicketMessage
from storage.tickets import conversation


def _message(session: Session, row: Delivery) -> TicketMessage:
    found = conversation.message(session, int(row.params.get("message", 0)))
    if found is None:
        raise CannotRender("message is gone")
    return found


def _name(session: Session, slack_id: str) -> str:
    person = people.get(session, slack_id)
    return person.name if person and person.name else f"<@{slack_id}>"


def render_relay(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    message = _message(session, row)
    lang = reader(session, row.recipient, settings)[0]
    return Rendered(build_relay(message, name=_name(session, message.author_id), lang=lang))


def render_file(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    message = _message(session, row)
    index = int(row.params.get("file", 0))
    if index >= len(message.files):
        raise CannotRender("file is gone")
    file = message.files[index]
    lang = reader(session, row.recipient, settings)[0]
    name = _name(session, message.author_id)
    limit_mb = settings.file_max_bytes // (1024 * 1024)
    fallback = build_file_not_relayed(message, file, name=name, lang=lang, limit_mb=limit_mb)
    comment = build_file_comment(message, file, name=name, lang=lang)
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url or message.deleted_at is not None:
        return Rendered(fallback)
    upload = Upload(url, str(file.get("name") or "file"), int(file.get("size") or 0), fallback)
    return Rendered({"text": comment}, upload=upload)


def render_history(session: Session, row: Delivery, settings: JobSettings) -> Rendered:
    if row.ticket_id is None:
        raise CannotRender("no ticket")
    messages = conversation.messages_of(session, row.ticket_id)
    lang, tz = reader(session, row.recipient, settings)
    names = {m.author_id: _name(session, m.author_id) for m in messages}
    return Rendered(build_history(messages, names=names, lang=lang, tz=tz))
