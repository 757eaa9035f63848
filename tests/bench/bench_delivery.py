"""Benchmark: one campaign round to 5,000 people through the stand-in (50 ms per call, a 429
on every 100th post), against the same 5,000 posts from a bare slack_sdk thread pool with
the same concurrency and the rate-limit retry handler. Prints both times, their ratio,
duplicates and misses.

    python tests/bench/bench_delivery.py [--people 5000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as daytime

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.blocks.common import build_text_message
from bot.config import Settings
from bot.render.common import each
from bot.sandbox import SlackStandIn
from bot.slack import make_job_context
from jobs import campaigns as engine_mod
from jobs.campaigns import CampaignJob, run_campaign
from jobs.context import Rendered
from storage import db, people
from storage.db import session_scope

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def count(standin: SlackStandIn, ids: list[str]) -> tuple[float, int, int]:
    per = Counter(m.channel for m in standin.messages())
    wanted = {standin.dm_channel(i) for i in ids}
    duplicates = sum(n - 1 for c, n in per.items() if n > 1)
    misses = len(wanted - set(per))
    return 0.0, duplicates, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    ids = [f"U{i:07d}" for i in range(args.people)]

    # --- bare: a thread pool posting with the rate-limit handler
    with SlackStandIn(latency=args.latency, ratelimit_every=100) as standin:
        client = WebClient(
            token="xoxb-bench",
            base_url=standin.url,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
        )

        def post(user: str) -> None:
            channel = client.conversations_open(users=user)["channel"]["id"]
            client.chat_postMessage(channel=channel, text=f"halo {user}")

        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(post, ids))
        bare = time.perf_counter() - start
        _, bare_dup, bare_miss = count(standin, ids)

    # --- Rekan: the campaign engine, rows in SQLite, reconciliation on
    with (
        SlackStandIn(latency=args.latency, ratelimit_every=100) as standin,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = Settings(
            bot_token="xoxb-bench",
            api_url=standin.url,
            database_url=f"sqlite:///{tmp}/b.db",
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
        base = make_job_context(settings, engine)
        hello = each(lambda _s, row, _c: Rendered(build_text_message(f"halo {row.recipient}")))
        ctx = replace(base, renderers={**base.renderers, "bench.hello": hello})
        job = CampaignJob(
            name="bench",
            at=daytime(9, 0),
            template="bench.hello",
            period=lambda d: d.isoformat(),
            recipients=engine_mod.active_people,
        )
        start = time.perf_counter()
        run = run_campaign(ctx, job, now=NOW, force=True, wait_for_retries=True)
        rekan = time.perf_counter() - start
        _, dup, miss = count(standin, ids)

    print(
        f"{args.people} people, concurrency {args.concurrency}, {args.latency * 1000:.0f} ms per call, "
        "a 429 on every 100th post"
    )
    print(f"bare slack_sdk pool: {bare:7.2f} s   duplicates {bare_dup}   misses {bare_miss}")
    print(
        f"rekan campaign:      {rekan:7.2f} s   duplicates {dup}   misses {miss}   ({run.summary()})"
    )
    print(f"ratio rekan/bare: {rekan / bare:.2f}")


if __name__ == "__main__":
    main()
