"""What every command shares: the lazily loaded settings and engine, and the Failure exit.

Kept apart from main.py because every group module needs it and main.py imports every group
module: with State in main.py the two would import each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import DEFAULT_LANGUAGE, t

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

EXIT_FAILED = 1
EXIT_USAGE = 2


class Failure(Exception):
    """The operation failed; the message is already in the reader's language."""


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class State:
    """Lazily loaded settings and engine for one CLI invocation."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def lang(self) -> str:
        try:
            return self.settings.language
        except ConfigError:
            return DEFAULT_LANGUAGE

    def engine(self) -> Engine:
        # Imported here: SQLAlchemy and Alembic are most of a command's start-up, and
        # `rekan --help` or `rekan manifest` never touch the database.
        from sqlalchemy.exc import SQLAlchemyError

        from storage import db

        if self._engine is None:
            engine = db.make_engine(self.settings.database_url, pool_size=2)
            try:
                db.upgrade(engine)
            except SQLAlchemyError as exc:
                raise Failure(t("cli.db_failed", self.lang, message=first_line(exc))) from exc
            self._engine = engine
        return self._engine

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        from storage import db

        with db.session_scope(self.engine(), write=write) as session:
            yield session

    def msg(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)


pass_state = click.make_pass_decorator(State, ensure=True)
