"""Nobody acts for someone they may not, and refusals tell outsiders nothing about who did
what (issue 15, item 7): permission is checked before "already done"."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage import resources, tasks
from storage.db import session_scope
from storage.models import TaskReport
from tests.e2e.test_tasks import MONDAY_0930_WIB, open_form, seed_team, tasks_value
from tests.helpers import NOW, message_text, seed, wait_calls, wait_dms


def test_a_delegate_cannot_approve_their_own_tasks(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    with session_scope(engine, write=True) as s:  # Dewi stands in for her own lead
        tasks.set_delegate(
            session=s,
            lead_id="U0LEAD",
            delegate_id="U0DEWI",
            until=date(2026, 11, 30),
            today=date(2026, 11, 23),
        )
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("laporan"))
    card = wait_dms(standin, "U0LEAD")[0]
    sender.click("U0DEWI", card, "tasks_approve")
    refusal = wait_calls(standin, "response_url")[-1].params["text"]
    assert "daftar tugas Anda sendiri" in refusal
    with session_scope(engine) as s:
        assert [r.state for r in s.exec(select(TaskReport)).all()] == ["pending"]
    # Eko's list she may decide, as his lead's delegate
    sender.view_submission("U0EKO", open_form(sender, standin, "U0EKO"), tasks_value("rapat"))
    eko = next(c for c in wait_dms(standin, "U0LEAD", 2) if "U0EKO" in message_text(c))
    sender.click("U0DEWI", eko, "tasks_approve")
    wait_dms(standin, "U0EKO", 2)


def test_an_outsider_is_not_told_who_decided(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed_team(engine)
    rekan.runtime.clock = lambda: MONDAY_0930_WIB
    sender.view_submission("U0DEWI", open_form(sender, standin, "U0DEWI"), tasks_value("laporan"))
    card = wait_dms(standin, "U0LEAD")[0]
    sender.click("U0LEAD", card, "tasks_approve")
    wait_dms(standin, "U0DEWI", 2)
    before = len(standin.calls("response_url"))
    sender.click("U0OTHER", card, "tasks_approve")
    refusal = wait_calls(standin, "response_url", before + 1)[-1].params["text"]
    assert "Hanya atasannya" in refusal
    assert "Sudah diputuskan" not in refusal


def test_claims_and_closed_tickets_are_not_shown_to_outsiders(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    with session_scope(engine, write=True) as s:
        resources.add(session=s, name="Server Kantor 123", aliases=[], now=NOW)
    sender.command("U0REPORT", "server kantor 123 tidak bisa di-remote")
    wait_dms(standin, "U0AGENTA")
    assert "Tiket #1 sekarang Anda kerjakan" in sender.command("U0AGENTA", "ambil #1").text
    # an agent sees who holds which resource; an employee is refused and sees no names
    assert "U0AGENTA" in sender.command("U0AGENTB", "klaim").text
    refused = sender.command("U0RINA", "klaim").text
    assert "Hanya agen helpdesk dan admin" in refused and "U0AGENTA" not in refused
    assert "U0AGENTA" in sender.command("U0ADMIN", "klaim").text
    # after the resolution, an outsider is not told who resolved it, or when
    sender.command("U0AGENTA", "selesai #1 layanan RDP dijalankan ulang")
    for text in ("selesai #1 beres", "eskalasi #1 tolong", "ambil #1"):
        refused = sender.command("U0RINA", text).text
        assert "bukan milik Anda" in refused and "U0AGENTA" not in refused, text
    # the agent who resolved it (who may see it) is still told what happened
    assert "sudah diselesaikan oleh <@U0AGENTA>" in sender.command("U0AGENTA", "selesai #1 x").text
