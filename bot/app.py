"""create_app(): the Bolt app with every listener registered."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.listeners import register_all
from bot.runtime import Runtime
from bot.slack import make_client
from jobs.batch import BatchSender
from jobs.context import JobContext
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
    jobs = JobContext(settings, engine, client, updater)
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
        logger=logging.getLogger("rekan.bolt"),
    )
    register_all(app, runtime)
    app.rekan_runtime = runtime  # type: ignore[attr-defined]
    return app
