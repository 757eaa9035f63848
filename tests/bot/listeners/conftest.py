"""Listeners called as functions: a real Runtime on the test database, and fakes of what
Bolt injects (ack, respond) that record what they were given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.app import build_runtime
from bot.config import Settings
from bot.runtime import Runtime

NOWHERE = "http://127.0.0.1:9/api/"  # no Slack: these tests send nothing


class Recorder:
    """Bolt's ack or respond: records the keyword arguments of every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def runtime(engine: Engine, database_url: str) -> Iterator[Runtime]:
    """The listeners' runtime on the test database, its pools closed at the end."""
    settings = Settings(
        bot_token="xoxb-test", signing_secret="s", api_url=NOWHERE, database_url=database_url
    )
    built = build_runtime(settings, engine=engine)
    yield built
    built.close()


@pytest.fixture
def ack() -> Recorder:
    return Recorder()


@pytest.fixture
def respond() -> Recorder:
    return Recorder()


def answered(runtime: Runtime, respond: Recorder) -> list[dict[str, Any]]:
    """What the person was answered (respond runs on the urgent pool after the ack): the
    pool is finished first."""
    runtime.urgent_pool.shutdown(wait=True)
    return respond.calls
