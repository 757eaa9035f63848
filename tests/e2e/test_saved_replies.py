"""Saved replies end to end (issue 18), driven as Slack drives Rekan: signed clicks, a select
dispatched from a modal and its submission. Replies are saved with the real CLI; the agent
(who reads Indonesian) sends one from their card; the reporter (who reads English) gets it in
their ticket thread in English, the agent sees it in their card's thread, and the timeline
has it once. Refusals: no saved replies, someone who may not act, a closed ticket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.views import View
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.sender import visible_text
from bot.sandbox.webapi import Message
from storage import people
from storage.db import session_scope
from storage.models import Delivery, TicketMessage
from storage.tickets import conversation
from tests.helpers import NOW, call_after, message_text, seed, wait_dms

Run = Callable[..., tuple[int, str, str]]
AGENT, OTHER, REPORTER = "U0AGENTA", "U0AGENTB", "U0REPORT"
VPN_ID = "Halo {reporter}, untuk {ticket} coba putuskan VPN lalu sambungkan lagi. Salam, {agent}"
VPN_EN = "Hi {reporter}, for {ticket} please disconnect the VPN and connect again. {agent}"
VPN_SENT = f"Hi <@{REPORTER}>, for #1 please disconnect the VPN and connect again. <@{AGENT}>"


def setting_up(engine: Engine, cli: Run, *, replies: bool = True) -> None:
    seed(engine, tier1=(AGENT, OTHER))
    with session_scope(engine, write=True) as s:
        people.set_language(session=s, slack_id=REPORTER, language="en", now=NOW)
        people.set_language(session=s, slack_id=AGENT, language="id", now=NOW)
    if replies:
        for key, text_id, text_en in (
            ("cek-dulu", "Sebentar {reporter}, saya cek dulu.", "One moment {reporter}, checking."),
            ("vpn-reset", VPN_ID, VPN_EN),
        ):
            code, out, err = cli("replies", "add", key, "--id", text_id, "--en", text_en)
            assert (code, err) == (0, ""), out


def card_of(standin: SlackStandIn, agent: str, number: int = 1) -> Message:
    return next(m for m in wait_dms(standin, agent) if f"#{number}" in message_text(m))


def home_ts(engine: Engine, number: int = 1) -> str:
    """Where the reporter's ticket DM is: its thread is their side of the ticket."""
    with session_scope(engine) as s:
        row = s.exec(
            select(Delivery).where(Delivery.ticket_id == number, Delivery.template == "ticket.home")
        ).one()
        assert row.ts
        return row.ts


def opened(sender: SlackSender, standin: SlackStandIn, user: str, card: Message) -> dict[str, Any]:
    before = len(standin.calls("views.open"))
    sender.click(user, card, "ticket_saved_reply")
    view = call_after(standin, "views.open", before).params["view"]
    View(**view).validate_json()
    return {**view, "id": "V0SAVED1", "hash": "1.abc"}


def chosen(key: str) -> dict[str, dict[str, Any]]:
    """The modal's state with `key` selected, as Slack sends it."""
    option = {"text": {"type": "plain_text", "text": key}, "value": key}
    return {
        "saved_reply": {"saved_reply_pick": {"type": "static_select", "selected_option": option}}
    }


def refusal(standin: SlackStandIn, before: int) -> str:
    return str(call_after(standin, "response_url", before).params["text"])


