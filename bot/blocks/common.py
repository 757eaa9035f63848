"""Builders shared by every feature: escaping, cutting, times, plain messages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n import t

SECTION_MAX = 3000
HEADER_MAX = 150
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


def quote(text: str, limit: int) -> str:
    """A person's text, escaped and cut, ready to sit inside mrkdwn."""
    return cut(escape(text), limit)


def mention(slack_id: str | None) -> str:
    return f"<@{slack_id}>" if slack_id else "—"


def format_time(moment: datetime, tz: str, lang: str) -> str:
    """A moment in the reader's own time zone, e.g. '23 Nov 2026 10:05 WIB'."""
    local = moment.astimezone(ZoneInfo(tz))
    month = t(f"month.{local.month}", lang)
    return f"{local.day} {month} {local.year} {local:%H:%M} {local.tzname()}"


def section(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    return SectionBlock(
        text=MarkdownTextObject(text=cut(text, SECTION_MAX)), block_id=block_id
    ).to_dict()


def header(text: str) -> dict[str, Any]:
    return HeaderBlock(text=cut(text, HEADER_MAX)).to_dict()


def context(text: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=cut(text, SECTION_MAX))]).to_dict()


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


def build_message_view(title: str, text: str, lang: str) -> dict[str, Any]:
    """A modal that only says something (what a form turns into once it is done)."""
    return View(
        type="modal",
        title=PlainTextObject(text=cut(title, 24)),
        close=PlainTextObject(text=cut(t("form.done", lang), 24)),
        blocks=[section(text)],
    ).to_dict()
