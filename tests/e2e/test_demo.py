"""`rekan demo` plays its four stories and its summary matches the database."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import CheckinAnswer, Delivery, OutageUpdate, Person, Ticket, TicketEvent
from tests.processes import rekan


def test_demo_runs_and_its_summary_matches_the_database(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REKAN_", "DATABASE_"))
    }
    env["REKAN_LANGUAGE"] = "en"
    proc = rekan(tmp_path, env, "demo", "--database", str(database), timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in ("Kantor 123", "Weekly check-in", "Daily tasks", "VPN outage"):
        assert title in out
    assert (
        "This is already ticket #1" in out
        and "[Same problem as #1]" in out
        and "now part of #1" in out
        # the conversation in the ticket's threads, with the screenshot relayed (issue 18)
        and "Muncul pesan error apa" in out
        and "sent rdp-error.png" in out
        and "Only their lead" in out
        and "asks to be contacted" in out
        # the outage (issue 19): proposed, declared, 200 more linked, two updates, one fix
        and "Possible outage: 5 people reported" in out
        and "Outage #1 declared" in out
        and "This is a known outage" in out
        and "Affected: 205 people" in out
    )
    engine = make_engine(f"sqlite:///{database}")
    with session_scope(engine) as s:
        tickets = s.exec(select(Ticket)).all()
        names = {p.slack_id: p.name for p in s.exec(select(Person)).all()}
        assigned = Counter(
            names[e.agent_id]
            for e in s.exec(select(TicketEvent).where(TicketEvent.kind == "assigned")).all()
            if e.agent_id
        )
        sent = sum(1 for d in s.exec(select(Delivery)).all() if d.state == "sent")
        answers = len(s.exec(select(CheckinAnswer)).all())
        updates = len(s.exec(select(OutageUpdate)).all())
        # every affected person heard each update and the fix exactly once
        heard = Counter(
            (d.recipient, d.template)
            for d in s.exec(select(Delivery)).all()
            if d.template in ("outage.update", "outage.resolved") and d.state == "sent"
        )
    engine.dispose()
    assert updates == 2
    assert Counter(heard.values()) == {2: 205, 1: 205}
    # the third wording was filed as #2 with the same agent, and merged into #1 by Rina
    ordered = sorted(tickets, key=lambda x: x.id or 0)
    assert [(x.id, x.state, x.merged_into) for x in ordered[:2]] == [
        (1, "resolved", None),
        (2, "merged", 1),
    ]
    # the five first reports and the 200 after them: one outage, all resolved with it
    assert [(x.state, x.outage_id) for x in ordered[2:]] == [("resolved", 1)] * 205
    assert f"Tickets: {len(tickets)}; per agent:" in out
    for agent, count in assigned.items():
        assert f"  {agent}: {count}" in out
    assert f"Messages: {sent} sent, 0 pending, 0 failed" in out
    assert f"Check-in answers: {answers}" in out and answers == 6
    assert str(database) in out  # how to look at it afterwards


def test_demo_refuses_an_existing_database(tmp_path: Path) -> None:
    database = tmp_path / "exists.db"
    database.write_text("")
    env = {**os.environ, "REKAN_LANGUAGE": "en"}
    proc = rekan(tmp_path, env, "demo", "--database", str(database))
    assert proc.returncode == 1 and "exists already" in proc.stderr
