"""The preamble listeners share: who acted, what was clicked, numbers and text typed, and
how a refusal is answered; and `bind`, which hands a listener its runtime for Bolt.

Slack sends these fields with fixed types, but a signed request may carry anything; each
listener reads them through these functions and refuses (with a catalog message) what
does not fit, instead of raising."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from slack_bolt import Ack, Respond

from bot.i18n import t
from bot.runtime import Runtime
from storage.errors import DomainError

NUMBER_MAX = 2**31 - 1  # ticket, report and follow-up numbers are INTEGER columns
ID_MAX = 64  # Slack's ids (U…, D…, V…) are about 11 characters
TS_PATTERN = re.compile(r"\d{1,12}\.\d{1,9}")


def parse_number(value: Any) -> int | None:
    """A number clicked or typed ("12", "#12"): ASCII digits only, 1 to 2**31-1; else None.
    (str.isdigit() accepts "²", which int() refuses.)"""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip().removeprefix("#").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(NUMBER_MAX)):
        return None
    number = int(text)
    return number if 0 < number <= NUMBER_MAX else None


def text_problem(text: str, limit: int) -> tuple[str, dict[str, Any]] | None:
    """The catalog key and parameters of what is wrong with typed text, or None. A NUL
    cannot be stored in PostgreSQL's text columns."""
    if "\x00" in text:
        return "input.bad_character", {}
    if len(text) > limit:
        return "form.too_long", {"limit": limit, "length": len(text)}
    return None


def slack_id(value: Any) -> str | None:
    """A Slack id (person, channel, view) as Slack sends it: a short string; else None."""
    if isinstance(value, str) and 0 < len(value) <= ID_MAX and value.isprintable():
        return value
    return None


def slack_ts(value: Any) -> str:
    """A message timestamp as Slack sends it ("1700000000.000100"); else ""."""
    if isinstance(value, str) and TS_PATTERN.fullmatch(value):
        return value
    return ""


def user_of(body: dict[str, Any]) -> str | None:
    """Who acted: `user.id` of an interaction, `user_id` of a command."""
    user = body.get("user")
    return slack_id(user.get("id") if isinstance(user, dict) else body.get("user_id"))


def first_action(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element ({} when the payload has none)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return first if isinstance(first, dict) else {}


def string(value: Any) -> str:
    """A field that should be text; anything else reads as empty."""
    return value if isinstance(value, str) else ""


def dict_of(value: Any) -> dict[str, Any]:
    """A field that should be an object; anything else reads as empty."""
    return value if isinstance(value, dict) else {}


def state_values(view: Any) -> dict[str, dict[str, Any]]:
    """A submitted modal's values, {block_id: {action_id: element}}, only the well-formed ones."""
    values = dict_of(dict_of(dict_of(view).get("state")).get("values"))
    return {
        block: {k: v for k, v in dict_of(inputs).items() if isinstance(v, dict)}
        for block, inputs in values.items()
    }


def metadata(view: Any) -> dict[str, Any]:
    """A modal's private_metadata as the JSON object Rekan wrote; {} otherwise."""
    try:
        return dict_of(json.loads(string(dict_of(view).get("private_metadata")) or "{}"))
    except ValueError:
        return {}


def input_text(view: Any, block: str) -> str:
    """What was typed in a modal's text input `block` (its element's action_id is "value")."""
    return string(state_values(view).get(block, {}).get("value", {}).get("value"))


def clicked_number(value: Any, *, tag: str | None = None) -> int | None:
    """The number a clicked value carries, the one parser for them: "12" (a ticket, report or
    follow-up) or, with `tag`, "merge:12" (an overflow option, a block id "tasks:12")."""
    if tag is not None:
        found, _, value = string(value).partition(":")
        if found != tag:
            return None
    return parse_number(value)


def bind(listener: Callable[..., None], **bound: Any) -> Callable[..., None]:
    """`listener` with its keyword-only arguments bound (the runtime, the varying part of a
    family of listeners). Bolt reads the parameters the partial leaves (its signature) and
    injects those by name; the name is kept for Bolt's logger ("rekan.bolt:take")."""
    wired = functools.partial(listener, **bound)
    wired.__name__ = listener.__name__  # type: ignore[attr-defined]
    return wired


@dataclass
class Actor:
    """Who acted, and the words to answer them in."""

    runtime: Runtime
    user: str

    @cached_property
    def lang(self) -> str:
        """Their language, read when a message needs it."""
        return self.runtime.language_of(self.user)

    def explain(self, reason: DomainError | str, **params: Any) -> str:
        """A refusal from storage (in their time zone too), or a catalog key and parameters."""
        if isinstance(reason, DomainError):
            return self.runtime.explain(reason, self.user)
        return t(reason, self.lang, **params)


@dataclass
class Click(Actor):
    """A click (block_actions): who, the clicked element, and how to answer them."""

    body: dict[str, Any]
    action: dict[str, Any]
    respond: Respond

    @property
    def value(self) -> str:
        """The clicked button's value as text ("" when it is not)."""
        return string(self.action.get("value"))

    @property
    def number(self) -> int | None:
        """The number the clicked button carries (a ticket, a report, a follow-up)."""
        return clicked_number(self.action.get("value"))

    def required_number(self, refusal: str) -> int:
        """The number the clicked button carries; DomainError(`refusal`) when there is none
        (inside refusing(), the person is told)."""
        number = self.number
        if number is None:
            raise DomainError(refusal)
        return number

    @property
    def trigger_id(self) -> str:
        """What opens a modal in answer ("" when the payload has none)."""
        return string(self.body.get("trigger_id"))

    def refuse(self, reason: DomainError | str, **params: Any) -> None:
        """An ephemeral answer in the conversation where the click happened."""
        self.runtime.answer(self.respond, self.explain(reason, **params))

    @contextmanager
    def refusing(self) -> Iterator[None]:
        """A DomainError raised inside is refused, ephemerally, and goes no further: what
        storage refuses (or the listener, for a value that does not fit) ends the listener."""
        try:
            yield
        except DomainError as error:
            self.refuse(error)


def clicked(ack: Ack, body: dict[str, Any], respond: Respond, runtime: Runtime) -> Click | None:
    """The preamble of a click: acknowledge at once (what follows is one short transaction
    and Slack calls on the runtime's pools), then who clicked what; None when nobody did."""
    ack()
    user = user_of(body)
    if user is None:
        return None
    return Click(runtime, user, body, first_action(body), respond)


@dataclass
class Submission(Actor):
    """A modal submitted (view_submission): who, the view, and how to refuse a field. The ack
    comes last: it carries the field errors or the view that replaces the modal."""

    view: dict[str, Any]
    ack: Ack

    @cached_property
    def values(self) -> dict[str, dict[str, Any]]:
        return state_values(self.view)

    @cached_property
    def metadata(self) -> dict[str, Any]:
        return metadata(self.view)

    def refuse(self, block: str, reason: DomainError | str, **params: Any) -> None:
        """Acknowledge with an error under the field `block`; the modal stays open."""
        self.ack(response_action="errors", errors={block: self.explain(reason, **params)})


def submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], runtime: Runtime
) -> Submission | None:
    """The preamble of a modal submission: who submitted; None (acknowledged, the modal
    closes) when nobody did."""
    user = user_of(body)
    if user is None:
        ack()
        return None
    return Submission(runtime, user, dict_of(view), ack)
