"""Benchmark: `erase` on a database of a given size: N people, each with a ticket, a ticket
message, two check-in answers and a note, and a sent delivery. The sweep reads every text
column of every table, so its time grows with the database. Prints the time of one erasure
and what it touched. Not part of the test run.

    python tests/bench/bench_erase.py [--people 5000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from storage import db, erasure
from storage.db import session_scope
from storage.models import (
    CheckinAnswer,
    CheckinNote,
    CheckinRound,
    Delivery,
    Person,
    Ticket,
    TicketMessage,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def seed(url: str, people: int) -> None:
    engine = db.make_engine(url, pool_size=1)
    db.upgrade(engine)
    ids = [f"U0B{i:07d}" for i in range(people)]
    key = "checkin:2026-W48"
    with session_scope(engine, write=True) as s:
        s.add(CheckinRound(key=key, period="2026-W48", opened_at=NOW, closes_at=NOW))
        s.flush()
        conn = s.connection()
        conn.execute(
            insert(Person),
            [dict(slack_id=i, name=f"Orang {i[3:]}", email=f"{i.lower()}@corp.id", timezone="Asia/Jakarta",
                  created_at=NOW, updated_at=NOW) for i in ids],
        )  # fmt: skip
        conn.execute(
            insert(Ticket),
            [dict(source_key=f"t:{n}", reporter_id=i, summary=f"Laptop Orang {i[3:]} rusak",
                  state="open", created_at=NOW, updated_at=NOW) for n, i in enumerate(ids)],
        )  # fmt: skip
        conn.execute(
            insert(TicketMessage),
            [dict(ticket_id=n + 1, author_id=i, kind="reporter", text=f"<@{i}> menulis", files=[],
                  source_key=f"m:{n}", created_at=NOW) for n, i in enumerate(ids)],
        )  # fmt: skip
        conn.execute(
            insert(CheckinAnswer),
            [dict(round_key=key, slack_id=i, question=q, score=3, answered_at=NOW)
             for i in ids for q in ("physical", "mental")],
        )  # fmt: skip
        conn.execute(
            insert(CheckinNote),
            [dict(round_key=key, slack_id=i, note="catatan", written_at=NOW) for i in ids],
        )
        conn.execute(
            insert(Delivery),
            [dict(key=f"{key}:{i}", campaign=key, recipient=i, template="checkin.ask", params={},
                  state="sent", channel="D" + i[1:], ts="1.0", next_attempt_at=NOW,
                  created_at=NOW - timedelta(days=1)) for i in ids],
        )  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    started = time.perf_counter()
    seed(url, args.people)
    print(
        f"seeded {args.people} people in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
    )
    engine = db.make_engine(url, pool_size=1)
    subject = f"U0B{args.people // 2:07d}"
    started = time.perf_counter()
    with session_scope(engine, write=True) as s:
        done = erasure.erase(session=s, slack_id=subject, now=NOW, actor="cli")
    took = time.perf_counter() - started
    print(f"erase: {took * 1000:.0f} ms; deleted {dict(done.deleted)}; "
          f"pseudonymised {dict(done.pseudonymised)}; to blank {len(done.blank)}")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
