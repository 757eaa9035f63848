"""Satisfaction end to end (issue 20): on resolution the reporter's ticket DM asks "How did we
do?"; a score clicked twice is one rating, someone else's click is refused, a low one tells the
agent (in the card's thread) and the helpdesk lead once, the comment modal adds to it; a
reopen and a new resolution ask again; after REKAN_CLOSE_AFTER the ticket closes for good
(no Reopen, no rating)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Message
from bot.slack import make_job_context
from jobs.sla import run_close_resolved
from storage import people
from storage.db import session_scope
from storage.models import Rating, Ticket
from storage.types import ROLE_HELPDESK_LEAD
from tests.helpers import NOW, buttons, call_after, message_text, seed, wait_calls, wait_dms

AGENT, REPORTER, LEAD, OTHER = "U0AGENTA", "U0REPORT", "U0SARI", "U0RINA"
WIB = ZoneInfo("Asia/Jakarta")


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def _now(standin: SlackStandIn, message: Message) -> Message:
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def _rate(sender: SlackSender, user: str, home: Message, score: int) -> None:
    element = next(
        e
        for b in home.blocks or []
        for e in b.get("elements", [])
        if e.get("action_id") == "ticket_rate" and e.get("value", "").startswith(f"{score}:")
    )
    sender.block_action(
        user,
        "ticket_rate",
        element["value"],
        message={"ts": home.ts, "blocks": home.blocks},
        channel_id=home.channel,
    )


def _ratings(engine: Engine) -> list[tuple[int, int, str | None]]:
    with session_scope(engine) as s:
        rows = s.exec(select(Rating).order_by(col(Rating.id))).all()
        return [(r.round, r.score, r.comment) for r in rows]


def test_rating_a_resolution(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, settings: Settings
) -> None:
    seed(engine, language="en")
    with session_scope(engine, write=True) as s:
        people.add_role(session=s, slack_id=LEAD, role=ROLE_HELPDESK_LEAD, now=NOW)
    rekan.runtime.clock = lambda: wib(23, 10)
    sender.command(REPORTER, "Printer on floor 3 is jammed")
    card = wait_dms(standin, AGENT)[0]
    home = wait_dms(standin, REPORTER)[0]
    assert "ticket_rate" not in str(home.blocks)  # nothing to rate while open
    sender.command(AGENT, "resolve #1 cleared the paper path")
    assert standin.wait_for(lambda: "How did we do?" in message_text(_now(standin, home)), 5)

    # someone else clicking the reporter's buttons is refused; nothing is stored
    before = len(standin.calls("response_url"))
    _rate(sender, OTHER, _now(standin, home), 4)
    refusal = wait_calls(standin, "response_url", before + 1)[-1].params["text"]
    assert "Only the reporter of ticket #1" in refusal
    assert _ratings(engine) == []

    _rate(sender, REPORTER, _now(standin, home), 4)
    assert standin.wait_for(lambda: "You rated it 4/5" in message_text(_now(standin, home)), 5)
    before = len(standin.calls("response_url"))
    _rate(sender, REPORTER, _now(standin, home), 4)  # clicked twice: one rating
    assert "already rated" in wait_calls(standin, "response_url", before + 1)[-1].params["text"]
    assert _ratings(engine) == [(1, 4, None)]

    # changed to a low score: the agent (in the card's thread) and the lead are told, once
    _rate(sender, REPORTER, _now(standin, home), 2)
    assert standin.wait_for(lambda: len(standin.messages(standin.dm_channel(LEAD))) == 1, 5)
    assert standin.wait_for(
        lambda: any(
            "got a low rating" in message_text(m) for m in standin.thread(card.channel, card.ts)
        ),
        5,
    )
    assert "resolved by <@U0AGENTA>" in message_text(standin.messages(standin.dm_channel(LEAD))[0])
    _rate(sender, REPORTER, _now(standin, home), 1)
    assert standin.wait_for(lambda: "You rated it 1/5" in message_text(_now(standin, home)), 5)
    assert len(standin.messages(standin.dm_channel(LEAD))) == 1
    assert _ratings(engine) == [(1, 1, None)]

    # the comment, through its modal
    before = len(standin.calls("views.open"))
    sender.click(REPORTER, _now(standin, home), "ticket_rate_comment")
    modal = call_after(standin, "views.open", before).params["view"]
    reply = sender.view_submission(
        REPORTER,
        modal,
        {"comment": {"value": {"type": "plain_text_input", "value": "Jammed again an hour later"}}},
    )
    assert reply.status == 200 and not reply.text
    assert _ratings(engine) == [(1, 1, "Jammed again an hour later")]

    # reopened and resolved again: asked again, a rating of its own
    sender.click(REPORTER, _now(standin, home), "ticket_reopen")
    assert standin.wait_for(lambda: "How did we do?" not in message_text(_now(standin, home)), 5)
    sender.command(AGENT, "resolve #1 replaced the roller")
    assert standin.wait_for(lambda: "How did we do?" in message_text(_now(standin, home)), 5)
    assert "You rated" not in message_text(_now(standin, home))
    _rate(sender, REPORTER, _now(standin, home), 5)
    assert standin.wait_for(lambda: len(_ratings(engine)) == 2, 5)
    assert _ratings(engine)[1] == (2, 5, None)

    # five working days later it closes for good: no Reopen, no rating
    ctx = make_job_context(settings, engine)
    assert run_close_resolved(ctx, wib(30, 9)) == "closed=0"
    assert run_close_resolved(ctx, wib(30, 10)) == "closed=1"
    with session_scope(engine) as s:
        ticket = s.get(Ticket, 1)
        assert ticket is not None and ticket.closed_at == wib(30, 10)
    assert standin.wait_for(lambda: "How did we do?" not in message_text(_now(standin, home)), 5)
    assert "ticket_reopen" not in buttons(_now(standin, home))
    assert "closed for good" in sender.command(REPORTER, "reopen #1").text
