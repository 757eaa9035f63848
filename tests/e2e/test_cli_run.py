"""`rekan run --http` as an operator starts it: a real process, stopped with SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.sandbox import SlackSender, SlackStandIn
from tests.processes import launch, rekan, stop

SECRET = "cli-secret"


def test_rekan_run_http_answers_and_stops_on_sigterm(
    tmp_path: Path, standin: SlackStandIn, database_url: str
) -> None:
    proc, port = launch(tmp_path, standin, database_url, SECRET)
    try:
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET)
        reply = sender.command("U0REPORT", "bantuan")
        assert reply.status == 200 and "/lapor" in reply.text
        assert sender.command("U0REPORT", "help", signed=False).status == 401
    finally:
        assert stop(proc, timeout=15) == 0


def test_rekan_run_without_tokens_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    proc = rekan(tmp_path, env, "run")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "SLACK_BOT_TOKEN" in proc.stderr


def test_run_workers_needs_http(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-t", "SLACK_APP_TOKEN": "xapp-t"}
    env.update(DATABASE_URL=database_url, REKAN_LANGUAGE="en")
    done = rekan(tmp_path, env, "run", "--workers", "2")
    assert done.returncode == 1
    assert "--workers needs --http" in done.stderr
    assert "Traceback" not in done.stderr


WORKERS_THAT_CANNOT_START = """
import sys
from bot import workers
from bot.config import load_settings

settings = load_settings({
    "SLACK_BOT_TOKEN": "xoxb-t",
    "SLACK_SIGNING_SECRET": "s",
    "DATABASE_URL": "sqlite:///" + sys.argv[1] + "/missing-folder/rekan.db",
})
try:
    workers.serve(settings, host="127.0.0.1", port=0, workers=2, ready=lambda p: print("ready"))
except workers.WorkersFailed as exc:
    print("failed:", exc)
"""


def test_workers_that_die_at_start_are_not_restarted_forever(tmp_path: Path) -> None:
    """Every worker fails to open its database (the parent, called directly here, did not
    migrate it first): after five deaths in a row the parent gives up instead of looping."""
    done = subprocess.run(
        [sys.executable, "-c", WORKERS_THAT_CANNOT_START, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REKAN_"))},
    )
    assert done.stdout.strip() == "failed: 5 workers in a row exited at start", done.stderr
    assert done.stderr.count("could not start") >= 5
