"""`rekan jobs` and `rekan db backup` as an operator types them: `python -m bot` in its own
process, against the test database and the Slack stand-in."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot.sandbox import SlackStandIn
from storage import campaigns, people
from storage.calendar import is_workday
from storage.db import session_scope
from tests.helpers import seed
from tests.processes import rekan

STAFF = ("U0REPORT", "U0RINA", "U0SARI")
EVERY_JOB = {
    "campaigns",
    "checkin",
    "checkin-reminder",
    "tasks-prompt",
    "tasks-digest",
    "tasks-summary",
    "people-sync",
    "availability",
    "waiting-reporter",
    "deliveries-retry",
    "claims-expiry",
    "checkin-close",
    "retention",
    "ticket-retention",
    "report-weekly",
    "outage-cards",
    "sla",
    "close-resolved",
    "report-helpdesk",
}


def operator_env(database_url: str, standin: SlackStandIn) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": standin.url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "REKAN_LANGUAGE": "en",
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


def test_jobs_list_prints_every_job_name_first(
    tmp_path: Path, engine: Engine, standin: SlackStandIn, database_url: str
) -> None:
    done = rekan(tmp_path, operator_env(database_url, standin), "jobs", "list")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[2:]  # under the header and its rule
    names = [row.split()[0] for row in rows if row.strip()]
    assert set(names) == EVERY_JOB and len(names) == len(EVERY_JOB), done.stdout


def test_jobs_run_checkin_sends_the_round_now(
    tmp_path: Path, engine: Engine, standin: SlackStandIn, database_url: str
) -> None:
    seed(engine)
    done = rekan(tmp_path, operator_env(database_url, standin), "jobs", "run", "checkin")
    assert done.returncode == 0, done.stderr
    for person in STAFF:
        assert len(standin.dms_to(person)) == 1, person


def test_jobs_run_tasks_prompt_sends_the_prompt_now(
    tmp_path: Path, engine: Engine, standin: SlackStandIn, database_url: str
) -> None:
    seed(engine)
    with session_scope(engine, write=True) as session:
        for person in STAFF:
            people.require(session, person).lead_slack_id = "U0ADMIN"
        off = list(campaigns.days_off(session))
    done = rekan(tmp_path, operator_env(database_url, standin), "jobs", "run", "tasks-prompt")
    assert done.returncode == 0, done.stderr
    # `jobs run` sends the current period; on a day off the prompt has no period to send.
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()
    if is_workday(today, off):
        assert {len(standin.dms_to(p)) for p in STAFF} == {1}
        assert standin.dms_to("U0ADMIN") == []  # no lead of their own
    else:
        assert "not a workday" in done.stdout


def test_db_backup_refuses_a_missing_database(
    tmp_path: Path, standin: SlackStandIn, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the online backup is SQLite's")
    missing = tmp_path / "nothing-here.db"
    env = {**operator_env(f"sqlite:///{missing}", standin)}
    done = rekan(tmp_path, env, "db", "backup", str(tmp_path / "copy.db"))
    assert done.returncode == 1
    assert str(missing) in done.stderr and "Traceback" not in done.stderr
    assert not missing.exists() and not (tmp_path / "copy.db").exists()


def test_db_backup_onto_an_existing_file_says_so(
    tmp_path: Path, engine: Engine, standin: SlackStandIn, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the online backup is SQLite's")
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    done = rekan(tmp_path, operator_env(database_url, standin), "db", "backup", str(target))
    assert done.returncode == 1
    assert "demo" not in done.stderr and str(target) in done.stderr
    assert target.read_bytes() == b"keep me"
