"""A fast CLI (issue 16): `rekan --help` and the everyday listings load neither matplotlib
(the wellbeing chart) nor APScheduler (the scheduler of `rekan run`).

A behaviour test, not a timing one: `-X importtime` names every module a process imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("matplotlib", "apscheduler")


def imported_modules(args: list[str], cwd: Path, env: dict[str, str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Lines read "import time: self | cumulative | <indent>module"; the header has no digits.
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.split("|")[0].strip()[-1].isdigit()
    }


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REKAN_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'rekan.db'}"
    return env


def test_help_imports_no_matplotlib_and_no_apscheduler(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    modules = imported_modules(["--help"], tmp_path, clean_env)
    assert "bot.cli.main" in modules  # the measurement saw the CLI load
    assert heavy(modules) == []
    assert "jobs.scheduler" not in modules and "jobs.registry" not in modules


@pytest.mark.parametrize("args", [["people", "list"], ["agents", "list"]])
def test_everyday_listings_import_no_matplotlib_and_no_apscheduler(
    tmp_path: Path, clean_env: dict[str, str], args: list[str]
) -> None:
    modules = imported_modules(args, tmp_path, clean_env)
    assert "storage.db" in modules  # it really read the database
    assert heavy(modules) == []
