"""Saved replies: texts agents send often from the ticket's card ("Send a saved reply"), kept
by a short key in Bahasa Indonesia and English. Placeholders are filled when a reply is
sent (storage.tickets.conversation.send_saved), in the reporter's language:
`{reporter}` and `{agent}` become mentions, `{ticket}` the ticket's number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.errors import DomainError, NotFound
from storage.models import SavedReply

KEY_MAX = 40
TEXT_MAX = 2800  # a relayed message shows up to 2,900 characters; placeholders grow a little
REPLIES_MAX = 100  # a static select holds at most 100 options
PLACEHOLDERS = ("reporter", "ticket", "agent")
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Braces stand for a placeholder, and only for one of PLACEHOLDERS: "{Reporter}" or
# "{name}" is refused at `add`, so a typo never reaches a reporter as "{Reporter}".
BRACED = re.compile(r"\{([^{}]*)\}")
LANGUAGES = ("id", "en")


def normal_key(key: str) -> str:
    """A key as it is kept: trimmed, lower case ("VPN-Reset " is "vpn-reset")."""
    return key.strip().lower()


def check_key(key: str) -> str:
    """The key, normalised; DomainError when it is not a short slug."""
    key = normal_key(key)
    if not (0 < len(key) <= KEY_MAX and KEY_PATTERN.fullmatch(key)):
        raise DomainError("replies.bad_key", name=key, limit=KEY_MAX)
    return key


def check_text(text: str, language: str) -> str:
    """A reply's text in `language`, trimmed; DomainError when it is empty, too long, holds
    a NUL (PostgreSQL cannot store it) or an unknown placeholder."""
    text = text.strip()
    if not text:
        raise DomainError("replies.empty", language=language)
    if "\x00" in text:
        raise DomainError("replies.bad_character", language=language)
    if len(text) > TEXT_MAX:
        raise DomainError("replies.too_long", language=language, limit=TEXT_MAX, length=len(text))
    unknown = [name for name in BRACED.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        raise DomainError(
            "replies.unknown_placeholder",
            language=language,
            placeholder="{" + unknown[0] + "}",
            known=", ".join("{" + p + "}" for p in PLACEHOLDERS),
        )
    return text


def add(
    *, session: Session, key: str, text_id: str, text_en: str, now: datetime
) -> tuple[SavedReply, bool]:
    """Save a reply under `key`, or replace the texts of the one saved there; returns it and
    whether it is new."""
    key = check_key(key)
    text_id, text_en = check_text(text_id, "id"), check_text(text_en, "en")
    row = get(session, key)
    created = row is None
    if row is None:
        count = session.exec(select(func.count()).select_from(SavedReply)).one()
        if count >= REPLIES_MAX:
            raise DomainError("replies.too_many", limit=REPLIES_MAX)
        row = SavedReply(key=key, text_id=text_id, text_en=text_en, created_at=now)
    row.text_id, row.text_en, row.updated_at = text_id, text_en, now
    session.add(row)
    session.flush()
    return row, created


def listing(session: Session) -> Sequence[SavedReply]:
    """Every saved reply, by key."""
    return session.exec(select(SavedReply).order_by(col(SavedReply.key))).all()


def keys(session: Session) -> list[str]:
    """The keys of every saved reply, in order."""
    return list(session.exec(select(SavedReply.key).order_by(col(SavedReply.key))).all())


def get(session: Session, key: str) -> SavedReply | None:
    return session.exec(select(SavedReply).where(SavedReply.key == normal_key(key))).first()


def require(session: Session, key: str) -> SavedReply:
    row = get(session, key)
    if row is None:
        raise NotFound("replies.unknown", name=normal_key(key))
    return row


def remove(*, session: Session, key: str) -> None:
    session.delete(require(session, key))
    session.flush()


def text_in(reply: SavedReply, language: str) -> str:
    """The reply's text in `language` (Indonesian unless English)."""
    return reply.text_en if language == "en" else reply.text_id


def escape(text: str) -> str:
    """Slack's three escapes: what the operator wrote shows as written (a "<" is not the
    start of a link or a mention), as Slack escapes what a person types."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fill(text: str, *, reporter: str, ticket: int, agent: str) -> str:
    """A reply's text as the reporter reads it: escaped, then the placeholders filled
    (`{reporter}` and `{agent}` as mentions, `{ticket}` as "#N")."""
    values = {"reporter": f"<@{reporter}>", "ticket": f"#{ticket}", "agent": f"<@{agent}>"}
    return BRACED.sub(lambda m: values.get(m.group(1), m.group(0)), escape(text))
