"""The tables as SQLAlchemy Core objects, for the hot paths (filing a ticket, sending a DM)
where the ORM's per-statement bookkeeping costs several times the query itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, CursorResult, Table
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables in the metadata)


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
