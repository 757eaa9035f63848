"""The Socket Mode stand-in: a real WebSocket server that slack_sdk's own Socket Mode client
connects to. It sends `hello`, delivers envelopes and waits for their acknowledgement by
`envelope_id`, and can ask the client to reconnect (`disconnect`). People's DM messages
(`message_im`, `message_changed`, `message_deleted`) travel as `events_api` envelopes."""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.events import MessageEvents


class SocketModeServer(MessageEvents[dict[str, Any] | None]):
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any] | None] = {}
        self.connects = 0
        self._ids = itertools.count(1)
        self._server: Server = serve(
            self._handle, "127.0.0.1", 0, ping_interval=None, compression=None
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4().hex}"

    def stop(self) -> None:
        self._server.shutdown()

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.connects += 1
            self._lock.notify_all()
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "connection_info": {"app_id": "A0REKAN"},
                    "debug_info": {"host": "rekan-standin", "approximate_connection_time": 18060},
                }
            )
        )
        try:
            for raw in connection:
                data = json.loads(raw)
                if "envelope_id" in data:
                    with self._lock:
                        self._acks[str(data["envelope_id"])] = data.get("payload")
                        self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._lock.notify_all()

    def wait_connected(self, count: int = 1, timeout: float = 10) -> bool:
        """Wait until `count` connections have been made in all (and one is open)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.connects < count or not self._connections:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    @property
    def connected(self) -> bool:
        with self._lock:
            return bool(self._connections)

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str | None = None,
        envelope_id: str | None = None,
        timeout: float = 5,
    ) -> dict[str, Any] | None:
        """Send one envelope and return the payload of its acknowledgement."""
        envelope_id = envelope_id or f"env-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": (retry_reason or "timeout") if retry_attempt else "",
        }
        with self._lock:
            connection = self._connections[-1]
            self._acks.pop(envelope_id, None)
        connection.send(json.dumps(envelope))
        deadline = time.monotonic() + timeout
        with self._lock:
            while envelope_id not in self._acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no acknowledgement for {envelope_id}")
                self._lock.wait(remaining)
            return self._acks[envelope_id] or {}

    def _deliver(
        self, body: dict[str, Any], *, retry_num: int | None, retry_reason: str | None
    ) -> dict[str, Any] | None:
        """An event_callback body in an `events_api` envelope (Bolt acknowledges it itself)."""
        return self.deliver(
            "events_api", body, retry_attempt=retry_num or 0, retry_reason=retry_reason
        )

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours, then close."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.send(
                json.dumps(
                    {
                        "type": "disconnect",
                        "reason": reason,
                        "debug_info": {"host": "rekan-standin"},
                    }
                )
            )
            connection.close()
