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


def make_job_context(settings: Settings, engine: Engine) -> JobContext:
    """What jobs and the delivery engine need, with both kinds of client."""
    return JobContext(
        settings, engine, make_client(settings), make_client(settings, idempotent=True)
    )
