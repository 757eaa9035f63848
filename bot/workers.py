"""`rekan run --http --workers N`: N processes serving one port, so Rekan uses every core.

Python runs one thread at a time per process; a filing and its DM are CPU work, so one
process tops out at one core. Each worker is a whole Rekan (its own database pool, Slack
clients and worker pools) listening on the same port with SO_REUSEPORT, and the kernel
spreads connections over them. They already cooperate as several instances do: row locks
or SQLite's one writer (storage.db.WriterLock), delivery claims and campaign leases. Only the
first worker runs the scheduler; metrics are counted across all of them. The parent only
watches: it restarts a worker that dies, and on SIGTERM stops them all and waits for each to
finish its work in flight."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from jobs import metrics

log = logging.getLogger(__name__)

STOP_GRACE = 30.0  # seconds a worker gets to finish after SIGTERM before it is killed
RESPAWN_PAUSE = 1.0  # a worker that dies at once must not be restarted in a tight loop
EARLY_DEATH = 10.0  # seconds: a worker gone this soon after starting failed to start
EARLY_DEATHS_MAX = 5  # in a row: then starting again will not help; Rekan stops


class WorkersFailed(Exception):
    """Workers keep dying as soon as they start (their log says why)."""


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound (not listening) to the port the workers will share; port 0 picks one.
    Held for the parent's life so the port stays Rekan's while a worker restarts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def listening(host: str, port: int) -> bool:
    """True when some worker accepts connections on the port."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


def _worker(settings: Settings, host: str, port: int, index: int) -> int:
    """The body of one worker process; returns its exit status."""
    from bot.run import serve_until_signal, start

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    try:
        running = start(
            settings, http=True, host=host, port=port, with_scheduler=index == 0, reuse_port=True
        )
    except Exception:
        log.exception("worker %s could not start", index)
        return 1
    serve_until_signal(running)
    return 0


def _spawn(settings: Settings, host: str, port: int, index: int) -> int:
    pid = os.fork()
    if pid == 0:  # the worker
        status = 1
        try:
            status = _worker(settings, host, port, index)
        finally:
            logging.shutdown()
            os._exit(status)
    log.info("worker %s started (pid %s)", index, pid)
    return pid


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    ready: Callable[[int], None],
) -> None:
    """Run `workers` worker processes on host:port until SIGTERM or Ctrl-C; `ready` is called
    with the port once they accept requests. Must be called before any thread is started."""
    reserved = reserve_port(host, port)
    port = int(reserved.getsockname()[1])
    counters = tempfile.mkdtemp(prefix="rekan-metrics-")
    metrics.count_across_processes(counters)
    stop = False

    def on_signal(_signum: int, _frame: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children = {_spawn(settings, host, port, i): i for i in range(workers)}
    started = dict.fromkeys(children, time.monotonic())
    early = 0
    announced = False
    try:
        while not stop:
            # Watched in the same loop as deaths: workers that cannot start are noticed at
            # once, not after waiting for a port that nobody will open.
            if not announced and listening(host, port):
                ready(port)
                announced = True
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, status = 0, 0
            if pid and pid in children and not stop:
                index = children.pop(pid)
                early = early + 1 if time.monotonic() - started.pop(pid) < EARLY_DEATH else 0
                if early >= EARLY_DEATHS_MAX:
                    raise WorkersFailed(f"{early} workers in a row exited at start")
                log.error("worker %s (pid %s) exited with %s; restarting", index, pid, status)
                time.sleep(RESPAWN_PAUSE)
                new = _spawn(settings, host, port, index)
                children[new], started[new] = index, time.monotonic()
            time.sleep(0.1)
    finally:
        _stop_all(children)
        reserved.close()
        shutil.rmtree(counters, ignore_errors=True)


def _stop_all(children: dict[int, int]) -> None:
    """SIGTERM every worker, wait for them to finish their work in flight; kill stragglers."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    remaining = set(children)
    while remaining and time.monotonic() < deadline:
        for pid in list(remaining):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                remaining.discard(pid)
        time.sleep(0.05)
    for pid in remaining:
        log.error("worker pid %s did not stop in %.0f s; killing it", pid, STOP_GRACE)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
