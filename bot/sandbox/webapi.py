"""The Web API stand-in: answers the methods Rekan uses as Slack does, records every call,
and can answer 429 with Retry-After, 5xx, slowly, or post and then drop the connection."""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files", "users")
POSTING = ("chat.postMessage",)


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


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    messages: dict[str, list[Message]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog is 5: under a burst the kernel drops connections and
    # clients wait out SYN retries (1, 3, 7… s), a delay Slack itself does not have.
    request_queue_size = 256


class SlackStandIn:
    """A running stand-in on 127.0.0.1, port 0 by default. Use as a context manager."""

    BOT_USER = "UREKANBOT"
    TEAM = "T0REKAN"

    def __init__(self, *, latency: float = 0.0, ratelimit_every: int = 0, port: int = 0) -> None:
        self.latency = latency
        self.ratelimit_every = ratelimit_every
        self._state = _State()
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._posts = itertools.count(1)
        self.socket: Any = None  # the Socket Mode stand-in, started on first apps.connections.open
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
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
        return self.messages(self.dm_channel(user_id))

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
        )
        with self._lock:
            self._state.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": _as_dict(message)}

    def _m_chat_update(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        channel, ts = str(p.get("channel") or ""), str(p.get("ts") or "")
        with self._lock:
            for message in self._state.messages.get(channel, []):
                if message.ts == ts:
                    message.text = str(p.get("text") or message.text)
                    if "blocks" in p:
                        message.blocks = p.get("blocks")
                    return {"ok": True, "channel": channel, "ts": ts, "message": _as_dict(message)}
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
            found = list(reversed(self._state.messages.get(channel, [])))[:limit]
        messages = []
        for m in found:
            item = _as_dict(m)
            if not with_meta:
                item.pop("metadata", None)
            messages.append(item)
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

    def _m_files_getUploadURLExternal(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}upload/{file_id}"}

    def _m_files_completeUploadExternal(self, p: dict[str, Any], _t: str | None) -> dict[str, Any]:
        files = p.get("files") or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

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


def _as_dict(m: Message) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "message", "user": m.user, "ts": m.ts, "text": m.text}
    if m.blocks is not None:
        item["blocks"] = m.blocks
    if m.metadata is not None:
        item["metadata"] = m.metadata
    return item


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if "application/json" in content_type:
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = {
        k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()
    }
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            url = urlparse(self.path)
            params: dict[str, Any] = {k: v[0] for k, v in parse_qs(url.query).items()}
            self._serve(url.path, params)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            url = urlparse(self.path)
            if url.path.startswith("/upload/"):
                with standin._lock:
                    standin._state.uploads[url.path.rsplit("/", 1)[1]] = raw
                standin._record(
                    Call(
                        "upload",
                        {"file_id": url.path.rsplit("/", 1)[1], "size": len(raw)},
                        None,
                        time.time(),
                    )
                )
                self._send(200, {"ok": True}, {})
                return
            try:
                params = _parse_body(raw, self.headers.get("Content-Type", ""))
            except ValueError:
                self._send(200, {"ok": False, "error": "invalid_json"}, {})
                return
            params.update({k: v[0] for k, v in parse_qs(url.query).items()})
            self._serve(url.path, params)

        def _serve(self, path: str, params: dict[str, Any]) -> None:
            if standin.latency:
                time.sleep(standin.latency)
            if path.startswith("/response/"):
                standin._record(Call("response_url", params, None, time.time()))
                self._send(200, {"ok": True}, {})
                return
            if not path.startswith("/api/"):
                self._send(404, {"ok": False, "error": "not_found"}, {})
                return
            method = path[len("/api/") :]
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
            fault = standin._fault(method)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
                fault = None
            if fault is not None and fault.kind == "ratelimit":
                standin._record(Call(method, params, token, time.time(), "ratelimited"))
                self._send(
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(fault.retry_after)},
                )
                return
            if fault is not None and fault.kind == "server_error":
                standin._record(Call(method, params, token, time.time(), f"http_{fault.status}"))
                self._send(fault.status, {"ok": False, "error": "fatal_error"}, {})
                return
            if fault is not None and fault.kind == "error":
                standin._record(Call(method, params, token, time.time(), fault.error))
                self._send(200, {"ok": False, "error": fault.error}, {})
                return
            status, body, headers = standin.handle(method, params, token)
            outcome = "ok" if body.get("ok") else str(body.get("error"))
            if fault is not None and fault.kind == "drop_after_post":
                standin._record(Call(method, params, token, time.time(), "dropped"))
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            standin._record(Call(method, params, token, time.time(), outcome))
            self._send(status, body, headers)

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
