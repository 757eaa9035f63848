"""Relaying a file between ticket threads: fetch it from Slack with the bot token (files:read)
and upload it into the other thread; a file too large or that cannot be fetched is named
in a message instead, never dropped."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

from jobs.context import JobContext, Rendered, Upload

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30


class NotFetched(Exception):
    """The file could not be fetched (too large, gone, or no access)."""


def fetch(ctx: JobContext, item: Upload) -> bytes:
    """The file's bytes, at most `file_max_bytes` of them."""
    limit = ctx.settings.file_max_bytes
    if item.size > limit:
        raise NotFetched("too_large")
    request = urllib.request.Request(
        item.url, headers={"Authorization": f"Bearer {ctx.client.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if "text/html" in (response.headers.get("Content-Type") or ""):
                raise NotFetched("no_access")  # Slack's login page: the token was refused
            content: bytes = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise NotFetched(f"http_{exc.code}") from exc
    if len(content) > limit:
        raise NotFetched("too_large")
    return content


def upload(ctx: JobContext, rendered: Rendered, channel: str, thread_ts: str | None) -> str:
    """Upload the file into the thread with the message as its comment, or post the fallback
    naming it. Returns the ts of what was posted ("" when Slack does not say)."""
    item = rendered.upload
    assert item is not None
    try:
        content = fetch(ctx, item)
    except (NotFetched, urllib.error.URLError, TimeoutError) as exc:
        log.info("file not relayed (%s): posting its name instead", exc)
        response = ctx.client.chat_postMessage(
            channel=channel,
            text=item.fallback["text"],
            blocks=item.fallback.get("blocks"),
            thread_ts=thread_ts,
        )
        return str(response["ts"])
    # A failure here is the engine's to judge (retry on 429/5xx, fail on a permanent error).
    ctx.client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=content,
        filename=item.name,
        title=item.name,
        initial_comment=rendered.message["text"],
    )
    return ""
