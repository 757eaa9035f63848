"""HTTP: Bolt's /slack/events, /healthz and /metrics, served by cheroot's threaded WSGI server.
In Socket Mode the same server (without Slack's endpoint) runs on REKAN_METRICS_PORT."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from cheroot import wsgi
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.engine import Engine

from jobs import metrics
from storage import db

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def request_kind(raw: bytes, content_type: str) -> str:
    if "json" in content_type:
        return "event"
    if raw.startswith(b"payload=") or b"&payload=" in raw:
        return "interactive"
    return "command" if b"command=" in raw else "other"


# Slack's requests are a few KiB; a modal with every field full stays well under this.
MAX_BODY = 1 << 20
REPLAY_WINDOW = 5 * 60  # seconds, as Slack documents

REQUEST_ID = re.compile(rb"(?:trigger_id|event_id)(?:=|%22%3A%22|\":\s*\")([A-Za-z0-9.]+)")


def request_id(raw: bytes) -> str | None:
    """Slack's own id for the request (trigger_id or event_id), for following it in the logs."""
    match = REQUEST_ID.search(raw)
    return match.group(1).decode() if match else None


def make_wsgi(
    app: App | None,
    engine: Engine,
    *,
    signing_secret: str = "",
    connected: Callable[[], bool] | None = None,
) -> WsgiApp:
    """One WSGI callable: Slack's endpoint (when `app`), /healthz, /metrics, 404 for the rest.
    `connected` tells whether the Socket Mode connection is up."""
    secret = signing_secret.encode()
    probe = db.make_probe_engine(engine.url.render_as_string(hide_password=False))

    def health(start_response: StartResponse) -> Iterable[bytes]:
        report: dict[str, Any] = {"ok": True, "database": "up"}
        try:
            db.check(probe)
        except Exception as exc:  # any failure of the database is "unhealthy"
            log.warning("health check failed: %s", type(exc).__name__)
            report.update(ok=False, database="down")
        if connected is not None:
            up = connected()
            report["socket_mode"] = "connected" if up else "disconnected"
            report["ok"] = report["ok"] and up
        return _json(
            start_response, "200 OK" if report["ok"] else "503 Service Unavailable", report
        )

    def timed(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Bolt's endpoint, counted by kind and timed until the acknowledgement is written."""
        assert app is not None
        length = content_length(environ)
        if length is None or length > MAX_BODY:
            # Refused before reading: the body is never read, so never logged or stored.
            log.warning("slack request refused: body of %s bytes (cap %d)", length, MAX_BODY)
            return _json(
                start_response, "413 Content Too Large", {"ok": False, "error": "too_large"}
            )
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = request_headers(environ)
        if not signed(secret, raw, headers, now=time.time()):
            log.warning("slack request refused: bad or old signature")
            return _json(start_response, "401 Unauthorized", {"ok": False, "error": "signature"})
        content_type = environ.get("CONTENT_TYPE", "")
        kind = request_kind(raw, content_type)
        started = time.perf_counter()
        request = bolt_request(raw, content_type, environ.get("QUERY_STRING", ""), headers)
        if request is None:
            log.warning("slack %s refused: the body cannot be parsed", kind)
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_request"})
        response = bolt_dispatch(app, request)
        if response is None or response.status >= 500:
            # Listener failures are answered by bot.app's error handler, so a failure here is
            # Bolt's own middleware or matchers choking on a payload of unexpected shape.
            log.warning("slack %s refused: Bolt could not route it", kind)
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_request"})
        body = _bolt_body(start_response, response)
        elapsed = time.perf_counter() - started
        metrics.REQUESTS.labels(kind).inc()
        metrics.ACK_SECONDS.labels(kind).observe(elapsed)
        log.info(
            "slack %s acknowledged in %.0f ms",
            kind,
            elapsed * 1000,
            extra={"request_id": request_id(raw)},
        )
        return body

    def dispatch(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return health(start_response)
        if path == "/metrics" and method in ("GET", "HEAD"):
            body, content_type = metrics.exposition()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path == "/slack/events" and app is not None and method == "POST":
            return timed(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return dispatch


def content_length(environ: dict[str, Any]) -> int | None:
    """The declared body size; None when it is not a plain number (refused like a big one)."""
    declared = str(environ.get("CONTENT_LENGTH") or "0").strip()
    return int(declared) if declared.isascii() and declared.isdigit() else None


def signed(secret: bytes, raw: bytes, headers: dict[str, str], *, now: float) -> bool:
    """Slack's signature over the raw bytes, within its five-minute window. slack_sdk's own
    check does int() on the timestamp and decodes the body as UTF-8, and both raise on what
    a stranger may send: here they are a plain 401."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > REPLAY_WINDOW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), headers.get("x-slack-signature", "").encode())


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers, lower-case, as Bolt and the signature check read them."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def bolt_request(
    raw: bytes, content_type: str, query: str, headers: dict[str, str]
) -> BoltRequest | None:
    """Bolt's request, or None when the body is not what Slack sends: Bolt parses the body
    and builds its context in BoltRequest(), before any error handler could answer."""
    try:
        text = raw.decode("utf-8")
        if not routable(_slack_body(text, content_type)):
            return None
        return BoltRequest(body=text, query=query, headers=dict(headers))
    except Exception:  # any failure to parse is a bad request, whatever raised it
        return None


def routable(body: Any) -> bool:
    """A dict whose fields Bolt routes on have Slack's types: Bolt's matchers index them
    blindly, and what they raise would reach the listeners' error handler."""
    if not isinstance(body, dict):
        return False
    actions = body.get("actions", [])
    if not isinstance(actions, list) or not all(
        isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
    ):
        return False
    for key in ("view", "event"):
        part = body.get(key, {})
        if not isinstance(part, dict) or not all(
            isinstance(part.get(field, ""), str) for field in ("type", "callback_id")
        ):
            return False
    return all(isinstance(body.get(key, ""), str) for key in ("type", "command", "callback_id"))


def bolt_dispatch(app: App, request: BoltRequest) -> BoltResponse | None:
    """Bolt's answer, or None when its matchers raised on the payload's shape (a view with
    no type, say): those errors reach no error handler."""
    try:
        return app.dispatch(request)
    except Exception as error:  # whatever Bolt raised, the request was malformed
        log.warning("Bolt could not route a request: %s", type(error).__name__)
        return None


def _slack_body(text: str, content_type: str) -> Any:
    """The body as Slack shapes it: JSON (events), or a form whose `payload` is JSON."""
    if "json" in content_type:
        return json.loads(text)
    form = parse_qs(text, keep_blank_values=True, strict_parsing=False)
    if "payload" not in form:
        return {key: values[-1] for key, values in form.items()}
    payload = form["payload"]
    return json.loads(payload[0]) if len(payload) == 1 else None


def _bolt_body(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    body = (response.body or "").encode()
    headers = [(k, v) for k, values in response.headers.items() for v in values]
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{response.status} {HTTPStatus(response.status).phrase}", headers)
    return [body]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def make_server(
    app: App | None,
    engine: Engine,
    *,
    signing_secret: str = "",
    host: str,
    port: int,
    threads: int,
    connected: Callable[[], bool] | None = None,
    reuse_port: bool = False,
) -> wsgi.Server:
    """A threaded production server (cheroot); port 0 picks a free port. `reuse_port`: other
    processes serve the same port (see bot.workers)."""
    server = wsgi.Server(
        (host, port),
        make_wsgi(app, engine, signing_secret=signing_secret, connected=connected),
        numthreads=threads,
        request_queue_size=256,
        timeout=30,
        shutdown_timeout=5,
        reuse_port=reuse_port,
    )
    # Seconds between the server's housekeeping ticks; also how long stop() may wait.
    server.expiration_interval = 0.1
    server.prepare()
    return server


def bound_port(server: wsgi.Server) -> int:
    return int(server.bind_addr[1])
