"""Two people pressing at once: each operation runs in its own transaction on its own thread,
the first holding its transaction open while the second tries (SQLite queues writers; on
PostgreSQL the rows an operation locks must make the second wait, then see the first's
result)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import db
from storage.models import Delivery, Outage, Ticket
from storage.outages import lifecycle
from storage.outages.messages import T_RESOLVED
from storage.tickets import AlreadyDone
from tests.storage.conftest import Tx
from tests.storage.outages.conftest import (
    DECLARED,
    LATER,
    PEOPLE,
    A,
    B,
    burst,
    count,
    file,
    outage_of,
    outbox_rows,
)
from tests.storage.seed import OUTSIDER, REPORTER, new_ticket

HOLD = 1.5  # seconds the first transaction stays open once its work is done


def at_once(
    engine: Engine, first: Callable[[Session], Any], second: Callable[[Session], Any]
) -> tuple[Any, Any]:
    """(what first returned or raised, what second returned or raised)"""
    results: dict[str, Any] = {}
    worked, finished = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with db.session_scope(engine, write=True) as s:
                results["first"] = first(s)
                worked.set()
                finished.wait(HOLD)  # the second blocks on our locks, or finishes meanwhile
        except Exception as error:
            results["first"] = error
        finally:
            worked.set()

    def run_second() -> None:
        worked.wait(30)
        try:
            with db.session_scope(engine, write=True) as s:
                results["second"] = second(s)
        except Exception as error:
            results["second"] = error
        finally:
            finished.set()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results["first"], results["second"]


def test_two_agents_declaring_one_proposal_make_one_outage(
    vpn: int, tx: Tx, engine: Engine
) -> None:
    burst(tx, 5)
    first, second = at_once(
        engine,
        lambda s: lifecycle.declare(session=s, proposal_id=1, actor=A, now=DECLARED),
        lambda s: lifecycle.declare(session=s, proposal_id=1, actor=B, now=DECLARED),
    )
    assert first.outage_id == 1
    assert isinstance(second, AlreadyDone) and second.key == "outage.already_declared"
    assert count(tx, Outage) == 1


def test_declaring_from_two_reports_of_one_proposal_makes_one_outage(
    vpn: int, tx: Tx, engine: Engine
) -> None:
    burst(tx, 5)
    first, second = at_once(
        engine,
        lambda s: lifecycle.declare(session=s, ticket_id=1, actor=A, now=DECLARED),
        lambda s: lifecycle.declare(session=s, ticket_id=4, actor=B, now=DECLARED),
    )
    assert first.outage_id == 1
    assert isinstance(second, AlreadyDone)
    assert count(tx, Outage) == 1


def test_declaring_from_two_reports_of_one_resource_makes_one_outage(
    vpn: int, tx: Tx, engine: Engine
) -> None:
    mine, other = file(tx, REPORTER), file(tx, PEOPLE[0])
    first, second = at_once(
        engine,
        lambda s: lifecycle.declare(session=s, ticket_id=mine.ticket.id, actor=A, now=DECLARED),
        lambda s: lifecycle.declare(session=s, ticket_id=other.ticket.id, actor=B, now=DECLARED),
    )
    assert first.outage_id == 1
    assert isinstance(second, AlreadyDone) and second.key == "outage.resource_running"
    with tx() as s:
        assert len(s.exec(select(Outage).where(Outage.state == "active")).all()) == 1


def test_resolve_pressed_twice_at_once_broadcasts_once(vpn: int, tx: Tx, engine: Engine) -> None:
    outage_of(tx)

    def resolve(s: Session) -> lifecycle.Change:
        return lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER)

    first, second = at_once(engine, resolve, resolve)
    assert len(first.deliveries) == 5
    assert isinstance(second, AlreadyDone) and second.key == "outage.already_resolved"
    assert len(outbox_rows(tx, T_RESOLVED)) == 5


def test_an_update_and_the_resolve_at_once_do_not_cross(vpn: int, tx: Tx, engine: Engine) -> None:
    """The update waits for the resolve, then finds the outage over: no update after the
    resolution."""
    outage_of(tx)
    first, second = at_once(
        engine,
        lambda s: lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER),
        lambda s: lifecycle.post_update(session=s, outage_id=1, actor=A, text="x", now=LATER),
    )
    assert len(first.deliveries) == 5
    assert getattr(second, "key", None) == "outage.not_active"
    with tx() as s:
        updates = s.exec(select(Delivery).where(Delivery.template == "outage.update")).all()
        assert updates == []


def test_a_report_filed_while_the_outage_resolves_is_not_stranded(
    vpn: int, tx: Tx, engine: Engine, request: pytest.FixtureRequest
) -> None:
    outage_of(tx)
    first, second = at_once(
        engine,
        lambda s: lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER),
        lambda s: new_ticket(s, reporter=REPORTER, summary="VPN mati", now=LATER),
    )
    assert len(first.deliveries) == 5
    number = second.ticket.id
    with tx() as s:
        report = s.get(Ticket, number)
        assert report is not None
    told = REPORTER in [r.recipient for r in outbox_rows(tx, T_RESOLVED)]
    # either linked and resolved with the outage (and told), or a ticket of its own
    assert (report.state, told) in (("resolved", True), ("open", False))


def test_me_too_while_the_outage_resolves_is_not_stranded(
    vpn: int, tx: Tx, engine: Engine, request: pytest.FixtureRequest
) -> None:
    outage_of(tx)
    first, second = at_once(
        engine,
        lambda s: lifecycle.resolve(session=s, outage_id=1, actor=A, note="ok", now=LATER),
        lambda s: lifecycle.me_too(session=s, outage_id=1, actor=OUTSIDER, now=LATER),
    )
    assert len(first.deliveries) == 5
    told = OUTSIDER in [r.recipient for r in outbox_rows(tx, T_RESOLVED)]
    refused = getattr(second, "key", None) == "outage.not_active"
    assert told or refused


def test_a_report_taken_out_while_the_outage_resolves_is_resolved_or_its_own_never_both(
    vpn: int, tx: Tx, engine: Engine
) -> None:
    """The resolve holds the outage; "my problem is different" waits for it, then finds the
    report resolved: it is never a fresh ticket marked resolved with the outage's note."""
    outage, reports = outage_of(tx)
    mine = reports[0].ticket.id or 0
    first, second = at_once(
        engine,
        lambda s: lifecycle.resolve(session=s, outage_id=outage, actor=A, note="ok", now=LATER),
        lambda s: lifecycle.different(
            session=s, number=mine, actor=reports[0].ticket.reporter_id, now=LATER
        ),
    )
    assert len(first.deliveries) == 5
    assert getattr(second, "key", None) == "outage.report_closed"
    with tx() as s:
        ticket = s.get(Ticket, mine)
        assert ticket is not None and ticket.state == "resolved" and ticket.outage_id == outage
