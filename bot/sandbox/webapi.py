"""The Web API stand-in: answers the methods Rekan uses as Slack does, records every call,
and can answer 429 with Retry-After, 5xx, slowly, or post and then drop the connection."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox import events
from bot.sandbox.files import FileStore
from bot.sandbox.handler import Server, handler_for
from bot.sandbox.records import Call, Fault, Message, State, as_dict, is_reply, listed

__all__ = ["Call", "Fault", "Message", "SlackStandIn"]

POSTING = ("chat.postMessage",)


class SlackStandIn:
    """A running stand-in on 127.0.0.1, port 0 by default. Use as a context manager."""

    BOT_USER = events.BOT_USER
    TEAM = events.TEAM

    def __init__(
        self,
        *,
        latency: float = 0.0,
        ratelimit_every: int = 0,
        port: int = 0,
        bot_token: str | None = None,
    ) -> None:
        self.latency = latency
        self.bot_token = bot_token  # downloads need it; None: any bot token (xoxb-…)
        self.ratelimit_every = ratelimit_every
        self._state = State()
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._posts = itertools.count(1)
        self.socket: Any = None  # the Socket Mode stand-in, started on first apps.connections.open
        self._server = Server(("127.0.0.1", port), handler_for(self))
        self.files = FileStore(self.base, self.TEAM, lambda: f"F{next(self._ids):08d}")
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle
    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.stop()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/"

    @property
    def url(self) -> str:
        """The Web API base URL to give Rekan as SLACK_API_URL."""
        return self.base + "api/"

    def response_url(self, key: str = "r") -> str:
        return f"{self.base}response/{key}-{next(self._ids)}"

    # -- set-up
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        tz: str = "Asia/Jakarta",
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        with self._lock:
            self._state.users[user_id] = {
                "id": user_id,
                "team_id": self.TEAM,
                "name": name.lower().replace(" ", "."),
                "real_name": name,
                "deleted": deleted,
                "is_bot": is_bot,
                "tz": tz,
                "profile": {"real_name": name, "display_name": name, "email": email},
            }

    def add_file(
        self,
        user: str,
        name: str,
        content: bytes,
        *,
        mimetype: str | None = None,
        title: str | None = None,
        slack_connect: bool = False,
    ) -> dict[str, Any]:
        """A file `user` uploads, as a message event carries it (pass it to `message_im`);
        with `slack_connect`, only the stub Slack sends from a Slack Connect DM."""
        found = self.files.add(user, name, content, mimetype=mimetype, title=title)
        return self.files.stub(found.id) if slack_connect else self.files.as_object(found)

    def new_ts(self) -> str:
        """A fresh message timestamp, later than every message so far."""
        return self._next_ts()

    def record_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        """A person's message, kept as Slack keeps it (once per ts); files are shared there."""
        subtype = "file_share" if files else None
        message = Message(channel, ts or self._next_ts(), text, None, None, user)
        message.thread_ts, message.files, message.subtype = thread_ts, files, subtype
        with self._lock:
            kept = self._state.messages[channel]
            new = all(m.ts != message.ts for m in kept)
            if new:
                kept.append(message)
            self._lock.notify_all()
        for item in (files or []) if new else []:
            self.files.share(str(item.get("id")), channel, message.ts, thread_ts)
        return message

    def edit_message(self, channel: str, ts: str, text: str, *, edited: dict[str, str]) -> None:
        with self._lock:
            for message in self._state.messages.get(channel, []):
                if message.ts == ts:
                    message.text, message.edited = text, edited

    def delete_message(self, channel: str, ts: str) -> None:
        with self._lock:
            kept = self._state.messages.get(channel, [])
            kept[:] = [m for m in kept if m.ts != ts]

    def inject(self, method: str, kind: str, *, times: int = 1, **options: Any) -> None:
        """Make the next `times` calls of `method` fail in the way `kind` names."""
        with self._lock:
            for _ in range(times):
                self._state.faults[method].append(Fault(kind=kind, **options))

    def faults_left(self, method: str) -> int:
        """How many injected faults of `method` no call has met yet (a call that met one is
        in flight, or done)."""
        with self._lock:
            return len(self._state.faults.get(method) or ())

    # -- reading what happened
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def messages(self, channel: str | None = None) -> list[Message]:
        """Copies of the messages as they stand now (later updates do not change them)."""
        with self._lock:
            if channel is not None:
                found = list(self._state.messages.get(channel, []))
            else:
                found = [m for ms in self._state.messages.values() for m in ms]
            return copy.deepcopy(found)

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def dms_to(self, user_id: str) -> list[Message]:
        """What Rekan posted in the person's DM (not what the person wrote there)."""
        return [m for m in self.messages(self.dm_channel(user_id)) if m.user == self.BOT_USER]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies under the message `thread_ts` (not the message itself), oldest first;
        `channel` may be a user id for their DM."""
        kept = self.messages(self._channel_of(channel))
        return [m for m in kept if m.thread_ts == thread_ts and m.ts != thread_ts]

    def uploaded(self, file_id: str) -> bytes:
        """The bytes of a file Rekan uploaded (or one added with `add_file`)."""
        return self.files.content(file_id)

    def allows(self, token: str | None) -> bool:
        """Whether `token` may download files: the bot token (any xoxb- if none was set)."""
        if self.bot_token is not None:
            return token == self.bot_token
        return bool(token) and str(token).startswith("xoxb-")

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until `predicate()` holds (checked after every call), up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
        return True

    def clear(self) -> None:
        with self._lock:
            self._state.calls.clear()

    # -- the methods
    def _note(
        self, method: str, params: dict[str, Any], token: str | None, outcome: str = "ok"
    ) -> None:
        self._record(Call(method, params, token, time.time(), outcome))

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)
            self._lock.notify_all()

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ids):06d}"

    def handle(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one Web API call: (status, body, extra headers)."""
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, handler(params, token), {}

    def _m_apps_connections_open(self, _p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not (token or "").startswith("xapp-"):
            return {"ok": False, "error": "invalid_auth"}
        with self._lock:
            if self.socket is None:
                from bot.sandbox.socket import SocketModeServer

                self.socket = SocketModeServer()
                self.socket.standin = self
            socket_server = self.socket
        return {"ok": True, "url": socket_server.url}

    def _m_auth_test(self, _p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://rekan-standin.slack.com/",
            "team": "Rekan",
            "user": "rekan",
            "team_id": self.TEAM,
            "user_id": self.BOT_USER,
            "bot_id": "B0REKAN",
        }

    def _channel_of(self, target: str) -> str:
        return self.dm_channel(target) if target.startswith(("U", "W")) else target

    def _m_chat_postMessage(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not p.get("text") and not p.get("blocks"):
            return {"ok": False, "error": "no_text"}
        channel = self._channel_of(str(p["channel"]))
        message = Message(
            channel,
            self._next_ts(),
            str(p.get("text") or ""),
            p.get("blocks"),
            p.get("metadata"),
            self.BOT_USER,
            thread_ts=str(p["thread_ts"]) if p.get("thread_ts") else None,
        )
        if message.thread_ts and str(p.get("reply_broadcast", "")).lower() in ("1", "true"):
            message.subtype = "thread_broadcast"
        self._post(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": as_dict(message)}

    def _post(self, message: Message) -> None:
        with self._lock:
            self._state.messages[message.channel].append(message)

    def _m_chat_update(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        channel, ts = str(p.get("channel") or ""), str(p.get("ts") or "")
        with self._lock:
            for message in self._state.messages.get(channel, []):
                if message.ts == ts:
                    message.text = str(p.get("text") or message.text)
                    if "blocks" in p:
                        message.blocks = p.get("blocks")
                    return {"ok": True, "channel": channel, "ts": ts, "message": as_dict(message)}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_postEphemeral(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_conversations_open(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        users = p.get("users")
        user = users[0] if isinstance(users, list) else str(users or "").split(",")[0]
        if not user:
            return {"ok": False, "error": "users_list_not_supplied"}
        with self._lock:
            known = self._state.users.get(user)
        if known is not None and known.get("deleted"):
            return {"ok": False, "error": "user_disabled"}
        return {"ok": True, "channel": {"id": self.dm_channel(user)}}

    def _m_conversations_history(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        channel = str(p.get("channel") or "")
        with_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(p.get("limit") or 100)
        with self._lock:
            kept = list(self._state.messages.get(channel, []))
        found = list(reversed([m for m in kept if not is_reply(m)]))[:limit]
        messages = [listed(m, kept, with_meta) for m in found]
        return {"ok": True, "messages": messages, "has_more": False}

    def _m_conversations_replies(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        """A thread's parent, then its replies; `conversations.history` lists only parents."""
        channel, ts = str(p.get("channel") or ""), str(p.get("ts") or "")
        with_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            kept = list(self._state.messages.get(channel, []))
        found = [m for m in kept if m.ts == ts or (m.thread_ts == ts and m.ts != ts)]
        if not found:
            return {"ok": False, "error": "thread_not_found"}
        messages = [listed(m, kept, with_meta) for m in found][: int(p.get("limit") or 1000)]
        return {"ok": True, "messages": messages, "has_more": False}

    def _m_users_info(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        with self._lock:
            user = self._state.users.get(str(p.get("user") or ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_users_list(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        limit = int(p.get("limit") or 200)
        start = int(p.get("cursor") or 0)
        with self._lock:
            users = list(self._state.users.values())
        page = users[start : start + limit]
        cursor = str(start + limit) if start + limit < len(users) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _view(self, p: dict[str, Any]) -> dict[str, Any]:
        view = dict(p.get("view") or {})
        view.setdefault("id", p.get("view_id") or f"V{next(self._ids):08d}")
        return view

    def _m_views_open(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": self._view(p)}

    def _m_views_update(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        return {"ok": True, "view": self._view(p)}

    def _m_views_push(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        return {"ok": True, "view": self._view(p)}

    def _m_views_publish(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        if not p.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(p)}

    def _m_files_info(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        found = self.files.get(str(p.get("file") or ""))
        if found is None:
            return {"ok": False, "error": "file_not_found"}
        item = self.files.as_object(found, with_shares=True)
        return {"ok": True, "file": item, "comments": [], "response_metadata": {"next_cursor": ""}}

    def _m_files_getUploadURLExternal(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        found = self.files.reserve(self.BOT_USER, str(p["filename"]), int(p["length"]))
        return {"ok": True, "file_id": found.id, "upload_url": f"{self.base}upload/{found.id}"}

    def _m_files_completeUploadExternal(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        """Finish uploads and share them, as a message, in `channel_id` (thread `thread_ts`)."""
        asked = [f for f in p.get("files") or [] if isinstance(f, dict)]
        done = [self.files.complete(str(f.get("id")), f.get("title")) for f in asked]
        if not done or None in done:
            return {"ok": False, "error": "file_not_found"}
        stored = [d for d in done if d is not None]
        objects = [self.files.as_object(d) for d in stored]
        thread_ts = str(p["thread_ts"]) if p.get("thread_ts") else None
        comment = str(p.get("initial_comment") or "")
        for channel in self._share_targets(p):
            message = Message(channel, self._next_ts(), comment, None, None, self.BOT_USER)
            message.thread_ts, message.files, message.subtype = thread_ts, objects, "file_share"
            message.blocks = None if comment else p.get("blocks")
            self._post(message)
            for d in stored:
                self.files.share(d.id, channel, message.ts, thread_ts)
        return {"ok": True, "files": [{**o, "shares": {}} for o in objects]}

    def _share_targets(self, p: dict[str, Any]) -> list[str]:
        if p.get("channel_id"):
            return [self._channel_of(str(p["channel_id"]))]
        return [self._channel_of(c.strip()) for c in str(p.get("channels") or "").split(",") if c]

    def _fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._state.faults.get(method)
            if queue:
                return queue.popleft()
        if (
            method in POSTING
            and self.ratelimit_every
            and next(self._posts) % self.ratelimit_every == 0
        ):
            return Fault(kind="ratelimit", retry_after=1)
        return None
