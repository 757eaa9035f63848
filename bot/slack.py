"""WebClient factory: every client uses SLACK_API_URL and the retry policy its calls allow."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.helpdesk_report import weekly_helpdesk
from bot.render import RENDERERS
from bot.reports import weekly
from jobs.context import JobContext

TIMEOUT_SECONDS = 10


def make_client(
    settings: Settings, *, idempotent: bool = False, token: str | None = None
) -> WebClient:
    """A client for posting (only 429s retried: a 429 guarantees nothing was posted), or,
    with `idempotent`, for reads and in-place updates, where a repeat does no harm."""
    handlers: list = [RateLimitErrorRetryHandler(max_retry_count=3)]
    if idempotent:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )


def make_job_context(
    settings: Settings,
    engine: Engine,
    client: WebClient | None = None,
    updater: WebClient | None = None,
) -> JobContext:
    """What jobs and the delivery engine need: both kinds of client, the renderer table and
    the report maker. Every job context is built here."""
    return JobContext(
        settings=settings,
        engine=engine,
        client=client or make_client(settings),
        updater=updater or make_client(settings, idempotent=True),
        renderers=RENDERERS,
        weekly_report=weekly,
        helpdesk_report=weekly_helpdesk,
    )
