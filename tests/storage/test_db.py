"""storage.db: SQLite writers queue on one lock across processes (workers, the CLI beside
Rekan); a unit of work commits or rolls back whole, and runs once more when it lost a race."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import WriterLock, lost_a_race, session_scope, transaction
from storage.models import Person, Role
from tests.storage.seed import add_person

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


# ---------------------------------------------------------------- units of work


def test_a_unit_of_work_commits_or_rolls_back_as_a_whole(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as s:
        add_person(s, "U0GONE")
        raise RuntimeError("boom")
    with session_scope(engine, write=True) as s:
        add_person(s, "U0KEPT")
    with session_scope(engine) as s:
        assert [p.slack_id for p in s.exec(select(Person)).all()] == ["U0KEPT"]


def test_a_transaction_that_lost_a_race_runs_once_more(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        add_person(s, "U0TAKEN")
    tries: list[int] = []

    def work(s: Session) -> str:
        tries.append(1)
        if len(tries) == 1:  # as if another transaction had committed this key meanwhile
            add_person(s, "U0TAKEN")
        add_person(s, "U0MINE")
        return "done"

    assert transaction(engine, work) == "done"
    assert len(tries) == 2
    with session_scope(engine) as s:
        assert sorted(p.slack_id for p in s.exec(select(Person)).all()) == ["U0MINE", "U0TAKEN"]


def test_other_database_errors_are_not_retried(engine: Engine) -> None:
    tries: list[int] = []

    def work(s: Session) -> None:
        tries.append(1)
        s.add(Role(slack_id="U0NOBODY", role="hr"))  # no such person
        s.flush()

    with pytest.raises(IntegrityError) as info:
        transaction(engine, work)
    assert len(tries) == 1
    assert not lost_a_race(info.value)
