"""The audit trail end to end (issue 21): reports run or sent and roles granted or removed each
write exactly one row; `rekan audit list` shows them with filters and as CSV; the retention
job keeps audit rows REKAN_AUDIT_RETENTION_MONTHS and says what it deleted of each kind."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackStandIn
from jobs.checkins import run_close, run_retention
from jobs.reports import run_weekly
from storage import audit, tasks
from storage.db import session_scope
from storage.models import Audit, Delivery, Person, TaskReport
from tests.e2e.test_checkins import MONDAY_10_WIB, STAFF, record, seed_org, send_round

CLI = Callable[..., tuple[int, str, str]]


def rows(engine: Engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as s:
        return [(a.actor, a.action, a.subject) for a in s.exec(select(Audit)).all()]


def test_reports_and_roles_are_traced_once_and_listed(
    rekan: Running, standin: SlackStandIn, engine: Engine, cli: CLI, tmp_path: Path
) -> None:
    seed_org(engine)
    send_round(rekan)
    record(engine, {sid: {"physical": 4} for sid in STAFF[:6]})
    run_close(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=4))
    assert rows(engine) == []
    assert run_weekly(rekan.runtime.jobs, MONDAY_10_WIB) == "hr=2 sent=2"
    assert sorted(rows(engine)) == [("U0HRANI", "report", None), ("U0HRBUDI", "report", None)]
    assert cli("report", "wellbeing")[0] == 0
    assert cli("hr", "add", "U0STAFF0")[0] == 0
    assert cli("hr", "add", "U0STAFF0")[0] == 0  # already HR: nothing granted, nothing traced
    assert cli("admins", "add", "U0STAFF1")[0] == 0
    assert cli("admins", "remove", "U0STAFF1")[0] == 0
    assert cli("agents", "add", "U0STAFF2", "--tier", "1")[0] == 0  # not HR or admin
    assert rows(engine)[2:] == [
        ("cli", "report", None),
        ("cli", "role", "U0STAFF0"),
        ("cli", "role", "U0STAFF1"),
        ("cli", "role", "U0STAFF1"),
    ]

    code, out, _ = cli("audit", "list")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2 + 6  # the header and its rule, then one line per row
    assert [line.split()[1] for line in lines[2:]] == ["report"] * 3 + ["role"] * 3
    code, out, _ = cli("audit", "list", "--actor", "U0HRANI")
    assert code == 0 and len(out.strip().splitlines()) == 3 and "U0HRBUDI" not in out
    code, out, _ = cli("audit", "list", "--since", "2999-01-01")
    assert code == 0 and "report" not in out and "role" not in out
    assert cli("audit", "list", "--since", "yesterday")[0] == 2
    target = tmp_path / "audit.csv"
    assert cli("audit", "list", "--csv", str(target))[0] == 0
    table = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert [r["action"] for r in table] == ["report"] * 3 + ["role"] * 3
    assert {r["ref"] for r in table if r["action"] == "role"} == {
        "grant:hr",
        "grant:admin",
        "remove:admin",
    }


def test_retention_keeps_the_trail_longer_and_reports_what_it_deleted(
    rekan: Running, engine: Engine
) -> None:
    seed_org(engine)
    send_round(rekan)
    record(engine, {"U0STAFF0": {"physical": 4}})
    with session_scope(engine, write=True) as s:
        s.get(Person, "U0STAFF1").lead_slack_id = "U0HRANI"  # type: ignore[union-attr]
        s.flush()
        audit.record(
            s, actor="U0HRANI", action="report", now=MONDAY_10_WIB - timedelta(days=365 * 5 + 30)
        )
        audit.record(s, actor="U0HRANI", action="report", now=MONDAY_10_WIB)
        tasks.submit(
            session=s,
            slack_id="U0STAFF1",
            day=MONDAY_10_WIB.date() - timedelta(days=800),
            items=["Lama sekali"],
            note=None,
            now=MONDAY_10_WIB - timedelta(days=800),
        )
        tasks.submit(
            session=s,
            slack_id="U0STAFF1",
            day=MONDAY_10_WIB.date(),
            items=["Hari ini"],
            note=None,
            now=MONDAY_10_WIB,
        )
    # 100 days on: the check-in DMs are old enough to lose their parameters, nothing else is
    summary = run_retention(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=100))
    assert summary.startswith("deleted=0 audit=1 task_days=1 delivery_params=")
    assert int(summary.rsplit("=", 1)[1]) > 0
    with session_scope(engine) as s:
        assert len(s.exec(select(Audit)).all()) == 1
        assert [r.day for r in s.exec(select(TaskReport)).all()] == [MONDAY_10_WIB.date()]
        sent = s.exec(select(Delivery).where(Delivery.campaign == "checkin:2026-W48")).all()
        assert sent and all(d.params == {} for d in sent)
    # a second run finds nothing more
    again = run_retention(rekan.runtime.jobs, MONDAY_10_WIB + timedelta(days=100))
    assert again == "deleted=0 audit=0 task_days=0 delivery_params=0"
