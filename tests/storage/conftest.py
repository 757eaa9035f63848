"""Storage unit tests: operations called directly, on a real database, with time passed in.

`engine` here is the root fixture's database (SQLite always, PostgreSQL when
REKAN_TEST_DATABASE_URL is set) migrated once per run and brought back to its freshly
migrated state before each test (a copied SQLite file; PostgreSQL's tables emptied and the
migrations' own rows put back), so a test costs milliseconds rather than a migration."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from storage import db
from storage import outbox as outbox_module
from tests.conftest import BACKENDS, PG_URL, _pg_url, reset_postgres
from tests.storage.seed import seed_org

Tx = Callable[[], AbstractContextManager[Session]]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "rekan.db"
    engine = db.make_engine(f"sqlite:///{path}", pool_size=1)
    db.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@dataclass
class _Postgres:
    engine: Engine
    seeded: dict[str, list[dict[str, Any]]]  # rows the migrations themselves insert, by table


@pytest.fixture(scope="session")
def _pg() -> Iterator[_Postgres]:
    """A freshly migrated schema, and the rows its migrations wrote (the rotation's tiers)."""
    url = _pg_url()
    reset_postgres(url)
    engine = db.make_engine(url, pool_size=5)
    db.upgrade(engine)
    with engine.connect() as conn:
        seeded = {
            t.name: [dict(r) for r in conn.execute(select(t)).mappings()]
            for t in SQLModel.metadata.sorted_tables
        }
    yield _Postgres(engine, {name: rows for name, rows in seeded.items() if rows})
    engine.dispose()


def _empty_postgres(pg: _Postgres) -> None:
    """Every table as the migrations left it, ids restarted; migrated again first when another
    test dropped the schema (the root `engine` fixture starts from an empty one). DELETE, not
    TRUNCATE: on tables this small it takes a tenth of the time."""
    with pg.engine.connect() as conn:
        migrated = conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
    if migrated is None:
        db.upgrade(pg.engine)
    tables = SQLModel.metadata.sorted_tables
    with pg.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(delete(table))
        conn.execute(
            text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = 'public'"
            )
        )
        for table in tables:
            if table.name in pg.seeded:
                conn.execute(insert(table), pg.seeded[table.name])


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "rekan.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        engine = db.make_engine(f"sqlite:///{path}", pool_size=5)
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("REKAN_TEST_DATABASE_URL is not set")
    pg = request.getfixturevalue("_pg")
    _empty_postgres(pg)
    yield pg.engine


@pytest.fixture
def tx(engine: Engine) -> Tx:
    """A fresh write transaction, committed on leaving: `with tx() as s: …`."""
    return lambda: db.session_scope(engine, write=True)


@pytest.fixture
def org(engine: Engine) -> Engine:
    """The people of tests.storage.seed: agents in rotation order, staff with a lead, an
    admin and two HR members."""
    with db.session_scope(engine, write=True) as session:
        seed_org(session)
    return engine


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids storage.outbox.enqueue returns from here on: the one way an operation writes
    a message (a row missing from this list was inserted some other way)."""
    through: list[int] = []
    enqueue = outbox_module.enqueue

    def spy(session: Session, **kwargs: Any) -> int:
        through.append(enqueue(session, **kwargs))
        return through[-1]

    monkeypatch.setattr(outbox_module, "enqueue", spy)
    return through
