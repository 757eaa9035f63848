"""`/lapor` called as a function: the ack carries the answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.blocks.common import build_text_message
from bot.i18n import t
from bot.listeners.tickets.command import lapor
from bot.runtime import Runtime
from storage import people
from storage.db import session_scope
from storage.models import ROLE_AGENT, Person
from tests.bot.listeners.conftest import Recorder
from tests.helpers import NOW


def run(ack: Recorder, body: dict[str, Any], runtime: Runtime) -> None:
    """/lapor as Bolt calls it; the ack is a recorder, no Slack client is needed."""
    lapor(ack, body, client=None, runtime=runtime)  # type: ignore[arg-type]


def command(text: str, user: str = "U0RINA", **extra: Any) -> dict[str, Any]:
    return {"command": "/lapor", "text": text, "user_id": user, "user_name": "rina", **extra}


def test_help_is_acknowledged(runtime: Runtime, ack: Recorder) -> None:
    run(ack, command("bantuan"), runtime)
    assert ack.calls == [build_text_message(t("lapor.help", "id"))]


def test_empty_text_without_a_trigger_cannot_open_the_form(runtime: Runtime, ack: Recorder) -> None:
    run(ack, command("   "), runtime)
    assert ack.calls == [build_text_message(t("error.generic", "id"))]


def test_taking_a_missing_ticket_is_refused(runtime: Runtime, ack: Recorder) -> None:
    run(ack, command("ambil #41"), runtime)
    assert ack.calls == [build_text_message(t("ticket.unknown", "id", number=41))]


def test_back_is_acknowledged_and_the_agent_is_available(
    runtime: Runtime, ack: Recorder, engine: Engine
) -> None:
    with session_scope(engine, write=True) as s:
        people.ensure(s, "U0AGENTA", now=NOW, name="Agen A")
        people.add_role(session=s, slack_id="U0AGENTA", role=ROLE_AGENT, tier=1, now=NOW)
        people.set_away(session=s, slack_id="U0AGENTA", now=NOW)
    run(ack, command("kembali", user="U0AGENTA"), runtime)
    assert ack.calls == [build_text_message(t("cmd.back", "id"))]
    with session_scope(engine) as s:
        agent = s.get(Person, "U0AGENTA")
        assert agent is not None and not agent.is_away
