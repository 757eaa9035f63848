"""Rekan as real processes in tests: `rekan run --http` started, awaited until healthy and
stopped; other commands run to their end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.sandbox import SlackStandIn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("rekan run --http did not become healthy")


def launch(
    tmp_path: Path, standin: SlackStandIn, database_url: str, secret: str, **extra: str
) -> tuple[subprocess.Popen[bytes], int]:
    """`rekan run --http` on a free port against the stand-in; returns once it is healthy."""
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": database_url,
        **extra,
    }
    env.pop("SLACK_APP_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_healthy(port, proc)
    return proc, port


def rekan(
    tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """One `rekan ...` command as an operator types it, in its own process; waits for it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """SIGTERM, and the exit status (killed, and negative, if it did not stop in time)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
