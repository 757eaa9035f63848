"""HTTP mode: Bolt's /slack/events, /healthz, served by cheroot's threaded WSGI server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from cheroot import wsgi
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine

from storage import db

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


def make_wsgi(
    app: App, engine: Engine
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """One WSGI callable: Slack's endpoint, the health check, 404 for the rest."""
    slack = SlackRequestHandler(app, path="/slack/events")
    probe = db.make_probe_engine(engine.url.render_as_string(hide_password=False))

    def health(start_response: StartResponse) -> Iterable[bytes]:
        try:
            db.check(probe)
        except Exception as exc:  # any failure of the database is "unhealthy"
            log.warning("health check failed: %s", type(exc).__name__)
            return _json(
                start_response, "503 Service Unavailable", {"ok": False, "database": "down"}
            )
        return _json(start_response, "200 OK", {"ok": True, "database": "up"})

    def dispatch(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return health(start_response)
        if path == "/slack/events":
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return dispatch


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def make_server(app: App, engine: Engine, *, host: str, port: int, threads: int) -> wsgi.Server:
    """A threaded production server (cheroot); port 0 picks a free port."""
    server = wsgi.Server(
        (host, port),
        make_wsgi(app, engine),
        numthreads=threads,
        request_queue_size=256,
        timeout=30,
        shutdown_timeout=5,
    )
    # Seconds between the server's housekeeping ticks; also how long stop() may wait.
    server.expiration_interval = 0.1
    server.prepare()
    return server


def bound_port(server: wsgi.Server) -> int:
    return int(server.bind_addr[1])
