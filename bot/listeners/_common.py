"""The preamble listeners share: who acted, what was clicked, numbers and text typed.

Slack sends these fields with fixed types, but a signed request may carry anything; each
listener reads them through these functions and refuses (with a catalog message) what
does not fit, instead of raising."""

from __future__ import annotations

import json
from typing import Any

NUMBER_MAX = 2**31 - 1  # ticket, report and follow-up numbers are INTEGER columns
ID_MAX = 64  # Slack's ids (U…, D…, V…) are about 11 characters


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
