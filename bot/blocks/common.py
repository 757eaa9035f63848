"""Builders shared by every feature: escaping, cutting, plain messages."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import SectionBlock

SECTION_MAX = 3000
ELLIPSIS = "…"


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


def section(text: str) -> dict[str, Any]:
    return SectionBlock(text={"type": "mrkdwn", "text": cut(text, SECTION_MAX)}).to_dict()


def build_text_message(text: str) -> dict[str, Any]:
    """An ephemeral reply: one section and the same text for notifications."""
    return {"text": cut(text, SECTION_MAX), "blocks": [section(text)]}
