"""storage.resources: registering resources and aliases, finding them by name, and removing
one only while no open ticket is about it."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import resources, tickets
from storage.errors import DomainError, NotFound
from storage.models import Claim, Resource, ResourceAlias
from tests.storage.conftest import Tx
from tests.storage.seed import NOW, TIER1, new_ticket

A = TIER1[0]


def test_a_resource_is_registered_once_and_gains_aliases(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        first = resources.add(
            session=s,
            name="  Server   Kantor 123 ",
            aliases=["srv123", "SRV123", " ", "server kantor 123"],
            now=NOW,
        )
        again = resources.add(session=s, name="server kantor 123", aliases=["box 123"], now=NOW)
        assert again.id == first.id
        assert (first.name, first.created_at) == ("Server Kantor 123", NOW)
        resources.add(session=s, name="Printer Lantai 2", aliases=[], now=NOW)
    with tx() as s:
        assert [(r.name, sorted(names)) for r, names in resources.listing(s)] == [
            ("Printer Lantai 2", []),
            ("Server Kantor 123", ["box 123", "srv123"]),
        ]
        catalog = dict(resources.catalog(s))
        assert sorted(catalog[first.id or 0]) == ["Server Kantor 123", "box 123", "srv123"]
        found = resources.find(s, "SERVER KANTOR 123")
        assert found is not None and found.id == first.id
        assert resources.find(s, "Server Kantor") is None


def test_a_name_with_nothing_in_it_is_refused(engine: Engine, tx: Tx) -> None:
    with pytest.raises(DomainError) as info, tx() as s:
        resources.add(session=s, name=" ?! ", aliases=[], now=NOW)
    assert (info.value.key, info.value.params) == ("resource.bad_name", {"name": "?!"})


def test_named_in_finds_the_resource_a_text_names(engine: Engine, tx: Tx) -> None:
    with tx() as s:
        assert resources.named_in(s, "Server Kantor 123 mati") is None  # nothing registered
        server = resources.add(session=s, name="Server Kantor 123", aliases=["srv123"], now=NOW)
        assert resources.named_in(s, None, "tolong cek srv123", None) == server.id
        assert resources.named_in(s, "lantai 3", "vpn mati") is None


def test_removing_waits_for_open_tickets_then_forgets_the_resource(org: Engine, tx: Tx) -> None:
    with tx() as s:
        resources.add(session=s, name="Server Kantor 123", aliases=["srv123"], now=NOW)
        new_ticket(s, summary="srv123 mati")
        tickets.take(session=s, number=1, actor=A, now=NOW)
    with pytest.raises(DomainError) as info, tx() as s:
        resources.remove(session=s, name="server kantor 123")
    assert (info.value.key, info.value.params) == (
        "resource.in_use",
        {"name": "Server Kantor 123", "number": 1},
    )
    with tx() as s:
        tickets.resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
        resources.remove(session=s, name="Server Kantor 123")
    with tx() as s:
        assert s.exec(select(Resource)).all() == []
        assert s.exec(select(ResourceAlias)).all() == []
        assert s.exec(select(Claim)).all() == []
        assert tickets.get(s, 1).resource_id is None
    with pytest.raises(NotFound) as missing, tx() as s:
        resources.remove(session=s, name="Server Kantor 123")
    assert (missing.value.key, missing.value.params) == (
        "resource.unknown",
        {"name": "Server Kantor 123"},
    )
