"""Every command in README.md's CLI table works through the real entry point (`main`): its
`--help` always, and a real run for every cheap one. The table is parsed, so a new row is
covered without touching this file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from sqlalchemy.engine import Engine

from bot.cli.main import cli as root
from storage import people, tickets
from storage.db import session_scope
from storage.outages import lifecycle
from tests.helpers import NOW

README = Path(__file__).resolve().parents[2] / "README.md"
Run = Callable[..., tuple[int, str, str]]

# Documented commands that only get --help here: each needs a workspace, a network or a
# long-running process, and has its own tests (test_cli.py, e2e/, the demo tests).
HELP_ONLY = {
    ("run",): "serves until stopped: tests/e2e",
    ("demo",): "plays four stories: its own test",
    ("jobs", "run"): "sends a campaign: tests/jobs and test_cli.py",
    ("db", "backup"): "SQLite only: test_cli.py",
}


def documented() -> list[tuple[str, ...]]:
    """Command paths named in the first column of the README's CLI table, in order:
    `rekan people away ID` gives ("people", "away"); a cell's later `list`, `remove ID`
    belong to the group named before them; `add\\|list\\|remove` names three."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The CLI\n", 1)[1].split("\n## ", 1)[0]
    paths: list[tuple[str, ...]] = []
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        group: str | None = None
        for span in re.findall(r"`([^`]+)`", row.split(" | ")[0]):
            words = span.split()
            if words[0] == "rekan":
                name = words[1]
                tail = words[2:]
                if not isinstance(root.commands.get(name), click.Group):
                    group = None
                    paths.append((name,))
                    continue
                group = name
            else:
                assert group is not None, f"README CLI table: {span!r} follows no group"
                tail = words
            for sub in tail[0].split("\\|"):
                if (group, sub) not in paths:
                    paths.append((group, sub))
    return paths


PATHS = documented()


def test_the_table_was_read() -> None:
    assert ("people", "list") in PATHS and ("manifest",) in PATHS
    assert ("hr", "remove") in PATHS and ("agents", "back") in PATHS


def registered() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, command in root.commands.items():
        if isinstance(command, click.Group):
            found |= {(name, sub) for sub in command.commands}
        else:
            found.add((name,))
    return found


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    assert sorted(set(PATHS) - registered()) == []
    assert sorted(registered() - set(PATHS)) == []


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help(path: tuple[str, ...], cli: Run) -> None:
    code, out, err = cli(*path, "--help")
    assert (code, err) == (0, "")
    assert out.startswith("Usage: ") and " ".join(path) in out.splitlines()[0]


