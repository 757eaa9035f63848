"""The HTTP front door: bodies are capped, signatures checked on the raw bytes, what cannot
be parsed is a 400, a signed payload of any shape never gets a 5xx, and no log line at any
level names a person together with check-in content."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine

from bot import logsetup
from bot.blocks import checkins as checkin_blocks
from bot.blocks import home as home_blocks
from bot.blocks import tasks as task_blocks
from bot.blocks import tickets as ticket_blocks
from bot.config import Settings
from bot.run import Running
from bot.sandbox import SlackSender, SlackStandIn
from tests.conftest import SIGNING_SECRET
from tests.e2e.test_checkins import MONDAY_10_WIB, STAFF, click, seed_org, send_round
from tests.helpers import buttons, call_after, seed, wait_dms

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def log_stream(settings: Settings) -> Iterator[io.StringIO]:
    """What `rekan run` writes to stderr, at DEBUG: the production handler, on the root."""
    stream = io.StringIO()
    handler = logsetup.make_handler(replace(settings, log_level="DEBUG"), stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def post_bytes(rekan: Running, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{rekan.port}/slack/events", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def signed_headers(body: bytes, content_type: str = FORM) -> dict[str, str]:
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": str(signature),
    }


# --- item 4: health data in logs -------------------------------------------------------


def test_debug_logs_never_pair_a_person_with_checkin_content(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    log_stream: io.StringIO,
) -> None:
    seed_org(engine)
    send_round(rekan)
    rekan.runtime.clock = lambda: MONDAY_10_WIB + timedelta(hours=1)
    for user in STAFF[:2]:
        wait_dms(standin, user)
        click(sender, standin, user, "checkin_mental_1")
    standin.wait_for(lambda: "checkin_consent" in buttons(standin.dms_to(STAFF[1])[-1]), 5)
    click(sender, standin, STAFF[1], "checkin_consent")
    before = len(standin.calls("views.open"))
    click(sender, standin, STAFF[0], "checkin_note")
    modal = call_after(standin, "views.open", before).params["view"]
    note = {"note": {"value": {"type": "plain_text_input", "value": "kurang tidur"}}}
    assert sender.view_submission(STAFF[0], modal, note).status == 200
    # a genuine click that arrives late fails the signature check: Bolt used to log its body
    late = sender.click(
        STAFF[0], standin.dms_to(STAFF[0])[-1], "checkin_mental_2", timestamp=int(time.time()) - 600
    )
    assert late.status == 401
    wait_dms(standin, "U0HRANI", 2)
    time.sleep(0.3)  # the redraws after the last clicks
    lines = log_stream.getvalue().splitlines()
    assert len(lines) > 50  # DEBUG was on: Slack's libraries did log
    person = re.compile(r"[UD]0STAFF\d|Staf \d")
    content = re.compile(
        r"score|skor|checkin_(physical|mental|note|consent)|\b[1-5]/5\b|kurang tidur|fisik|mental",
        re.IGNORECASE,
    )
    offending = [line for line in lines if person.search(line) and content.search(line)]
    assert offending == []


# --- item 5: unsigned bodies fill the disk -----------------------------------------------


def test_an_oversized_body_is_refused_before_it_is_read(
    rekan: Running, log_stream: io.StringIO
) -> None:
    declared = 20 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", rekan.port), timeout=10) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: rekan\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b"payload="
            + b"A" * 65536
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line
    assert "AAAAAAAA" not in log_stream.getvalue()
    assert len(log_stream.getvalue()) < 2000


def test_an_unsigned_body_is_never_logged(rekan: Running, log_stream: io.StringIO) -> None:
    body = urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": "U0SECRET"}})})
    status = post_bytes(
        rekan,
        body.encode() + b"&pad=" + b"B" * 500_000,
        {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))},
    )
    assert status == 401
    logged = log_stream.getvalue()
    assert "U0SECRET" not in logged and "BBBBBBBB" not in logged
    assert len(logged) < 2000


def test_a_timestamp_that_is_not_a_number_is_401(rekan: Running, sender: SlackSender) -> None:
    for timestamp in ("soon", "²³", "1e9", "9" * 5000):
        body = urlencode({"command": "/lapor", "text": "help", "user_id": "U0REPORT"})
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=timestamp, body=body
        )
        reply = sender.post(
            body,
            FORM,
            signed=False,
            headers={"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": str(signature)},
        )
        assert reply.status == 401, timestamp


# --- item 8: 500 instead of an answer ----------------------------------------------------

ACTION_IDS = [
    *(getattr(ticket_blocks, n) for n in dir(ticket_blocks) if n.startswith("A_")),
    *(getattr(task_blocks, n) for n in dir(task_blocks) if n.startswith("A_")),
    *(getattr(checkin_blocks, n) for n in dir(checkin_blocks) if n.startswith("A_")),
    home_blocks.A_AVAILABILITY,
    "checkin_mental_1",
    "checkin_physical_9",
]
CALLBACK_IDS = [
    *(getattr(ticket_blocks, n) for n in dir(ticket_blocks) if n.startswith("V_")),
    *(getattr(task_blocks, n) for n in dir(task_blocks) if n.startswith("V_")),
    checkin_blocks.V_NOTE,
]
NASTY_NUMBERS = ["1", "#1", "99999999999999999999", "²", "2147483648", "-3", "0", " 7 ", "1\x00"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(NASTY_NUMBERS),
    st.text(max_size=20),
)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
users = st.one_of(
    st.fixed_dictionaries({"id": st.sampled_from(["U0REPORT", "U0AGENTA", "U0ADMIN"])}),
    values,
    st.fixed_dictionaries({"id": values}),
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field Slack always sends, sometimes missing (None is dropped) or of another type."""
    return st.one_of(strategy, strategy, st.none(), values)


