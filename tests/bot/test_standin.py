"""The packaged Slack stand-in behaves as Slack does, failures included, for a real WebClient."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox import SlackStandIn


def client(standin: SlackStandIn, **kw: object) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.url, timeout=5, **kw)  # type: ignore[arg-type]


def test_post_update_history_with_metadata(standin: SlackStandIn) -> None:
    c = client(standin)
    channel = c.conversations_open(users="U0AYU")["channel"]["id"]
    posted = c.chat_postMessage(
        channel=channel,
        text="hi",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
        metadata={"event_type": "rekan", "event_payload": {"key": "k1"}},
    )
    c.chat_update(channel=channel, ts=posted["ts"], text="bye")
    history = c.conversations_history(channel=channel, include_all_metadata=True)["messages"]
    assert history[0]["text"] == "bye"
    assert history[0]["metadata"]["event_payload"] == {"key": "k1"}
    call = standin.calls("chat.postMessage")[0]
    assert call.params["blocks"][0]["type"] == "section" and call.token == "xoxb-test"
    plain = c.conversations_history(channel=channel)["messages"]
    assert "metadata" not in plain[0]


def test_a_post_to_a_user_id_lands_in_their_dm_and_names_it(standin: SlackStandIn) -> None:
    """As on Slack: chat.postMessage with a user id as the channel posts in the app's DM with
    that person and answers with the DM's own id (D…), the one conversations.open gives."""
    c = client(standin)
    posted = c.chat_postMessage(channel="U0AYU", text="halo")
    dm = c.conversations_open(users="U0AYU")["channel"]["id"]
    assert posted["channel"] == dm and dm.startswith("D")
    assert [m.text for m in standin.dms_to("U0AYU")] == ["halo"]
    again = c.chat_postMessage(channel=posted["channel"], text="lagi")
    assert again["channel"] == dm and len(standin.messages(dm)) == 2


def test_ratelimit_answers_429_with_retry_after(standin: SlackStandIn) -> None:
    standin.inject("chat.postMessage", "ratelimit", retry_after=1)
    with pytest.raises(SlackApiError) as info:
        client(standin, retry_handlers=[]).chat_postMessage(channel="U0A", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["retry-after"] == "1"
    assert standin.dms_to("U0A") == []
    standin.inject("chat.postMessage", "ratelimit", retry_after=1)
    start = time.monotonic()
    client(standin, retry_handlers=[RateLimitErrorRetryHandler()]).chat_postMessage(
        channel="U0A", text="x"
    )
    assert time.monotonic() - start >= 1.0
    assert len(standin.dms_to("U0A")) == 1


def test_server_error_and_drop_after_post(standin: SlackStandIn) -> None:
    standin.inject("chat.postMessage", "server_error", status=503)
    with pytest.raises(SlackApiError) as info:
        client(standin, retry_handlers=[]).chat_postMessage(channel="U0A", text="x")
    assert info.value.response.status_code == 503
    standin.inject("chat.postMessage", "drop_after_post")
    with pytest.raises(Exception):  # noqa: B017 - a dropped connection, whatever urllib calls it
        client(standin, retry_handlers=[]).chat_postMessage(channel="U0A", text="posted anyway")
    assert [m.text for m in standin.dms_to("U0A")] == ["posted anyway"]
    assert standin.calls("chat.postMessage")[-1].outcome == "dropped"


def test_slow_answers(standin: SlackStandIn) -> None:
    standin.inject("users.info", "slow", delay=0.3)
    standin.add_user("U0A", "Ayu")
    start = time.monotonic()
    assert client(standin).users_info(user="U0A")["user"]["real_name"] == "Ayu"
    assert time.monotonic() - start >= 0.3


def test_views_files_and_missing_token(standin: SlackStandIn) -> None:
    c = client(standin)
    with pytest.raises(SlackApiError):
        c.views_open(
            trigger_id="",
            view={"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []},
        )
    assert c.views_publish(user_id="U0A", view={"type": "home", "blocks": []})["ok"]
    upload = c.files_getUploadURLExternal(filename="c.png", length=3)
    assert upload["upload_url"].startswith(standin.base)
    with pytest.raises(SlackApiError) as info:
        WebClient(base_url=standin.url).auth_test()
    assert info.value.response["error"] == "not_authed"
