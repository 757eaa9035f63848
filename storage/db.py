"""Engine from DATABASE_URL, session scopes, migrations and the health check."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
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


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock:
    with _WRITERS_GUARD:
        lock = _WRITERS.get(engine)
        if lock is None:
            lock = _WRITERS[engine] = threading.RLock()
        return lock


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One session per unit of work: commit on success, roll back on error."""
    if write and is_sqlite(engine):
        # SQLite has one writer at a time. Threads of one process queue on a lock that is
        # handed over at once; waiting in SQLite's busy handler instead means sleeps of up
        # to 100 ms per try, and a convoy under load. The busy timeout still covers other
        # processes (the CLI next to a running Rekan).
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