def test_a_saved_reply_reaches_the_reporter_in_their_language_once(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, cli: Run
) -> None:
    setting_up(engine, cli)
    code, out, _ = cli("replies", "list")
    assert code == 0 and "cek-dulu" in out and "vpn-reset" in out
    sender.command(REPORTER, "VPN putus terus dari pagi")
    card = card_of(standin, AGENT)
    assert "ticket_saved_reply" in [
        e.get("action_id") for b in card.blocks or [] for e in b.get("elements", [])
    ]
    # the modal, in the agent's Indonesian, previews the first reply in the reporter's English
    view = opened(sender, standin, AGENT, card)
    shown = visible_text(view["blocks"])
    assert (
        view["title"]["text"] == "Balasan #1"
        and "Pratinjau `cek-dulu` dalam bahasa Inggris" in shown
    )
    assert f"One moment <@{REPORTER}>, checking." in shown and "Sebentar" not in shown
    # choosing another reply updates the preview in place
    before = len(standin.calls("views.update"))
    option = chosen("vpn-reset")["saved_reply"]["saved_reply_pick"]
    sender.block_action(
        AGENT,
        "saved_reply_pick",
        action={**option, "block_id": "saved_reply"},
        view=view,
    )
    update = call_after(standin, "views.update", before).params
    assert update["view_id"] == "V0SAVED1"
    View(**update["view"]).validate_json()
    updated = visible_text(update["view"]["blocks"])
    assert VPN_SENT in updated and "`vpn-reset`" in updated
    # sent: the agent's own message, in the reporter's ticket thread, in English
    done = sender.view_submission(AGENT, {**update["view"], "id": "V0SAVED1"}, chosen("vpn-reset"))
    assert (done.status, done.body) == (200, "")
    thread = home_ts(engine)

    def relayed() -> list[str]:
        return [
            message_text(m)
            for m in standin.thread(REPORTER, thread)
            if VPN_SENT in m.text + str(m.blocks)
        ]

    standin.wait_for(lambda: len(relayed()) == 1, 5)
    (said,) = relayed()
    assert "Genta" in said and "putuskan" not in said  # the agent's name, the English text
    # and in the agent's own card thread, so they see what was sent
    standin.wait_for(
        lambda: any(VPN_SENT in message_text(m) for m in standin.thread(AGENT, card.ts)), 5
    )
    # the same modal submitted again sends nothing twice
    again = sender.view_submission(AGENT, {**update["view"], "id": "V0SAVED1"}, chosen("vpn-reset"))
    assert again.status == 200
    # the timeline has it once
    with session_scope(engine) as s:
        kept = conversation.messages_of(s, 1)
        assert [(m.kind, m.author_id, m.text) for m in kept] == [("agent", AGENT, VPN_SENT)]
    code, out, _ = cli("tickets", "show", "1")
    assert code == 0 and out.count(f"{AGENT} replied") == 1
    assert len(relayed()) == 1 and len(standin.thread(AGENT, card.ts)) == 1


def test_the_button_says_why_it_cannot_send(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine, cli: Run
) -> None:
    setting_up(engine, cli, replies=False)
    sender.command(REPORTER, "VPN putus terus dari pagi")
    card = card_of(standin, AGENT)
    opens = len(standin.calls("views.open"))
    # no saved replies yet
    before = len(standin.calls("response_url"))
    sender.click(AGENT, card, "ticket_saved_reply")
    assert "Belum ada balasan tersimpan" in refusal(standin, before)
    code, _, err = cli("replies", "add", "cek-dulu", "--id", "Sebentar, {nama}", "--en", "Hi")
    assert code == 1 and "{nama}" in err and "{reporter}, {ticket}, {agent}" in err
    assert cli("replies", "add", "cek-dulu", "--id", "Sebentar.", "--en", "One moment.")[0] == 0
    # another agent of the same tier may not act on A's ticket
    before = len(standin.calls("response_url"))
    sender.click(OTHER, card, "ticket_saved_reply")
    assert "#1" in refusal(standin, before)
    assert len(standin.calls("views.open")) == opens
    # the ticket is resolved while the modal is open: its submission is refused on the field
    view = opened(sender, standin, AGENT, card)
    sender.command(AGENT, "selesai #1 sudah normal lagi")
    refused = sender.view_submission(AGENT, view, chosen("cek-dulu"))
    assert refused.json()["response_action"] == "errors"
    assert "#1" in refused.json()["errors"]["saved_reply"]
    # choosing a reply in the open modal now shows why instead of a preview
    before = len(standin.calls("views.update"))
    option = chosen("cek-dulu")["saved_reply"]["saved_reply_pick"]
    sender.block_action(
        AGENT, "saved_reply_pick", action={**option, "block_id": "saved_reply"}, view=view
    )
    update = call_after(standin, "views.update", before).params
    View(**update["view"]).validate_json()
    assert "sudah tidak terbuka" in visible_text(update["view"]["blocks"])
    assert "submit" not in update["view"]
    # and the button itself now says so
    before = len(standin.calls("response_url"))
    sender.click(AGENT, card, "ticket_saved_reply")
    assert "sudah tidak terbuka" in refusal(standin, before)
    with session_scope(engine) as s:
        assert s.exec(select(TicketMessage)).all() == []
