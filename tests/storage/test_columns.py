"""storage.columns: times are stored as timezone-aware UTC, on SQLite too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError

from storage.db import session_scope
from storage.models import Person
from tests.storage.seed import NOW


def test_naive_times_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError) as info, session_scope(engine, write=True) as s:
        s.add(Person(slack_id="U0NAIVE", created_at=datetime(2026, 11, 23, 10, 0)))
        s.flush()
    assert "naive datetime" in str(info.value)


def test_times_come_back_in_utc(engine: Engine) -> None:
    wita = timezone(timedelta(hours=8))
    with session_scope(engine, write=True) as s:
        s.add(Person(slack_id="U0A", created_at=NOW.astimezone(wita), updated_at=NOW))
    with session_scope(engine) as s:
        person = s.get(Person, "U0A")
        assert person is not None
        assert (person.created_at, person.created_at.utcoffset()) == (NOW, timedelta(0))
