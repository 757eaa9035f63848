"""storage.tickets.queries: snapshots the messages are drawn from, lists, queues, the detail
view and related tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import people, resources
from storage.errors import DomainError, NotFound
from storage.tickets import (
    cancel,
    escalate,
    get,
    list_tickets,
    queries,
    queue,
    recent_closed,
    related,
    resolve,
    snapshot,
    snapshots,
    take,
    versions,
    view,
)
from tests.storage.conftest import Tx
from tests.storage.seed import ADMIN, HR, NOW, OUTSIDER, REPORTER, RINA, TIER1, TIER2, new_ticket

A, B, C = TIER1
X = TIER2[0]


def minutes(m: int) -> timedelta:
    return timedelta(minutes=m)


def test_versions_of_the_tickets_that_exist(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(s)
        new_ticket(s, reporter=RINA)
        take(session=s, number=2, actor=B, now=NOW)
        resolve(session=s, number=2, actor=B, resolution="ok", now=NOW)
        assert versions(s, [1, 2, 99]) == {1: 1, 2: 3}
        assert versions(s, []) == {}


def test_a_snapshot_has_the_names_and_the_timeline(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(s, summary="Printer macet", details="kertas", category="hardware")
        take(session=s, number=1, actor=A, now=NOW + minutes(5))
    with tx() as s:
        snap = snapshot(s, 1)
    assert (snap.ticket.id, snap.ticket.summary, snap.ticket.details, snap.ticket.state) == (
        1,
        "Printer macet",
        "kertas",
        "in_progress",
    )
    assert (snap.reporter_name, snap.agent_name) == ("Report", "Agenta")
    assert [(e.kind, e.created_at) for e in snap.events] == [
        ("filed", NOW),
        ("assigned", NOW),
        ("taken", NOW + minutes(5)),
    ]
    assert (snap.resource_name, snap.related, snap.claimed_by) == (None, (), None)


def test_a_waiting_ticket_has_no_agent_name_and_unknown_names_fall_back_to_the_id(
    org: Engine, tx: Tx
) -> None:
    with tx() as s:
        for sid in TIER1:
            people.set_away(session=s, slack_id=sid, now=NOW)
        new_ticket(s, reporter="U0NEWBIE")
    with tx() as s:
        snap = snapshot(s, 1)
    assert (snap.reporter_name, snap.agent_name, snap.ticket.agent_id) == ("U0NEWBIE", None, None)


def test_snapshots_of_several_tickets_leave_out_unknown_numbers(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(s)
        new_ticket(s, reporter=RINA)
        found = snapshots(s, [2, 1, 2, 40])
    assert sorted(found) == [1, 2]
    assert (found[1].agent_name, found[2].agent_name, found[2].reporter_name) == (
        "Agenta",
        "Agentb",
        "Rina",
    )
    assert [e.kind for e in found[2].events] == ["filed", "assigned"]
    with tx() as s:
        assert snapshots(s, [40]) == {}


def test_an_unknown_snapshot_is_not_found(org: Engine, tx: Tx) -> None:
    with pytest.raises(NotFound) as info, tx() as s:
        snapshot(s, 5)
    assert (info.value.key, info.value.params) == ("ticket.unknown", {"number": 5})


def test_a_snapshot_names_the_resource_its_related_tickets_and_who_holds_it(
    org: Engine, tx: Tx, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tx() as s:
        resources.add(session=s, name="Server Kantor 123", aliases=["srv123"], now=NOW)
        new_ticket(s, summary="srv123 mati")
        new_ticket(s, reporter=RINA, summary="srv123 lambat")
        take(session=s, number=1, actor=A, now=NOW, claim_hours=4)
    # the claim counts while it runs on the clock the snapshot reads
    monkeypatch.setattr(queries, "utcnow", lambda: NOW + timedelta(hours=1))
    with tx() as s:
        one, two = snapshot(s, 1), snapshot(s, 2)
    assert (one.resource_name, one.related, one.claimed_by) == ("Server Kantor 123", (2,), A)
    assert (two.resource_name, two.related, two.claimed_by) == ("Server Kantor 123", (1,), A)
    monkeypatch.setattr(queries, "utcnow", lambda: NOW + timedelta(hours=5))
    with tx() as s:
        assert snapshot(s, 1).claimed_by is None


def test_related_leaves_out_closed_tickets_but_keeps_the_linked_one(org: Engine, tx: Tx) -> None:
    with tx() as s:
        resources.add(session=s, name="Server Kantor 123", aliases=[], now=NOW)
        for who in (REPORTER, RINA, OUTSIDER):
            new_ticket(s, reporter=who, summary="Server Kantor 123 mati")
        # #2 and #3 were routed by #1; #1 links to the first routed to it
        assert [t.related_to for t in list_tickets(s)] == [1, 1, 2]
        assert [related(s, get(s, n)) for n in (1, 2, 3)] == [[2, 3], [1, 3], [1, 2]]
        resolve(session=s, number=2, actor=A, resolution="ok", now=NOW)
        assert [related(s, get(s, n)) for n in (1, 2, 3)] == [[2, 3], [1, 3], [1]]


def test_list_tickets_newest_first_with_filters(org: Engine, tx: Tx) -> None:
    with tx() as s:
        new_ticket(s)  # 1 → A
        new_ticket(s, reporter=RINA)  # 2 → B
        new_ticket(s, reporter=RINA)  # 3 → B again: Rina's own agent (affinity)
        resolve(session=s, number=2, actor=B, resolution="ok", now=NOW)

        def ids(**kw: object) -> list[int | None]:
            return [t.id for t in list_tickets(s, **kw)]  # type: ignore[arg-type]

        assert ids() == [3, 2, 1]
        assert ids(open_only=True) == [3, 1]
        assert ids(agent=B) == [3, 2]
        assert ids(reporter=RINA) == [3, 2]
        assert ids(reporter=RINA, open_only=True) == [3]
        assert ids(limit=2) == [3, 2]


def test_an_agents_queue_is_their_open_work_oldest_first(org: Engine, tx: Tx) -> None:
    with tx() as s:
        for reporter in (REPORTER, RINA, OUTSIDER, REPORTER, RINA, OUTSIDER, REPORTER):
            new_ticket(s, reporter=reporter, summary=f"masalah {reporter}")
        # A has 1, 4, 7
        take(session=s, number=4, actor=A, now=NOW)
        resolve(session=s, number=1, actor=A, resolution="ok", now=NOW)
        escalate(session=s, number=7, actor=A, note="n", now=NOW)
        assert [t.id for t in queue(s, A)] == [4]
        assert [t.id for t in queue(s, X)] == [7]
        assert [t.id for t in queue(s, B)] == [2, 5]
        assert list(queue(s, OUTSIDER)) == []


def test_recent_closed_are_the_reporters_last_closed_tickets(org: Engine, tx: Tx) -> None:
    with tx() as s:
        for _ in range(4):
            new_ticket(s)  # all four with A: the reporter's own agent (affinity)
        new_ticket(s, reporter=RINA)
        resolve(session=s, number=2, actor=A, resolution="ok", now=NOW + minutes(3))
        cancel(session=s, number=1, actor=REPORTER, now=NOW + minutes(5))
        resolve(session=s, number=4, actor=A, resolution="ok", now=NOW + minutes(1))
        resolve(session=s, number=5, actor=B, resolution="ok", now=NOW + minutes(9))
        assert [t.id for t in recent_closed(s, REPORTER)] == [1, 2, 4]
        assert [t.id for t in recent_closed(s, REPORTER, limit=2)] == [1, 2]
        assert list(recent_closed(s, OUTSIDER)) == []


@pytest.mark.parametrize("reader", [REPORTER, C, TIER2[1], ADMIN])
def test_view_for_those_who_may_read(org: Engine, tx: Tx, reader: str) -> None:
    with tx() as s:
        new_ticket(s)
        snap = view(s, 1, reader)
    assert (snap.ticket.id, snap.agent_name) == (1, "Agenta")


@pytest.mark.parametrize("reader", [OUTSIDER, HR[0], RINA])
def test_view_refuses_everyone_else(org: Engine, tx: Tx, reader: str) -> None:
    with tx() as s:
        new_ticket(s)
    with pytest.raises(DomainError) as info, tx() as s:
        view(s, 1, reader)
    assert (info.value.key, info.value.params) == ("ticket.not_visible", {"number": 1})


def test_view_of_an_unknown_ticket_is_not_found(org: Engine, tx: Tx) -> None:
    with pytest.raises(NotFound) as info, tx() as s:
        view(s, 3, ADMIN)
    assert info.value.key == "ticket.unknown"
