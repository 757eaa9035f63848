"""What the stand-in keeps: the calls it answered, the faults waiting for them, and the
messages in each conversation, listed as the Web API lists them."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.events import BOT_USER


@dataclass
class Call:
    """One recorded request: the method (or `response_url`), its parsed parameters, the token."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    outcome: str = "ok"


@dataclass
class Fault:
    kind: str  # ratelimit | server_error | slow | drop_after_post | error
    retry_after: int = 1
    delay: float = 0.0
    error: str = "internal_error"
    status: int = 500


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    user: str
    thread_ts: str | None = None  # on a reply: its parent's ts
    files: list[dict[str, Any]] | None = None
    subtype: str | None = None
    edited: dict[str, str] | None = None


@dataclass
class State:
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    messages: dict[str, list[Message]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)


def as_dict(m: Message) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "message", "user": m.user, "ts": m.ts, "text": m.text}
    optional = {
        "blocks": m.blocks,
        "metadata": m.metadata,
        "thread_ts": m.thread_ts,
        "files": m.files,
        "subtype": m.subtype,
        "edited": m.edited,
    }
    item.update({k: v for k, v in optional.items() if v is not None})
    if m.files:
        item["upload"] = m.user == BOT_USER
    return item


def is_reply(m: Message) -> bool:
    return bool(m.thread_ts) and m.thread_ts != m.ts and m.subtype != "thread_broadcast"


def listed(m: Message, kept: list[Message], with_meta: bool) -> dict[str, Any]:
    """A message as history lists it: a thread's parent counts its replies."""
    item = as_dict(m)
    if not with_meta:
        item.pop("metadata", None)
    replies = [r for r in kept if r.thread_ts == m.ts and r.ts != m.ts]
    if replies:
        users = list(dict.fromkeys(r.user for r in replies))
        item.update(
            thread_ts=m.ts,
            reply_count=len(replies),
            reply_users=users,
            reply_users_count=len(users),
            latest_reply=replies[-1].ts,
        )
    return item
