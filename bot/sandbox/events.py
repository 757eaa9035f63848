"""Events API bodies as Slack shapes them (docs.slack.dev/reference/events/message.im and the
message subtypes file_share, message_changed, message_deleted), and `MessageEvents`, the
person-side helpers shared by the HTTP sender and the Socket Mode stand-in."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from bot.sandbox.webapi import SlackStandIn

TEAM = "T0REKAN"
APP = "A0REKAN"
BOT_USER = "UREKANBOT"
BOT_ID = "B0REKAN"
PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")

_seq = itertools.count(1)
R = TypeVar("R")


def new_ts() -> str:
    """A message timestamp unique in this process, shaped like Slack's (seconds.micro)."""
    return f"{int(time.time())}.{next(_seq):06d}"


def new_event_id() -> str:
    return f"Ev{uuid.uuid4().hex[:10].upper()}"


def rich_text(text: str) -> list[dict[str, Any]]:
    """The rich_text block Slack's clients attach to what a person types."""
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [section]}]


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The outer Events API body (the same payload travels in a Socket Mode envelope)."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "context_team_id": TEAM,
        "context_enterprise_id": None,
        "api_app_id": APP,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }


def im_message(
    user: str,
    text: str,
    *,
    channel: str,
    ts: str,
    thread_ts: str | None = None,
    files: list[dict[str, Any]] | None = None,
    client_msg_id: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    edited: dict[str, str] | None = None,
    parent_user_id: str | None = None,
) -> dict[str, Any]:
    """A `message` event in a DM (`channel_type: im`); with files it is a `file_share`."""
    event: dict[str, Any] = {**_message(user, text, ts=ts, thread_ts=thread_ts, files=files)}
    if thread_ts:
        event["parent_user_id"] = parent_user_id or BOT_USER
    if files:
        subtype = subtype or "file_share"
    if subtype:
        event["subtype"] = subtype
    if subtype == "bot_message":
        event.pop("user", None)
    if bot_id:
        event["bot_id"] = bot_id
        event["app_id"] = APP if bot_id == BOT_ID else "A0OTHER"
    elif subtype in PERSON_SUBTYPES:
        event["client_msg_id"] = client_msg_id or str(uuid.uuid4())
    if edited:
        event["edited"] = edited
    event.update({"channel": channel, "event_ts": ts, "channel_type": "im"})
    return event


def changed_message(
    user: str,
    *,
    channel: str,
    ts: str,
    text: str,
    previous_text: str,
    edit_ts: str,
    thread_ts: str | None = None,
    files: list[dict[str, Any]] | None = None,
    client_msg_id: str | None = None,
) -> dict[str, Any]:
    """A `message_changed` event: the edited message and the one it replaced."""
    msg_id = client_msg_id or str(uuid.uuid4())
    before = _message(user, previous_text, ts=ts, thread_ts=thread_ts, files=files)
    after = _message(user, text, ts=ts, thread_ts=thread_ts, files=files)
    after["edited"] = {"user": user, "ts": edit_ts}
    for message in (before, after):
        message["client_msg_id"] = msg_id
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "message": after,
        "previous_message": before,
        "channel": channel,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": "im",
    }


def deleted_message(
    user: str,
    *,
    channel: str,
    ts: str,
    previous_text: str,
    delete_ts: str,
    thread_ts: str | None = None,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `message_deleted` event: `deleted_ts` names the message, `previous_message` shows it."""
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "ts": delete_ts,
        "deleted_ts": ts,
        "event_ts": delete_ts,
        "channel_type": "im",
        "previous_message": _message(user, previous_text, ts=ts, thread_ts=thread_ts, files=files),
    }


def _message(
    user: str,
    text: str,
    *,
    ts: str,
    thread_ts: str | None,
    files: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "text": text, "user": user, "ts": ts}
    message["team"] = TEAM
    if text:
        message["blocks"] = rich_text(text)
    if thread_ts:
        message["thread_ts"] = thread_ts
    if files:
        message.update({"files": files, "upload": False, "display_as_bot": False})
    return message


class MessageEvents(Generic[R]):
    """What a person does in a DM, sent as Slack would; `_deliver` says how a body travels.
    With `standin` set, the person's messages are also kept in its message store, so
    `conversations.replies`, `thread()` and `files.info` shares see them as Slack would."""

    standin: SlackStandIn | None = None

    def _deliver(
        self, body: dict[str, Any], *, retry_num: int | None, retry_reason: str | None
    ) -> R:
        raise NotImplementedError

    def _ts(self, ts: str | None) -> str:
        if ts:
            return ts
        return self.standin.new_ts() if self.standin is not None else new_ts()

    def deliver_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> R:
        """Send any event, wrapped in an `event_callback` body."""
        body = event_callback(event, event_id=event_id)
        return self._deliver(body, retry_num=retry_num, retry_reason=retry_reason)

    def message_im(
        self,
        user: str,
        text: str,
        *,
        channel: str,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        ts: str | None = None,
        client_msg_id: str | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        edited: dict[str, str] | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        parent_user_id: str | None = None,
    ) -> R:
        """`user` writes `text` (and shares `files`, from `SlackStandIn.add_file`) in the DM
        `channel`, in the thread `thread_ts` if given."""
        event = im_message(
            user,
            text,
            channel=channel,
            ts=self._ts(ts),
            thread_ts=thread_ts,
            files=files,
            client_msg_id=client_msg_id,
            subtype=subtype,
            bot_id=bot_id,
            edited=edited,
            parent_user_id=parent_user_id,
        )
        if self.standin is not None and not bot_id and event.get("subtype") in PERSON_SUBTYPES:
            self.standin.record_message(
                channel, user, text, ts=event["ts"], thread_ts=thread_ts, files=files
            )
        return self.deliver_event(
            event, event_id=event_id, retry_num=retry_num, retry_reason=retry_reason
        )

    def message_changed(
        self,
        user: str,
        text: str,
        *,
        channel: str,
        ts: str,
        previous_text: str,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        client_msg_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> R:
        """`user` edits their message `ts` from `previous_text` to `text`."""
        edit_ts = self._ts(None)
        event = changed_message(
            user,
            channel=channel,
            ts=ts,
            text=text,
            previous_text=previous_text,
            edit_ts=edit_ts,
            thread_ts=thread_ts,
            files=files,
            client_msg_id=client_msg_id,
        )
        if self.standin is not None:
            self.standin.edit_message(channel, ts, text, edited={"user": user, "ts": edit_ts})
        return self.deliver_event(
            event, event_id=event_id, retry_num=retry_num, retry_reason=retry_reason
        )

    def message_deleted(
        self,
        user: str,
        *,
        channel: str,
        ts: str,
        previous_text: str = "",
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> R:
        """`user` deletes their message `ts`."""
        event = deleted_message(
            user,
            channel=channel,
            ts=ts,
            previous_text=previous_text,
            delete_ts=self._ts(None),
            thread_ts=thread_ts,
            files=files,
        )
        if self.standin is not None:
            self.standin.delete_message(channel, ts)
        return self.deliver_event(
            event, event_id=event_id, retry_num=retry_num, retry_reason=retry_reason
        )
