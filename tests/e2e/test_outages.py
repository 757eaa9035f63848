"""Outages (issue 19) the way Slack drives them: five people report the VPN down, the agents
holding those reports and the triage channel are asked once; one agent declares it and runs
it; 200 more reports link to it without a ticket, a card or a rotation turn each; two
updates and the resolution reach every affected person exactly once; the wrong person's
clicks, a second declare and a second resolve change nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.webapi import Message
from storage import people, resources
from storage.db import session_scope
from storage.models import Outage, OutageMember, Rotation, Ticket
from tests.helpers import NOW, buttons, call_after, message_text, seed, wait_calls

TRIAGE = "C0TRIAGE"
AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")
STAFF = tuple(f"U0STAFF{i:03d}" for i in range(212))
VARIANTS = ("VPN mati", "vpn mati dari tadi", "VPN down", "VPN mati lagi", "vpn mati nih")


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    from tests.conftest import SIGNING_SECRET

    return Settings(
        bot_token="xoxb-test",
        signing_secret=SIGNING_SECRET,
        api_url=standin.url,
        database_url=database_url,
        listener_threads=16,
        notify_threads=4,
        triage_channel=TRIAGE,
    )


def with_button(messages: list[Message], action_id: str) -> list[Message]:
    return [m for m in messages if action_id in buttons(m)]


def press(sender: SlackSender, user: str, reply: Any, action_id: str) -> Any:
    """Click a button of an acknowledgement (answered by response_url)."""
    for block in reply.json().get("blocks", []):
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return sender.block_action(
                    user, action_id, element.get("value"), block_id=block.get("block_id", "")
                )
    raise LookupError(f"no {action_id} in {reply.json()}")


def answered(standin: SlackStandIn, before: int) -> str:
    return str(call_after(standin, "response_url", before).params.get("text", ""))


def submit_modal(
    sender: SlackSender, standin: SlackStandIn, user: str, message: Message, action: str, text: str
) -> Any:
    """Press `action` on `message`, then submit the modal it opened with `text`."""
    before = len(standin.calls("views.open"))
    sender.click(user, message, action)
    view = call_after(standin, "views.open", before).params["view"]
    return sender.view_submission(
        user,
        {**view, "id": f"V{action[-6:].upper()}{before}"},
        {"text": {"value": {"value": text}}},
    )


def outage_rows(engine: Engine) -> list[Outage]:
    with session_scope(engine) as s:
        return list(s.exec(select(Outage)).all())


def affected(engine: Engine) -> set[str]:
    with session_scope(engine) as s:
        return set(s.exec(select(OutageMember.slack_id)).all())


def turns(engine: Engine) -> int:
    with session_scope(engine) as s:
        return sum(r.turns for r in s.exec(select(Rotation)).all())


def said(standin: SlackStandIn, user: str, words: str) -> int:
    return sum(1 for m in standin.dms_to(user) if words in message_text(m))


def test_five_reports_are_proposed_declared_linked_updated_and_resolved_once(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS, staff=STAFF)
    # five people, five minutes: five tickets, spread by the rotation, then one proposal
    for i, text in enumerate(VARIANTS):
        assert "#" in sender.command(STAFF[i], text).text
    standin.wait_for(lambda: len(with_button(standin.messages(TRIAGE), "outage_declare")) == 1, 5)
    proposals = with_button(standin.messages(TRIAGE), "outage_declare")
    assert len(proposals) == 1 and "outage_dismiss" in buttons(proposals[0])
    assert "5 orang" in message_text(proposals[0])
    for agent in AGENTS:  # each agent holding one of those reports is asked, once
        standin.wait_for(lambda a=agent: bool(with_button(standin.dms_to(a), "outage_declare")), 5)
        assert len(with_button(standin.dms_to(agent), "outage_declare")) == 1

    # a staff member cannot declare; agent B declares; agent C's click a moment later is told
    before = len(standin.calls("response_url"))
    sender.click(STAFF[9], proposals[0], "outage_declare")
    assert "Hanya agen helpdesk" in answered(standin, before)
    before = len(standin.calls("response_url"))
    sender.click("U0AGENTB", proposals[0], "outage_declare")
    assert "Gangguan #1 dinyatakan" in answered(standin, before)
    before = len(standin.calls("response_url"))
    sender.click(
        "U0AGENTC", with_button(standin.dms_to("U0AGENTC"), "outage_declare")[0], "outage_declare"
    )
    assert "sudah dinyatakan sebagai gangguan #1" in answered(standin, before)
    assert [o.owner_id for o in outage_rows(engine)] == ["U0AGENTB"]
    assert affected(engine) == set(STAFF[:5])
    # the proposals are redrawn without their buttons
    standin.wait_for(lambda: not with_button(standin.messages(TRIAGE), "outage_declare"), 5)
    assert not with_button(standin.messages(TRIAGE), "outage_declare")
    # the first five reporters hear it in a DM with "My problem is different"
    for person in STAFF[:5]:
        standin.wait_for(
            lambda p=person: bool(with_button(standin.dms_to(p), "outage_different")), 5
        )
    # the owner's card and the triage status
    standin.wait_for(lambda: bool(with_button(standin.dms_to("U0AGENTB"), "outage_resolve")), 5)
    card = with_button(standin.dms_to("U0AGENTB"), "outage_resolve")[0]
    assert buttons(card) == ["outage_update", "outage_resolve"]

    # 200 more: each acknowledged with the known outage; no ticket DM, no card, no turn
    agent_dms = {a: len(standin.dms_to(a)) for a in AGENTS}
    turns_before = turns(engine)
    for person in STAFF[5:205]:
        ack = sender.command(person, VARIANTS[hash(person) % len(VARIANTS)])
        assert "gangguan yang sudah diketahui" in ack.text, ack.text
        assert "outage_different" in [
            e.get("action_id") for b in ack.json()["blocks"] for e in b.get("elements", [])
        ]
    assert turns(engine) == turns_before
    assert {a: len(standin.dms_to(a)) for a in AGENTS} == agent_dms
    assert len(affected(engine)) == 205
    with session_scope(engine) as s:
        linked = s.exec(select(Ticket).where(Ticket.outage_id == 1)).all()
        assert len(linked) == 205 and {t.state for t in linked} == {"outage"}
    # the card's count catches up in place (a redraw at most every few seconds)
    standin.wait_for(
        lambda: (
            "205 orang" in message_text(standin.dms_to("U0AGENTB")[agent_dms["U0AGENTB"] - 1])
            or any(
                "205 orang" in message_text(m)
                for m in with_button(standin.dms_to("U0AGENTB"), "outage_resolve")
            )
        ),
        12,
    )
    assert any(
        "205 orang" in message_text(m)
        for m in with_button(standin.dms_to("U0AGENTB"), "outage_resolve")
    )

    # someone else cannot say another person's report is different
    before = len(standin.calls("response_url"))
    ack = sender.command(STAFF[205], "VPN mati")
    press(sender, STAFF[206], ack, "outage_different")
    assert "Hanya pelapor" in answered(standin, before)

    # two updates: an empty one is refused under the field; each reaches everyone once
    card = with_button(standin.dms_to("U0AGENTB"), "outage_update")[0]
    empty = submit_modal(sender, standin, "U0AGENTB", card, "outage_update", "   ")
    assert empty.json()["response_action"] == "errors"
    # a non-owner cannot open the modal
    before = len(standin.calls("response_url"))
    sender.click("U0AGENTA", card, "outage_update")
    assert "Hanya <@U0AGENTB>" in answered(standin, before)
    for n, words in enumerate(("Tim jaringan sedang memeriksa router", "Router diganti, uji coba")):
        done = submit_modal(sender, standin, "U0AGENTB", card, "outage_update", words)
        assert done.json()["response_action"] == "update"
        everyone = sorted(affected(engine))
        assert len(everyone) == 206
        standin.wait_for(lambda w=words, e=everyone: all(said(standin, p, w) for p in e), 20)
        assert Counter(said(standin, p, words) for p in everyone) == {1: 206}, n

    # one person leaves the company before the fix: they are not told
    with session_scope(engine, write=True) as s:
        person = people.get(s, STAFF[204])
        assert person is not None
        person.active = False
        s.add(person)

    # resolved once: every report resolved, every affected person told once, with Reopen
    card = with_button(standin.dms_to("U0AGENTB"), "outage_resolve")[0]
    done = submit_modal(sender, standin, "U0AGENTB", card, "outage_resolve", "Router diganti")
    assert done.json()["response_action"] == "update"
    told = sorted(affected(engine) - {STAFF[204]})
    standin.wait_for(lambda: all(said(standin, p, "Sudah beres") for p in told), 20)
    assert Counter(said(standin, p, "Sudah beres") for p in told) == {1: 205}
    assert said(standin, STAFF[204], "Sudah beres") == 0
    assert all(
        "ticket_reopen" in buttons(m)
        for m in standin.dms_to(STAFF[0])
        if "Sudah beres" in message_text(m)
    )
    with session_scope(engine) as s:
        states = Counter(t.state for t in s.exec(select(Ticket).where(Ticket.outage_id == 1)).all())
    assert states == {"resolved": 206}
    # a second resolve (the same modal again) tells nobody twice
    again = sender.view_submission(
        "U0AGENTB",
        {
            **call_after(standin, "views.open", len(standin.calls("views.open")) - 1).params[
                "view"
            ],
            "id": "VAGAIN",
        },
        {"text": {"value": {"value": "lagi"}}},
    )
    assert again.json()["response_action"] == "errors"
    assert "sudah diselesaikan" in str(again.json()["errors"])
    standin.wait_for(
        lambda: any(
            "selesai" in message_text(m) and "Gangguan #1" in message_text(m)
            for m in standin.messages(TRIAGE)
            if not buttons(m)
        ),
        5,
    )
    assert Counter(said(standin, p, "Sudah beres") for p in told) == {1: 205}

    # one reporter reopens: only their report comes back, as a ticket of its own
    resolved = next(m for m in standin.dms_to(STAFF[3]) if "ticket_reopen" in buttons(m))
    sender.click(STAFF[3], resolved, "ticket_reopen")
    with session_scope(engine) as s:
        mine = s.exec(select(Ticket).where(Ticket.reporter_id == STAFF[3])).one()
        assert mine.state == "open" and mine.outage_id is None
        others = s.exec(
            select(Ticket).where(col(Ticket.reporter_id) != STAFF[3], Ticket.outage_id == 1)
        ).all()
        assert {t.state for t in others} == {"resolved"}


def test_a_report_naming_the_resource_links_and_my_problem_is_different_files_it(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS, staff=STAFF[:12])
    with session_scope(engine, write=True) as s:
        resources.add(session=s, name="Server Kantor 123", aliases=["kantor 123"], now=NOW)
    first = sender.command(STAFF[0], "Server Kantor 123 tidak bisa diremote")
    assert "<@U0AGENTA>" in first.text
    # the agent declares it from the ticket, by command, with a title
    declared = sender.command(
        "U0AGENTA", "/lapor gangguan #1 Server Kantor 123 mati".removeprefix("/lapor ")
    )
    assert "Gangguan #1 dinyatakan" in declared.text
    again = sender.command("U0AGENTB", "gangguan #1")
    assert "sudah menjadi bagian dari gangguan #1" in again.text
    # a report naming the resource links, whatever else it says
    ack = sender.command(STAFF[1], "printer di kantor 123 juga error")
    assert "Server Kantor 123 mati" in ack.text
    # their status lists it, as part of the outage
    assert "bagian dari gangguan" in sender.command(STAFF[1], "status").text
    # its reporter says it is different: a ticket of its own, with an agent and its DM
    before = len(standin.calls("response_url"))
    press(sender, STAFF[1], ack, "outage_different")
    text = answered(standin, before)
    assert "kini tiket tersendiri" in text
    with session_scope(engine) as s:
        ticket = s.get(Ticket, 2)
        assert ticket is not None and ticket.state == "open" and ticket.outage_id is None
        assert s.exec(select(OutageMember).where(OutageMember.slack_id == STAFF[1])).first() is None
    # pressed again: already its own ticket, nothing filed twice
    before = len(standin.calls("response_url"))
    press(sender, STAFF[1], ack, "outage_different")
    assert "sudah menjadi tiket tersendiri" in answered(standin, before)

    # the Home tab shows the known problem with "Me too"; pressing it counts the person
    sender.event({"type": "app_home_opened", "user": STAFF[5], "tab": "home"})
    view = wait_calls(standin, "views.publish")[-1].params["view"]
    assert "Masalah yang sedang terjadi" in str(view) and "outage_me_too" in str(view)
    home = {"id": "VHOME", "type": "home"}  # a Home tab click: no response_url
    published = len(standin.calls("views.publish"))
    sender.block_action(STAFF[5], "outage_me_too", "1", view=home)
    standin.wait_for(lambda: len(standin.calls("views.publish")) > published, 5)
    assert STAFF[5] in affected(engine)
    shown = str(standin.calls("views.publish")[-1].params["view"])
    assert "outage_me_too" not in shown and "sudah tercatat" in shown
    # pressed again on a stale Home tab: counted once, and the Home tab is published again
    published = len(standin.calls("views.publish"))
    sender.block_action(STAFF[5], "outage_me_too", "1", view=home)
    standin.wait_for(lambda: len(standin.calls("views.publish")) > published, 5)
    assert "sudah tercatat" in str(standin.calls("views.publish")[-1].params["view"])
    with session_scope(engine) as s:
        assert len(s.exec(select(OutageMember).where(OutageMember.slack_id == STAFF[5])).all()) == 1


def test_declaring_a_closed_ticket_and_not_related_are_refused_or_silenced(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS, staff=STAFF[:12])
    sender.command(STAFF[0], "laptop mati total")
    sender.command("U0AGENTA", "selesai #1 ganti charger")
    assert "sudah ditutup" in sender.command("U0AGENTA", "gangguan #1").text
    # five people: a proposal; "Not related" silences it: the sixth adds no new one
    for i, text in enumerate(VARIANTS):
        sender.command(STAFF[i + 1], text)
    standin.wait_for(lambda: len(with_button(standin.dms_to("U0AGENTB"), "outage_dismiss")) == 1, 5)
    proposal = with_button(standin.dms_to("U0AGENTB"), "outage_dismiss")[0]
    before = len(standin.calls("response_url"))
    sender.click("U0AGENTB", proposal, "outage_dismiss")
    assert "tidak berkaitan" in answered(standin, before)
    posted = len(standin.calls("chat.postMessage"))
    ack = sender.command(STAFF[7], "VPN mati lagi")
    assert "gangguan" not in ack.text.lower()
    standin.wait_for(lambda: len(standin.calls("chat.postMessage")) >= posted + 2, 5)
    # every copy of the proposal is redrawn without its buttons, and no new one is posted
    standin.wait_for(
        lambda: not [m for m in standin.messages() if "outage_declare" in buttons(m)], 5
    )
    assert not [m for m in standin.messages() if "outage_declare" in buttons(m)]
    assert len([m for m in standin.messages() if "Kemungkinan gangguan" in m.text]) == 4
    assert outage_rows(engine) == []
    # Declare on the dismissed proposal's (redrawn) message is gone; a stale click is told
    before = len(standin.calls("response_url"))
    sender.block_action("U0AGENTC", "outage_declare", "1")
    assert "tidak berkaitan" in answered(standin, before)
    assert outage_rows(engine) == []
