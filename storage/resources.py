"""Registered resources (servers, shared machines) and their aliases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select, update

from storage.errors import DomainError, NotFound
from storage.matching import find_resources, normalise
from storage.models import (
    OPEN_STATES,
    Claim,
    Outage,
    OutageProposal,
    Resource,
    ResourceAlias,
    Ticket,
)
from storage.tables import RESOURCE, RESOURCE_ALIAS, connection
from storage.types import OUTAGE_ACTIVE


def add(*, session: Session, name: str, aliases: Sequence[str], now: datetime) -> Resource:
    """Register a resource, or add aliases to one that exists (matched by normalised name)."""
    name = " ".join(name.split())
    if not normalise(name):
        raise DomainError("resource.bad_name", name=name)
    existing = find(session, name)
    resource = existing or Resource(name=name, created_at=now)
    session.add(resource)
    session.flush()
    assert resource.id is not None
    known = {normalise(a.alias) for a in _aliases(session, resource.id)} | {
        normalise(resource.name)
    }
    for alias in aliases:
        alias = " ".join(alias.split())
        if alias and normalise(alias) and normalise(alias) not in known:
            session.add(ResourceAlias(resource_id=resource.id, alias=alias))
            known.add(normalise(alias))
    session.flush()
    return resource


def find(session: Session, name: str) -> Resource | None:
    wanted = normalise(name)
    for resource in session.exec(select(Resource)).all():
        if normalise(resource.name) == wanted:
            return resource
    return None


def _aliases(session: Session, resource_id: int) -> Sequence[ResourceAlias]:
    return session.exec(select(ResourceAlias).where(ResourceAlias.resource_id == resource_id)).all()


def listing(session: Session) -> list[tuple[Resource, list[str]]]:
    resources = session.exec(select(Resource).order_by(col(Resource.name))).all()
    return [(r, [a.alias for a in _aliases(session, r.id or 0)]) for r in resources]


_CATALOG = sa_select(RESOURCE.c.id, RESOURCE.c.name, RESOURCE_ALIAS.c.alias).outerjoin(
    RESOURCE_ALIAS, RESOURCE_ALIAS.c.resource_id == RESOURCE.c.id
)


def catalog(session: Session) -> list[tuple[int, list[str]]]:
    """(id, names and aliases) of every resource, for matching text against (one query: every
    filing asks)."""
    names: dict[int, list[str]] = {}
    for rid, name, alias in connection(session).execute(_CATALOG):
        known = names.setdefault(int(rid), [str(name)])
        if alias is not None:
            known.append(str(alias))
    return list(names.items())


def named_in(session: Session, *texts: str | None) -> int | None:
    """The registered resource a ticket's location or text names, if any."""
    known = catalog(session)
    if not known:
        return None
    found = find_resources(" \n ".join(t for t in texts if t), known)
    return min(found) if found else None


def remove(*, session: Session, name: str) -> None:
    """Unregister a resource; refused while an open ticket is about it."""
    resource = find(session, name)
    if resource is None or resource.id is None:
        raise NotFound("resource.unknown", name=name)
    busy = session.exec(
        select(Ticket.id).where(
            Ticket.resource_id == resource.id, col(Ticket.state).in_(OPEN_STATES)
        )
    ).first()
    if busy is not None:
        raise DomainError("resource.in_use", name=resource.name, number=busy)
    down = session.exec(
        select(Outage.id).where(Outage.resource_id == resource.id, Outage.state == OUTAGE_ACTIVE)
    ).first()
    if down is not None:
        raise DomainError("resource.in_outage", name=resource.name, number=down)
    # past outages keep their title (the resource's name then) and lose the link
    session.execute(
        update(Outage).where(col(Outage.resource_id) == resource.id).values(resource_id=None)
    )
    session.execute(
        update(OutageProposal)
        .where(col(OutageProposal.resource_id) == resource.id)
        .values(resource_id=None)
    )
    session.execute(
        update(Ticket).where(col(Ticket.resource_id) == resource.id).values(resource_id=None)
    )
    session.execute(delete(Claim).where(col(Claim.resource_id) == resource.id))
    session.execute(delete(ResourceAlias).where(col(ResourceAlias.resource_id) == resource.id))
    session.delete(resource)
