"""Seeding and waiting helpers shared by the end-to-end tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.sandbox import SlackStandIn
from bot.sandbox.webapi import Call, Message
from storage import people
from storage.db import session_scope
from storage.models import ROLE_ADMIN, ROLE_AGENT

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def seed(
    engine: Engine,
    *,
    tier1: tuple[str, ...] = ("U0AGENTA", "U0AGENTB", "U0AGENTC"),
    tier2: tuple[str, ...] = ("U0TIER2X", "U0TIER2Y"),
    staff: tuple[str, ...] = ("U0REPORT", "U0RINA", "U0SARI"),
    admins: tuple[str, ...] = ("U0ADMIN",),
    language: str | None = None,
) -> None:
    """People, agents in rotation order, and admins."""
    everyone = [*tier1, *tier2, *staff, *admins]
    rows = [
        (
            i + 2,
            {
                "slack_id": sid,
                "name": sid[3:].title(),
                "email": f"{sid.lower()}@corp.id",
                "team": "IT",
                "lead_slack_id": "",
                "timezone": "Asia/Jakarta",
                "language": language or "",
            },
        )
        for i, sid in enumerate(everyone)
    ]
    with session_scope(engine, write=True) as session:
        people.import_rows(session=session, rows=rows, now=NOW)
        for sid in tier1:
            people.add_role(session=session, slack_id=sid, role=ROLE_AGENT, tier=1, now=NOW)
        for sid in tier2:
            people.add_role(session=session, slack_id=sid, role=ROLE_AGENT, tier=2, now=NOW)
        for sid in admins:
            people.add_role(session=session, slack_id=sid, role=ROLE_ADMIN, now=NOW)


def wait_dms(
    standin: SlackStandIn, user: str, count: int = 1, timeout: float = 5.0
) -> list[Message]:
    """Wait until `user` has at least `count` DMs; return them all."""
    standin.wait_for(lambda: len(standin.dms_to(user)) >= count, timeout)
    found = standin.dms_to(user)
    assert len(found) >= count, f"{user} got {len(found)} DMs, expected {count}"
    return found


def wait_calls(standin: SlackStandIn, method: str, count: int = 1, timeout: float = 5.0) -> list:
    standin.wait_for(lambda: len(standin.calls(method)) >= count, timeout)
    calls = standin.calls(method)
    assert len(calls) >= count, f"{len(calls)} {method} calls, expected {count}"
    return calls


def call_after(standin: SlackStandIn, method: str, before: int, timeout: float = 5.0) -> Call:
    """The call of `method` made after `before` of them had been recorded (modals are opened
    on a pool after the acknowledgement, so they arrive a moment later)."""
    return wait_calls(standin, method, before + 1, timeout)[before]


def buttons(message: Message) -> list[str]:
    """The action ids of the message's buttons (not its overflow menu)."""
    return [
        e.get("action_id", "")
        for b in message.blocks or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]


def message_text(message: Message) -> str:
    from bot.sandbox.sender import visible_text

    return message.text + "\n" + visible_text(message.blocks or [])
