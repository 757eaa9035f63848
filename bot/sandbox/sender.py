"""Signed requests to a running Rekan, shaped as Slack sends them (HTTP mode)."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.sandbox.events import APP, TEAM, MessageEvents, event_callback

if TYPE_CHECKING:
    from bot.sandbox.webapi import SlackStandIn

__all__ = ["APP", "TEAM", "Reply", "SlackSender", "visible_text"]


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """Everything a person reads in the reply: text plus the blocks' text."""
        if not self.body:
            return ""
        try:
            data = self.json()
        except ValueError:
            return self.body
        return visible_text(data)


def visible_text(data: Any) -> str:
    """Concatenate every `text` string in a message or view, for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return "\n".join(parts)


class SlackSender(MessageEvents[Reply]):
    """Sends signed slash commands, block_actions, view_submissions and events to `events_url`.
    Give it the `standin` and the messages people write are kept there as well."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        response_base: str = "http://127.0.0.1:9/",
        *,
        standin: SlackStandIn | None = None,
    ) -> None:
        self.events_url = events_url
        self.verifier = SignatureVerifier(signing_secret)
        self.response_base = response_base
        self.standin = standin
        self.sent: list[dict[str, Any]] = []  # every event_callback body, for re-delivery
        self._ids = itertools.count(1)

    def trigger_id(self) -> str:
        return f"{next(self._ids)}.{int(time.time())}.{uuid.uuid4().hex[:12]}"

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        request_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if signed:
            request_headers["X-Slack-Signature"] = str(
                self.verifier.generate_signature(timestamp=ts, body=body)
            )
        request_headers.update(headers or {})
        request = urllib.request.Request(
            self.events_url, data=body.encode(), headers=request_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), dict(error.headers))

    def command(
        self,
        user_id: str,
        text: str = "",
        *,
        command: str = "/lapor",
        channel_id: str = "C0GENERAL",
        trigger_id: str | None = None,
        **kw: Any,
    ) -> Reply:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "rekan",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP,
            "is_enterprise_install": "false",
            "response_url": f"{self.response_base}response/cmd-{next(self._ids)}",
            "trigger_id": trigger_id or self.trigger_id(),
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def interactive(self, payload: dict[str, Any], **kw: Any) -> Reply:
        return self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str = "actions",
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        action: dict[str, Any] | None = None,
        **kw: Any,
    ) -> Reply:
        act = action or {"type": "button", "action_id": action_id, "block_id": block_id}
        act = {
            **act,
            "action_id": action_id,
            "block_id": act.get("block_id", block_id),
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            act["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": TEAM},
            "team": {"id": TEAM},
            "api_app_id": APP,
            "token": "legacy",
            "trigger_id": trigger_id or self.trigger_id(),
            "response_url": f"{self.response_base}response/act-{next(self._ids)}",
            "actions": [act],
        }
        if message is not None:
            payload["message"] = message
            payload["container"] = {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            if view.get("type") == "home":
                del payload["response_url"]  # Slack sends none for the Home tab's buttons
        return self.interactive(payload, **kw)

    def click(self, user_id: str, message: Any, action_id: str, **kw: Any) -> Reply:
        """Click the element with `action_id` in a message the stand-in recorded."""
        blocks = message.blocks or []
        for block in blocks:
            for element in _elements(block):
                if element.get("action_id") == action_id:
                    return self.block_action(
                        user_id,
                        action_id,
                        element.get("value"),
                        block_id=block.get("block_id", "actions"),
                        message={"ts": message.ts, "text": message.text, "blocks": blocks},
                        channel_id=message.channel,
                        action=element,
                        **kw,
                    )
        raise LookupError(f"no element {action_id!r} in the message")

    def view_submission(
        self, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]], **kw: Any
    ) -> Reply:
        """Submit `view` (as Rekan opened it) with state values {block_id: {action_id: value}}."""
        submitted = {**view, "id": view.get("id", "V0001"), "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "user": {"id": user_id, "team_id": TEAM},
            "team": {"id": TEAM},
            "api_app_id": APP,
            "token": "legacy",
            "trigger_id": self.trigger_id(),
            "view": submitted,
        }
        return self.interactive(payload, **kw)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **kw: Any,
    ) -> Reply:
        body = event_callback(event, event_id=event_id or f"Ev{next(self._ids):08d}")
        return self._deliver(body, retry_num=retry_num, retry_reason=retry_reason, **kw)

    def resend(
        self, body: dict[str, Any], *, retry_num: int = 1, retry_reason: str = "http_timeout"
    ) -> Reply:
        """Deliver an event body again as Slack's retries do (same body, retry headers)."""
        return self._deliver(body, retry_num=retry_num, retry_reason=retry_reason)

    def _deliver(
        self,
        body: dict[str, Any],
        *,
        retry_num: int | None,
        retry_reason: str | None,
        **kw: Any,
    ) -> Reply:
        """POST an event_callback body; with `retry_num`, as Slack's retry of it."""
        headers = dict(kw.pop("headers", None) or {})
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        self.sent.append(body)
        return self.post(json.dumps(body), "application/json", headers=headers, **kw)


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(block.get("elements") or [])
    if "accessory" in block:
        found.append(block["accessory"])
    return [e for e in found if isinstance(e, dict)]
