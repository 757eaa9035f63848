"""The stand-in's files, threads and DM message events behave as Slack's do: downloads need the
bot token, the upload pair shares into a thread, and message.im events are signed, shaped and
retried so that a real Bolt app (HTTP and Socket Mode) takes them."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import SlackSender, SlackStandIn
from bot.sandbox.events import BOT_ID, BOT_USER, changed_message, deleted_message, im_message

SECRET = "standin-files-secret"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def client(standin: SlackStandIn, token: str = "xoxb-test") -> WebClient:
    return WebClient(token=token, base_url=standin.url, timeout=5)


def get(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET that does not follow redirects: (status, headers, body)."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=5)
    conn.request("GET", parts.path, headers={"Authorization": f"Bearer {token}"} if token else {})
    response = conn.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    conn.close()
    return result


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# -- files people share


def test_download_needs_the_bot_token() -> None:
    with SlackStandIn(bot_token="xoxb-test") as standin:
        shot = standin.add_file("U0AYU", "Layar Error.png", PNG)
        assert shot["mode"] == "hosted" and shot["size"] == len(PNG)
        assert (shot["mimetype"], shot["filetype"], shot["pretty_type"]) == (
            "image/png",
            "png",
            "PNG",
        )
        assert shot["user"] == "U0AYU" and shot["title"] == "Layar Error.png"
        url = shot["url_private_download"]
        assert url.startswith(standin.base + "files-pri/T0REKAN-" + shot["id"] + "/download/")
        status, headers, body = get(url, "xoxb-test")
        assert (status, body, headers["Content-Type"]) == (200, PNG, "image/png")
        assert "attachment" in headers["Content-Disposition"]
        assert get(shot["url_private"], "xoxb-test")[2] == PNG
        # no token, another bot's token, a user token: Slack's redirect to its sign-in page
        for token in (None, "xoxb-other", "xoxp-person"):
            status, headers, body = get(url, token)
            assert status == 302 and headers["Location"].startswith(standin.base + "?redir=")
        with urllib.request.urlopen(url, timeout=5) as followed:  # what a naive client gets
            assert followed.status == 200
            assert followed.headers["Content-Type"].startswith("text/html")
            assert b"Sign in" in followed.read()
        downloads = standin.calls("download")
        assert [c.outcome for c in downloads] == ["ok", "ok", *["login_redirect"] * 4]
        assert {c.params["file_id"] for c in downloads} == {shot["id"]}
        assert downloads[0].token == "xoxb-test" and downloads[2].token is None
        assert get(url.replace(shot["id"], "F0NOSUCH"), "xoxb-test")[0] == 404


def test_any_bot_token_downloads_unless_one_is_set(standin: SlackStandIn) -> None:
    shot = standin.add_file("U0AYU", "log.txt", b"error 42\n")
    assert (shot["filetype"], shot["mimetype"]) == ("text", "text/plain")
    assert get(shot["url_private_download"], "xoxb-whatever")[0] == 200
    assert get(shot["url_private_download"], "xoxp-person")[0] == 302


def test_download_faults(standin: SlackStandIn) -> None:
    shot = standin.add_file("U0AYU", "a.png", PNG)
    standin.inject("download", "server_error", status=503)
    assert get(shot["url_private_download"], "xoxb-test")[0] == 503
    assert get(shot["url_private_download"], "xoxb-test")[0] == 200
    assert [c.outcome for c in standin.calls("download")] == ["http_503", "ok"]


def test_files_info(standin: SlackStandIn) -> None:
    shot = standin.add_file("U0AYU", "shot.jpg", PNG, mimetype="image/jpeg", title="Layar")
    info = client(standin).files_info(file=shot["id"])["file"]
    assert {k: info[k] for k in ("id", "name", "title", "size", "mimetype", "pretty_type")} == {
        "id": shot["id"],
        "name": "shot.jpg",
        "title": "Layar",
        "size": len(PNG),
        "mimetype": "image/jpeg",
        "pretty_type": "JPEG",
    }
    assert info["url_private_download"] == shot["url_private_download"] and info["ims"] == []
    with pytest.raises(SlackApiError) as missing:
        client(standin).files_info(file="F0NOSUCH")
    assert missing.value.response["error"] == "file_not_found"


def test_a_slack_connect_dm_carries_only_a_stub(standin: SlackStandIn) -> None:
    stub = standin.add_file("U0AYU", "a.png", PNG, slack_connect=True)
    assert stub["file_access"] == "check_file_info" and "url_private_download" not in stub
    full = client(standin).files_info(file=stub["id"])["file"]
    assert get(full["url_private_download"], "xoxb-test")[2] == PNG


# -- files Rekan uploads, and threads


def test_upload_pair_lands_in_the_thread(standin: SlackStandIn) -> None:
    c = client(standin)
    dm = c.conversations_open(users="U0AYU")["channel"]["id"]
    parent = c.chat_postMessage(channel=dm, text="Ticket #1")["ts"]
    c.chat_postMessage(channel=dm, text="Agus: which error?", thread_ts=parent)
    done = c.files_upload_v2(
        channel=dm,
        content=PNG,
        filename="error.png",
        title="Screenshot",
        initial_comment="Ayu: this one",
        thread_ts=parent,
    )
    file_id = done["file"]["id"]
    assert standin.uploaded(file_id) == PNG
    complete = standin.calls("files.completeUploadExternal")[0].params
    assert (complete["channel_id"], complete["thread_ts"]) == (dm, parent)
    assert complete["initial_comment"] == "Ayu: this one"
    assert complete["files"][0]["id"] == file_id
    question, shared = standin.thread(dm, parent)
    assert (question.text, question.thread_ts) == ("Agus: which error?", parent)
    assert (shared.text, shared.user, shared.thread_ts) == ("Ayu: this one", BOT_USER, parent)
    assert shared.files is not None and shared.files[0]["name"] == "error.png"
    assert standin.thread("U0AYU", parent) == [question, shared]  # a user id means their DM
    # as in Slack: history lists the parent (counting replies), replies lists the thread
    history = c.conversations_history(channel=dm)["messages"]
    assert [m["text"] for m in history] == ["Ticket #1"] and history[0]["reply_count"] == 2
    replies = c.conversations_replies(channel=dm, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["Ticket #1", "Agus: which error?", "Ayu: this one"]
    assert replies[2]["files"][0]["id"] == file_id and replies[2]["upload"] is True
    with pytest.raises(SlackApiError):
        c.conversations_replies(channel=dm, ts="1.000001")
    # files.info knows where it was shared; the bot token downloads it
    info = c.files_info(file=file_id)["file"]
    assert info["title"] == "Screenshot" and info["ims"] == [dm]
    assert info["shares"]["private"][dm][0] == {"ts": shared.ts, "thread_ts": parent}
    assert get(info["url_private_download"], "xoxb-test")[2] == PNG


def test_upload_without_bytes_or_place(standin: SlackStandIn) -> None:
    c = client(standin)
    reserved = c.files_getUploadURLExternal(filename="x.png", length=3)
    with pytest.raises(SlackApiError) as never_posted:
        c.files_completeUploadExternal(files=[{"id": reserved["file_id"], "title": "x"}])
    assert never_posted.value.response["error"] == "file_not_found"
    private = c.files_upload_v2(content=b"abc", filename="kept.txt")["file"]["id"]
    assert standin.messages() == [] and standin.uploaded(private) == b"abc"
    assert c.files_info(file=private)["file"]["ims"] == []


def test_reply_broadcast_shows_in_history(standin: SlackStandIn) -> None:
    c = client(standin)
    parent = c.chat_postMessage(channel="U0AYU", text="Ticket #2")["ts"]
    c.chat_postMessage(channel="U0AYU", text="resolved", thread_ts=parent, reply_broadcast=True)
    history = c.conversations_history(channel="D0AYU")["messages"]
    assert [m["text"] for m in history] == ["resolved", "Ticket #2"]
    assert history[0]["subtype"] == "thread_broadcast"


# -- message.im events


def test_event_shapes_follow_slack() -> None:
    shot = {"id": "F1", "name": "a.png"}
    event = im_message(
        "U0AYU", "lihat", channel="D0AYU", ts="5.000001", thread_ts="4.000001", files=[shot]
    )
    assert event["type"] == "message" and event["channel_type"] == "im"
    assert (event["subtype"], event["upload"], event["files"]) == ("file_share", False, [shot])
    assert (event["thread_ts"], event["parent_user_id"], event["event_ts"]) == (
        "4.000001",
        BOT_USER,
        "5.000001",
    )
    assert event["client_msg_id"] and event["blocks"][0]["type"] == "rich_text"
    plain = im_message("U0AYU", "halo", channel="D0AYU", ts="6.000001", client_msg_id="m-1")
    assert "subtype" not in plain and "thread_ts" not in plain and plain["client_msg_id"] == "m-1"
    echo = im_message(BOT_USER, "Ticket #1", channel="D0AYU", ts="7.000001", bot_id=BOT_ID)
    assert echo["bot_id"] == BOT_ID and "client_msg_id" not in echo
    hook = im_message(
        "U0X", "ping", channel="D0AYU", ts="8.000001", subtype="bot_message", bot_id="B9"
    )
    assert "user" not in hook
    changed = changed_message(
        "U0AYU", channel="D0AYU", ts="5.000001", text="new", previous_text="old", edit_ts="9.1"
    )
    assert (changed["subtype"], changed["hidden"], changed["ts"]) == (
        "message_changed",
        True,
        "9.1",
    )
    assert changed["message"]["edited"] == {"user": "U0AYU", "ts": "9.1"}
    assert (changed["message"]["text"], changed["previous_message"]["text"]) == ("new", "old")
    assert changed["message"]["client_msg_id"] == changed["previous_message"]["client_msg_id"]
    gone = deleted_message(
        "U0AYU", channel="D0AYU", ts="5.000001", previous_text="x", delete_ts="9.2"
    )
    assert (gone["subtype"], gone["deleted_ts"], gone["previous_message"]["text"]) == (
        "message_deleted",
        "5.000001",
        "x",
    )


@dataclass
class Captured:
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def capture() -> Iterator[tuple[str, Captured]]:
    """A plain HTTP endpoint that keeps what it is sent and answers 200."""
    seen = Captured()

    class Keep(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            seen.requests.append((dict(self.headers.items()), raw))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keep)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", seen
    server.shutdown()
    server.server_close()


def test_message_im_is_signed_and_retried_with_slack_headers(
    capture: tuple[str, Captured],
) -> None:
    url, seen = capture
    sender = SlackSender(url, SECRET)
    sender.message_im("U0AYU", "halo", channel="D0AYU", event_id="Ev0FIRST")
    sender.resend(sender.sent[-1], retry_num=2)
    sender.message_im("U0AYU", "lagi", channel="D0AYU", retry_num=1, retry_reason="http_error")
    (first, raw1), (again, raw2), (third, _raw3) = seen.requests
    verifier = SignatureVerifier(SECRET)
    for headers, raw in ((first, raw1), (again, raw2)):
        assert verifier.is_valid(
            raw.decode(), headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
        )
    assert "X-Slack-Retry-Num" not in first
    assert (again["X-Slack-Retry-Num"], again["X-Slack-Retry-Reason"]) == ("2", "http_timeout")
    assert (third["X-Slack-Retry-Num"], third["X-Slack-Retry-Reason"]) == ("1", "http_error")
    body = json.loads(raw1)
    assert json.loads(raw2) == body and body["event_id"] == "Ev0FIRST"
    assert body["type"] == "event_callback" and body["authorizations"][0]["user_id"] == BOT_USER
    assert body["event"]["text"] == "halo" and body["event"]["channel_type"] == "im"


def test_what_people_write_is_kept_when_the_sender_knows_the_standin(
    standin: SlackStandIn, capture: tuple[str, Captured]
) -> None:
    url, seen = capture
    sender = SlackSender(url, SECRET, standin=standin)
    c = client(standin)
    parent = c.chat_postMessage(channel="U0AYU", text="Ticket #1")["ts"]
    shot = standin.add_file("U0AYU", "err.png", PNG)
    sender.message_im("U0AYU", "ini errornya", channel="D0AYU", thread_ts=parent, files=[shot])
    sent = sender.sent[-1]["event"]
    sender.resend(sender.sent[-1])  # a retry is the same message, kept once
    sender.message_im(  # and so is the same message sent again with its ts
        "U0AYU",
        "ini errornya",
        channel="D0AYU",
        thread_ts=parent,
        files=[shot],
        ts=sent["ts"],
        client_msg_id=sent["client_msg_id"],
        retry_num=1,
    )
    c.chat_postMessage(channel="D0AYU", text="Agus: thanks", thread_ts=parent)
    mine, answer = standin.thread("D0AYU", parent)
    assert (mine.user, mine.ts, mine.subtype, mine.text) == (
        "U0AYU",
        sent["ts"],
        "file_share",
        "ini errornya",
    )
    assert float(answer.ts) > float(mine.ts) and answer.user == BOT_USER
    assert [m.text for m in standin.dms_to("U0AYU")] == ["Ticket #1", "Agus: thanks"]
    assert c.files_info(file=shot["id"])["file"]["shares"]["private"]["D0AYU"] == [
        {"ts": mine.ts, "thread_ts": parent}
    ]
    sender.message_changed(
        "U0AYU",
        "ini error 42",
        channel="D0AYU",
        ts=mine.ts,
        previous_text=mine.text,
        thread_ts=parent,
    )
    edited = standin.thread("D0AYU", parent)[0]
    assert edited.text == "ini error 42" and edited.edited and edited.edited["user"] == "U0AYU"
    sender.message_deleted("U0AYU", channel="D0AYU", ts=mine.ts, previous_text=edited.text)
    assert [m.text for m in standin.thread("D0AYU", parent)] == ["Agus: thanks"]
    assert [json.loads(raw)["event"].get("subtype") for _, raw in seen.requests] == [
        "file_share",
        "file_share",
        "file_share",
        "message_changed",
        "message_deleted",
    ]


# -- a real Bolt app takes them


@dataclass
class Bolt:
    app: App
    events: list[dict[str, Any]]
    retries: list[str | None]


def bolt_app(standin: SlackStandIn) -> Bolt:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-test", base_url=standin.url, timeout=5),
    )
    found = Bolt(app, [], [])

    @app.event("message")
    def on_message(event: dict[str, Any], request: BoltRequest) -> None:
        found.retries.append(next(iter(request.headers.get("x-slack-retry-num") or []), None))
        found.events.append(event)

    return found


@pytest.fixture
def over_http(standin: SlackStandIn) -> Iterator[tuple[Bolt, SlackSender]]:
    """A Bolt app served over HTTP in this process, and a sender pointed at it."""
    bolt = bolt_app(standin)

    class Dispatch(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): [v] for k, v in self.headers.items()}
            response = bolt.app.dispatch(BoltRequest(body=raw.decode(), headers=headers))
            data = response.body.encode()
            self.send_response(response.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Dispatch)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield bolt, SlackSender(url, SECRET, standin=standin)
    server.shutdown()
    server.server_close()


def test_bolt_takes_dm_messages_over_http(
    standin: SlackStandIn, over_http: tuple[Bolt, SlackSender]
) -> None:
    bolt, sender = over_http
    shot = standin.add_file("U0AYU", "err.png", PNG)
    assert sender.message_im("U0AYU", "halo", channel="D0AYU", thread_ts="1.000001").status == 200
    sender.message_im("U0AYU", "", channel="D0AYU", thread_ts="1.000001", files=[shot], retry_num=1)
    sender.message_im(BOT_USER, "Ticket #1", channel="D0AYU", bot_id=BOT_ID)  # Bolt drops its own
    sender.message_changed("U0AYU", "halo!", channel="D0AYU", ts="2.000001", previous_text="halo")
    sender.message_deleted("U0AYU", channel="D0AYU", ts="2.000001")
    assert eventually(lambda: len(bolt.events) >= 4)
    time.sleep(0.2)
    events = sorted(bolt.events, key=lambda e: e.get("subtype") or "~")
    assert [e.get("subtype") for e in events] == [
        "file_share",
        "message_changed",
        "message_deleted",
        None,
    ]
    assert events[0]["files"][0]["url_private_download"] == shot["url_private_download"]
    assert events[3]["text"] == "halo" and events[3]["thread_ts"] == "1.000001"
    assert sorted(r or "" for r in bolt.retries) == ["", "", "", "1"]
    wrong = SlackSender(sender.events_url, "not-the-secret")
    assert wrong.message_im("U0AYU", "halo", channel="D0AYU").status == 401


def test_bolt_takes_dm_messages_over_socket_mode(standin: SlackStandIn) -> None:
    bolt = bolt_app(standin)
    handler = SocketModeHandler(bolt.app, app_token="xapp-test")
    handler.connect()
    try:
        assert standin.wait_for(lambda: standin.socket is not None, 10)
        socket = standin.socket
        assert socket.wait_connected(1, 10)
        shot = standin.add_file("U0AYU", "err.png", PNG)
        parent = client(standin).chat_postMessage(channel="U0AYU", text="Ticket #1")["ts"]
        ack = socket.message_im("U0AYU", "ini", channel="D0AYU", thread_ts=parent, files=[shot])
        assert ack == {}
        socket.message_im("U0AYU", "lagi", channel="D0AYU", thread_ts=parent, retry_num=2)
        assert eventually(lambda: len(bolt.events) >= 2)
        texts = sorted((e["text"], r) for e, r in zip(bolt.events, bolt.retries, strict=True))
        assert texts == [("ini", "0"), ("lagi", "2")]
        assert [m.text for m in standin.thread("D0AYU", parent)] == ["ini", "lagi"]
    finally:
        handler.close()
