"""`rekan report tickets` and the weekly `report-helpdesk` job on the seeded week with known
answers (tests/storage/helpdesk_seed): text, CSV (one row per ticket), chart, and the DM each
helpdesk lead gets; bad ranges refused with one line."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.run import Running
from bot.sandbox import SlackStandIn
from jobs.sla import run_report_helpdesk
from storage import people, sla_alerts
from storage.db import session_scope
from storage.sla import DEFAULT_SLA, Policy, parse_targets
from storage.types import ROLE_HELPDESK_LEAD
from storage.worktime import DeskClock
from tests.storage.helpdesk_seed import WIB, A, seed_history, wib
from tests.storage.seed import LEAD, NOW, seed_org

Cli = Callable[..., tuple[int, str, str]]


def _seed(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        seed_org(s)
        people.add_role(session=s, slack_id=LEAD, role=ROLE_HELPDESK_LEAD, now=NOW)
        seed_history(s)


def test_report_tickets_text_csv_and_chart(engine: Engine, cli: Cli, tmp_path: Path) -> None:
    _seed(engine)
    csv_file, png = tmp_path / "t.csv", tmp_path / "t.png"
    code, out, err = cli(
        "report", "tickets", "--from", "2026-11-23", "--to", "2026-11-27",
        "--csv", str(csv_file), "--png", str(png),
    )  # fmt: skip
    assert (code, err) == (0, "")
    # run now (weeks later): #4, still open, has since breached its first response
    assert "Tickets: 5 · service levels met: 50% · breached: 2" in out
    assert "First response p50/p90: 30/300 working minutes" in out
    assert "resolution p50/p90: 240/420 working minutes" in out
    assert "Satisfaction (CSAT): average 3.5 of 5 · answered 67%" in out
    assert "By day: 2026-11-23: 2, 2026-11-24: 1, 2026-11-25: 2" in out
    agent_rows = [line.split() for line in out.splitlines() if line.startswith("U0AGENT")]
    assert agent_rows[0] == [A, "2", "1", "30", "240", "5.0"]
    rows = list(csv.DictReader(csv_file.open(encoding="utf-8", newline="")))
    assert [r["ticket"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert {k: rows[1][k] for k in ("priority", "category", "agent")} == {
        "priority": "normal",
        "category": "vpn",
        "agent": "U0AGENTB",
    }
    assert [
        (r["first_response_minutes"], r["resolution_minutes"], r["sla_met"], r["csat"])
        for r in rows
    ] == [
        ("30", "240", "yes", "5"),
        ("300", "420", "no", "2"),
        ("10", "120", "yes", ""),
        ("", "", "no", ""),
        ("", "", "", ""),
    ]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_ranges_are_one_line(engine: Engine, cli: Cli) -> None:
    code, out, err = cli("report", "tickets", "--from", "2026-11-27", "--to", "2026-11-23")
    assert (code, out) == (1, "") and err == (
        "The --to date (2026-11-23) is before --from (2026-11-27).\n"
    )
    code, _, err = cli("report", "tickets", "--from", "2026-02-30")
    assert code == 2 and "2026-02-30" in err


def test_the_weekly_report_goes_to_the_helpdesk_leads(
    rekan: Running, standin: SlackStandIn, engine: Engine
) -> None:
    _seed(engine)
    monday = wib(30, 8) + timedelta(minutes=1)  # the week of 23–29 November
    assert run_report_helpdesk(rekan.runtime.jobs, monday) == "leads=1 sent=1"
    uploads = standin.calls("files.completeUploadExternal")
    assert len(uploads) == 1
    text = uploads[0].params["initial_comment"]
    assert "Laporan helpdesk 2026-11-23 s.d. 2026-11-29" in text  # the lead reads Indonesian
    assert "Tiket: 5" in text and "U0AGENTA" in text


def test_tickets_list_shows_priority_category_and_a_breach(engine: Engine, cli: Cli) -> None:
    _seed(engine)
    policy = Policy(DeskClock(tz=WIB), parse_targets(DEFAULT_SLA, 8 * 3600))
    with session_scope(engine, write=True) as s:  # a week on, #4 breached its first response
        swept = sla_alerts.sweep(session=s, policy=policy, now=wib(30, 12))
    assert (4, "response_breach") in swept.alerts
    code, out, _ = cli("tickets", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["Ticket", "State", "Priority", "Category"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["#4"][1:4] == ["open", "low", "!"]
    assert rows["#3"][1:4] == ["resolved", "urgent", "hardware"]
    assert rows["#1"][1:4] == ["resolved", "high", "vpn"]
