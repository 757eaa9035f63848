"""The stand-in's HTTP side: Web API calls under /api/, `response_url`s, the upload URLs of
files.getUploadURLExternal, and file downloads under /files-pri/ that, as on Slack, need
`Authorization: Bearer <bot token>` and otherwise redirect to the workspace's sign-in page."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlparse

from bot.sandbox.records import Fault

if TYPE_CHECKING:
    from bot.sandbox.webapi import SlackStandIn

JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files", "users")
SIGN_IN = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Sign in | Slack</title></head>'
    '<body><h1>Sign in to Rekan</h1><form action="/signin" method="post"></form></body></html>'
)


class Server(ThreadingHTTPServer):
    # socketserver's default backlog is 5: under a burst the kernel drops connections and
    # clients wait out SYN retries (1, 3, 7… s), a delay Slack itself does not have.
    request_queue_size = 256


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
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


def handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            url = urlparse(self.path)
            params: dict[str, Any] = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path.startswith("/files-pri/"):
                self._download(url.path)
            elif url.path == "/":
                self._raw(200, SIGN_IN.encode(), "text/html; charset=utf-8", {})
            else:
                self._serve(url.path, params)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            url = urlparse(self.path)
            if url.path.startswith("/upload/"):
                self._upload(url.path.rsplit("/", 1)[1], raw)
                return
            try:
                params = parse_body(raw, self.headers.get("Content-Type", ""))
            except ValueError:
                self._send(200, {"ok": False, "error": "invalid_json"}, {})
                return
            params.update({k: v[0] for k, v in parse_qs(url.query).items()})
            self._serve(url.path, params)

        def _bearer(self) -> str | None:
            auth = self.headers.get("Authorization", "")
            return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

        def _upload(self, file_id: str, raw: bytes) -> None:
            known = standin.files.receive(file_id, raw)
            outcome = "ok" if known else "not_found"
            standin._note("upload", {"file_id": file_id, "size": len(raw)}, None, outcome)
            self._send(200 if known else 404, {"ok": known}, {})

        def _download(self, path: str) -> None:
            """GET of a url_private(_download): the bytes, for the bot token only."""
            token = self._bearer()
            found = standin.files.at(path)
            params = {"file_id": found.id if found else "", "path": path}
            fault = self._fault("download")
            if fault is not None:
                self._fail(fault, "download", params, token)
                return
            if not standin.allows(token):
                standin._note("download", params, token, "login_redirect")
                where = standin.base + "?redir=" + quote(path, safe="")
                self._raw(302, b"", "text/html; charset=utf-8", {"Location": where})
                return
            if found is None:
                standin._note("download", params, token, "file_not_found")
                self._raw(404, b"Not Found", "text/plain; charset=utf-8", {})
                return
            standin._note("download", params, token, "ok")
            attachment = {"Content-Disposition": f'attachment; filename="{quote(found.name)}"'}
            headers = attachment if "/download/" in path else {}
            self._raw(200, standin.files.content(found.id), found.mimetype, headers)

        def _serve(self, path: str, params: dict[str, Any]) -> None:
            if standin.latency:
                time.sleep(standin.latency)
            if path.startswith("/response/"):
                standin._note("response_url", params, None)
                self._send(200, {"ok": True}, {})
                return
            if not path.startswith("/api/"):
                self._send(404, {"ok": False, "error": "not_found"}, {})
                return
            method = path[len("/api/") :]
            token = self._bearer() or params.get("token")
            fault = self._fault(method)
            if fault is not None and fault.kind != "drop_after_post":
                self._fail(fault, method, params, token)
                return
            status, body, headers = standin.handle(method, params, token)
            if fault is not None:  # drop_after_post: done, and no answer
                self._fail(fault, method, params, token)
                return
            outcome = "ok" if body.get("ok") else str(body.get("error"))
            standin._note(method, params, token, outcome)
            self._send(status, body, headers)

        def _fault(self, method: str) -> Fault | None:
            """The next injected fault of `method` that fails it (a slow one only waits)."""
            fault = standin._fault(method)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
                return None
            return fault

        def _fail(
            self, fault: Fault, method: str, params: dict[str, Any], token: str | None
        ) -> None:
            if fault.kind == "ratelimit":
                standin._note(method, params, token, "ratelimited")
                error = {"ok": False, "error": "ratelimited"}
                self._send(429, error, {"Retry-After": str(fault.retry_after)})
            elif fault.kind == "server_error":
                standin._note(method, params, token, f"http_{fault.status}")
                self._send(fault.status, {"ok": False, "error": "fatal_error"}, {})
            elif fault.kind == "error":
                standin._note(method, params, token, fault.error)
                self._send(200, {"ok": False, "error": fault.error}, {})
            else:
                self._drop(method, params, token)

        def _drop(self, method: str, params: dict[str, Any], token: str | None) -> None:
            standin._note(method, params, token, "dropped")
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            self._raw(status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

        def _raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
