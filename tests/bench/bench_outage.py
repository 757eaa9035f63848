"""Benchmark: 2,000 reports of a known outage in 60 s, then its resolution to all of them.

`rekan run --http --workers 2` on SQLite against the packaged Slack stand-in. "VPN" is a
registered resource: five people report it, an agent declares the outage (`/lapor gangguan
#N`), then the burst, evenly spread over `--seconds` from 50 threads; each report names the
resource, so each is linked. Prints ack p50/p99, non-2xx replies, agents' DMs and the owner's
card updates during the burst; the time from the owner's "Resolve outage" submission until
the stand-in holds every resolution DM, against a bare slack_sdk pool in its own process
(Rekan's notify_threads threads, the rate-limit retry handler) posting the same blocks to the
same people; duplicates and misses of both; what Slack's documented limits would add (the
stand-in enforces none).

    python -m tests.bench.bench_outage [--people 2000] [--seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.outages import A_DIFFERENT, A_RESOLVE, build_resolved
from bot.config import Settings, load_settings
from bot.render.common import reader
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Call
from storage import db, resources
from storage.db import session_scope
from storage.models import OutageMember
from storage.outages import views
from storage.outages.links import CARD_EVERY
from tests.bench.bench_lapor import ROOT, SECRET, free_port, pct, wait_port
from tests.helpers import buttons, seed

AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")
OWNER = AGENTS[0]
FIRST = 5  # reports before the outage is declared (they make a proposal, then are linked)
VARIANTS = (
    "VPN mati",
    "vpn mati dari tadi",
    "VPN down",
    "VPN mati lagi",
    "vpn mati nih",
    "VPN tidak bisa connect",
    "vpn putus terus, tidak bisa kerja",
    "koneksi VPN mati",
    "VPN mati, tidak bisa buka email",
    "vpn error sejak pagi",
)
SENDERS = 50
# Slack's documented limits (/work/shared/slack/facts.md, "Rate limits"): chat.postMessage
# about one message per second per channel (a workspace-wide limit has no figure there);
# conversations.open is Tier 3, about 50 calls a minute.
POST_PER_CHANNEL_S = 1.0
TIER3_PER_MINUTE = 50


def burst(
    sender: SlackSender, people: list[str], seconds: float
) -> tuple[list[float], list[str], int, float]:
    """Each person files one variant at evenly spaced moments over `seconds`, from SENDERS
    threads. Returns (ack latencies, failures, acks naming the known outage, wall time)."""
    latencies: list[float] = []
    failures: list[str] = []
    linked = 0
    lock = threading.Lock()
    turns = iter(range(len(people)))
    step = seconds / len(people)
    began = time.monotonic()

    def one_sender() -> None:
        nonlocal linked
        while True:
            with lock:
                i = next(turns, None)
            if i is None:
                return
            time.sleep(max(0.0, began + i * step - time.monotonic()))
            start = time.perf_counter()
            try:
                reply = sender.command(people[i], VARIANTS[i % len(VARIANTS)])
            except OSError as exc:
                with lock:
                    failures.append(type(exc).__name__)
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not 200 <= reply.status < 300:
                    failures.append(str(reply.status))
                linked += A_DIFFERENT in reply.body

    threads = [threading.Thread(target=one_sender) for _ in range(SENDERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, failures, linked, time.monotonic() - began


def keyed(call: Call, prefix: str) -> str | None:
    """The recipient of a chat.postMessage whose metadata key starts with `prefix`."""
    payload = (call.params.get("metadata") or {}).get("event_payload") or {}
    if call.method == "chat.postMessage" and str(payload.get("key", "")).startswith(prefix):
        return str(payload.get("recipient"))
    return None


def posted(calls: list[Call], prefix: str) -> Counter[str]:
    return Counter(who for c in calls if (who := keyed(c, prefix)) is not None)


def wait_posts(
    standin: SlackStandIn, prefix: str, people: set[str], since: int, timeout: float
) -> float:
    """Poll (outside the stand-in's lock) until each of `people` has a post keyed `prefix`
    among the calls after index `since`; returns when the last of them was recorded."""
    seen: set[str] = set()
    last, index = float("nan"), since
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = standin.calls()
        for call in calls[index:]:
            who = keyed(call, prefix)
            if who is not None:
                seen.add(who)
                last = call.at
        index = len(calls)
        if people <= seen:
            break
        time.sleep(0.05)
    return last


def bare_broadcast(url: str, posts: list[tuple[str, dict[str, Any]]], threads: int) -> float:
    """In a process of its own: post every message from a slack_sdk thread pool; returns
    when it started (wall clock)."""
    client = WebClient(
        token="xoxb-bench",
        base_url=url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
    )

    def post(item: tuple[str, dict[str, Any]]) -> None:
        user, message = item
        client.chat_postMessage(
            channel=user,
            text=message["text"],
            blocks=message.get("blocks"),
            metadata={
                "event_type": "bench_bare",
                "event_payload": {"key": "bare:", "recipient": user},
            },
            unfurl_links=False,
            unfurl_media=False,
        )

    start = time.time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, posts))
    return start


def check(name: str, got: Counter[str], wanted: set[str]) -> str:
    twice = sum(n - 1 for n in got.values() if n > 1)
    return f"{name}: {sum(got.values())} DMs, duplicates {twice}, misses {len(wanted - set(got))}"


def story(
    args: argparse.Namespace, settings: Settings, standin: SlackStandIn, port: int, engine: Engine
) -> None:
    sender = SlackSender(
        f"http://127.0.0.1:{port}/slack/events", SECRET, response_base=standin.base
    )
    staff: list[str] = args.staff
    first, crowd = staff[:FIRST], staff[FIRST:]
    acks = [sender.command(p, VARIANTS[i]) for i, p in enumerate(first)]
    ticket = re.search(r"#(\d+)", acks[0].text)
    assert ticket, acks[0].text
    declared = sender.command(OWNER, f"gangguan #{ticket.group(1)} VPN mati")
    print(f"declared: {declared.text.splitlines()[0] if declared.text else declared.status}")
    number = re.search(r"#(\d+)", declared.text)
    assert number, declared.text
    outage = int(number.group(1))
    standin.wait_for(lambda: any(A_RESOLVE in buttons(m) for m in standin.dms_to(OWNER)), 10)
    wait_posts(standin, f"outage:{outage}:notice:", set(first), 0, 30)
    settled = -1
    while settled != len(standin.calls()):  # the declaration's redraws have landed
        settled = len(standin.calls())
        time.sleep(1)

    # the burst
    mark = len(standin.calls())
    latencies, failures, linked, wall = burst(sender, crowd, args.seconds)
    burst_end = time.time()
    drained = wait_posts(standin, f"outage:{outage}:notice:", set(crowd), mark, 300)
    time.sleep(CARD_EVERY.total_seconds() + 1)  # the last throttled card redraw lands
    during = standin.calls()[mark:]
    card = next(m for m in standin.dms_to(OWNER) if A_RESOLVE in buttons(m))
    agent_dm = {standin.dm_channel(a) for a in AGENTS} | set(AGENTS)
    to_agents = [
        c for c in during if c.method == "chat.postMessage" and c.params.get("channel") in agent_dm
    ]
    updates = [c for c in during if c.method == "chat.update"]
    spot = (card.channel, card.ts)
    on_card = [c for c in updates if (c.params.get("channel"), c.params.get("ts")) == spot]
    opens = sum(c.method == "conversations.open" for c in during)
    ms = [x * 1000 for x in latencies]

    # the resolution, through the owner's card and modal
    before = len(standin.calls("views.open"))
    sender.click(OWNER, card, A_RESOLVE)
    standin.wait_for(lambda: len(standin.calls("views.open")) > before, 10)
    view = standin.calls("views.open")[before].params["view"]
    mark = len(standin.calls())
    submitted = time.time()
    reply = sender.view_submission(
        OWNER, {**view, "id": "VRESOLVE"}, {"text": {"value": {"value": "Router VPN diganti"}}}
    )
    acked = time.time() - submitted
    everyone = set(staff)
    prefix = f"outage:{outage}:resolved:"
    rekan = wait_posts(standin, prefix, everyone, mark, 600) - submitted
    first_dm = min(c.at for c in standin.calls()[mark:] if keyed(c, prefix)) - submitted
    resolution_opens = sum(c.method == "conversations.open" for c in standin.calls()[mark:])

    # the bare pool: the same blocks to the same people, in its own process
    with session_scope(engine) as session:
        shown = views.view(session, outage)
        members = session.exec(
            select(OutageMember.slack_id, OutageMember.ticket_id).where(
                OutageMember.outage_id == outage
            )
        ).all()
        posts = [
            (str(sid), build_resolved(shown, tid, lang=lang, tz=tz))
            for sid, tid in members
            for lang, tz in [reader(session, str(sid), settings)]
        ]
    mark = len(standin.calls())
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        bare_start = pool.submit(
            bare_broadcast, standin.url, posts, settings.notify_threads
        ).result()
    bare = wait_posts(standin, "bare:", everyone, mark, 60) - bare_start
    calls = standin.calls()

    n = len(crowd)
    print(
        f"{n} people filed over {wall:.1f} s ({SENDERS} senders), {args.workers} workers, "
        f"SQLite, {os.cpu_count()} cores shared; stand-in latency {args.latency * 1000:.0f} ms"
    )
    print(
        f"acks: n={len(ms)}  p50 {pct(ms, 50):.0f} ms  p99 {pct(ms, 99):.0f} ms  max {max(ms):.0f} ms  "
        f"over 300 ms {sum(x > 300 for x in ms)}  over 3 s {sum(x > 3000 for x in ms)}  "
        f"non-2xx {len(failures)}{' e.g. ' + str(failures[:3]) if failures else ''}  "
        f"naming the known outage {linked}/{n}"
    )
    print(
        f"during the burst: chat.postMessage to agents' DMs {len(to_agents)}, chat.update of the "
        f"owner's card {len(on_card)} (other chat.update: "
        f"{dict(Counter(str(c.params.get('channel')) for c in updates if c not in on_card))}), "
        f"notices to reporters {sum(posted(during, f'outage:{outage}:notice:').values())}, "
        f"conversations.open {opens}; the last notice {drained - burst_end:.2f} s after the last ack"
    )
    print(
        f"resolve submission acked in {acked * 1000:.0f} ms (HTTP {reply.status}); first "
        f"resolution DM {first_dm:.2f} s, last {rekan:.2f} s after the submission"
    )
    print(check("rekan", posted(calls, prefix), everyone) + f", {len(members)} affected")
    print(check("bare ", posted(calls, "bare:"), everyone))
    print(
        f"time to tell all {len(everyone)}: rekan {rekan:.2f} s, bare slack_sdk pool "
        f"({settings.notify_threads} threads) {bare:.2f} s, ratio {rekan / bare:.2f} "
        f"(from Rekan's ack: {(rekan - acked) / bare:.2f})"
    )
    per_channel = Counter(
        str(c.params.get("channel")) for c in calls if keyed(c, prefix) is not None
    )
    wait = (max(per_channel.values()) - 1) * POST_PER_CHANNEL_S if per_channel else 0.0
    print(
        "Slack's documented limits (not enforced by the stand-in): chat.postMessage 'about one "
        f"message per second per channel' -> {max(per_channel.values(), default=0)} message(s) per "
        f"DM channel, {wait:.0f} s added (its workspace-wide limit has no figure: a floor); "
        f"conversations.open Tier 3 (~{TIER3_PER_MINUTE}/min): {resolution_opens} in the "
        f"resolution -> {resolution_opens * 60 / TIER3_PER_MINUTE:.0f} s, {opens} during the burst "
        f"-> {opens / TIER3_PER_MINUTE:.1f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0, help="spread of the burst")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="stand-in seconds per call (50 ms, as bench_delivery)",
    )
    args = parser.parse_args()
    args.staff = [f"U1{i:07d}" for i in range(FIRST + args.people)]
    now = datetime.now(UTC)
    with SlackStandIn(latency=args.latency) as standin, tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": url,
            "REKAN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("SLACK_APP_TOKEN", None)
        engine = db.make_engine(url, pool_size=2)
        db.upgrade(engine)
        seed(engine, tier1=AGENTS, tier2=(), staff=tuple(args.staff), admins=())
        with session_scope(engine, write=True) as session:
            resources.add(session=session, name="VPN", aliases=["vpn kantor"], now=now)
        port = free_port()
        log = Path(tmp) / "rekan.log"
        with log.open("wb") as err:
            server = subprocess.Popen(
                [
                    *(sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1"),
                    *("--port", str(port), "--workers", str(args.workers)),
                ],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        try:
            wait_port(port, server)
            story(args, load_settings(env), standin, port, engine)
        finally:
            server.terminate()
            server.wait(timeout=30)
            engine.dispose()
            lines = log.read_text(errors="replace").splitlines()
            print(f"server log: {len(lines)} lines at WARNING or above")
            for line in lines[-20:]:
                print("  " + line)


if __name__ == "__main__":
    main()
