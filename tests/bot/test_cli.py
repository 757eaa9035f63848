"""The `rekan` CLI: exit statuses, one-line errors, people, roles and jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.sandbox import SlackStandIn
from storage.db import session_scope
from storage.models import Person

HEADER = "slack_id,name,email,team,lead_slack_id,timezone,language,extra\n"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, standin: SlackStandIn
) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "REKAN_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", standin.url)
    monkeypatch.setenv("REKAN_LANGUAGE", "en")
    return database_url


def rekan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def write_csv(tmp_path: Path, body: str) -> str:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_run_without_tokens_is_one_line_and_exit_2(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = rekan(capsys, "run")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN" in err
    assert "Traceback" not in err


def test_malformed_setting_is_exit_2(
    cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REKAN_TIMEZONE", "Jakarta")
    code, _, err = rekan(capsys, "people", "list")
    assert code == 2
    assert "REKAN_TIMEZONE" in err and err.strip().count("\n") == 0


def test_bad_usage_is_exit_2(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = rekan(capsys, "agents", "add", "U0A", "--tier", "3")
    assert code == 2


def test_import_list_roles_and_availability(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path,
        "U0AYU,Ayu,ayu@corp.id,IT,U0BUDI,Asia/Jakarta,,x\n"
        "U0BUDI,Budi,budi@corp.id,IT,,Asia/Makassar,en,y\n",
    )
    code, out, _ = rekan(capsys, "people", "import", path)
    assert (code, out.strip()) == (0, "Import done: 2 new people, 0 updated.")
    code, out, _ = rekan(capsys, "people", "list", "--team", "IT")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Slack",
        "ID",
        "Name",
        "Email",
        "Team",
        "Lead",
        "Time",
        "zone",
        "Language",
        "State",
    ]
    assert len({line.index("Ayu") if "Ayu" in line else None for line in lines} - {None}) == 1
    assert rekan(capsys, "agents", "add", "U0AYU", "--tier", "1")[0] == 0
    assert rekan(capsys, "hr", "add", "U0BUDI")[0] == 0
    assert rekan(capsys, "admins", "add", "U0BUDI")[0] == 0
    code, out, _ = rekan(capsys, "agents", "away", "U0AYU", "--until", "2099-01-31")
    assert "away until 2099-01-31" in out
    code, out, _ = rekan(capsys, "agents", "list")
    assert "U0AYU" in out and "away until 2099-01-31" in out
    code, out, _ = rekan(capsys, "agents", "back", "U0AYU")
    assert code == 0 and "available again" in out
    assert "U0BUDI" in rekan(capsys, "hr", "list")[1]
    assert "U0BUDI" in rekan(capsys, "admins", "list")[1]
    assert rekan(capsys, "people", "set-language", "U0AYU", "id")[0] == 0
    code, _, err = rekan(capsys, "hr", "remove", "U0AYU")
    assert code == 1 and "does not have the role" in err


def test_import_with_bad_rows_imports_nothing(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    path = write_csv(
        tmp_path,
        "U0AYU,Ayu,ayu@corp.id,IT,,Asia/Jakarta,,\n"
        "U0BUDI,Budi,budi@corp.id,IT,U0ZED,Asia/Jakarta,,\n"
        "U0CICI,Cici,cici@corp.id,IT,,Nowhere/City,,\n",
    )
    code, _, err = rekan(capsys, "people", "import", path)
    assert code == 1
    assert "Nothing was imported: 2 bad rows." in err
    assert "line 3: unknown lead U0ZED" in err
    assert "line 4: unknown time zone (Nowhere/City)" in err
    with session_scope(engine) as s:
        assert s.get(Person, "U0AYU") is None


def test_import_missing_columns_and_missing_file(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("slack_id,name\nU0A,A\n")
    code, _, err = rekan(capsys, "people", "import", str(bad))
    assert code == 1 and "Missing columns: email, team, lead_slack_id, timezone" in err
    code, _, err = rekan(capsys, "people", "import", str(tmp_path / "none.csv"))
    assert code == 1 and "cannot be read" in err


def test_people_sync_reads_every_page(
    cli_env: str,
    capsys: pytest.CaptureFixture[str],
    standin: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    for i in range(450):
        standin.add_user(f"U{i:05d}", f"Person {i}", email=f"p{i}@corp.id", tz="Asia/Makassar")
    standin.add_user("UBOT00001", "A bot", is_bot=True)
    code, out, _ = rekan(capsys, "people", "sync")
    assert code == 0 and "450 new" in out
    assert len(standin.calls("users.list")) == 3
    standin.add_user("U00001", "Person 1", deleted=True)
    code, out, _ = rekan(capsys, "people", "sync")
    assert "1 deactivated" in out


def test_people_sync_failure_changes_nothing(
    cli_env: str,
    capsys: pytest.CaptureFixture[str],
    standin: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    for i in range(250):
        standin.add_user(f"U{i:05d}", f"Person {i}")
    standin.inject("users.list", "error", error="invalid_auth", times=1)
    code, _, err = rekan(capsys, "people", "sync")
    assert code == 1 and "invalid_auth" in err


def test_jobs_list_and_run(
    cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    code, out, _ = rekan(capsys, "jobs", "list")
    assert code == 0 and "people-sync" in out and "availability" in out
    code, out, _ = rekan(capsys, "jobs", "run", "availability")
    assert code == 0 and "back=0" in out
    code, _, err = rekan(capsys, "jobs", "run", "nope")
    assert code == 1 and "people-sync" in err


def test_manifest_http_variant(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = rekan(capsys, "manifest", "--http", "https://rekan.example")
    assert code == 0 and "https://rekan.example/slack/events" in out
    assert rekan(capsys, "manifest", "--http", "rekan.example")[0] == 2
