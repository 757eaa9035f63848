"""HTTP: Bolt's /slack/events, /healthz and /metrics, served by cheroot's threaded WSGI server.
In Socket Mode the same server (without Slack's endpoint) runs on REKAN_METRICS_PORT."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from cheroot import wsgi
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
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


REQUEST_ID = re.compile(rb"(?:trigger_id|event_id)(?:=|%22%3A%22|\":\s*\")([A-Za-z0-9.]+)")


def request_id(raw: bytes) -> str | None:
    """Slack's own id for the request (trigger_id or event_id), for following it in the logs."""
    match = REQUEST_ID.search(raw)
    return match.group(1).decode() if match else None


def make_wsgi(
    app: App | None, engine: Engine, *, connected: Callable[[], bool] | None = None
) -> WsgiApp:
    """One WSGI callable: Slack's endpoint (when `app`), /healthz, /metrics, 404 for the rest.
    `connected` tells whether the Socket Mode connection is up."""
    slack = SlackRequestHandler(app, path="/slack/events") if app is not None else None
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
        assert slack is not None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        kind = request_kind(raw, environ.get("CONTENT_TYPE", ""))
        started = time.perf_counter()
        body = list(slack(environ, start_response))
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
        if path == "/slack/events" and slack is not None:
            return timed(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return dispatch


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
        make_wsgi(app, engine, connected=connected),
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
