"""A week of helpdesk history with known answers (the report's tests): five tickets filed
Monday to Wednesday, 23–25 November 2026, on the default desk (Mon–Fri 09:00–17:00 WIB) and
targets (high 1h/1d, normal 4h/3d, urgent 30m/4h, low 1d/5d).

#1 high, vpn, Ayu's → A: taken after 30 min, resolved after 240, rated 5.
#2 normal, vpn → B: taken after 300 min (breached 4h), resolved after 420, rated 2.
#3 urgent (by its agent), hardware → C: taken after 10 min, waited a working day for its
   reporter, resolved after 120 working minutes, not rated.
#4 low → A: still open. #5 normal → B: cancelled by its reporter after 30 min."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage import csat
from storage.tickets import cancel, resolve, take
from storage.tickets.core import locked, touch
from storage.tickets.priority import set_priority
from storage.tickets.waiting import reporter_wrote, wait_for_reporter
from tests.storage.seed import HR, LEAD, OUTSIDER, REPORTER, RINA, TIER1, new_ticket

WIB = ZoneInfo("Asia/Jakarta")
A, B, C = TIER1


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB)


def seed_history(session: Session) -> None:
    one = new_ticket(session, reporter=REPORTER, urgency="high", category="vpn", now=wib(23, 10))
    two = new_ticket(session, reporter=RINA, summary="email", category="vpn", now=wib(23, 11))
    three = new_ticket(
        session, reporter=OUTSIDER, summary="laptop", category="hardware", now=wib(24, 9)
    )
    four = new_ticket(session, reporter=LEAD, summary="mouse", urgency="low", now=wib(25, 9))
    five = new_ticket(session, reporter=HR[0], summary="printer", now=wib(25, 10))
    assert [t.ticket.agent_id for t in (one, two, three, four, five)] == [A, B, C, A, B]
    take(session=session, number=1, actor=A, now=wib(23, 10, 30))
    resolve(session=session, number=1, actor=A, resolution="reset", now=wib(23, 14))
    csat.rate(session=session, number=1, actor=REPORTER, score=5, now=wib(23, 15))
    take(session=session, number=2, actor=B, now=wib(23, 16))
    resolve(session=session, number=2, actor=B, resolution="fixed", now=wib(24, 10))
    csat.rate(session=session, number=2, actor=RINA, score=2, now=wib(24, 11))
    set_priority(session=session, number=3, actor=C, priority="urgent", now=wib(24, 9, 5))
    take(session=session, number=3, actor=C, now=wib(24, 9, 10))
    wait_for_reporter(session=session, number=3, actor=C, now=wib(24, 10))
    ticket = locked(session, 3)
    reporter_wrote(session=session, ticket=ticket, actor=OUTSIDER, now=wib(25, 10))
    touch(session, ticket, wib(25, 10))
    resolve(session=session, number=3, actor=C, resolution="new fan", now=wib(25, 11))
    cancel(session=session, number=5, actor=HR[0], now=wib(25, 10, 30))
