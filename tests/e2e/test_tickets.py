"""Ticket intake end to end: signed /lapor requests and clicks against the stand-in."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage import people
from storage.db import session_scope
from storage.models import Delivery, Ticket, TicketEvent
from tests.helpers import NOW, buttons, call_after, message_text, seed, wait_calls, wait_dms


def ticket(engine: Engine, number: int) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def test_lapor_text_files_and_dms_the_agent(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    reply = sender.command("U0REPORT", "VPN tidak bisa connect dari rumah")
    assert reply.status == 200
    assert "#1" in reply.text and "<@U0AGENTA>" in reply.text
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    card = wait_dms(standin, "U0AGENTA")[0]
    text = message_text(card)
    assert "#1" in text and "<@U0REPORT>" in text and "VPN tidak bisa connect dari rumah" in text
    assert buttons(card) == [
        "ticket_take",
        "ticket_escalate",
        "ticket_resolve",
        "ticket_add_note",
        "ticket_saved_reply",
    ]
    assert card.metadata and card.metadata["event_type"] == "rekan_delivery"
    assert ticket(engine, 1).agent_id == "U0AGENTA"
    # no other agent heard of it; the reporter got one DM for the ticket (issue 18): its home,
    # whose thread is where they talk with the agent
    assert standin.dms_to("U0AGENTB") == []
    home = wait_dms(standin, "U0REPORT")
    assert len(home) == 1 and "Tiket #1" in message_text(home[0])
    assert "VPN tidak bisa connect dari rumah" in message_text(home[0])
    assert standin.calls("chat.postEphemeral") == []


def test_rotation_skips_the_away_agent_and_the_reporter(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    # one reporter per problem: a reporter's second ticket would follow their first (affinity)
    reporters = ("U0REPORT", "U0RINA", "U0SARI", "U0DEWI", "U0EKO", "U0FIFI")
    seed(engine, staff=reporters)
    with session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id="U0AGENTB", now=NOW)
    owners = []
    problems = ["printer macet", "VPN putus", "email tidak masuk", "monitor berkedip"]
    for i in range(4):
        reply = sender.command(reporters[i], problems[i])
        assert reply.status == 200
        owners.append(ticket(engine, i + 1).agent_id)
    assert owners == ["U0AGENTA", "U0AGENTC", "U0AGENTA", "U0AGENTC"]
    with session_scope(engine, write=True) as s:
        people.set_back(session=s, slack_id="U0AGENTB", now=NOW)
    sender.command(reporters[4], "laptop panas sekali")
    # B rejoins at its place: after C comes A again, but B sits between A and C
    assert ticket(engine, 5).agent_id == "U0AGENTA"
    sender.command(reporters[5], "akun SAP terkunci")
    assert ticket(engine, 6).agent_id == "U0AGENTB"
    # an agent reporting a problem never gets their own ticket
    sender.command("U0AGENTC", "laptop saya mati")
    assert ticket(engine, 7).agent_id == "U0AGENTA"


def test_same_trigger_files_once(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    first = sender.command("U0REPORT", "printer macet", trigger_id="111.222.abc")
    second = sender.command("U0REPORT", "printer macet", trigger_id="111.222.abc")
    assert "#1" in first.text and "#1" in second.text
    with session_scope(engine) as s:
        assert len(s.exec(select(Ticket)).all()) == 1
    wait_dms(standin, "U0AGENTA")
    standin.wait_for(lambda: False, 0.3)
    assert len(standin.dms_to("U0AGENTA")) == 1


def test_take_escalate_resolve_reopen(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "Server kantor tidak bisa diakses")
    card = wait_dms(standin, "U0AGENTA")[0]

    # Take: the card changes in place, Take disappears
    assert sender.click("U0AGENTA", card, "ticket_take").status == 200
    standin.wait_for(lambda: "ticket_take" not in buttons(standin.dms_to("U0AGENTA")[0]), 3)
    card = standin.dms_to("U0AGENTA")[0]
    assert buttons(card) == [
        "ticket_escalate",
        "ticket_resolve",
        "ticket_wait",
        "ticket_add_note",
        "ticket_saved_reply",
    ]
    assert "sedang dikerjakan" in message_text(card)

    # Escalate: a modal for the note; an empty note is refused on the field
    before = len(standin.calls("views.open"))
    assert sender.click("U0AGENTA", card, "ticket_escalate").status == 200
    opened = call_after(standin, "views.open", before).params["view"]
    assert opened["callback_id"] == "ticket_escalate_note"
    empty = sender.view_submission(
        "U0AGENTA", opened, {"note": {"value": {"type": "plain_text_input", "value": "  "}}}
    )
    assert empty.json()["response_action"] == "errors" and "note" in empty.json()["errors"]
    assert ticket(engine, 1).tier == 1
    done = sender.view_submission(
        "U0AGENTA",
        opened,
        {
            "note": {
                "value": {"type": "plain_text_input", "value": "RDP menolak login, sudah restart"}
            }
        },
    )
    assert (done.status, done.body) == (200, "")  # the modal closes
    t2_card = wait_dms(standin, "U0TIER2X")[0]
    assert "RDP menolak login, sudah restart" in message_text(t2_card)
    assert buttons(t2_card) == [
        "ticket_take",
        "ticket_resolve",
        "ticket_add_note",
        "ticket_saved_reply",
    ]  # no Escalate at tier 2
    # the reporter's DMs: the ticket's home first, then the notices in its thread
    notice = wait_dms(standin, "U0REPORT", 2)[1]
    assert "<@U0TIER2X>" in message_text(notice) and "tier 2" in message_text(notice)
    standin.wait_for(lambda: buttons(standin.dms_to("U0AGENTA")[0]) == [], 3)
    assert buttons(standin.dms_to("U0AGENTA")[0]) == []  # the tier-1 card is handed over

    # Resolve with a resolution; the reporter gets it with a Reopen button
    sender.click("U0TIER2X", t2_card, "ticket_resolve")
    resolve_view = wait_calls(standin, "views.open", 2)[-1].params["view"]
    sender.view_submission(
        "U0TIER2X",
        resolve_view,
        {"note": {"value": {"type": "plain_text_input", "value": "Sesi RDP lama diputus"}}},
    )
    resolved = wait_dms(standin, "U0REPORT", 3)[2]
    assert "Sesi RDP lama diputus" in message_text(resolved)
    assert buttons(resolved) == ["ticket_reopen"]
    assert ticket(engine, 1).state == "resolved"

    # Reopen: back to the agent who resolved it, and the Reopen button goes away
    sender.click("U0REPORT", resolved, "ticket_reopen")
    reopened_card = wait_dms(standin, "U0TIER2X", 2)[1]
    assert "ticket_resolve" in buttons(reopened_card)
    assert ticket(engine, 1).agent_id == "U0TIER2X" and ticket(engine, 1).state == "open"
    standin.wait_for(lambda: buttons(standin.dms_to("U0REPORT")[2]) == [], 3)
    assert buttons(standin.dms_to("U0REPORT")[2]) == []
    with session_scope(engine) as s:
        kinds = [
            e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == 1)).all()
        ]
    assert kinds == [
        "filed",
        "assigned",
        "taken",
        "escalated",
        "assigned",
        "resolved",
        "reopened",
        "assigned",
    ]


def test_wrong_person_is_refused_and_nothing_changes(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "email tidak masuk")
    card = wait_dms(standin, "U0AGENTA")[0]
    reply = sender.click("U0AGENTB", card, "ticket_take")
    assert reply.status == 200
    refusal = wait_calls(standin, "response_url")[-1].params
    assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
    assert "<@U0AGENTA>" in refusal["text"]
    assert ticket(engine, 1).state == "open"
    sender.click("U0RINA", card, "ticket_resolve")
    wait_calls(standin, "response_url", 2)
    assert standin.calls("views.open") == []
    # a tier-2 agent and an admin may act
    sender.click("U0ADMIN", card, "ticket_take")
    standin.wait_for(lambda: ticket(engine, 1).state == "in_progress", 3)
    assert ticket(engine, 1).agent_id == "U0ADMIN"


def test_double_click_changes_nothing_more(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "keyboard rusak")
    card = wait_dms(standin, "U0AGENTA")[0]
    sender.click("U0AGENTA", card, "ticket_take")
    sender.click("U0AGENTA", card, "ticket_take")
    answer = wait_calls(standin, "response_url")[-1].params["text"]
    assert "sudah diambil oleh <@U0AGENTA>" in answer
    with session_scope(engine) as s:
        taken = s.exec(select(TicketEvent).where(TicketEvent.kind == "taken")).all()
    assert len(taken) == 1


def test_modal_filing_with_field_errors(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    assert sender.command("U0REPORT", "").status == 200
    view = wait_calls(standin, "views.open")[0].params["view"]
    assert view["callback_id"] == "lapor_form"

    def values(summary: str, location: str = "", category: str | None = "vpn") -> dict:
        v = {
            "summary": {"value": {"type": "plain_text_input", "value": summary}},
            "details": {"value": {"type": "plain_text_input", "value": "sejak pagi"}},
            "location": {"value": {"type": "plain_text_input", "value": location}},
            "urgency": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
        }
        v["category"] = {
            "value": {
                "type": "static_select",
                "selected_option": {"value": category} if category else None,
            }
        }
        return v

    empty = sender.view_submission("U0REPORT", {**view, "id": "V1"}, values("   "))
    assert empty.json()["response_action"] == "errors" and "summary" in empty.json()["errors"]
    long = sender.view_submission("U0REPORT", {**view, "id": "V1"}, values("x" * 151))
    assert "151" in long.json()["errors"]["summary"]
    bad = sender.view_submission("U0REPORT", {**view, "id": "V1"}, values("ok", category="hacked"))
    assert "category" in bad.json()["errors"]
    with session_scope(engine) as s:
        assert s.exec(select(Ticket)).all() == []
    good = sender.view_submission(
        "U0REPORT", {**view, "id": "V1"}, values("VPN putus", "Server Kantor 123")
    )
    body = good.json()
    assert body["response_action"] == "update" and "#1" in json.dumps(body["view"])
    card = wait_dms(standin, "U0AGENTA")[0]
    text = message_text(card)
    assert (
        "Server Kantor 123" in text and "VPN" in text and "Tinggi" in text and "sejak pagi" in text
    )
    again = sender.view_submission(
        "U0REPORT", {**view, "id": "V1"}, values("VPN putus", "Server Kantor 123")
    )
    assert "#1" in json.dumps(again.json()["view"])
    assert ticket(engine, 1).category == "vpn"


def test_status_and_help(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    assert "tidak punya tiket" in sender.command("U0REPORT", "status").text
    sender.command("U0REPORT", "mouse hilang")
    status = sender.command("U0REPORT", "status").text
    assert "#1" in status and "mouse hilang" in status


def test_escaping_and_long_text(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    nasty = "tolong <!channel> <!here> <@U0AGENTB> lihat <https://evil.example|laporan resmi> & cek"
    sender.command("U0REPORT", nasty)
    card = wait_dms(standin, "U0AGENTA")[0]
    dumped = json.dumps(card.blocks) + card.text
    assert "<!channel>" not in dumped and "<!here>" not in dumped
    assert "<@U0AGENTB>" not in dumped and "<https://evil" not in dumped
    assert "&lt;!channel&gt;" in dumped and "&amp; cek" in dumped
    # /lapor text is a summary: capped as the form caps it (#15), with the limit said
    long_text = "laptop panas " * 500
    refused = sender.command("U0REPORT", long_text)
    assert "maksimal 150" in refused.text and "#2" not in refused.text


def test_no_agent_waits_then_is_assigned(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=("U0AGENTA",))
    with session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id="U0AGENTA", now=NOW)
    reply = sender.command("U0REPORT", "monitor berkedip")
    assert "#1" in reply.text and "belum ada agen" in reply.text
    assert ticket(engine, 1).state == "waiting"
    # the agent comes back from the Home tab and gets the waiting ticket
    sender.block_action("U0AGENTA", "home_availability", "back")
    card = wait_dms(standin, "U0AGENTA")[0]
    assert "monitor berkedip" in message_text(card)
    notice = wait_dms(standin, "U0REPORT", 2)[1]  # in the thread of the ticket's DM
    assert "<@U0AGENTA>" in message_text(notice)
    assert ticket(engine, 1).state == "open"
    # and the ticket's DM itself now names the agent
    home = standin.dms_to("U0REPORT")[0]
    standin.wait_for(lambda: "<@U0AGENTA>" in message_text(standin.dms_to("U0REPORT")[0]), 3)
    assert home.ts == notice.thread_ts


def test_agent_notification_survives_slack_failures(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    from datetime import timedelta

    from jobs.bulk import run_deliveries_retry
    from storage.types import utcnow

    seed(engine)
    # Slack posts the DMs (the agent's card, the reporter's ticket DM) and then drops the
    # connection: the outcome is unknown
    standin.inject("chat.postMessage", "drop_after_post", times=2)
    reply = sender.command("U0REPORT", "wifi lambat")
    assert "#1" in reply.text
    wait = standin.wait_for
    wait(lambda: _delivery(engine, 1).uncertain, 3)
    row = _delivery(engine, 1)
    assert row.uncertain and row.state == "pending"
    ctx = rekan.runtime.jobs
    summary = run_deliveries_retry(ctx, utcnow() + timedelta(hours=1))
    assert "reconciled=2" in summary
    assert len(standin.dms_to("U0AGENTA")) == 1  # no second DM
    assert _delivery(engine, 1).state == "sent"

    # A 503 (nothing posted) is retried later and posts exactly once
    standin.inject("chat.postMessage", "server_error", status=503, times=2)
    sender.command("U0RINA", "printer offline")  # another reporter: the next rotation turn
    wait(lambda: _delivery(engine, 2).error is not None, 3)
    run_deliveries_retry(ctx, utcnow() + timedelta(hours=1))
    assert len(standin.dms_to("U0AGENTB")) == 1

    # A permanent error is kept, with its reason, and not retried
    standin.inject("chat.postMessage", "error", error="account_inactive", times=2)
    sender.command("U0SARI", "headset rusak")
    wait(lambda: _delivery(engine, 3).state == "failed", 3)
    assert _delivery(engine, 3).error == "account_inactive"
    assert ticket(engine, 3).agent_id == "U0AGENTC"


def _delivery(engine: Engine, ticket_id: int) -> Delivery:
    with session_scope(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.ticket_id == ticket_id)).first()
        assert row is not None
        return row
