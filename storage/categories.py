"""Ticket categories people choose in the /lapor form, managed with `rekan categories`: a
short key tickets keep, and a name in Bahasa Indonesia and English."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.errors import DomainError, NotFound
from storage.models import Category

KEY_MAX = 32
NAME_MAX = 75  # a select option's text
CATEGORIES_MAX = 100  # a static select holds at most 100 options
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


def normal_key(key: str) -> str:
    return key.strip().lower()


def _name(text: str, language: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise DomainError("categories.empty", language=language)
    if len(text) > NAME_MAX:
        raise DomainError("categories.too_long", language=language, limit=NAME_MAX)
    return text


def add(
    *, session: Session, key: str, text_id: str, text_en: str, now: datetime
) -> tuple[Category, bool]:
    """Add a category under `key`, or rename the one kept there; returns it and whether it is new."""
    key = normal_key(key)
    if not (0 < len(key) <= KEY_MAX and KEY_PATTERN.fullmatch(key)):
        raise DomainError("categories.bad_key", name=key, limit=KEY_MAX)
    text_id, text_en = _name(text_id, "id"), _name(text_en, "en")
    row = session.get(Category, key)
    created = row is None
    if row is None:
        count = session.exec(select(func.count()).select_from(Category)).one()
        if count >= CATEGORIES_MAX:
            raise DomainError("categories.too_many", limit=CATEGORIES_MAX)
        last = session.exec(select(func.max(Category.position))).one() or 0
        row = Category(key=key, text_id=text_id, text_en=text_en, position=last + 1)
        row.created_at = now
    row.text_id, row.text_en = text_id, text_en
    session.add(row)
    session.flush()
    return row, created


def listing(session: Session) -> Sequence[Category]:
    """Every category, in the order they were added (the form's order)."""
    return session.exec(select(Category).order_by(col(Category.position), col(Category.key))).all()


def names(session: Session, keys: Collection[str]) -> dict[str, tuple[str, str]]:
    """(Indonesian, English) names of these keys, for those that exist."""
    if not keys:
        return {}
    rows = session.exec(select(Category).where(col(Category.key).in_(sorted(keys)))).all()
    return {r.key: (r.text_id, r.text_en) for r in rows}


def check(session: Session, key: str | None) -> None:
    """Raise unless `key` (when given) is a category people may choose now."""
    if key is not None and session.get(Category, key) is None:
        raise DomainError("ticket.bad_category", category=key)


def remove(*, session: Session, key: str) -> None:
    """Take a category out of the form; tickets filed under it keep their key."""
    row = session.get(Category, normal_key(key))
    if row is None:
        raise NotFound("categories.unknown", name=normal_key(key))
    session.delete(row)
    session.flush()
