"""`rekan outages list|show` through the real entry point, on a history with known answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from storage import people, tickets
from storage.db import session_scope
from storage.outages import lifecycle
from tests.helpers import NOW

Run = Callable[..., tuple[int, str, str]]


def test_show_gives_the_story_of_an_outage_in_numbers(cli: Run, engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        people.ensure(session, "U0DEDI", now=NOW)
        people.add_role(session=session, slack_id="U0DEDI", role="agent", tier=1, now=NOW)
        for n, who in enumerate(("U0AYU", "U0BUDI", "U0CICI")):
            tickets.file_ticket(
                session=session,
                reporter_id=who,
                summary="email tidak bisa kirim",
                source_key=f"t:{n}",
                now=NOW + timedelta(minutes=n),
            )
        declared = lifecycle.declare(
            session=session,
            actor="U0DEDI",
            now=NOW + timedelta(minutes=12),
            ticket_id=1,
            title="Email",
        )
        assert declared.outage_id == 1
        lifecycle.post_update(
            session=session,
            outage_id=1,
            actor="U0DEDI",
            text="Server mail restart",
            now=NOW + timedelta(minutes=30),
        )
        lifecycle.resolve(
            session=session,
            outage_id=1,
            actor="U0DEDI",
            note="Sudah normal",
            now=NOW + timedelta(hours=2, minutes=12),
        )
    code, out, err = cli("outages", "show", "1")
    assert (code, err) == (0, "")
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert lines["Outage"] == "#1 Email" and lines["State"] == "resolved"
    assert lines["Minutes to declare"] == "12" and lines["Minutes to resolve"] == "120"
    assert lines["Affected"] == "1" and lines["Reports"] == "1"
    assert "Server mail restart" in out and "Sudah normal" in out
    code, out, _ = cli("outages", "list")
    assert code == 0 and "#1" in out and "Email" in out
    code, _, err = cli("outages", "show", "2")
    assert code == 1 and err.strip().count("\n") == 0 and "#2" in err
