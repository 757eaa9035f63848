"""Engine from DATABASE_URL, session scopes, migrations and the health check."""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 15_000
PG_POOL_MAX = 8
_PG_MIGRATION_LOCK = 4_711_001  # any constant: serialises migrations of several instances


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _tune_sqlite(engine)
        return engine
    # Transactions are short, so a few connections serve many threads; several instances
    # share one server whose max_connections (100 by default) must not run out.
    size = min(pool_size, PG_POOL_MAX)
    return create_engine(
        url, pool_size=size, max_overflow=size, pool_pre_ping=True, pool_timeout=10
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that later writes fails at once under concurrency
        # (SQLITE_BUSY without waiting); writers take the lock up front instead.
        mode = "IMMEDIATE" if conn.get_execution_options().get("rekan_write") else "DEFERRED"
        # Straight to the driver: every transaction passes here, and a statement through
        # SQLAlchemy costs ten times the BEGIN itself.
        conn.connection.driver_connection.execute(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class WriterLock:
    """One SQLite writer at a time, across the threads of this process and across processes
    (several workers, the CLI beside a running Rekan). Waiters are woken as soon as the lock
    is free; SQLite's own busy handler sleeps up to 100 ms between tries instead, and under
    load those sleeps line writers up in a convoy. Re-entrant within a thread."""

    def __init__(self, path: str | None) -> None:
        self._threads = threading.RLock()
        self._path = path  # None: an in-memory database, only this process can see it
        self._file: IO[bytes] | None = None
        self._pid = 0
        self._depth = 0

    def __enter__(self) -> WriterLock:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                fcntl.flock(self._lock_file().fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _lock_file(self) -> IO[bytes]:
        # A forked process must not share the parent's open file: flock belongs to it.
        if self._file is None or self._pid != os.getpid():
            assert self._path is not None
            self._file = open(self._path, "ab")  # noqa: SIM115 (held for the process's life)
            self._pid = os.getpid()
        return self._file


_WRITERS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> WriterLock:
    with _WRITERS_GUARD:
        lock = _WRITERS.get(engine)
        if lock is None:
            database = engine.url.database
            file_based = (
                bool(database) and database != ":memory:" and "mode=memory" not in str(engine.url)
            )
            lock = _WRITERS[engine] = WriterLock(f"{database}.lock" if file_based else None)
        return lock


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One session per unit of work: commit on success, roll back on error."""
    if write and is_sqlite(engine):
        # SQLite has one writer at a time: writers queue on WriterLock, not in SQLite's
        # busy handler (whose timeout still covers a process that does not take the lock).
        with _writer_lock(engine), _session(engine, write=True) as session:
            yield session
        return
    with _session(engine, write=write) as session:
        yield session


@contextmanager
def _session(engine: Engine, *, write: bool) -> Iterator[Session]:
    session = Session(bind=engine, expire_on_commit=False)
    try:
        if write:
            # Marks the transaction for "BEGIN IMMEDIATE" on SQLite (see _tune_sqlite).
            session.connection(execution_options={"rekan_write": True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


T = TypeVar("T")
# PostgreSQL's codes for "this transaction lost a race": deadlock, serialization failure, and
# a unique key another transaction committed first (a double click, a retried request).
RACE_SQLSTATES = frozenset({"40P01", "40001", "23505"})


def lost_a_race(error: DBAPIError) -> bool:
    """Whether running the same transaction again would meet a settled database: on the
    second try the operation finds what the winner did (and says "already done")."""
    code = getattr(error.orig, "sqlstate", None)
    if code is not None:
        return code in RACE_SQLSTATES
    # SQLite writers queue one at a time, but a unique key can still be taken between a
    # transaction's read and its insert when the read ran before the write lock.
    return isinstance(error, IntegrityError) and "UNIQUE constraint failed" in str(error.orig)


def transaction(engine: Engine, work: Callable[[Session], T], *, write: bool = True) -> T:
    """`work(session)` as one unit of work, run once more in a fresh transaction when the
    first lost a race (deadlock, serialization failure, a unique key taken meanwhile)."""
    try:
        with session_scope(engine, write=write) as session:
            return work(session)
    except DBAPIError as error:
        if not lost_a_race(error):
            raise
    with session_scope(engine, write=write) as session:
        return work(session)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`; several instances may call this at once."""
    with engine.begin() as conn:
        if not is_sqlite(engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def make_probe_engine(url: str) -> Engine:
    """An engine that opens a new connection for every check: a pooled connection can keep
    answering from its cache after the database underneath has gone."""
    connect_args = {"timeout": 2} if url.startswith("sqlite") else {"connect_timeout": 2}
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def check(engine: Engine) -> None:
    """Raise when the database cannot answer a query (used by /healthz)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