def test_every_cheap_documented_command_runs(cli: Run, tmp_path: Path, engine: Engine) -> None:
    # A ticket to show and to assign, filed through the one storage operation.
    with session_scope(engine, write=True) as session:
        tickets.file_ticket(
            session=session, reporter_id="U0AYU", summary="printer macet", source_key="t:1", now=NOW
        )
        # and an outage to show, declared from a second ticket by an agent
        tickets.file_ticket(
            session=session, reporter_id="U0AYU", summary="VPN mati", source_key="t:2", now=NOW
        )
        people.ensure(session, "U0DEDI", now=NOW)
        people.add_role(session=session, slack_id="U0DEDI", role="agent", tier=2, now=NOW)
        lifecycle.declare(session=session, actor="U0DEDI", now=NOW, ticket_id=2, title="VPN")
    people_csv = tmp_path / "people.csv"
    people_csv.write_text(
        "slack_id,name,email,team,lead_slack_id,timezone\n"
        "U0AYU,Ayu,ayu@corp.id,IT,U0BUDI,Asia/Jakarta\n"
        "U0BUDI,Budi,budi@corp.id,IT,,Asia/Makassar\n"
        "U0CICI,Cici,cici@corp.id,IT,,Asia/Jakarta\n",
        encoding="utf-8",
    )
    runs: dict[tuple[str, ...], list[list[str]]] = {
        ("db", "upgrade"): [[]],
        ("people", "import"): [[str(people_csv)]],
        ("people", "sync"): [[]],
        ("people", "list"): [[], ["--team", "IT"]],
        ("people", "away"): [["U0AYU", "--until", "2099-01-01"]],
        ("people", "back"): [["U0AYU"]],
        ("people", "set-language"): [["U0AYU", "en"]],
        ("people", "opt-out"): [["U0AYU"], ["U0AYU", "--undo"]],
        ("people", "delegate"): [["U0BUDI", "U0AYU", "--until", "2099-01-01"]],
        ("people", "export"): [["U0AYU"], ["U0AYU", "--out", str(tmp_path / "ayu.json")]],
        ("people", "erase"): [["U0CICI", "--yes"]],
        ("audit", "list"): [[], ["--since", "2020-01-01", "--actor", "cli"]],
        ("agents", "add"): [
            ["U0AYU", "--tier", "1"],
            ["U0BUDI", "--tier", "1"],
            ["U0CICI", "--tier", "1"],
        ],
        ("agents", "list"): [[]],
        ("agents", "away"): [["U0AYU"]],
        ("agents", "back"): [["U0AYU"]],
        ("agents", "remove"): [["U0AYU"]],
        ("hr", "add"): [["U0BUDI"]],
        ("hr", "list"): [[]],
        ("hr", "remove"): [["U0BUDI"]],
        ("admins", "add"): [["U0BUDI"]],
        ("admins", "list"): [[]],
        ("admins", "remove"): [["U0BUDI"]],
        ("helpdesk-leads", "add"): [["U0BUDI"]],
        ("helpdesk-leads", "list"): [[]],
        ("helpdesk-leads", "remove"): [["U0BUDI"]],
        ("tickets", "list"): [[], ["--open", "--agent", "U0AYU"]],
        ("tickets", "show"): [["1"]],
        ("tickets", "assign"): [["1", "U0CICI"]],
        ("tickets", "priority"): [["1", "urgent", "--by", "U0CICI"]],
        ("categories", "add"): [["printer", "--id", "Printer", "--en", "Printers"]],
        ("categories", "list"): [[]],
        ("categories", "remove"): [["printer"]],
        ("resources", "add"): [["Server 123", "--alias", "server kantor"]],
        ("resources", "list"): [[]],
        ("resources", "remove"): [["Server 123"]],
        ("replies", "add"): [
            [
                "vpn-reset",
                "--id",
                "Halo {reporter}, coba lagi #{ticket}.",
                "--en",
                "Hi {reporter}.",
            ],
            ["vpn-reset", "--id", "Halo {reporter}.", "--en", "Hi {reporter}, from {agent}."],
        ],
        ("replies", "list"): [[]],
        ("outages", "list"): [[]],
        ("outages", "show"): [["1"]],
        ("replies", "remove"): [["vpn-reset"]],
        ("jobs", "list"): [[]],
        ("holidays", "add"): [["2099-11-26", "Ulang tahun"]],
        ("holidays", "list"): [["2099"]],
        ("hours", "add"): [["2099-02-01", "2099-03-01", "08:00-15:00", "--name", "Ramadan"]],
        ("hours", "list"): [[]],
        ("hours", "remove"): [["Ramadan"]],
        ("deliveries", "status"): [[], ["checkin-2099-01-01"]],
        ("support", "add"): [["Dokter", "--description", "Konsultasi"]],
        ("support", "list"): [[]],
        ("support", "remove"): [["Dokter"]],
        ("report", "wellbeing"): [["--weeks", "2", "--csv", str(tmp_path / "w.csv")]],
        ("report", "tasks"): [["--csv", str(tmp_path / "t.csv")]],
        ("report", "tickets"): [[], ["--from", "2026-11-01", "--csv", str(tmp_path / "k.csv")]],
        ("manifest",): [[], ["--http", "https://rekan.example.co.id"]],
    }
    # A ticket that does not exist: exit 1 with one clear line, never a traceback.
    expected_failures = {
        ("tickets", "show"): [["999"]],
        ("tickets", "assign"): [["999", "U0AYU"]],
        ("outages", "show"): [["999"]],
        # an unknown key; a placeholder that is not one of the three
        ("replies", "remove"): [["vpn-reset"]],
        ("tickets", "priority"): [["1", "asap", "--by", "U0CICI"]],
        ("categories", "remove"): [["printer"]],
        ("hours", "remove"): [["Ramadan"]],
        ("hours", "add"): [["2099-03-02", "2099-03-01", "08:00-15:00"]],
        ("replies", "add"): [["x", "--id", "Halo {nama}", "--en", "Hi {name}"]],
        # without --yes; an unknown person
        ("people", "erase"): [["U0AYU"], ["U0NOBODY", "--yes"]],
        ("people", "export"): [["U0NOBODY"]],
    }
    covered = set(runs) | set(HELP_ONLY)
    assert sorted(set(PATHS) - covered) == [], "a new README command: give it a run here"
    for path in PATHS:
        for args in runs.get(path, []):
            code, out, err = cli(*path, *args)
            assert code == 0, (path, args, out, err)
        for args in expected_failures.get(path, []):
            code, _, err = cli(*path, *args)
            assert code == 1 and err.strip().count("\n") == 0, (path, args, err)
