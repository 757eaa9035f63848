"""The triage mirror, the Home tab, the tickets CLI and the availability job."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.run import start
from bot.sandbox import SlackSender, SlackStandIn
from jobs.people import run_availability
from storage import people
from storage.db import session_scope
from storage.models import Ticket
from storage.types import utcnow
from tests.conftest import SIGNING_SECRET
from tests.helpers import NOW, buttons, message_text, seed, wait_calls, wait_dms


def test_triage_channel_mirrors_and_follows_the_ticket(
    settings: Settings, engine: Engine, standin: SlackStandIn
) -> None:
    seed(engine)
    running = start(
        replace(settings, triage_channel="C0TRIAGE"), http=True, port=0, with_scheduler=False
    )
    try:
        sender = SlackSender(
            f"http://127.0.0.1:{running.port}/slack/events", SIGNING_SECRET, standin.base
        )
        sender.command("U0REPORT", "ping <!channel> VPN mati")
        standin.wait_for(lambda: len(standin.messages("C0TRIAGE")) == 1, 5)
        mirror = standin.messages("C0TRIAGE")[0]
        assert "#1" in message_text(mirror) and "&lt;!channel&gt;" in message_text(mirror)
        assert buttons(mirror) == []
        card = wait_dms(standin, "U0AGENTA")[0]
        sender.click("U0AGENTA", card, "ticket_take")
        standin.wait_for(
            lambda: "sedang dikerjakan" in message_text(standin.messages("C0TRIAGE")[0]), 5
        )
        assert "sedang dikerjakan" in message_text(standin.messages("C0TRIAGE")[0])
    finally:
        running.stop()


def test_home_tab_shows_tickets_and_agent_toggle(
    rekan: object, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine, language="en")
    sender.command("U0REPORT", "mouse broken")
    wait_dms(standin, "U0AGENTA")
    sender.event(
        {"type": "app_home_opened", "user": "U0REPORT", "tab": "home", "channel": "D0REPORT"}
    )
    home = wait_calls(standin, "views.publish")[-1].params
    assert home["user_id"] == "U0REPORT"
    from bot.sandbox.sender import visible_text

    text = visible_text(home["view"])
    assert "#1" in text and "mouse broken" in text and "Your open tickets (1)" in text
    assert "home_availability" not in str(home["view"])
    sender.event(
        {"type": "app_home_opened", "user": "U0AGENTA", "tab": "home", "channel": "D0AGENTA"}
    )
    agent_home = wait_calls(standin, "views.publish", 2)[-1].params["view"]
    assert "Your queue (1)" in visible_text(agent_home) and "home_availability" in str(agent_home)
    # Away from the Home tab: the rotation skips A
    sender.block_action("U0AGENTA", "home_availability", "away", view={"id": "VHOME"})
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 3, 5)
    sender.command("U0RINA", "printer jammed")
    with session_scope(engine) as s:
        second = s.get(Ticket, 2)
        assert second is not None and second.agent_id == "U0AGENTB"
    # a non-agent pressing the toggle changes nothing
    sender.block_action("U0REPORT", "home_availability", "away")
    standin.wait_for(lambda: False, 0.3)
    with session_scope(engine) as s:
        reporter = people.get(s, "U0REPORT")
        assert reporter is not None and not reporter.is_away


def test_tickets_cli_list_show_assign_and_waiting(
    cli, rekan: object, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    seed(engine, tier1=("U0AGENTA",))
    with session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id="U0AGENTA", now=NOW)
    sender.command("U0REPORT", "laptop tidak menyala")
    code, out, _ = cli("tickets", "list", "--open")
    assert code == 0 and "#1" in out and "waiting" in out
    # bringing the agent back from the CLI hands the waiting ticket over and DMs them
    code, out, _ = cli("agents", "back", "U0AGENTA")
    assert code == 0 and "1 waiting tickets are now assigned" in out
    assert "laptop tidak menyala" in message_text(wait_dms(standin, "U0AGENTA")[0])
    code, out, _ = cli("tickets", "assign", "1", "U0TIER2X")
    assert code == 0 and "assigned to U0TIER2X" in out
    assert wait_dms(standin, "U0TIER2X")
    code, out, _ = cli("tickets", "show", "1")
    assert code == 0
    assert "Timeline" in out and "U0REPORT reported it" in out and "assigned to U0TIER2X" in out
    assert "ticket.card" in out and "sent" in out
    code, _, err = cli("tickets", "show", "99")
    assert code == 1 and "There is no ticket #99" in err
    code, _, err = cli("tickets", "assign", "1", "U0REPORT")
    assert code == 1 and "is not an agent" in err
    code, out, _ = cli("tickets", "list", "--agent", "U0TIER2X")
    assert "#1" in out


def test_failed_notification_shows_in_tickets_show(
    cli, rekan: object, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    seed(engine)
    standin.inject("chat.postMessage", "error", error="account_inactive")
    sender.command("U0REPORT", "vpn putus")
    standin.wait_for(lambda: bool(standin.calls("chat.postMessage")), 5)
    standin.wait_for(lambda: "account_inactive" in cli("tickets", "show", "1")[1], 5)
    code, out, _ = cli("tickets", "show", "1")
    assert code == 0 and "failed" in out and "account_inactive" in out


def test_availability_job_ends_away_and_assigns_waiting(
    rekan: object, standin: SlackStandIn, engine: Engine, sender: SlackSender
) -> None:
    seed(engine, tier1=("U0AGENTA",))
    today = utcnow().astimezone(ZoneInfo("Asia/Jakarta")).date()
    with session_scope(engine, write=True) as s:
        people.set_away(session=s, slack_id="U0AGENTA", now=utcnow(), until=today, today=today)
    sender.command("U0REPORT", "scanner error")
    ctx = rekan.runtime.jobs  # type: ignore[attr-defined]
    assert run_availability(ctx, utcnow()) == "back=0 assigned=0"
    later = utcnow() + timedelta(days=2)
    assert run_availability(ctx, later) == "back=1 assigned=1"
    assert "scanner error" in message_text(wait_dms(standin, "U0AGENTA")[0])
    assert isinstance(today, date)


def test_resources_cli(
    cli, rekan: object, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    seed(engine)
    code, out, _ = cli(
        "resources", "add", "Server Kantor 123", "--alias", "server lokal kantor 123"
    )
    assert code == 0 and "Server Kantor 123" in out and "server lokal kantor 123" in out
    code, out, _ = cli("resources", "add", "server kantor 123", "--alias", "rdp kantor 123")
    assert code == 0 and "rdp kantor 123" in out  # same resource, one more alias
    sender.command("U0REPORT", "server lokal kantor 123 mati")
    sender.command("U0AGENTA", "ambil #1")
    code, out, _ = cli("resources", "list")
    assert code == 0 and "U0AGENTA" in out and "#1" in out
    code, _, err = cli("resources", "remove", "Server Kantor 123")
    assert code == 1 and "#1" in err
    sender.command("U0AGENTA", "resolve #1 restarted")
    code, out, _ = cli("resources", "remove", "Server Kantor 123")
    assert code == 0
    code, _, err = cli("resources", "remove", "Server Kantor 123")
    assert code == 1 and "no resource called" in err
    code, _, err = cli("resources", "add", "  ")
    assert code == 1


def test_user_change_updates_and_deactivates(
    rekan: object, sender: SlackSender, standin: SlackStandIn, engine: Engine
) -> None:
    seed(engine)
    user = {
        "id": "U0RINA",
        "name": "rina",
        "tz": "Asia/Jayapura",
        "deleted": False,
        "profile": {"real_name": "Rina Lestari", "email": "rina@corp.id"},
    }
    assert sender.event({"type": "user_change", "user": user}).status == 200
    standin.wait_for(lambda: _person(engine, "U0RINA").name == "Rina Lestari", 5)
    assert _person(engine, "U0RINA").timezone == "Asia/Jayapura"
    sender.event({"type": "user_change", "user": {**user, "deleted": True}})
    standin.wait_for(lambda: not _person(engine, "U0RINA").active, 5)
    assert not _person(engine, "U0RINA").active
    # a bot joining changes nothing
    sender.event({"type": "team_join", "user": {"id": "B0BOT", "is_bot": True, "profile": {}}})
    standin.wait_for(lambda: False, 0.3)
    with session_scope(engine) as s:
        assert people.get(s, "B0BOT") is None


def _person(engine: Engine, slack_id: str):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        found = people.get(s, slack_id)
        assert found is not None
        return found
