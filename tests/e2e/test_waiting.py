"""Waiting for the reporter end to end (issue 18): signed events and clicks against a running
Rekan and the stand-in. The agent's question makes the ticket wait, the reporter's answer
brings it back and tells the agent; "Waiting for reply" on the card sets it by hand; the
`waiting-reporter` job, given a later `now`, nudges the reporter once and then resolves the
ticket as "no answer" with Reopen — and runs by name through `rekan jobs run`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Message
from jobs.tickets import run_waiting_reporter
from storage.db import session_scope
from storage.models import Ticket, TicketEvent
from storage.tickets import conversation
from tests.e2e.test_jobs_cli import operator_env
from tests.helpers import buttons, message_text, seed, wait_dms
from tests.processes import rekan as rekan_cli

AGENT, REPORTER = "U0AGENTA", "U0REPORT"
WIB = ZoneInfo("Asia/Jakarta")


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 on the company clock (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def ticket(engine: Engine, number: int = 1) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def state_becomes(standin: SlackStandIn, engine: Engine, state: str) -> None:
    assert standin.wait_for(lambda: ticket(engine).state == state, 5), ticket(engine).state


def now_of(standin: SlackStandIn, message: Message) -> Message:
    """The message as it stands now (Rekan updates cards and ticket DMs in place)."""
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def thread_texts(standin: SlackStandIn, parent: Message) -> list[str]:
    return [message_text(m) for m in standin.thread(parent.channel, parent.ts)]


def shows(standin: SlackStandIn, parent: Message, words: str, count: int = 1) -> bool:
    """Wait until `words` appear in `count` messages of `parent`'s thread."""
    return standin.wait_for(
        lambda: sum(words in text for text in thread_texts(standin, parent)) >= count, 5
    )


def filed_and_taken(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> tuple[Message, Message]:
    """Rina's /lapor, taken by Agus: (the agent's card, the reporter's ticket DM)."""
    seed(engine, language="en")
    rekan.runtime.clock = lambda: wib(23, 10)  # Monday 10:00 in Jakarta
    assert sender.command(REPORTER, "VPN does not connect from home").status == 200
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]  # the reporter's ticket DM: their side's thread
    sender.click(AGENT, card, "ticket_take")
    state_becomes(standin, engine, "in_progress")
    assert standin.wait_for(lambda: "ticket_wait" in buttons(now_of(standin, card)), 5)
    return card, home


