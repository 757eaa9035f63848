"""Benchmark, like for like: a real check-in round to 5,000 people through the stand-in (50 ms
per call, a 429 on every 100th post, concurrency 20), against a bare slack_sdk thread pool
with the same concurrency and RateLimitErrorRetryHandler posting the very same messages (the
text and blocks Rekan posted to each person). Prints both times, their ratio, duplicates and
misses.

    python tests/bench/bench_delivery.py [--people 5000] [--concurrency 20]
        [--database-url postgresql+psycopg://…] [--bare-opens]

Both sides reach people who have never had a DM from the app (a first round). By default
both post to the person's user id, which Slack answers with the DM channel — the same one
call per person. `--bare-opens` makes the bare pool spend a `conversations.open` first, as the
issue's measurement did. `--database-url` (or REKAN_BENCH_DATABASE_URL) runs Rekan on
PostgreSQL: that database's public schema is DROPPED and made again.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import text

from bot.config import Settings
from bot.sandbox import SlackStandIn
from bot.slack import make_job_context
from jobs import checkins as checkin_jobs
from jobs.campaigns import run_campaign
from storage import db, people
from storage.db import session_scope

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB


def tally(standin: SlackStandIn, ids: list[str]) -> tuple[int, int]:
    """(duplicates, misses) among the DMs of `ids`."""
    per = Counter(m.channel for m in standin.messages())
    wanted = {standin.dm_channel(i) for i in ids}
    duplicates = sum(n - 1 for c, n in per.items() if n > 1)
    return duplicates, len(wanted - set(per))


def reset(url: str) -> None:
    """An empty PostgreSQL schema for the run."""
    engine = db.make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_rekan(
    args: argparse.Namespace, ids: list[str], url: str
) -> tuple[float, int, int, str, dict[str, dict[str, Any]]]:
    """The `checkin` campaign job, as the scheduler runs it (rows written first, claimed,
    rendered by the real renderer, reconciled); what it posted, per user."""
    if url.startswith("postgresql"):
        reset(url)
    with SlackStandIn(latency=args.latency, ratelimit_every=100) as standin:
        settings = Settings(
            bot_token="xoxb-bench",
            api_url=standin.url,
            database_url=url,
            delivery_concurrency=args.concurrency,
            notify_threads=args.concurrency,
        )
        engine = db.make_engine(settings.database_url, pool_size=args.concurrency + 4)
        db.upgrade(engine)
        rows = [
            (
                i + 2,
                {
                    "slack_id": sid,
                    "name": sid,
                    "email": "",
                    "team": "T",
                    "lead_slack_id": "",
                    "timezone": "Asia/Jakarta",
                },
            )
            for i, sid in enumerate(ids)
        ]
        with session_scope(engine, write=True) as s:
            people.import_rows(session=s, rows=rows, now=NOW)
        ctx = make_job_context(settings, engine)
        job = next(j for j in checkin_jobs.jobs(settings) if j.name == "checkin")
        start = time.perf_counter()
        run = run_campaign(ctx, job, now=NOW, force=True, wait_for_retries=True)
        took = time.perf_counter() - start
        dup, miss = tally(standin, ids)
        opens = len(standin.calls("conversations.open"))
        posted = {
            m.channel: {"text": m.text, "blocks": m.blocks}
            for m in standin.messages()
            if m.user == standin.BOT_USER
        }
        engine.dispose()
    summary = f"{run.summary()} conversations.open={opens}"
    return took, dup, miss, summary, posted


def run_bare(
    args: argparse.Namespace, ids: list[str], posted: dict[str, dict[str, Any]]
) -> tuple[float, int, int]:
    """A thread pool posting each person the message Rekan posted them."""
    fallback = next(iter(posted.values()))
    with SlackStandIn(latency=args.latency, ratelimit_every=100) as standin:
        client = WebClient(
            token="xoxb-bench",
            base_url=standin.url,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
        )

        def post(user: str) -> None:
            message = posted.get(standin.dm_channel(user), fallback)
            channel = user
            if args.bare_opens:
                channel = client.conversations_open(users=user)["channel"]["id"]
            client.chat_postMessage(channel=channel, text=message["text"], blocks=message["blocks"])

        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(post, ids))
        took = time.perf_counter() - start
        dup, miss = tally(standin, ids)
    return took, dup, miss


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--database-url", default=os.environ.get("REKAN_BENCH_DATABASE_URL", "").strip()
    )
    parser.add_argument("--bare-opens", action="store_true")
    args = parser.parse_args()
    ids = [f"U{i:07d}" for i in range(args.people)]

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/b.db"
        rekan, dup, miss, summary, posted = run_rekan(args, ids, url)
    bare, bare_dup, bare_miss = run_bare(args, ids, posted)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    calls = "conversations.open + chat.postMessage" if args.bare_opens else "chat.postMessage"
    print(
        f"{args.people} people, concurrency {args.concurrency}, "
        f"{args.latency * 1000:.0f} ms per call, a 429 on every 100th post, {backend}; "
        f"bare pool: {calls} with Rekan's check-in blocks"
    )
    print(f"bare slack_sdk pool: {bare:7.2f} s   duplicates {bare_dup}   misses {bare_miss}")
    print(f"rekan check-in:      {rekan:7.2f} s   duplicates {dup}   misses {miss}   ({summary})")
    print(f"ratio rekan/bare: {rekan / bare:.2f}")


if __name__ == "__main__":
    main()
