"""One problem, one agent: repeats, resource routing, claims and merges, end to end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from jobs.claims import run_claims_expiry
from storage import resources
from storage.db import session_scope
from storage.models import Claim, Ticket
from storage.types import utcnow
from tests.helpers import NOW, buttons, call_after, message_text, seed, wait_calls, wait_dms

AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")


def register_server(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        resources.add(
            session=s, name="Server Kantor 123", aliases=["server lokal kantor 123"], now=NOW
        )


def all_tickets(engine: Engine) -> list[Ticket]:
    with session_scope(engine) as s:
        return list(s.exec(select(Ticket).order_by(Ticket.id)).all())


def test_the_kantor_123_story(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    register_server(engine)
    first = sender.command("U0REPORT", "Server Kantor 123 tidak bisa diakses, RDP putus terus")
    assert "#1" in first.text and "<@U0AGENTA>" in first.text
    second = sender.command("U0REPORT", "Server Kantor 123 tidak bisa diakses, RDP putus terus")
    third = sender.command("U0REPORT", "tolong server lokal kantor 123 gak bisa diakses, rdp putus")
    for reply in (second, third):
        assert "Ini sudah menjadi tiket #1, ditangani <@U0AGENTA>" in reply.text
    assert len(all_tickets(engine)) == 1
    notices = " ".join(message_text(m) for m in wait_dms(standin, "U0AGENTA", 3))
    assert "ke-2 kalinya" in notices and "ke-3 kalinya" in notices
    standin.wait_for(lambda: False, 0.3)
    assert standin.dms_to("U0AGENTB") == [] and standin.dms_to("U0AGENTC") == []
    assert all_tickets(engine)[0].repeats == 2
    # the next distinct complaint from someone else goes to the second agent in the rotation
    other = sender.command("U0RINA", "printer lantai 3 macet")
    assert "<@U0AGENTB>" in other.text
    # someone else about Server Kantor 123 goes to the first agent, without using a turn
    same_server = sender.command("U0SARI", "server kantor 123 lambat sekali")
    assert "<@U0AGENTA>" in same_server.text
    tickets = all_tickets(engine)
    assert [t.agent_id for t in tickets] == ["U0AGENTA", "U0AGENTB", "U0AGENTA"]
    assert tickets[2].related_to == 1 and tickets[0].related_to == 3
    card = wait_dms(standin, "U0AGENTA", 4)[-1]
    assert "Terkait dengan" in message_text(card) and "#1" in message_text(card)
    # Sari has #3 open with the first agent: her next problem goes there too (affinity,
    # issue 17), and the rotation's next turn is still the third agent's
    assert "<@U0AGENTA>" in sender.command("U0SARI", "keyboard rusak").text
    assert "<@U0AGENTC>" in sender.command("U0ADMIN", "keyboard rusak").text


def test_claims_conflict_confirm_handover_release(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    register_server(engine)
    sender.command("U0REPORT", "Server Kantor 123 mati")
    card_a = wait_dms(standin, "U0AGENTA")[0]
    sender.click("U0AGENTA", card_a, "ticket_take")
    standin.wait_for(lambda: len(_claims(engine)) == 1, 3)
    assert [(c.agent_id, c.ticket_id) for c in _claims(engine)] == [("U0AGENTA", 1)]
    assert "<@U0AGENTA>" in sender.command("U0AGENTB", "klaim").text
    # another agent gets a ticket on the same server by hand, and tries to take it
    with session_scope(engine, write=True) as s:
        from storage import tickets

        filed = tickets.file_ticket(
            session=s,
            reporter_id="U0SARI",
            summary="Server Kantor 123 disk penuh",
            source_key="manual-1",
            now=utcnow(),
        )
        tickets.assign_to(session=s, number=filed.ticket.id or 0, agent="U0AGENTB", now=utcnow())
    reply = sender.command("U0AGENTB", "ambil #2")
    assert "sedang dipegang <@U0AGENTA> untuk tiket #1" in reply.text
    assert "ticket_take_confirm" in reply.body and "ticket_take_leave" in reply.body
    assert _ticket(engine, 2).state == "open"  # nothing changed until confirmed
    # Leave it: nothing changes; Take anyway: B holds the server now
    sender.block_action("U0AGENTB", "ticket_take_leave", "2")
    assert "tidak ada yang diubah" in wait_calls(standin, "response_url")[-1].params["text"]
    assert _ticket(engine, 2).state == "open"
    sender.block_action("U0AGENTB", "ticket_take_confirm", "2")
    standin.wait_for(lambda: _ticket(engine, 2).state == "in_progress", 3)
    assert [(c.agent_id, c.ticket_id) for c in _claims(engine)] == [("U0AGENTB", 2)]
    # escalation hands the claim to the tier-2 agent; resolving releases it
    sender.command("U0AGENTB", "eskalasi #2 disk penuh, butuh akses admin")
    assert [(c.agent_id, c.ticket_id) for c in _claims(engine)] == [("U0TIER2X", 2)]
    sender.command("U0TIER2X", "selesai #2 log lama dihapus")
    assert _claims(engine) == []
    assert "Tidak ada sumber daya" in sender.command("U0AGENTA", "claims").text


def test_claims_expire_with_a_warning(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    register_server(engine)
    sender.command("U0REPORT", "Server Kantor 123 mati")
    sender.command("U0AGENTA", "ambil #1")
    claim = _claims(engine)[0]
    ctx = rekan.runtime.jobs
    assert run_claims_expiry(ctx, claim.expires_at - timedelta(minutes=30)) == "warned=0 expired=0"
    assert run_claims_expiry(ctx, claim.expires_at - timedelta(minutes=10)) == "warned=1 expired=0"
    assert run_claims_expiry(ctx, claim.expires_at - timedelta(minutes=5)) == "warned=0 expired=0"

    # the warning is a DM of its own, whenever the delivery pool gets to it (not by position)
    def warnings() -> list[str]:
        return [
            message_text(m) for m in standin.dms_to("U0AGENTA") if "berakhir" in message_text(m)
        ]

    standin.wait_for(lambda: bool(warnings()), 5)
    assert len(warnings()) == 1 and "Server Kantor 123" in warnings()[0]
    assert run_claims_expiry(ctx, claim.expires_at + timedelta(minutes=1)) == "warned=0 expired=1"
    with session_scope(engine) as s:
        ended = s.get(Claim, claim.id)
        assert ended is not None and ended.release_reason == "expired"


def test_merge_and_its_refusals(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", "VPN tidak bisa connect")
    sender.command("U0RINA", "email tidak masuk")
    sender.command("U0SARI", "vpn error sejak pagi")
    card_c = wait_dms(standin, "U0AGENTC")[0]
    more = next(
        e
        for b in card_c.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "overflow"
    )
    before = len(standin.calls("views.open"))
    sender.block_action(
        "U0AGENTC",
        "ticket_more",
        action={**more, "selected_option": more["options"][0]},
        message={"ts": card_c.ts, "blocks": card_c.blocks},
        channel_id=card_c.channel,
    )
    modal = call_after(standin, "views.open", before).params["view"]
    assert modal["callback_id"] == "ticket_merge"

    def submit(target: str) -> dict:
        reply = sender.view_submission(
            "U0AGENTC", modal, {"target": {"value": {"type": "plain_text_input", "value": target}}}
        )
        return reply.json() if reply.body else {}

    assert "dirinya sendiri" in submit("#3")["errors"]["target"]
    assert "nomor tiket" in submit("abc")["errors"]["target"]
    assert "tidak ada" in submit("#99")["errors"]["target"].lower()
    sender.command("U0RINA", "batal #2")
    assert "sudah ditutup" in submit("#2")["errors"]["target"]
    assert submit("#1") == {}
    assert _ticket(engine, 3).state == "merged" and _ticket(engine, 3).merged_into == 1
    told = wait_dms(standin, "U0SARI", 2)[-1]  # after the ticket's own DM
    assert "digabung ke sana" in message_text(told) and "#1" in message_text(told)
    notice = wait_dms(standin, "U0AGENTA", 2)[-1]
    assert "menggabungkan tiket #3" in message_text(
        notice
    ) and "vpn error sejak pagi" in message_text(notice)
    standin.wait_for(lambda: buttons(standin.dms_to("U0AGENTC")[0]) == [], 3)
    assert buttons(standin.dms_to("U0AGENTC")[0]) == []
    # a merged ticket cannot take a merge, and #1 into #3 would loop back through a closed one
    assert "sudah digabung" in sender.command("U0AGENTC", "ambil #3").text


def test_form_offers_to_add_to_the_open_ticket(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", "VPN tidak bisa connect")
    before = len(standin.calls("views.open"))
    sender.command("U0REPORT", "")
    form = call_after(standin, "views.open", before).params["view"]

    def values(summary: str) -> dict:
        return {
            "summary": {"value": {"type": "plain_text_input", "value": summary}},
            "category": {"value": {"type": "static_select", "selected_option": {"value": "vpn"}}},
        }

    reply = sender.view_submission(
        "U0REPORT", {**form, "id": "VFORM1"}, values("vpn gak bisa konek dari rumah")
    )
    body = reply.json()
    assert body["response_action"] == "update" and "tiket Anda yang masih terbuka, #1" in str(
        body["view"]
    )
    choice = {**body["view"], "id": "VFORM1"}
    before = len(standin.calls("views.update"))
    sender.block_action("U0REPORT", "repeat_add", "1", view=choice)
    update = call_after(standin, "views.update", before).params
    assert update["view_id"] == "VFORM1" and "sudah menjadi tiket #1" in str(update["view"])
    assert len(all_tickets(engine)) == 1 and all_tickets(engine)[0].repeats == 1
    # again, and this time file a new ticket anyway
    reply = sender.view_submission(
        "U0REPORT", {**form, "id": "VFORM2"}, values("VPN tidak bisa connect")
    )
    sender.block_action(
        "U0REPORT", "repeat_new", "new", view={**reply.json()["view"], "id": "VFORM2"}
    )
    wait_calls(standin, "views.update", 2)
    # a new ticket, and with the agent who has the reporter's open #1 (affinity, issue 17)
    assert len(all_tickets(engine)) == 2 and all_tickets(engine)[1].agent_id == "U0AGENTA"


def _claims(engine: Engine) -> list[Claim]:
    with session_scope(engine) as s:
        return list(s.exec(select(Claim).where(Claim.released_at == None)).all())  # noqa: E711


def _ticket(engine: Engine, number: int) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def test_a_long_form_survives_the_repeat_choice(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    """Issue 15, item 3: 2,900 characters of details no longer overflow the choice modal's
    metadata; the form waits in the database, both choices file it whole, a stale or forged
    choice gets a message instead of nothing."""
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", "VPN tidak bisa connect")
    before = len(standin.calls("views.open"))
    sender.command("U0REPORT", "")
    form = call_after(standin, "views.open", before).params["view"]
    details = ("Langkah yang sudah dicoba: restart laptop, ganti jaringan, reinstall klien. " * 40)[
        :2900
    ]
    values = {
        "summary": {"value": {"type": "plain_text_input", "value": "VPN tidak bisa connect"}},
        "details": {"value": {"type": "plain_text_input", "value": details}},
    }
    choice = sender.view_submission("U0REPORT", {**form, "id": "VLONG1"}, values).json()["view"]
    assert len(choice["private_metadata"]) < 100
    before = len(standin.calls("views.update"))
    sender.block_action("U0REPORT", "repeat_new", "new", view={**choice, "id": "VLONG1"})
    assert "#2" in str(call_after(standin, "views.update", before).params["view"])
    filed = all_tickets(engine)[1]
    assert filed.details == details.strip() and filed.summary == "VPN tidak bisa connect"
    # a second click files nothing twice
    sender.block_action("U0REPORT", "repeat_new", "new", view={**choice, "id": "VLONG1"})
    wait_calls(standin, "views.update", before + 2)
    assert len(all_tickets(engine)) == 2
    # someone else's, or a forged, pending form: a clear message, nothing filed
    for who, meta in (("U0RINA", choice["private_metadata"]), ("U0REPORT", '{"pending": "x"}')):
        before = len(standin.calls("views.update"))
        sender.block_action(
            who, "repeat_new", "new", view={**choice, "private_metadata": meta, "id": "VLONG3"}
        )
        shown = str(call_after(standin, "views.update", before).params["view"])
        assert "sudah tidak tersedia" in shown
    assert len(all_tickets(engine)) == 2
