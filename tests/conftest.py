"""Fixtures: a database (SQLite always, PostgreSQL when REKAN_TEST_DATABASE_URL is set),
the packaged Slack stand-in, and a running Rekan in HTTP mode."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.run import Running, start
from bot.sandbox import SlackSender, SlackStandIn
from storage import db

SIGNING_SECRET = "test-signing-secret"
PG_URL = os.environ.get("REKAN_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def _pg_url() -> str:
    url = PG_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def reset_postgres(url: str) -> None:
    engine = db.make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rekan.db'}"
    if not PG_URL:
        pytest.skip("REKAN_TEST_DATABASE_URL is not set")
    url = _pg_url()
    reset_postgres(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url, pool_size=5)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    return Settings(
        bot_token="xoxb-test",
        signing_secret=SIGNING_SECRET,
        api_url=standin.url,
        database_url=database_url,
        listener_threads=16,
        notify_threads=4,
    )


@pytest.fixture
def rekan(settings: Settings, engine: Engine) -> Iterator[Running]:
    """Rekan in HTTP mode on a free port, against the stand-in; the scheduler is left off."""
    running = start(replace(settings), http=True, port=0, with_scheduler=False)
    yield running
    running.stop()


@pytest.fixture
def sender(rekan: Running, standin: SlackStandIn) -> SlackSender:
    return SlackSender(
        f"http://127.0.0.1:{rekan.port}/slack/events",
        SIGNING_SECRET,
        response_base=standin.base,
        standin=standin,  # what people write stays in the stand-in's threads
    )


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    standin: SlackStandIn,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., tuple[int, str, str]]:
    """Run `rekan …` in this process against the test database and the stand-in, in English;
    returns (exit status, stdout, stderr)."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", standin.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("REKAN_LANGUAGE", "en")

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capsys.readouterr()
        return int(info.value.code or 0), out, err

    return run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against PostgreSQL")
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError("CI must set REKAN_TEST_DATABASE_URL so PostgreSQL tests run")
