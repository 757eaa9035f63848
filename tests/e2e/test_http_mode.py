"""Rekan in HTTP mode answers signed requests and reports its health."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.run import Running
from bot.sandbox import SlackSender


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_signed_help_is_answered_in_indonesian(sender: SlackSender) -> None:
    reply = sender.command("U0REPORT", "help")
    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral" if "response_type" in reply.json() else True
    assert "Cara memakai /lapor" in reply.text


def test_bantuan_is_help_too(sender: SlackSender) -> None:
    assert "Cara memakai /lapor" in sender.command("U0REPORT", "bantuan").text


def test_unsigned_request_is_rejected(sender: SlackSender) -> None:
    reply = sender.command("U0REPORT", "help", signed=False)
    assert reply.status == 401


def test_request_signed_with_the_wrong_secret_is_rejected(rekan: Running) -> None:
    wrong = SlackSender(f"http://127.0.0.1:{rekan.port}/slack/events", "not-the-secret")
    assert wrong.command("U0REPORT", "help").status == 401


def test_six_minute_old_request_is_rejected(sender: SlackSender) -> None:
    reply = sender.command("U0REPORT", "help", timestamp=int(time.time()) - 6 * 60)
    assert reply.status == 401


def test_unknown_path_is_404(rekan: Running) -> None:
    status, _ = get(f"http://127.0.0.1:{rekan.port}/nope")
    assert status == 404


def test_healthz_reports_the_database(rekan: Running, database_url: str) -> None:
    status, body = get(f"http://127.0.0.1:{rekan.port}/healthz")
    assert status == 200
    assert '"database": "up"' in body
    if not database_url.startswith("sqlite"):
        pytest.skip("breaking the database file applies to SQLite")
    path = Path(database_url.removeprefix("sqlite:///"))
    # Running as root, chmod cannot make a file unreadable; overwriting it with garbage can.
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    status, body = get(f"http://127.0.0.1:{rekan.port}/healthz")
    assert status == 503
    assert '"database": "down"' in body
