"""What the listeners share: settings, the engine, Slack clients and the worker pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from storage.db import session_scope
from storage.models import Person
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """State shared by every listener of one running Rekan (one per process)."""

    settings: Settings
    engine: Engine
    client: WebClient
    updater: WebClient
    pool: ThreadPoolExecutor
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    def language_of(self, slack_id: str | None) -> str:
        """The person's own language, else the company's."""
        if slack_id:
            with session_scope(self.engine) as session:
                person = session.get(Person, slack_id)
                if person is not None and person.language:
                    return person.language
        return self.settings.language

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Run slow work (Slack calls) after the ack, off the threads that acknowledge."""

        def guarded() -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:
                log.exception("background work %s failed", getattr(fn, "__name__", fn))
                return None

        return self.pool.submit(guarded)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
