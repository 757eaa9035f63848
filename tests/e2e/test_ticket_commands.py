"""Every ticket action by /lapor command, by the right and the wrong person, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Ticket, TicketEvent
from tests.helpers import buttons, message_text, seed, wait_calls, wait_dms


def ticket(engine: Engine, number: int) -> Ticket:
    with session_scope(engine) as s:
        found = s.get(Ticket, number)
        assert found is not None
        return found


def events(engine: Engine, number: int) -> list[str]:
    with session_scope(engine) as s:
        return [
            e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == number)).all()
        ]


def test_agent_commands_update_the_dm_like_a_click(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "VPN tidak bisa connect")
    wait_dms(standin, "U0AGENTA")
    reply = sender.command("U0AGENTA", "ambil #1")
    assert "Tiket #1 sekarang Anda kerjakan" in reply.text
    standin.wait_for(
        lambda: (
            buttons(standin.dms_to("U0AGENTA")[0])
            == [
                "ticket_escalate",
                "ticket_resolve",
                "ticket_wait",
                "ticket_add_note",
                "ticket_saved_reply",
            ]
        ),
        5,
    )
    assert buttons(standin.dms_to("U0AGENTA")[0]) == [
        "ticket_escalate",
        "ticket_resolve",
        "ticket_wait",
        "ticket_add_note",
        "ticket_saved_reply",
    ]
    # the same again says what already happened
    assert "sudah diambil oleh <@U0AGENTA>" in sender.command("U0AGENTA", "ambil #1").text
    # escalate needs a note
    assert "Tuliskan catatan" in sender.command("U0AGENTA", "eskalasi #1").text
    assert ticket(engine, 1).tier == 1
    reply = sender.command("U0AGENTA", "eskalasi #1 sudah restart, tetap gagal")
    assert "tier 2" in reply.text and "<@U0TIER2X>" in reply.text
    assert "sudah restart, tetap gagal" in message_text(wait_dms(standin, "U0TIER2X")[0])
    # tier 2 cannot escalate further
    assert "tier tertinggi" in sender.command("U0TIER2X", "eskalasi #1 lagi").text
    # resolve needs a resolution
    assert "Tuliskan penyelesaiannya" in sender.command("U0TIER2X", "selesai #1").text
    reply = sender.command("U0TIER2X", "selesai #1 sertifikat VPN diperbarui")
    assert "ditandai selesai" in reply.text
    notice = wait_dms(standin, "U0REPORT", 3)[-1]  # after the ticket DM and "escalated"
    assert "sertifikat VPN diperbarui" in message_text(notice)
    assert (
        "sudah diselesaikan oleh <@U0TIER2X>" in sender.command("U0TIER2X", "selesai #1 lagi").text
    )
    # the reporter reopens by command; the resolved DM loses its Reopen button
    assert "dibuka lagi" in sender.command("U0REPORT", "buka #1").text
    standin.wait_for(lambda: buttons(standin.dms_to("U0REPORT")[-1]) == [], 5)
    assert buttons(standin.dms_to("U0REPORT")[-1]) == []
    assert ticket(engine, 1).agent_id == "U0TIER2X"
    assert events(engine, 1)[-2:] == ["reopened", "assigned"]


def test_wrong_people_and_bad_numbers_change_nothing(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    sender.command("U0REPORT", "printer macet")
    before = events(engine, 1)
    assert "ditangani <@U0AGENTA>" in sender.command("U0AGENTB", "ambil #1").text
    # someone with no part in the ticket learns only that it is not theirs, not who has it
    refused = sender.command("U0RINA", "selesai #1 beres").text
    assert "bukan milik Anda" in refused and "U0AGENTA" not in refused
    assert "Hanya pelapor" in sender.command("U0AGENTA", "batal #1").text
    assert "Hanya pelapor" in sender.command("U0RINA", "buka #1").text
    assert "bukan milik Anda" in sender.command("U0RINA", "lihat #1").text
    assert "tidak ada" in sender.command("U0AGENTA", "ambil #99").text.lower()
    assert "belum diselesaikan" in sender.command("U0REPORT", "buka #1").text
    assert "Hanya agen helpdesk" in sender.command("U0RINA", "antrian").text
    assert events(engine, 1) == before
    assert ticket(engine, 1).state == "open"


def test_show_queue_cancel_away_back_in_english(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, language="en", staff=("U0REPORT", "U0RINA", "U0SARI", "U0DEWI", "U0EKO"))
    sender.command("U0REPORT", "monitor flickers")
    sender.command("U0RINA", "keyboard sticky")
    wait_dms(standin, "U0AGENTB")
    shown = sender.command("U0REPORT", "show #1").text
    assert "Ticket #1" in shown and "monitor flickers" in shown and "reported it" in shown
    queue = sender.command("U0AGENTA", "queue").text
    assert "#1" in queue and "#2" not in queue
    help_text = sender.command("U0REPORT", "help").text
    assert "How to use /lapor" in help_text and "ambil" in help_text
    # the reporter cancels: the agent is told and the card loses its buttons
    assert "cancelled" in sender.command("U0REPORT", "cancel #1").text
    notice = wait_dms(standin, "U0AGENTA", 2)[-1]
    assert "cancelled ticket #1" in message_text(notice)
    standin.wait_for(lambda: buttons(standin.dms_to("U0AGENTA")[0]) == [], 5)
    assert buttons(standin.dms_to("U0AGENTA")[0]) == []
    assert "already cancelled" in sender.command("U0REPORT", "cancel #1").text
    # away and back move the agent out of and into the rotation
    assert "marked away" in sender.command("U0AGENTC", "away").text
    sender.command("U0SARI", "mouse lost")
    assert ticket(engine, 3).agent_id == "U0AGENTA"
    assert "Welcome back" in sender.command("U0AGENTC", "back").text
    # other reporters: Sari's next ticket would follow her #3 to its agent (affinity)
    sender.command("U0DEWI", "headset lost")
    assert ticket(engine, 4).agent_id == "U0AGENTB"
    sender.command("U0EKO", "webcam lost")
    assert ticket(engine, 5).agent_id == "U0AGENTC"


def test_complaints_with_command_words_are_filed(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    for text in (
        "selesai 2 jam tapi masih error",
        "buka 3 aplikasi laptop hang",
        "cuti saya belum tercatat",
    ):
        reply = sender.command("U0REPORT", text)
        assert "tercatat" in reply.text
    with session_scope(engine) as s:
        assert [t.summary for t in s.exec(select(Ticket).order_by(Ticket.id)).all()] == [
            "selesai 2 jam tapi masih error",
            "buka 3 aplikasi laptop hang",
            "cuti saya belum tercatat",
        ]


def test_reporter_escalation_before_and_after_the_wait(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    # Monday 23 November 2026, 09:00 WIB
    clock = {"now": datetime(2026, 11, 23, 2, 0, tzinfo=UTC)}
    rekan.runtime.clock = lambda: clock["now"]
    sender.command("U0REPORT", "server kantor tidak bisa diakses")
    wait_dms(standin, "U0AGENTA")
    assert "Tuliskan alasannya" in sender.command("U0REPORT", "eskalasi #1").text
    clock["now"] = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 11:00 WIB: 2 working hours
    reply = sender.command("U0REPORT", "eskalasi #1 semua pekerjaan terhenti")
    assert "disampaikan ke <@U0AGENTA>" in reply.text and "2 jam" in reply.text
    notice = wait_dms(standin, "U0AGENTA", 2)[-1]
    assert "meminta tiket #1 dieskalasi" in message_text(
        notice
    ) and "semua pekerjaan terhenti" in message_text(notice)
    assert ticket(engine, 1).tier == 1
    clock["now"] = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # 14:30 WIB: 5.5 working hours
    reply = sender.command("U0REPORT", "eskalasi #1 masih belum bisa")
    assert "dinaikkan ke tier 2" in reply.text and "<@U0TIER2X>" in reply.text
    assert ticket(engine, 1).tier == 2 and ticket(engine, 1).agent_id == "U0TIER2X"
    wait_dms(standin, "U0TIER2X")
    assert "sudah di tier 2" in sender.command("U0REPORT", "eskalasi #1 tolong").text
    wait_calls(standin, "chat.postMessage", 4)
