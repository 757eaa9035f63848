"""Service levels end to end (issue 20), with an injected clock: an urgent ticket filed late on
a Friday before cuti bersama, Imlek and the first day of Ramadan's hours shows the right "respond by" on
its card and in the reporter's DM, warns its agent (in the card's thread) and breaches at the
right working moments, each once even when two instances run the `sla` job at the same
moment; the breach marks the ticket, shows on the card and tells the helpdesk lead once. A
ticket waiting for its reporter has its clock paused."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Message
from bot.slack import make_job_context
from jobs.sla import run_sla
from storage import hours, people
from storage.db import session_scope
from storage.models import SlaAlert, Ticket
from storage.types import ROLE_HELPDESK_LEAD
from tests.e2e.test_priority import _choose
from tests.helpers import NOW, message_text, seed, wait_dms

AGENT, REPORTER, LEAD = "U0AGENTA", "U0REPORT", "U0SARI"
WIB = ZoneInfo("Asia/Jakarta")


def wib(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=WIB).astimezone(UTC)


def _now(standin: SlackStandIn, message: Message) -> Message:
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def _ticket(engine: Engine) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, 1)
        assert found is not None
        return found


def _alerts(engine: Engine) -> list[str]:
    with session_scope(engine) as s:
        return [a.kind for a in s.exec(select(SlaAlert).order_by(SlaAlert.id)).all()]


def _date(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^"


def test_urgent_on_a_friday_before_the_holidays(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, settings: Settings
) -> None:
    seed(engine, language="en")
    with session_scope(engine, write=True) as s:
        hours.add(
            session=s,
            starts=date(2026, 2, 18),
            ends=date(2026, 3, 19),
            hours="08:00-15:00",
            name="Ramadan",
            now=NOW,
        )
        people.add_role(session=s, slack_id=LEAD, role=ROLE_HELPDESK_LEAD, now=NOW)
    # Friday 13 February 2026, 16:40 in Jakarta: 20 minutes before closing; Monday is cuti
    # bersama, Tuesday Imlek; Ramadan's 08:00-15:00 start on Wednesday 18th, 08:00.
    rekan.runtime.clock = lambda: wib(2026, 2, 13, 16, 40)
    sender.command(REPORTER, "The office VPN is down for everyone")
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]
    normal_due = wib(2026, 2, 18, 11, 40)  # normal: 4h = 20 min Friday + 3h40 on Wednesday
    assert _date(normal_due) in message_text(card)
    assert "We'll respond by " + _date(normal_due) in message_text(home)

    rekan.runtime.clock = lambda: wib(2026, 2, 13, 16, 45)
    _choose(sender, AGENT, card, "urgent")
    urgent_due = wib(2026, 2, 18, 8, 10)  # 30 min = 20 on Friday + 10 on Wednesday
    assert standin.wait_for(lambda: _date(urgent_due) in message_text(_now(standin, card)), 5)
    assert standin.wait_for(lambda: _date(urgent_due) in message_text(_now(standin, home)), 5)

    ctx = make_job_context(settings, engine)
    assert run_sla(ctx, wib(2026, 2, 13, 16, 59)).startswith("alerts=0")
    assert run_sla(ctx, wib(2026, 2, 16, 12, 0)).startswith("alerts=0")  # cuti bersama
    assert run_sla(ctx, wib(2026, 2, 17, 12, 0)).startswith("alerts=0")  # Imlek
    assert run_sla(ctx, wib(2026, 2, 18, 8, 2)).startswith("alerts=0")  # 22 of 30 minutes
    # 75 %: 22.5 minutes, at 08:02:30 on Wednesday
    assert run_sla(ctx, wib(2026, 2, 18, 8, 2, 30)).startswith("alerts=1 response_warning=1")
    thread = standin.thread(card.channel, card.ts)
    assert standin.wait_for(lambda: len(standin.thread(card.channel, card.ts)) == len(thread), 1)
    warned = [m for m in thread if "needs a first response by" in message_text(m)]
    assert len(warned) == 1 and _date(urgent_due) in message_text(warned[0])
    assert standin.messages(standin.dm_channel(LEAD)) == []  # a warning is the agent's

    # the breach, with two instances at the same moment: one alert, one notice each
    results: list[str] = []
    both = [
        threading.Thread(target=lambda: results.append(run_sla(ctx, wib(2026, 2, 18, 8, 10))))
        for _ in range(2)
    ]
    for worker in both:
        worker.start()
    for worker in both:
        worker.join()
    assert sorted(r.split()[0] for r in results) == ["alerts=0", "alerts=1"]
    assert _alerts(engine) == ["response_warning", "response_breach"]
    assert _ticket(engine).sla_breached
    lead_dms = standin.messages(standin.dm_channel(LEAD))
    assert len(lead_dms) == 1
    assert "breached its first-response target" in message_text(lead_dms[0])
    assert "Handled by: <@U0AGENTA>" in message_text(lead_dms[0])
    breach = [
        m
        for m in standin.thread(card.channel, card.ts)
        if "breached its first-response target" in message_text(m)
    ]
    assert len(breach) == 1
    assert standin.wait_for(
        lambda: "Service level breached" in message_text(_now(standin, card)), 5
    )
    # later runs send nothing more
    assert run_sla(ctx, wib(2026, 2, 18, 8, 30)).startswith("alerts=0")
    assert len(standin.messages(standin.dm_channel(LEAD))) == 1


def test_the_clock_pauses_while_waiting_for_the_reporter(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, settings: Settings
) -> None:
    seed(engine, language="en")
    monday = wib(2026, 11, 23, 9)
    rekan.runtime.clock = lambda: monday
    sender.command(REPORTER, "Laptop fan is loud")
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]
    rekan.runtime.clock = lambda: monday + timedelta(minutes=30)
    sender.click(AGENT, card, "ticket_take")  # the first response: 30 minutes in
    # normal: resolve within 3 working days of 8 hours, from filing: Wednesday 17:00
    resolve_by = wib(2026, 11, 25, 17)
    assert standin.wait_for(lambda: _date(resolve_by) in message_text(_now(standin, card)), 5)
    rekan.runtime.clock = lambda: monday + timedelta(hours=1)
    sender.click(AGENT, _now(standin, card), "ticket_wait")
    assert standin.wait_for(lambda: "clock is paused" in message_text(_now(standin, card)), 5)
    assert standin.wait_for(
        lambda: "We're waiting for you." in message_text(_now(standin, home)), 5
    )
    ctx = make_job_context(settings, engine)
    # a working day of waiting: no warning, the clock does not run
    assert run_sla(ctx, wib(2026, 11, 24, 16)).startswith("alerts=0")
    rekan.runtime.clock = lambda: wib(2026, 11, 25, 10)  # the reporter answers Wednesday 10:00
    sender.message_im(
        REPORTER, "It is loud since Friday", channel=standin.dm_channel(REPORTER), thread_ts=home.ts
    )
    # paused from Monday 10:00 to Wednesday 10:00, 16 working hours: Friday 17:00
    later = wib(2026, 11, 27, 17)
    assert standin.wait_for(lambda: _date(later) in message_text(_now(standin, card)), 5)
    assert run_sla(ctx, wib(2026, 11, 27, 10, 59)).startswith("alerts=0")
    # 75 % of 24 working hours is 18: Wednesday 11:00 without the wait, Friday 11:00 with it
    assert run_sla(ctx, wib(2026, 11, 27, 11)).startswith("alerts=1 resolution_warning=1")
    assert run_sla(ctx, later).startswith("alerts=1 resolution_breach=1")
    assert _ticket(engine).sla_breached


def test_an_away_agent_hands_over_and_the_reporter_is_told(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, settings: Settings
) -> None:
    seed(engine, language="en")
    monday = wib(2026, 11, 23, 10)
    rekan.runtime.clock = lambda: monday
    sender.command(REPORTER, "Laptop fan is loud")
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]
    sender.click(AGENT, card, "ticket_take")
    assert standin.wait_for(lambda: _ticket(engine).state == "in_progress", 5)
    sender.command(AGENT, "away")  # /lapor away: the Home toggle and the CLI do the same
    ctx = make_job_context(settings, engine)
    assert run_sla(ctx, monday + timedelta(minutes=29)).endswith("handed_over=0")
    assert run_sla(ctx, monday + timedelta(minutes=31)).endswith("handed_over=1")
    assert _ticket(engine).agent_id == "U0AGENTB"
    wait_dms(standin, "U0AGENTB")
    assert standin.wait_for(
        lambda: any(
            "<@U0AGENTB>" in message_text(m) for m in standin.thread(home.channel, home.ts)
        ),
        5,
    )
