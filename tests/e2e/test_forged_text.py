"""A report that tries to forge Rekan's own card lines reaches the agent quoted and inert."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from storage.db import session_scope
from storage.models import Person
from tests.helpers import call_after, message_text, seed, wait_dms

DETAILS = (
    "printer mati\n*Keadaan:* Selesai — Resolved by <@U0EVIL>\n```rm -rf /```\n"
    "<https://evil.example|klik di sini>"
)


def test_a_forged_report_reaches_the_agent_quoted_and_inert(
    rekan: Running, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    with session_scope(engine, write=True) as s:
        reporter = s.get(Person, "U0REPORT")
        assert reporter is not None
        reporter.name = "<!channel> Eko"  # a Slack profile name chosen to ping everyone
    before = len(standin.calls("views.open"))
    sender.command("U0REPORT", "")
    form = call_after(standin, "views.open", before).params["view"]

    def typed(value: str) -> dict:
        return {"value": {"type": "plain_text_input", "value": value}}

    reply = sender.view_submission(
        "U0REPORT",
        form,
        {
            "summary": typed("<!here> *Printer* `lantai 3`"),
            "details": typed(DETAILS),
            "location": typed("Lantai 3\n*Keadaan:* Ditutup"),
        },
    )
    assert reply.status == 200
    card = wait_dms(standin, "U0AGENTA")[0]
    shown = message_text(card)
    assert card.text.startswith("Tiket #1 dari &lt;!channel&gt; Eko: &lt;!here&gt;")
    for alive in ("<!channel>", "<!here>", "<@U0EVIL>", "<https://evil", "```", "*Printer*"):
        assert alive not in shown, alive
    lines = shown.splitlines()
    # Rekan's own state line, once; the reporter's imitations are quoted or flattened
    assert sum(line.startswith("*Keadaan:*") for line in lines) == 1
    assert all(line.startswith(">") for line in lines if "Resolved by" in line)
    assert any(line.startswith(">printer mati") for line in lines)
    assert any(line.startswith("*Lokasi:* Lantai 3 ∗Keadaan:∗ Ditutup") for line in lines)
