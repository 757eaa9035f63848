"""The people storage tests work with, and small readers of what operations wrote."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage import people, tickets
from storage.models import ROLE_ADMIN, ROLE_AGENT, ROLE_HR, Delivery, Person, TicketEvent
from storage.tickets import Outcome

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Jakarta

TIER1 = ("U0AGENTA", "U0AGENTB", "U0AGENTC")  # in rotation order
TIER2 = ("U0TIER2X", "U0TIER2Y")
REPORTER = "U0REPORT"
RINA = "U0RINA"  # another reporter
ADMIN = "U0ADMIN"
HR = ("U0HRANI", "U0HRBUDI")
LEAD = "U0LEAD"  # REPORTER's and RINA's lead
OUTSIDER = "U0SARI"  # staff with no role and no lead


def add_person(
    session: Session, slack_id: str, *, team: str | None = "IT", lead: str | None = None
) -> Person:
    person = Person(
        slack_id=slack_id,
        name=slack_id[2:].title(),
        team=team,
        lead_slack_id=lead,
        timezone="Asia/Jakarta",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(person)
    session.flush()
    return person


def seed_org(session: Session) -> None:
    for sid in (*TIER1, *TIER2, ADMIN, *HR, LEAD, OUTSIDER):
        add_person(session, sid)
    for sid in (REPORTER, RINA):
        add_person(session, sid, lead=LEAD)
    for sid in TIER1:
        people.add_role(session=session, slack_id=sid, role=ROLE_AGENT, tier=1, now=NOW)
    for sid in TIER2:
        people.add_role(session=session, slack_id=sid, role=ROLE_AGENT, tier=2, now=NOW)
    people.add_role(session=session, slack_id=ADMIN, role=ROLE_ADMIN, now=NOW)
    for sid in HR:
        people.add_role(session=session, slack_id=sid, role=ROLE_HR, now=NOW)


def outbox(session: Session, ids: Sequence[int] | None = None) -> list[Delivery]:
    """Every delivery row in the order written; or the rows `ids`, in the order given."""
    rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    if ids is None:
        return list(rows)
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids]


def sent(session: Session, ids: Sequence[int]) -> list[tuple[str, str, str]]:
    """(template, recipient, key) of the rows `ids`, in the order given."""
    return [(r.template, r.recipient, r.key) for r in outbox(session, ids)]


def timeline(session: Session, number: int) -> list[tuple[str, str | None, str | None]]:
    """(kind, actor, agent) of a ticket's events, in order."""
    query = select(TicketEvent).where(TicketEvent.ticket_id == number).order_by(col(TicketEvent.id))
    return [(e.kind, e.actor_id, e.agent_id) for e in session.exec(query).all()]


_keys = itertools.count(1)


def new_ticket(
    session: Session,
    *,
    reporter: str = REPORTER,
    summary: str = "VPN tidak bisa connect",
    now: datetime = NOW,
    **fields: Any,
) -> Outcome:
    """File a ticket with a source key of its own (as a new /lapor would have)."""
    return tickets.file_ticket(
        session=session,
        reporter_id=reporter,
        summary=summary,
        source_key=fields.pop("source_key", f"test:{next(_keys)}"),
        now=now,
        **fields,
    )
