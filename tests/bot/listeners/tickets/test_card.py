"""The buttons on a ticket called as functions: acknowledged at once, refusals answered
ephemerally where the click happened."""

from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import tickets as blocks
from bot.i18n import t
from bot.listeners.tickets.card import button, note_submitted
from bot.runtime import Runtime
from storage import tickets
from tests.bot.listeners.conftest import Recorder, answered


def click(value: Any, user: str = "U0AGENTA") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": blocks.A_TAKE, "value": value}],
    }


def take(ack: Recorder, body: dict[str, Any], respond: Recorder, *, runtime: Runtime) -> None:
    """The Take button, as register() wires it; Bolt's ack and respond are recorders here."""
    button(ack, body, respond, runtime=runtime, action=tickets.take)  # type: ignore[arg-type]


def refusal(text: str) -> dict[str, Any]:
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


def test_take_on_a_missing_ticket_is_refused(
    runtime: Runtime, ack: Recorder, respond: Recorder
) -> None:
    take(ack, click("41"), respond, runtime=runtime)
    assert ack.calls == [{}]
    assert answered(runtime, respond) == [refusal(t("ticket.unknown", "id", number=41))]


@pytest.mark.parametrize("value", ["²", "#0", "2147483648", None, ["1"]], ids=repr)
def test_take_with_a_value_that_is_no_number_is_refused(
    runtime: Runtime, ack: Recorder, respond: Recorder, value: Any
) -> None:
    take(ack, click(value), respond, runtime=runtime)
    assert ack.calls == [{}]
    assert answered(runtime, respond) == [refusal(t("ticket.bad_button", "id"))]


def test_a_click_from_nobody_is_only_acknowledged(
    runtime: Runtime, ack: Recorder, respond: Recorder
) -> None:
    body = {**click("1"), "user": "not an object"}
    take(ack, body, respond, runtime=runtime)
    assert ack.calls == [{}]
    assert answered(runtime, respond) == []


def test_a_note_left_empty_keeps_the_modal_open(runtime: Runtime, ack: Recorder) -> None:
    view = {
        "callback_id": blocks.V_ESCALATE,
        "private_metadata": '{"ticket": 3}',
        "state": {"values": {blocks.B_NOTE: {blocks.FIELD: {"value": "  "}}}},
    }
    body = {"type": "view_submission", "user": {"id": "U0AGENTA"}, "view": view}
    note_submitted(ack, body, view, runtime=runtime, kind="escalate")  # type: ignore[arg-type]
    errors = {blocks.B_NOTE: t("ticket.note_required", "id")}
    assert ack.calls == [{"response_action": "errors", "errors": errors}]
