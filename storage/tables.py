"""The tables as SQLAlchemy Core objects, for the hot paths (filing a ticket, sending a DM)
where the ORM's per-statement bookkeeping costs several times the query itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Select, Table
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables in the metadata)

configure_mappers()  # read_only() instances need the mappers ready


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


PERSON = _table("person")
ROLE = _table("role")
TICKET = _table("ticket")
TICKET_SOURCE = _table("ticketsource")
TICKET_EVENT = _table("ticketevent")
ROTATION = _table("rotation")
RESOURCE = _table("resource")
RESOURCE_ALIAS = _table("resourcealias")
CLAIM = _table("claim")
DELIVERY = _table("delivery")


M = TypeVar("M", bound=SQLModel)


def read_only(model: type[M], row: Mapping[Any, Any]) -> M:
    """A row as a model instance for reading: no ORM state, so it cannot be changed or added
    to a session, and it costs a tenth of constructing one (snapshots are made per message)."""
    return model.model_construct(**{str(k): v for k, v in row.items()})


def connection(session: Session) -> Connection:
    """The session's connection for Core statements, with the session's pending ORM changes
    written first: Core statements do not autoflush, and must see what the ORM changed."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


S = TypeVar("S", bound=Select[Any])


def for_update(query: S) -> S:
    """`query` reading its rows under a row lock, fresh from the database.

    FOR NO KEY UPDATE on PostgreSQL (key_share): it still serialises writers of the row, but
    does not block the FOR KEY SHARE that a foreign-key check takes, so a transaction that
    locks a person and one that updates a ticket referring to that person cannot deadlock.
    populate_existing: an object already in the session (read before the lock) is refreshed
    with the locked row's values instead of keeping the stale ones. SQLite ignores both (its
    one writer at a time holds the whole database)."""
    return query.with_for_update(key_share=True).execution_options(populate_existing=True)
