"""The floor for bench_lapor: the least any /lapor that files and notifies can do (gunicorn serves it).

One row committed with sqlite3 before the acknowledgement that names its number, then one
`chat.postMessage` with slack_sdk on a small pool after it. No rotation, no repeat check, no
Block Kit, no outbox or exactly-once: what Rekan does on top of this can only cost more, so this
app's requests per second bound Rekan's from above on the same machine.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

client = WebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"])
bolt = App(
    client=client,
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
    process_before_response=True,
)
pool = ThreadPoolExecutor(4)
write = threading.Lock()
local = threading.local()


def database() -> sqlite3.Connection:
    """This thread's connection (sqlite3 connections are not shared across threads)."""
    conn: sqlite3.Connection | None = getattr(local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["FLOOR_DATABASE"], isolation_level=None)
        conn.execute("pragma journal_mode=wal")
        conn.execute("pragma synchronous=normal")
        conn.execute("create table if not exists ticket (id integer primary key, reporter, body)")
        local.conn = conn
    return conn


def notify(number: int, text: str) -> None:
    client.chat_postMessage(
        channel="U0AGENTA",
        text=f"#{number} {text}",
        metadata={"event_type": "floor", "event_payload": {"key": f"ticket:{number}:card"}},
    )


@bolt.command("/lapor")
def lapor(ack: Ack, command: dict[str, str]) -> None:
    conn = database()
    with write:
        conn.execute("begin immediate")
        cursor = conn.execute(
            "insert into ticket (reporter, body) values (?, ?)",
            (command["user_id"], command["text"]),
        )
        conn.execute("commit")
    number = int(cursor.lastrowid or 0)
    ack(text=f"#{number}")
    pool.submit(notify, number, command["text"])


app = SlackRequestHandler(bolt)
