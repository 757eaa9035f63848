"""Priority and category end to end (issue 20): the form lists the categories `rekan
categories` keeps, its urgency sets the priority, the card shows both, and the card's menu
changes the priority for the agent only (the reporter is refused, nothing changes)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Message
from storage import categories
from storage.db import session_scope
from storage.models import Ticket, TicketEvent
from tests.helpers import NOW, call_after, message_text, seed, wait_calls, wait_dms

AGENT, REPORTER = "U0AGENTA", "U0REPORT"


def _ticket(engine: Engine, number: int = 1) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def _select(message: Message) -> dict:
    return next(
        e
        for b in message.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "ticket_priority"
    )


def _choose(sender: SlackSender, user: str, card: Message, priority: str) -> None:
    menu = _select(card)
    option = next(o for o in menu["options"] if o["value"].startswith(f"{priority}:"))
    sender.block_action(
        user,
        "ticket_priority",
        action={**menu, "type": "static_select", "selected_option": option},
        message={"ts": card.ts, "blocks": card.blocks},
        channel_id=card.channel,
    )


def test_form_category_and_urgency_then_the_agent_changes_the_priority(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, language="en")
    with session_scope(engine, write=True) as s:
        categories.add(session=s, key="printer", text_id="Pencetak", text_en="Printers", now=NOW)
    before = len(standin.calls("views.open"))
    sender.command(REPORTER, "")
    form = call_after(standin, "views.open", before).params["view"]
    offered = next(b for b in form["blocks"] if b["block_id"] == "category")
    assert [o["value"] for o in offered["element"]["options"]][-1] == "printer"
    assert offered["element"]["options"][-1]["text"]["text"] == "Printers"

    def values(category: str) -> dict:
        return {
            "summary": {"value": {"type": "plain_text_input", "value": "printer jammed"}},
            "category": {
                "value": {"type": "static_select", "selected_option": {"value": category}}
            },
            "urgency": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
        }

    # a category removed while the form was open: refused under its field, nothing filed
    reply = sender.view_submission(REPORTER, {**form, "id": "VF1"}, values("gone"))
    assert reply.json()["response_action"] == "errors"
    assert "category" in reply.json()["errors"]
    with session_scope(engine) as s:
        assert s.get(Ticket, 1) is None

    sender.view_submission(REPORTER, {**form, "id": "VF2"}, values("printer"))
    card = wait_dms(standin, AGENT)[0]
    filed = _ticket(engine)
    assert (filed.priority, filed.category, filed.urgency) == ("high", "printer", "high")
    assert "*Priority:* High" in message_text(card)
    assert "*Category:* Printers" in message_text(card)
    assert _select(card)["initial_option"]["value"] == "high:1"

    # the reporter cannot use an agent's menu: refused, nothing changes
    before = len(standin.calls("response_url"))
    _choose(sender, REPORTER, card, "urgent")
    refusal = wait_calls(standin, "response_url", before + 1)[-1].params["text"]
    assert "#1" in refusal and "urgent" not in refusal.lower()
    assert _ticket(engine).priority == "high"

    _choose(sender, AGENT, card, "urgent")
    assert standin.wait_for(lambda: _ticket(engine).priority == "urgent", 5)

    def redrawn() -> bool:
        now = next(m for m in standin.messages(card.channel) if m.ts == card.ts)
        return "*Priority:* Urgent" in message_text(now)

    assert standin.wait_for(redrawn, 5)
    # chosen again: nothing changes, one timeline line
    _choose(sender, AGENT, card, "urgent")
    with session_scope(engine) as s:
        kinds = [e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == 1))]
    assert kinds.count("priority") == 1
