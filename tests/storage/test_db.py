"""SQLite writers queue on one lock across processes (workers, the CLI beside Rekan)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from storage.db import WriterLock

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from storage.db import WriterLock
lock = WriterLock(sys.argv[1])
with lock:
    with lock:  # re-entrant: the inner exit must not release the process's hold
        pass
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_process_waits_until_the_first_releases(tmp_path: Path) -> None:
    path = str(tmp_path / "rekan.db.lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        taken = threading.Event()

        def take() -> None:
            with WriterLock(path):
                taken.set()

        waiter = threading.Thread(target=take)
        waiter.start()
        assert not taken.wait(0.5), "the lock was taken while another process held it"
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert taken.wait(10)
        waiter.join()
    finally:
        holder.kill()
        holder.wait()


def test_threads_of_one_process_queue_and_reenter(tmp_path: Path) -> None:
    lock = WriterLock(str(tmp_path / "x.lock"))
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with lock, lock:
                with guard:
                    inside += 1
                    most = max(most, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert most == 1