actions = st.fixed_dictionaries(
    {
        "type": st.just("block_actions"),
        "user": users,
        "trigger_id": maybe(st.just("1.2.abc")),
        "response_url": st.just("http://127.0.0.1:9/r"),
        "actions": maybe(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "action_id": st.sampled_from(ACTION_IDS),
                            "block_id": maybe(st.sampled_from(["actions", "tasks:1", "tasks:²"])),
                            "value": maybe(st.sampled_from(NASTY_NUMBERS)),
                            "selected_option": maybe(
                                st.fixed_dictionaries(
                                    {"value": st.sampled_from(NASTY_NUMBERS).map("merge:{}".format)}
                                )
                            ),
                            "selected_options": maybe(
                                st.lists(st.fixed_dictionaries({"value": values}), max_size=2)
                            ),
                        }
                    ),
                    values,
                ),
                min_size=1,
                max_size=2,
            )
        ),
        "container": maybe(
            st.fixed_dictionaries({"channel_id": values, "message_ts": values, "view_id": values})
        ),
        "channel": maybe(st.fixed_dictionaries({"id": values})),
    }
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["kurang\x00tidur", "x" * 200, "#99999999999", "#²", "#2147483648"]),
)
input_values = st.dictionaries(
    st.sampled_from(
        [
            "summary",
            "details",
            "location",
            "category",
            "urgency",
            "note",
            "target",
            "tasks",
            "comment",
            "delegate",
            "until",
        ]
    ),
    maybe(
        st.fixed_dictionaries(
            {
                "value": maybe(
                    st.fixed_dictionaries(
                        {
                            "value": maybe(texts),
                            "selected_option": maybe(st.fixed_dictionaries({"value": values})),
                            "selected_user": maybe(st.just("U0AGENTA")),
                            "selected_date": maybe(
                                st.sampled_from(["2030-01-01", "x", "2030-02-30"])
                            ),
                        }
                    )
                )
            }
        )
    ),
    max_size=4,
)
submissions = st.fixed_dictionaries(
    {
        "type": st.just("view_submission"),
        "user": users,
        "trigger_id": maybe(st.just("1.2.abc")),
        "view": st.one_of(
            st.fixed_dictionaries(
                {
                    "id": maybe(st.just("V0001")),
                    "callback_id": st.sampled_from(CALLBACK_IDS),
                    "private_metadata": maybe(
                        st.one_of(
                            st.text(max_size=10),
                            st.dictionaries(
                                st.sampled_from(["ticket", "report", "round", "channel", "ts"]),
                                values,
                                max_size=3,
                            ).map(json.dumps),
                        )
                    ),
                    "state": maybe(st.fixed_dictionaries({"values": maybe(input_values)})),
                }
            ),
            values,
        ),
    }
)
events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited"]),
        "event_id": maybe(st.just("Ev1")),
        "challenge": maybe(st.just("c")),
        "event": maybe(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(
                        ["app_home_opened", "team_join", "user_change", "message"]
                    ),
                    "user": users,
                    "tab": maybe(st.just("home")),
                    "channel": values,
                    "text": maybe(texts),
                }
            )
        ),
    }
)
commands = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["/lapor", "/tugas", "/lain"]),
        "text": maybe(
            st.one_of(
                texts,
                st.sampled_from(
                    [
                        "ambil #99999999999",
                        "selesai #2147483648 ok",
                        "lihat #²",
                        "status",
                        "x" * 42006,
                        "VPN\x00 putus",
                    ]
                ),
            )
        ),
        "user_id": maybe(st.sampled_from(["U0REPORT", "U0AGENTA"])),
        "user_name": maybe(st.just("someone")),
        "trigger_id": maybe(st.just("1.2.abc")),
        "response_url": st.just("http://127.0.0.1:9/r"),
    }
)