def test_a_question_waits_for_the_answer_and_the_answer_tells_the_agent(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = filed_and_taken(rekan, sender, standin, engine)
    agent_dm, reporter_dm = standin.dm_channel(AGENT), standin.dm_channel(REPORTER)
    sender.message_im(AGENT, "Sejak kapan?", channel=agent_dm, thread_ts=card.ts)
    state_becomes(standin, engine, "waiting_reporter")
    assert shows(standin, home, "Sejak kapan?")  # the question reached the reporter's thread
    # both sides show it: the toggle pressed on the card, "waiting for your reply" at home
    assert standin.wait_for(lambda: "ticket_wait_off" in buttons(now_of(standin, card)), 5)
    assert "Waiting for <@U0REPORT>'s reply since" in message_text(now_of(standin, card))
    assert standin.wait_for(
        lambda: "is waiting for your reply" in message_text(now_of(standin, home)), 5
    )

    sender.message_im(REPORTER, "Since this morning", channel=reporter_dm, thread_ts=home.ts)
    state_becomes(standin, engine, "in_progress")
    assert shows(standin, card, "Since this morning")
    assert shows(standin, card, "<@U0REPORT> replied on ticket #1: it is back in progress.")
    assert standin.wait_for(lambda: "ticket_wait" in buttons(now_of(standin, card)), 5)
    assert standin.wait_for(
        lambda: "is waiting for your reply" not in message_text(now_of(standin, home)), 5
    )
    # Slack delivers the answer again: kept once, and the agent is not told twice
    assert sender.resend(sender.sent[-1]).status == 200
    with session_scope(engine) as s:
        kept = conversation.messages_of(s, 1)
        assert [m.text for m in kept] == ["Sejak kapan?", "Since this morning"]
        kinds = [e.kind for e in s.exec(select(TicketEvent).order_by(col(TicketEvent.id)))]
    assert kinds[-2:] == ["waiting_reporter", "reporter_replied"]
    # a statement is no question: the ticket stays in progress
    sender.message_im(AGENT, "Thanks, I will check.", channel=agent_dm, thread_ts=card.ts)
    assert shows(standin, home, "Thanks, I will check.")
    assert ticket(engine).state == "in_progress"


def test_the_toggle_then_one_nudge_then_resolved_as_no_answer(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    card, home = filed_and_taken(rekan, sender, standin, engine)
    # the question went another way (a call): "Waiting for reply" by hand
    sender.click(AGENT, now_of(standin, card), "ticket_wait")
    state_becomes(standin, engine, "waiting_reporter")
    assert standin.wait_for(lambda: "ticket_wait_off" in buttons(now_of(standin, card)), 5)
    pressed = next(
        e
        for b in now_of(standin, card).blocks or []
        for e in b.get("elements", [])
        if e.get("action_id") == "ticket_wait_off"
    )
    assert (pressed["text"]["text"], pressed["style"]) == ("Waiting for reply", "primary")

    ctx = rekan.runtime.jobs
    nudge = "is still waiting for your reply on ticket #1"
    assert run_waiting_reporter(ctx, wib(24, 9)) == "nudged=0 closed=0 held=0"  # 7 hours
    assert run_waiting_reporter(ctx, wib(24, 10, 15)) == "nudged=1 closed=0 held=0"
    assert shows(standin, home, nudge)  # in the reporter's ticket thread
    assert run_waiting_reporter(ctx, wib(24, 10, 30)) == "nudged=0 closed=0 held=0"
    assert run_waiting_reporter(ctx, wib(25, 16)) == "nudged=0 closed=0 held=0"
    # three working days passed on Thursday at 10:00; at 17:05 on the reporter's clock
    # nothing is written to them: the close waits for their morning
    assert run_waiting_reporter(ctx, wib(26, 17, 5)) == "nudged=0 closed=0 held=1"
    assert run_waiting_reporter(ctx, wib(26, 20)) == "nudged=0 closed=0 held=1"
    assert sum(nudge in text for text in thread_texts(standin, home)) == 1  # once
    assert ticket(engine).state == "waiting_reporter"

    assert run_waiting_reporter(ctx, wib(27, 9, 15)) == "nudged=0 closed=1 held=0"
    closed = ticket(engine)
    assert (closed.state, closed.resolved_by) == ("resolved", AGENT)
    assert shows(standin, home, "was resolved because we did not hear back from you")
    notice = next(
        m for m in standin.thread(home.channel, home.ts) if "did not hear back" in message_text(m)
    )
    assert buttons(notice) == ["ticket_reopen"]
    assert shows(standin, card, "was resolved as no answer: <@U0REPORT> did not reply in time")
    # the card and the ticket DM follow: no buttons on the card, Reopen and the reason at home
    assert standin.wait_for(lambda: buttons(now_of(standin, card)) == [], 5)
    assert standin.wait_for(lambda: buttons(now_of(standin, home)) == ["ticket_reopen"], 5)
    assert "No answer from the reporter" in message_text(now_of(standin, home))
    assert "[no answer]" not in message_text(now_of(standin, home))
    assert run_waiting_reporter(ctx, wib(30, 10)) == "nudged=0 closed=0 held=0"

    # Reopen: back to the agent who waited, with a new card
    cards = len(standin.dms_to(AGENT))
    sender.click(REPORTER, notice, "ticket_reopen")
    state_becomes(standin, engine, "open")
    assert ticket(engine).agent_id == AGENT
    wait_dms(standin, AGENT, cards + 1)


def test_rekan_jobs_run_waiting_reporter_closes_a_ticket_that_waited_long_enough(
    tmp_path: Path,
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    database_url: str,
) -> None:
    """Through the real entry point, as an operator types it: `rekan jobs run` acts at once,
    at any hour, on a ticket whose wait began a month ago."""
    card, home = filed_and_taken(rekan, sender, standin, engine)
    sender.click(AGENT, now_of(standin, card), "ticket_wait")
    state_becomes(standin, engine, "waiting_reporter")
    with session_scope(engine, write=True) as s:
        s.execute(
            update(TicketEvent)
            .where(col(TicketEvent.kind) == "waiting_reporter")
            .values(created_at=datetime.now(UTC) - timedelta(days=30))
        )
    env = operator_env(database_url, standin)
    done = rekan_cli(tmp_path, env, "jobs", "run", "waiting-reporter")
    assert done.returncode == 0, done.stderr
    assert "closed=1" in done.stdout, done.stdout
    assert ticket(engine).state == "resolved"
    assert shows(standin, home, "was resolved because we did not hear back from you")
    assert shows(standin, card, "was resolved as no answer")
    again = rekan_cli(tmp_path, env, "jobs", "run", "waiting-reporter")
    assert again.returncode == 0 and "nudged=0 closed=0 held=0" in again.stdout
