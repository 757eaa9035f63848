"""The ticket's two homes and what is said in them: the reporter's ticket DM (kept up to date,
with what they can do), a message relayed into the other side's thread, a file that could
not be relayed, the conversation so far for a new agent, and the internal note modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.common import (
    Message,
    actions,
    button,
    context,
    cut,
    format_time,
    header,
    mention,
    modal,
    plain,
    quoted,
    section,
)
from bot.blocks.csat import rating_blocks
from bot.blocks.sla import reporter_line
from bot.blocks.tickets.card import (
    _button,
    number,
    resolution_text,
    state_text,
    suggestion_open,
)
from bot.blocks.tickets.ids import A_REOPEN, A_REPEAT_SAME, B_NOTE, FIELD, V_NOTE
from bot.i18n import t
from storage.types import (
    NOTE_MAX,
    STATE_RESOLVED,
    STATE_WAITING_REPORTER,
    MessageRecord,
    Snapshot,
)

RELAY_MAX = 2900  # a section's text is at most 3,000 characters; the timeline keeps it all


def build_ticket_home(snap: Snapshot, *, lang: str, tz: str, can_reopen: bool) -> Message:
    """The reporter's DM for the ticket: what it is, where it stands, what they can do; its
    thread is where they talk with the agent."""
    ticket = snap.ticket
    n = number(ticket.id)
    title = t("home_dm.title", lang, number=n)
    lines = [
        quoted(ticket.summary, 500),
        f"*{t('ticket.state_label', lang)}:* {state_text(ticket, lang)}",
        f"*{t('ticket.filed_label', lang)}:* {format_time(ticket.created_at, tz, lang)}",
    ]
    if ticket.state == STATE_WAITING_REPORTER:
        lines.append(t("home_dm.waiting", lang, agent=mention(ticket.agent_id)))
    deadline = reporter_line(snap.sla, lang, tz)
    if deadline:
        lines.append(deadline)
    blocks: list[dict[str, Any]] = [header(title), section("\n".join(lines))]
    resolution = resolution_text(ticket, lang)
    if ticket.state == STATE_RESOLVED and resolution:
        blocks.append(
            section(f"*{t('ticket.resolution_label', lang)}:* {quoted(resolution, 1500)}")
        )
    elements = []
    if ticket.state == STATE_RESOLVED and can_reopen:
        elements.append(_button(A_REOPEN, ticket.id, lang))
    if suggestion_open(ticket):
        label = t("button.repeat_same", lang, number=number(ticket.possible_repeat_of))
        elements.append(button(label, A_REPEAT_SAME, str(ticket.id)))
    if elements:
        blocks.append(actions(f"home:{ticket.id}", elements))
    blocks += rating_blocks(snap, lang)
    blocks.append(context(t("home_dm.hint", lang)))
    text = f"{title}: {cut(ticket.summary, 150)} — {state_text(ticket, lang)}"
    return {"text": text, "blocks": blocks}


def _author(message: MessageRecord, name: str, lang: str) -> str:
    if message.kind == "note":
        return t("relay.note_by", lang, name=name)
    return name


def build_relay(message: MessageRecord, *, name: str, lang: str) -> Message:
    """A message of the conversation as the other side sees it in their thread."""
    who = _author(message, name, lang)
    if message.deleted_at is not None:
        text = f"{who} {t('relay.deleted', lang)}"
        return {"text": text, "blocks": [context(text)]}
    body = cut(message.text, RELAY_MAX) if message.text else ""
    edited = f" {t('relay.edited', lang)}" if message.edited_at is not None else ""
    shown = f"*{who}*{edited}\n{body}" if body else f"*{who}*{edited}"
    fallback = f"{who}: {cut(message.text, 300)}" if message.text else who
    return {"text": fallback, "blocks": [section(shown)]}


def build_file_comment(
    message: MessageRecord, file: dict[str, Any], *, name: str, lang: str
) -> str:
    """The comment a relayed file carries."""
    return t(
        "relay.file",
        lang,
        who=_author(message, name, lang),
        file=cut(str(file.get("name") or "file"), 200),
    )


def build_file_not_relayed(
    message: MessageRecord, file: dict[str, Any], *, name: str, lang: str, limit_mb: int
) -> Message:
    """A file that could not be relayed, named with why and what to do."""
    size = int(file.get("size") or 0)
    key = "relay.file_too_large" if size > limit_mb * 1024 * 1024 else "relay.file_failed"
    text = t(
        key,
        lang,
        who=_author(message, name, lang),
        file=cut(str(file.get("name") or "file"), 200),
        size=f"{size / 1024 / 1024:.1f}",
        limit=limit_mb,
    )
    return {"text": text, "blocks": [section(text)]}


def build_history(
    messages: Sequence[MessageRecord], *, names: dict[str, str], lang: str, tz: str
) -> Message:
    """The conversation so far, for an agent who takes the ticket over (an escalation)."""
    title = t("relay.history", lang, count=len(messages))
    lines = []
    for m in messages:
        who = _author(m, names.get(m.author_id, m.author_id), lang)
        said = t("relay.deleted", lang) if m.deleted_at is not None else cut(m.text, 400)
        files = f" 📎 {', '.join(str(f.get('name')) for f in m.files)}" if m.files else ""
        lines.append(f"• {format_time(m.created_at, tz, lang)} — *{who}*: {said}{files}")
    body = cut("\n".join(lines), RELAY_MAX)
    return {"text": title, "blocks": [section(f"*{title}*\n{body}")]}


def build_note_modal(ticket_number: int, lang: str) -> dict[str, Any]:
    """Add internal note: agents only, never the reporter."""
    return modal(
        lang,
        t("note_modal.title", lang, number=number(ticket_number)),
        callback_id=V_NOTE,
        submit=t("note_modal.submit", lang),
        metadata=json.dumps({"ticket": ticket_number}),
        blocks=[
            context(t("note_modal.hint", lang)),
            {
                "type": "input",
                "block_id": B_NOTE,
                "label": plain(t("note_modal.label", lang)),
                "element": {
                    "type": "plain_text_input",
                    "action_id": FIELD,
                    "multiline": True,
                    "max_length": NOTE_MAX,
                },
            },
        ],
    )
