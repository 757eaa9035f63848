"""Socket Mode as Slack speaks it: `rekan run` with an app token connects slack_sdk's own
client to the stand-in's WebSocket server; envelopes are handled and acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.sandbox import SlackStandIn
from storage.db import session_scope
from storage.models import Person, Ticket
from tests.helpers import seed, wait_dms
from tests.processes import free_port


def command(user: str, text: str, trigger: str) -> dict:
    return {
        "token": "x",
        "team_id": "T0REKAN",
        "channel_id": "C0GENERAL",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/lapor",
        "text": text,
        "api_app_id": "A0REKAN",
        "response_url": "http://127.0.0.1:9/r",
        "trigger_id": trigger,
    }


def health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def test_socket_mode_end_to_end(
    tmp_path: Path, standin: SlackStandIn, engine: Engine, database_url: str
) -> None:
    seed(engine)
    metrics_port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": database_url,
        "REKAN_METRICS_PORT": str(metrics_port),
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert standin.wait_for(lambda: standin.socket is not None, 30), proc.stderr
        socket = standin.socket
        assert socket.wait_connected(1, 30)
        # a /lapor envelope files a ticket; the acknowledgement carries the confirmation
        ack = socket.deliver(
            "slash_commands", command("U0REPORT", "VPN tidak bisa connect", "trig-1")
        )
        assert ack is not None and "#1" in json.dumps(ack) and "U0AGENTA" in json.dumps(ack)
        card = wait_dms(standin, "U0AGENTA")[0]
        # an agent's button click works
        take = next(
            e
            for b in card.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
            if e.get("action_id") == "ticket_take"
        )
        socket.deliver(
            "interactive",
            {
                "type": "block_actions",
                "user": {"id": "U0AGENTA"},
                "team": {"id": "T0REKAN"},
                "api_app_id": "A0REKAN",
                "trigger_id": "t2",
                "response_url": standin.base + "response/x",
                "container": {"type": "message", "message_ts": card.ts, "channel_id": card.channel},
                "channel": {"id": card.channel},
                "message": {"ts": card.ts, "blocks": card.blocks},
                "actions": [{**take, "block_id": "ticket:1", "action_ts": "1"}],
            },
        )
        standin.wait_for(lambda: bool(standin.calls("chat.update")), 5)
        with session_scope(engine) as s:
            first = s.get(Ticket, 1)
            assert first is not None and first.state == "in_progress"
        # talk on the ticket over Socket Mode (issue 18): the agent asks in the card's thread,
        # the reporter reads it in the thread of their ticket DM, and answers back
        home = wait_dms(standin, "U0REPORT")[0]
        socket.message_im("U0AGENTA", "Sejak kapan?", channel=card.channel, thread_ts=card.ts)
        assert standin.wait_for(
            lambda: any(
                "Sejak kapan?" in (m.text or "") for m in standin.thread(home.channel, home.ts)
            ),
            10,
        )
        socket.message_im("U0REPORT", "Sejak pagi", channel=home.channel, thread_ts=home.ts)
        assert standin.wait_for(
            lambda: any(
                "Sejak pagi" in (m.text or "") and m.user != "U0REPORT"
                for m in standin.thread(card.channel, card.ts)
            ),
            10,
        )
        # envelopes Bolt cannot parse or route are acknowledged, not raised in the connection
        for payload in (
            {"type": "view_submission", "view": {"callback_id": "lapor_form"}},
            {"type": "block_actions", "authorizations": "x", "is_enterprise_install": "x"},
        ):
            assert socket.deliver("interactive", payload) == {}
        status = health(metrics_port)
        assert status["socket_mode"] == "connected" and status["ok"] is True
        # Slack asks for a refresh: Rekan reconnects and handles the next envelope
        socket.disconnect("refresh_requested")
        assert socket.wait_connected(2, 30)
        ack = socket.deliver("slash_commands", command("U0RINA", "printer macet", "trig-2"))
        assert "#2" in json.dumps(ack)
        # re-deliveries create nothing twice
        again = socket.deliver(
            "slash_commands", command("U0RINA", "printer macet", "trig-2"), retry_attempt=1
        )
        assert "#2" in json.dumps(again)
        event = {
            "token": "x",
            "team_id": "T0REKAN",
            "api_app_id": "A0REKAN",
            "type": "event_callback",
            "event_id": "Ev0JOIN",
            "event_time": int(time.time()),
            "event": {
                "type": "team_join",
                "user": {
                    "id": "U0NEWBIE",
                    "name": "newbie",
                    "tz": "Asia/Makassar",
                    "profile": {"real_name": "Nana Baru", "email": "nana@corp.id"},
                },
            },
        }
        socket.deliver("events_api", event)
        socket.deliver("events_api", event, retry_attempt=1)
        standin.wait_for(lambda: False, 0.5)
        with session_scope(engine) as s:
            assert len(s.exec(select(Ticket)).all()) == 2
            newbie = s.get(Person, "U0NEWBIE")
            assert (
                newbie is not None
                and newbie.name == "Nana Baru"
                and newbie.timezone == "Asia/Makassar"
            )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
