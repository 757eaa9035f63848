"""register_all() wires every action_id and callback_id the builders define, every command
and event the manifest declares, each to exactly one listener; and Bolt injects every
parameter a wired listener leaves (the runtime is bound, never asked of Bolt)."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.kwargs_injection.args import Args
from slack_bolt.listener import CustomListener

from bot import manifest
from bot.blocks import checkins, csat, home, outages, privacy, tasks, tickets
from bot.listeners import register_all
from bot.runtime import Runtime
from storage.types import QUESTIONS

BUILDERS = (tickets, tasks, checkins, home, outages, privacy, csat)
USER = {"id": "U0RINA"}


def constants(module: ModuleType, prefix: str) -> list[str]:
    return [v for n, v in vars(module).items() if n.startswith(prefix) and isinstance(v, str)]


def action_ids() -> list[str]:
    """Every action_id a builder puts on an element; the check-in's answers spelled out."""
    found = [a for m in BUILDERS for a in constants(m, "A_") if a != checkins.A_ANSWER]
    answers = [
        checkins.A_ANSWER.format(question=q, score=s) for q in QUESTIONS for s in range(1, 6)
    ]
    return found + answers


def requests() -> dict[str, dict[str, Any]]:
    """A payload of each kind Rekan is sent, by what it carries."""
    payloads: dict[str, dict[str, Any]] = {}
    for action_id in action_ids():
        payloads[action_id] = {
            "type": "block_actions",
            "user": USER,
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button"}],
        }
    for callback_id in (v for m in BUILDERS for v in constants(m, "V_")):
        payloads[callback_id] = {
            "type": "view_submission",
            "user": USER,
            "view": {"id": "V1", "type": "modal", "callback_id": callback_id},
        }
    for declared in manifest.COMMANDS:
        payloads[declared["command"]] = {"command": declared["command"], "user_id": "U0RINA"}
    for event in manifest.BOT_EVENTS:
        # "message.im" subscribes to the `message` events of DMs (channel_type "im")
        kind, _, channel_type = event.partition(".")
        body: dict[str, Any] = {"type": kind, "user": USER}
        if channel_type:
            body["channel_type"] = channel_type
        payloads[event] = {"type": "event_callback", "event": body}
    return payloads


def wired(runtime: Runtime) -> App:
    app = App(signing_secret="s", token_verification_enabled=False, client=runtime.client)
    register_all(app, runtime)
    return app


def test_every_id_reaches_exactly_one_listener_and_every_listener_is_reached(
    runtime: Runtime,
) -> None:
    listeners = wired(runtime)._listeners
    reached: set[int] = set()
    for what, body in requests().items():
        request = BoltRequest(body=body, mode="socket_mode")
        matching = [
            i
            for i, listener in enumerate(listeners)
            if listener.matches(req=request, resp=BoltResponse(status=200))
        ]
        assert len(matching) == 1, f"{what} reaches {len(matching)} listeners"
        reached.update(matching)
    assert reached == set(range(len(listeners))), "a listener no builder's id reaches"


def test_bolt_injects_every_parameter_a_listener_leaves(runtime: Runtime) -> None:
    """Bolt passes by name only the parameters inspect.getfullargspec lists as positional
    (an unknown one arrives as None), so every parameter without a value must be one of
    those, and each of those one Bolt knows."""
    injectable = set(inspect.signature(Args.__init__).parameters) - {"self"}
    for listener in wired(runtime)._listeners:
        assert isinstance(listener, CustomListener)
        name = listener.ack_function.__name__
        parameters = inspect.signature(listener.ack_function).parameters.values()
        unbound = {p.name for p in parameters if p.default is inspect.Parameter.empty}
        assert unbound == set(listener.arg_names), name
        assert unbound <= injectable and "runtime" not in unbound, name
