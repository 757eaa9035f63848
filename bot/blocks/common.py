"""Builders shared by every feature: escaping, cutting, times, plain messages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.i18n import t

SECTION_MAX = 3000
HEADER_MAX = 150
BUTTON_MAX = 75
TEXT_MAX = 3900  # top-level text: Slack advises under 4,000 characters
ELLIPSIS = "…"

Message = dict[str, Any]


def escape(text: str) -> str:
    """Escape what a person typed before repeating it in mrkdwn (no pings, no hidden links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Cut to `limit` characters with a visible ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    # Never leave half of an escape such as "&am" behind.
    head = re.sub(r"&[a-z]{0,4}$", "", head)
    return head.rstrip() + ELLIPSIS


# Slack's mrkdwn has no escape for its formatting marks (a backslash shows as is), so the
# marks a person typed are shown as look-alikes Slack does not parse: their `*State:*` or
# ```code``` stays plain text instead of imitating Rekan's own bold labels.
LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def neutral(text: str) -> str:
    """What a person typed, made inert for mrkdwn: no pings, no links, no formatting."""
    return escape(text).translate(LOOKALIKES)


def quote(text: str, limit: int) -> str:
    """A person's words (a name, a summary in a list) inside one of Rekan's own lines: inert
    and on one line, since a newline could start a line that passes for Rekan's field."""
    return cut(neutral(" ".join(text.split())), limit)


def quoted(text: str, limit: int) -> str:
    """A person's words shown as a block quote: inert, and '>' before every line, so no line
    of theirs can stand outside the quote and pass for one of Rekan's fields."""
    lines = cut(neutral(text.strip()), limit).splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def mention(slack_id: str | None) -> str:
    return f"<@{slack_id}>" if slack_id else "—"


def format_time(moment: datetime, tz: str, lang: str) -> str:
    """A moment in the reader's own time zone, e.g. '23 Nov 2026 10:05 WIB'."""
    local = moment.astimezone(ZoneInfo(tz))
    month = t(f"month.{local.month}", lang)
    return f"{local.day} {month} {local.year} {local:%H:%M} {local.tzname()}"


# The blocks every message has are written as the JSON slack_sdk.models would produce:
# building and validating model objects costs more than the rest of a DM's rendering, and
# the tests validate every builder's output with slack_sdk.models.


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def section(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(cut(text, SECTION_MAX))}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def said(text: str, limit: int, *, label: str | None = None) -> dict[str, Any]:
    """A person's words in a section of their own, quoted, under Rekan's bold `label`."""
    head = f"*{label}:*\n" if label else ""
    return section(head + quoted(text, limit))


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(cut(text, HEADER_MAX))}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(cut(text, SECTION_MAX))]}


def actions(block_id: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(cut(text, BUTTON_MAX)),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def build_text_message(text: str) -> Message:
    """A plain reply: one section and the same text for notifications."""
    return {"text": cut(text, TEXT_MAX), "blocks": [section(text)]}


PEOPLE_PARAMS = ("by", "agent", "actor", "lead")


def explain(key: str, params: dict[str, Any], lang: str, tz: str) -> str:
    """A domain error's message: people as mentions, moments in the reader's time zone."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            shown[name] = format_time(value, tz, lang)
        elif name in PEOPLE_PARAMS:
            shown[name] = mention(value) if value and value != "-" else "—"
        else:
            shown[name] = value
    return t(key, lang, **shown)


MODAL_LABEL_MAX = 24  # a modal's title and its buttons' labels (Slack's limit)


def modal(
    lang: str,
    title: str,
    blocks: list[Any],
    *,
    submit: str | None = None,
    close: str = "form.close",
    callback_id: str | None = None,
    metadata: str | None = None,
) -> dict[str, Any]:
    """A modal view: the title and the submit label as given, the close button's label from
    the catalog key `close`, all cut to Slack's limit; no submit button without `submit`."""
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata,
        title=PlainTextObject(text=cut(title, MODAL_LABEL_MAX)),
        submit=PlainTextObject(text=cut(submit, MODAL_LABEL_MAX)) if submit else None,
        close=PlainTextObject(text=cut(t(close, lang), MODAL_LABEL_MAX)),
        blocks=blocks,
    ).to_dict()


def build_message_view(title: str, text: str, lang: str) -> dict[str, Any]:
    """A modal that only says something (what a form turns into once it is done)."""
    return modal(lang, title, [section(text)], close="form.done")
