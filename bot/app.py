"""create_app(): the Bolt app with every listener registered."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.blocks.common import build_text_message
from bot.config import Settings
from bot.i18n import t
from bot.listeners import register_all
from bot.runtime import Runtime
from bot.slack import make_client, make_job_context
from jobs.batch import BatchSender
from storage.db import make_engine

log = logging.getLogger(__name__)
URGENT_THREADS = 4


def build_runtime(
    settings: Settings, *, client: WebClient | None = None, engine: Engine | None = None
) -> Runtime:
    # Every thread that may hold a connection at once: listeners, Slack-call pools, the
    # sender's two threads and the scheduler's jobs.
    threads = (
        settings.listener_threads
        + settings.notify_threads
        + URGENT_THREADS
        + settings.delivery_concurrency
        + 4
    )
    engine = engine or make_engine(settings.database_url, pool_size=threads)
    client = client or make_client(settings)
    updater = make_client(settings, idempotent=True)
    pool = ThreadPoolExecutor(settings.notify_threads, thread_name_prefix="rekan-notify")
    jobs = make_job_context(settings, engine, client, updater)
    return Runtime(
        settings=settings,
        engine=engine,
        client=client,
        updater=updater,
        pool=pool,
        urgent_pool=ThreadPoolExecutor(URGENT_THREADS, thread_name_prefix="rekan-urgent"),
        sender=BatchSender(jobs, pool, slots=settings.notify_threads * 2),
    )


def create_app(
    settings: Settings,
    client: WebClient | None = None,
    engine: Engine | None = None,
    *,
    runtime: Runtime | None = None,
    socket_mode: bool = False,
) -> App:
    """The Bolt app. HTTP mode verifies signatures; Socket Mode needs no signing secret."""
    runtime = runtime or build_runtime(settings, client=client, engine=engine)
    app = App(
        client=runtime.client,
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,
        # Listeners run on the thread that received the request and return right after
        # ack(): their Slack calls are handed to the runtime's pools. Bolt's default instead
        # hands every request to a second thread and polls it for the ack every 10 ms, which
        # under load costs more than the listener itself.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(2, thread_name_prefix="rekan-lazy"),
        # Bolt names the loggers it derives after the app: all of them are "rekan.bolt…",
        # which bot.logsetup cuts before any request body.
        name="rekan.bolt",
        logger=logging.getLogger("rekan.bolt"),
    )
    register_all(app, runtime)
    app.error(listener_failed(settings))
    app.rekan_runtime = runtime  # type: ignore[attr-defined]
    return app


def listener_failed(settings: Settings) -> Callable[..., BoltResponse]:
    """Bolt's error handler, for listeners only (what cannot be parsed never reaches them,
    see bot.server). The failure is logged by type and place, never with the data it held;
    Slack gets the acknowledgement if there was one, else a 200: a 5xx makes Slack show its
    own error and retry events."""

    def handle(error: Exception, request: BoltRequest) -> BoltResponse:
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
        acked = request.context.ack.response
        if acked is not None:
            return acked
        if request.body.get("command"):
            message = build_text_message(t("error.generic", settings.language))
            return BoltResponse(
                status=200,
                body=json.dumps(message),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        return BoltResponse(status=200, body="")

    return handle
