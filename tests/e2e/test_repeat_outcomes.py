"""The matcher's three outcomes as the reporter and the agent meet them (issue 17), driven by
signed /lapor requests and clicks: a certain repeat joins silently and can be split out
again; a plausible one is filed anew with the same agent and a "Same problem as #N" button
for the reporter and a merge button on the agent's card; clicks by the wrong person, on
closed tickets, or twice change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.sender import Reply
from storage.db import session_scope
from storage.models import Ticket
from tests.helpers import buttons, call_after, message_text, seed, wait_dms

AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")
FIRST = "VPN putus terus dari pagi"
SAME = "vpn sering disconnect dari pagi"  # the same after normalisation: certain
MAYBE_FIRST = "zoom ga ada suara"
MAYBE = "zoom suaranya ga keluar pas meeting"  # plausible


def ticket(engine: Engine, number: int) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def press(sender: SlackSender, user: str, reply: Reply, action_id: str) -> Reply:
    """Click a button of an acknowledgement (an ephemeral message, answered by response_url)."""
    for block in reply.json().get("blocks", []):
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return sender.block_action(
                    user, action_id, element.get("value"), block_id=block.get("block_id", "")
                )
    raise LookupError(f"no {action_id} in {reply.json()}")


def answer(standin: SlackStandIn, before: int) -> dict[str, Any]:
    return call_after(standin, "response_url", before).params


def test_a_certain_repeat_joins_and_one_click_splits_it_out(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    assert "<@U0AGENTA>" in sender.command("U0REPORT", FIRST).text
    joined = sender.command("U0REPORT", SAME)
    assert "#1" in joined.text and "<@U0AGENTA>" in joined.text and "#2" not in joined.text
    assert ticket(engine, 1).repeats == 1

    # the same choice waits in the thread of the reporter's ticket DM (the ack is ephemeral)
    def joined_notice() -> list[str]:
        notes = [m for m in standin.dms_to("U0REPORT") if "repeat_split" in buttons(m)]
        return buttons(notes[-1]) if notes else []

    standin.wait_for(lambda: joined_notice() == ["repeat_split"], 5)
    assert joined_notice() == ["repeat_split"]
    # someone else's click on it is refused, and changes nothing
    before = len(standin.calls("response_url"))
    press(sender, "U0RINA", joined, "repeat_split")
    assert "Hanya pelapornya" in answer(standin, before)["text"]
    assert ticket(engine, 1).repeats == 1
    # the reporter: not the same problem; a new ticket, whole, with the same agent
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", joined, "repeat_split")
    said = answer(standin, before)
    assert said["replace_original"] is True and "#2" in said["text"]
    assert "<@U0AGENTA>" in said["text"]
    new, old = ticket(engine, 2), ticket(engine, 1)
    assert new.summary == SAME and new.agent_id == "U0AGENTA" and new.state == "open"
    assert old.repeats == 0
    # once split, the notice in the thread no longer offers it
    standin.wait_for(lambda: joined_notice() == [], 5)
    assert joined_notice() == []
    cards = wait_dms(standin, "U0AGENTA", 3)
    assert any("#2" in message_text(c) and SAME in message_text(c) for c in cards)
    # a second click files nothing twice
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", joined, "repeat_split")
    assert "sudah menjadi tiket tersendiri #2" in answer(standin, before)["text"]
    with session_scope(engine) as s:
        assert s.get(Ticket, 3) is None
    # the rotation was not used for it: the next reporter gets the second agent
    assert "<@U0AGENTB>" in sender.command("U0RINA", "printer lantai 3 macet kertas").text


def test_a_plausible_repeat_is_filed_with_the_same_agent_and_asks(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", MAYBE_FIRST)
    maybe = sender.command("U0REPORT", MAYBE)
    # the new number first, the old one named by the button
    assert maybe.text.index("#2") < maybe.text.index("#1"), maybe.text
    assert "<@U0AGENTA>" in maybe.text
    labels = [
        e["text"]["text"]
        for b in maybe.json()["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]
    assert "Masalah yang sama dengan #1" in labels
    assert ticket(engine, 2).agent_id == "U0AGENTA"
    assert ticket(engine, 2).possible_repeat_of == 1
    # the agent's card for #2 says so and offers the merge
    card = next(c for c in wait_dms(standin, "U0AGENTA", 2) if "#2" in message_text(c))
    assert "Mungkin sama dengan" in message_text(card) and "#1" in message_text(card)
    assert "ticket_merge_suggested" in buttons(card)
    # the reporter says it is the same: #2 goes into #1 and the agent is told
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", maybe, "repeat_same")
    said = answer(standin, before)
    assert "#2" in said["text"] and "#1" in said["text"] and "<@U0AGENTA>" in said["text"]
    assert ticket(engine, 2).state == "merged" and ticket(engine, 2).merged_into == 1
    assert ticket(engine, 1).repeats == 1
    notices = [message_text(m) for m in wait_dms(standin, "U0AGENTA", 3)]
    assert any("#2" in n and MAYBE in n for n in notices[2:])
    # twice: already done, nothing changes
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", maybe, "repeat_same")
    assert "sudah menjadi bagian dari #1" in answer(standin, before)["text"]
    assert ticket(engine, 1).repeats == 1


def test_the_agent_merges_a_suggested_repeat_from_the_card(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", MAYBE_FIRST)
    sender.command("U0REPORT", MAYBE)
    card = next(c for c in wait_dms(standin, "U0AGENTA", 2) if "#2" in message_text(c))
    # another agent may not act on it
    before = len(standin.calls("response_url"))
    sender.click("U0AGENTB", card, "ticket_merge_suggested")
    assert "#2" in answer(standin, before)["text"]
    assert ticket(engine, 2).state == "open"
    sender.click("U0AGENTA", card, "ticket_merge_suggested")
    standin.wait_for(lambda: ticket(engine, 2).state == "merged", 5)
    assert ticket(engine, 2).merged_into == 1

    # the card is updated in place: a merged ticket offers no buttons
    def card_now() -> list[str]:
        return buttons(next(m for m in standin.dms_to("U0AGENTA") if m.ts == card.ts))

    standin.wait_for(lambda: card_now() == [], 5)
    assert card_now() == []


def test_same_problem_is_refused_on_a_closed_ticket_or_a_stranger(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", MAYBE_FIRST)
    maybe = sender.command("U0REPORT", MAYBE)
    before = len(standin.calls("response_url"))
    press(sender, "U0RINA", maybe, "repeat_same")
    assert "Hanya pelapornya" in answer(standin, before)["text"]
    # the old ticket is resolved meanwhile: #2 stays its own ticket, still handled
    sender.command("U0AGENTA", "selesai #1 sudah beres")
    assert ticket(engine, 1).state == "resolved"
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", maybe, "repeat_same")
    assert "#1 sudah ditutup" in answer(standin, before)["text"]
    assert ticket(engine, 2).state == "open" and ticket(engine, 2).merged_into is None
    # #2 closed too: nothing changes
    sender.command("U0REPORT", "batal #2")
    before = len(standin.calls("response_url"))
    press(sender, "U0REPORT", maybe, "repeat_same")
    assert "sudah ditutup" in answer(standin, before)["text"]
    assert ticket(engine, 2).state == "cancelled"
