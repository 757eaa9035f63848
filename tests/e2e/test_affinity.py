"""Reporter affinity (issue 17): while a reporter has an open ticket with an agent, their next
ticket goes to that agent without a rotation turn, unless the agent is away or the tiers
differ. Driven by signed /lapor requests, as Slack sends them."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Person, Ticket
from tests.helpers import seed, wait_dms

AGENTS = ("U0AGENTA", "U0AGENTB", "U0AGENTC")


def agents(engine: Engine) -> list[str | None]:
    with session_scope(engine) as s:
        return [t.agent_id for t in s.exec(select(Ticket).order_by(col(Ticket.id))).all()]


def test_different_problems_of_one_reporter_stay_with_one_agent(
    rekan: Running, sender: SlackSender, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    complaints = (
        "VPN putus terus dari pagi",
        "printer lantai 3 macet kertas",
        "outlook ga bisa kirim email ke luar kantor",
        "laptop mati total ga mau nyala",
    )
    for text in complaints:
        reply = sender.command("U0REPORT", text)
        assert "<@U0AGENTA>" in reply.text, reply.text
    assert agents(engine) == ["U0AGENTA"] * 4
    # no rotation turn was used: the next reporter gets the second agent
    assert "<@U0AGENTB>" in sender.command("U0RINA", "monitor kedip kedip").text
    assert agents(engine)[-1] == "U0AGENTB"


def test_affinity_ends_when_the_ticket_closes_or_the_agent_is_away(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", "VPN putus terus dari pagi")
    # the agent goes away: the reporter's next ticket takes a rotation turn
    sender.command("U0AGENTA", "cuti")
    with session_scope(engine) as s:
        agent_a = s.get(Person, "U0AGENTA")
        assert agent_a is not None and agent_a.away_since is not None
    away = sender.command("U0REPORT", "printer lantai 3 macet kertas")
    assert "<@U0AGENTB>" in away.text, away.text
    # now the reporter's newest open ticket is with B, who is available: B again
    assert "<@U0AGENTB>" in sender.command("U0REPORT", "headset ga ada suara").text
    # B resolves both of theirs; the reporter's next ticket is a fresh rotation turn
    for number in (2, 3):
        sender.command("U0AGENTB", f"selesai #{number} sudah beres")
    with session_scope(engine) as s:
        states = [s.get(Ticket, n) for n in (2, 3)]
        assert [t.state if t else None for t in states] == ["resolved", "resolved"]
    assert "<@U0AGENTC>" in sender.command("U0REPORT", "keyboard laptop rusak").text
    assert wait_dms(standin, "U0AGENTC")


def test_no_affinity_across_tiers(rekan: Running, sender: SlackSender, engine: Engine) -> None:
    seed(engine, tier1=AGENTS)
    sender.command("U0REPORT", "VPN putus terus dari pagi")
    escalated = sender.command("U0AGENTA", "eskalasi #1 perlu akses firewall")
    assert "#1" in escalated.text
    with session_scope(engine) as s:
        first = s.get(Ticket, 1)
        assert first is not None and first.tier == 2 and first.agent_id in ("U0TIER2X", "U0TIER2Y")
    # the new ticket is tier 1: the tier-2 agent cannot have it, so the rotation decides
    reply = sender.command("U0REPORT", "printer lantai 3 macet kertas")
    assert "<@U0AGENTB>" in reply.text, reply.text