def form_body(fields: dict[str, Any]) -> bytes:
    return urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items() if v is not None}
    ).encode()


def payload_body(payload: Any) -> bytes:
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if v is not None}
    return urlencode({"payload": json.dumps(payload)}).encode()


requests = st.one_of(
    actions.map(lambda p: (payload_body(p), FORM)),
    submissions.map(lambda p: (payload_body(p), FORM)),
    commands.map(lambda f: (form_body(f), FORM)),
    events.map(
        lambda e: (
            json.dumps({k: v for k, v in e.items() if v is not None}).encode(),
            "application/json",
        )
    ),
    values.map(lambda v: (payload_body(v), FORM)),
    values.map(lambda v: (json.dumps(v).encode(), "application/json")),
    st.binary(max_size=40).map(lambda b: (b"payload=" + b, FORM)),
    st.binary(max_size=40).map(lambda b: (b, "application/json")),
)

BAD_PAYLOADS = [
    (b"payload=not-json", FORM, 400),
    (b"payload=%5B1%2C2%5D", FORM, 400),  # JSON, but a list
    (b"\xff\xfe", "application/json", 400),
    (b"[]", "application/json", 400),
    (payload_body({"type": "block_actions", "user": "U0REPORT", "actions": "x"}), FORM, 400),
    # routable, but the user is not an object: the listener refuses it
    (
        payload_body(
            {"type": "block_actions", "user": "U0REPORT", "actions": [{"action_id": "ticket_take"}]}
        ),
        FORM,
        200,
    ),
    # a view with no type: Bolt's matchers raise before any listener
    (
        payload_body({"type": "view_submission", "view": {"callback_id": ticket_blocks.V_FORM}}),
        FORM,
        400,
    ),
    # a modal with no state: the form's listener answers with the field's error
    (
        payload_body(
            {
                "type": "view_submission",
                "user": {"id": "U0REPORT"},
                "view": {"type": "modal", "callback_id": ticket_blocks.V_FORM},
            }
        ),
        FORM,
        200,
    ),
]


@pytest.mark.parametrize(("body", "content_type", "expected"), BAD_PAYLOADS)
def test_signed_bad_payloads_get_an_answer_not_a_500(
    rekan: Running, engine: Engine, body: bytes, content_type: str, expected: int
) -> None:
    seed(engine)
    assert post_bytes(rekan, body, signed_headers(body, content_type)) == expected


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "2147483648", "#0", "-1"], ids=repr)
def test_a_bad_button_value_gets_the_catalog_refusal(
    sender: SlackSender, standin: SlackStandIn, engine: Engine, value: str
) -> None:
    seed(engine)
    reply = sender.block_action("U0AGENTA", ticket_blocks.A_TAKE, value)
    assert reply.status == 200
    standin.wait_for(lambda: bool(standin.calls("response_url")), 5)
    assert "Tombol ini tidak lagi berlaku" in json.dumps(standin.calls("response_url")[-1].params)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("VPN\x00 putus", "tidak bisa disimpan"), ("x" * 42006, "maksimal 150")],
    ids=["nul", "long"],
)
def test_lapor_text_is_checked_before_filing(
    sender: SlackSender, engine: Engine, text: str, expected: str
) -> None:
    seed(engine)
    reply = sender.command("U0REPORT", text)
    assert reply.status == 200
    assert expected in reply.text
    assert "#1" not in reply.text


def test_fuzzed_signed_payloads_never_get_a_5xx(
    rekan: Running,
    sender: SlackSender,
    standin: SlackStandIn,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed(engine)
    caplog.set_level(logging.WARNING)
    statuses: list[int] = []

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(requests)
    def send(request: tuple[bytes, str]) -> None:
        body, content_type = request
        status = post_bytes(rekan, body, signed_headers(body, content_type))
        statuses.append(status)
        assert status < 500, body[:300]

    send()
    assert len(statuses) >= 300 and set(statuses) >= {200, 400}
    failed = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("listener failed")
    ]
    assert failed == []
    # and Rekan still files a normal ticket
    reply = sender.command("U0REPORT", "VPN tidak bisa connect")
    assert reply.status == 200 and "#" in reply.text
    assert wait_dms(standin, "U0AGENTA")
